/** `feeds show SELECTOR... --feed F`: each selection aggregated, counts before and after, IPv4 and IPv6. */
import { type ShowView, renderShowText, selectionView } from "../../feeds/render-show.js";
import { selectRanges } from "../../feeds/select.js";
import { formatSelector } from "../../feeds/selector.js";
import { readFeeds } from "../../feeds-io/read-feeds.js";
import type { FeedsOptions } from "../feeds-options.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";

export async function runFeedsShow(o: Extract<FeedsOptions, { action: "show" }>): Promise<CommandResult> {
  const read = await readFeeds(o.feeds);
  if (!read.ok) return done("invalid-input", "", read.messages.map((m) => `portcullis: ${m}\n`).join(""));
  const selections = [];
  for (const selector of o.selectors) {
    const feed = read.feeds.get(selector.provider);
    if (feed === undefined) return usage(`no ${selector.provider} feed given for ${formatSelector(selector)}: add --feed ${selector.provider}=FILE`);
    const r = selectRanges(feed, selector);
    if (!r.ok) return usage(`${formatSelector(selector)}: ${r.message}`);
    selections.push(selectionView(r.selection, feed));
  }
  const view: ShowView = { selections };
  return done("ok", render(o.output, view, { text: renderShowText }));
}
