/** `feeds diff`: built by its own work item (docs/feeds.md); until then a usage error says so. */
import type { FeedsOptions } from "../feeds-options.js";
import { type CommandResult, usage } from "./result.js";

export function runFeedsDiff(o: Extract<FeedsOptions, { action: "diff" }>): CommandResult {
  return usage(`feeds ${o.action} is not built yet`);
}
