/** `portcullis feeds ACTION`: each action in its own module, loaded when asked for. */
import type { FeedsOptions } from "../feeds-options.js";
import type { CommandResult } from "./result.js";

export async function runFeeds(options: FeedsOptions): Promise<CommandResult> {
  switch (options.action) {
    case "show":
      return (await import("./feeds-show.js")).runFeedsShow(options);
    case "policy":
      return (await import("./feeds-policy.js")).runFeedsPolicy(options);
    case "update":
      return (await import("./feeds-update.js")).runFeedsUpdate(options);
    case "diff":
      return (await import("./feeds-diff.js")).runFeedsDiff(options);
    case "fetch":
      return (await import("./feeds-fetch.js")).runFeedsFetch(options);
  }
}
