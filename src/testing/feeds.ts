/** Test support for feed parsers: the real-format fixtures of src/feeds/testdata, parsed and selected. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { formatCidr } from "../net/cidr.js";
import { parseFeed } from "../feeds/parsers.js";
import { selectRanges } from "../feeds/select.js";
import { parseSelector } from "../feeds/selector.js";
import type { Feed, FeedError, FeedProvider } from "../feeds/types.js";

/** src/feeds/testdata as a path (compiled tests live in dist/src/…). */
export const FEED_TESTDATA = new URL("../../../src/feeds/testdata/", import.meta.url);

/** A fixture's text. */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FEED_TESTDATA), "utf8");
}

/** A feed file as parseFeed takes it: a name, its text, a fixed sha256 (tests check what the parser makes of the text). */
export function file(name: string, text = fixture(name)): { name: string; text: string; sha256: string } {
  return { name, text, sha256: "0".repeat(64) };
}

/** The fixtures parsed as `provider`'s feed; a parse error fails the test with the errors. */
export function feedOf(provider: FeedProvider, ...files: { name: string; text: string; sha256: string }[]): Feed {
  const r = parseFeed(provider, files);
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.feed;
}

/** The errors of a feed that must not parse. */
export function errorsOf(provider: FeedProvider, ...files: { name: string; text: string; sha256: string }[]): readonly FeedError[] {
  const r = parseFeed(provider, files);
  if (r.ok) assert.fail(`expected ${provider} to refuse ${files.map((f) => f.name).join(", ")}`);
  return r.errors;
}

/** A selector applied: the aggregated CIDRs as text and the records matched. */
export function selected(feed: Feed, selector: string): { v4: string[]; v6: string[]; matched: number } {
  const s = parseSelector(selector);
  if (!s.ok) assert.fail(s.message);
  const r = selectRanges(feed, s.selector);
  if (!r.ok) assert.fail(r.message);
  return { v4: r.selection.v4.map(formatCidr), v6: r.selection.v6.map(formatCidr), matched: r.selection.matched };
}

/** The fixture text with one JSON value replaced: `edit(text, '"a"', '"b"')`, refusing when it is not there exactly once. */
export function edit(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `${from} must occur once in the fixture`);
  return text.replace(from, to);
}
