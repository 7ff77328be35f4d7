/** `feeds show`: each selection as data (JSON/YAML) and as text; text renders the same object. */
import { formatCidr } from "../net/cidr.js";
import { formatSelector } from "./selector.js";
import type { Feed, Selection } from "./types.js";

export interface FamilyView {
  /** Distinct prefixes the selection matched, before merging. */
  readonly before: number;
  /** After merging adjacent and contained prefixes. */
  readonly after: number;
  readonly cidrs: readonly string[];
}

export interface FeedView {
  readonly provider: string;
  readonly version: string | null;
  readonly published: string | null;
  readonly sha256: string;
}

export interface SelectionView {
  readonly selector: string;
  readonly feed: FeedView;
  /** Records matched (a range under two matching keys counts twice). */
  readonly records: number;
  readonly ipv4: FamilyView;
  readonly ipv6: FamilyView;
}

export interface ShowView {
  readonly selections: readonly SelectionView[];
}

export function feedView(feed: Feed): FeedView {
  return { provider: feed.provider, version: feed.version?.text ?? null, published: feed.published, sha256: feed.sha256 };
}

export function selectionView(selection: Selection, feed: Feed): SelectionView {
  return {
    selector: formatSelector(selection.selector),
    feed: feedView(feed),
    records: selection.matched,
    ipv4: { before: selection.prefixes.v4, after: selection.v4.length, cidrs: selection.v4.map(formatCidr) },
    ipv6: { before: selection.prefixes.v6, after: selection.v6.length, cidrs: selection.v6.map(formatCidr) },
  };
}

function family(name: string, f: FamilyView): string[] {
  const head = `  ${name}: ${f.after} CIDR${f.after === 1 ? "" : "s"} (${f.before} prefix${f.before === 1 ? "" : "es"} before merging)`;
  return [head, ...f.cidrs.map((c) => `    ${c}`)];
}

export function renderShowText(view: ShowView): string {
  const blocks = view.selections.map((s) => {
    const version = s.feed.version === null ? "no version token" : `version ${s.feed.version}`;
    const lines = [`${s.selector}  (${s.feed.provider} feed, ${version}, sha256 ${s.feed.sha256.slice(0, 12)})`, `  ${s.records} record${s.records === 1 ? "" : "s"} matched`, ...family("IPv4", s.ipv4), ...family("IPv6", s.ipv6)];
    if (s.records === 0) lines.push("  (the selector matched nothing in this feed)");
    return lines.join("\n");
  });
  return `${blocks.join("\n\n")}\n`;
}
