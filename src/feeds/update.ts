/**
 * `feeds update` on one file's text: every policy bound to a feed gets its feed peers (managed.ts) and
 * its feed-version / feed-sha256 annotations rewritten from the feeds given. A text edit, not a
 * re-dump: the `yaml` parser finds the byte ranges of what changes and new text is spliced in, copied
 * from the first feed peer as written (its indentation, sequence style, quoting and line endings), so
 * every other byte of the file — comments, key order, quoting, blank lines, CRLF, other documents —
 * stays as it was. JSON files are YAML flow collections to the parser and are edited the same way.
 *
 * Pure: the caller reads and writes the files (src/cli/commands/feeds-update.ts).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parse, parseAllDocuments, type Scalar, type YAMLMap, type YAMLSeq } from "yaml";
import { type Cidr, formatCidr, parseCidr } from "../net/cidr.js";
import { FEED_SELECTOR_ANNOTATION, FEED_SHA256_ANNOTATION, FEED_VERSION_ANNOTATION, readBinding } from "./annotations.js";
import { checkGuards, type Guard, type GuardSettings } from "./guards.js";
import { feedPeers, hasExcept, isFeedPeer, type ManagedStyle, managedStyle, peerCidrTexts, type Replacement, replacementCidrs, replacementFor } from "./managed.js";
import { formatSelector } from "./selector.js";
import type { Feed, FeedProvider } from "./types.js";

/** What happened to one bound policy. */
export interface PolicyUpdate {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string | null;
  /** 1-based line of the policy (its first key). */
  readonly line: number;
  readonly selectors: readonly string[];
  readonly versionBefore: string | null;
  readonly versionAfter: string | null;
  /** CIDRs as the feed peers held them, then as they will. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** The text changes (peers or annotations). */
  readonly changed: boolean;
  /** Guards that refuse this policy's update (applied anyway with `force`). */
  readonly refused: readonly Guard[];
}

/** An error in the file: a policy `feeds update` cannot refresh (nothing is written). */
export interface UpdateProblem {
  readonly line: number;
  readonly message: string;
}

export interface FileUpdate {
  /** The new text (the old one, byte for byte, when nothing changed or every change was refused). */
  readonly text: string;
  readonly changed: boolean;
  readonly policies: readonly PolicyUpdate[];
  readonly errors: readonly UpdateProblem[];
}

export interface UpdateSettings extends GuardSettings {
  /** `--force`: apply updates the guards refuse. */
  readonly force: boolean;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const PLACEHOLDER = "\u0000";

/** Applies non-overlapping edits. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  // Last first, so offsets stay valid; of two insertions at one place, the one listed first ends up first.
  const order = edits.map((e, k) => ({ e, k })).sort((a, b) => b.e.start - a.e.start || b.k - a.k);
  for (const { e } of order) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf("\n", at - 1) + 1;
}

/** Just past the newline ending the line that holds `at` (or the end of the text). */
function lineEndAfter(text: string, at: number): number {
  const nl = text.indexOf("\n", at);
  return nl < 0 ? text.length : nl + 1;
}

function range(node: Node): [number, number] {
  const r = node.range;
  if (r === null || r === undefined) throw new Error("a parsed node without a source range");
  return [r[0], r[1]];
}

/** Quotes each CIDR as the file quotes the CIDRs of its family (the first feed scalar of that family, else the first). */
type Quoter = (cidr: string) => string;

function quoterOf(scalars: readonly Scalar[]): Quoter {
  const v6 = (x: unknown): boolean => String(x).includes(":");
  return (cidr) => quoteLike(scalars.find((s) => v6(s.value) === v6(cidr)) ?? scalars[0] ?? null, cidr);
}

/** The CIDR scalars of feed peers as written. */
function cidrScalars(style: ManagedStyle, peers: readonly Node[]): Scalar[] {
  return peers.flatMap((p) => {
    const held = isMap(p) ? p.get(style, true) : undefined;
    if (style === "ipBlock") {
      const c = isMap(held) ? held.get("cidr", true) : undefined;
      return isScalar(c) ? [c] : [];
    }
    return isSeq(held) ? held.items.filter((i): i is Scalar => isScalar(i)) : [];
  });
}

/** A string as the scalar `like` was written: same quotes; plain only if it reads back as this very string. */
function quoteLike(like: Scalar | null, value: string): string {
  const type = like?.type;
  if (type === "QUOTE_SINGLE") return `'${value.replace(/'/g, "''")}'`;
  if (type === "PLAIN" && !value.startsWith(":") && parse(value, { version: "1.1" }) === value) return value;
  return JSON.stringify(value);
}

/** Where a block sequence item starts: the line of its `-` (the item's value starts after it). */
function blockItemStart(text: string, valueStart: number): number {
  let at = valueStart - 1;
  while (at >= 0 && text[at] !== "-") at--;
  return lineStart(text, at);
}

/** A block item's text, end of its last line included, comments dropped (they were about the old ranges). */
function withoutComments(template: string): string {
  return template
    .split("\n")
    .filter((line) => !/^[ \t]*#/.test(line))
    .map((line) => line.replace(/[ \t]+#[^\r\n]*/, ""))
    .join("\n");
}

/** The separator written between two items of a flow sequence, as the file writes it. */
function flowSeparator(text: string, seq: YAMLSeq): string {
  const [a, b] = seq.items as Node[];
  if (a !== undefined && b !== undefined) return text.slice(range(a)[1], range(b)[0]);
  const [open] = range(seq);
  if (a === undefined) return ", ";
  const lead = text.slice(open + 1, range(a)[0]);
  return lead.includes("\n") ? `,${lead.slice(lead.lastIndexOf("\n"))}` : ", ";
}

/** The text of a sequence's items from a list of values; how depends on the sequence's style. */
interface ItemsWriter {
  /** The region of the text the items occupy (replaced whole). */
  readonly start: number;
  readonly end: number;
  readonly write: (values: readonly string[]) => string;
}

/** The inner `networks` list of an admin peer: regenerated in its own style with the first entry's quoting. */
function networksWriter(text: string, seq: YAMLSeq, quote: Quoter): ItemsWriter {
  const items = seq.items as Node[];
  const first = items[0];
  const last = items[items.length - 1];
  if (seq.flow === true || first === undefined || last === undefined) {
    const sep = flowSeparator(text, seq);
    const [open, close] = range(seq);
    const start = first === undefined ? open + 1 : range(first)[0];
    const end = last === undefined ? close - 1 : range(last)[1];
    return { start, end, write: (values) => values.map(quote).join(sep) };
  }
  const start = blockItemStart(text, range(first)[0]);
  const end = lineEndAfter(text, range(last)[1] - 1);
  const [vs, ve] = range(first);
  const itemStart = blockItemStart(text, vs);
  const line = withoutComments(text.slice(itemStart, vs) + PLACEHOLDER + text.slice(ve, lineEndAfter(text, ve - 1)));
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return { start, end, write: (values) => values.map((v) => line.replace(PLACEHOLDER, quote(v))).map((l, k, all) => (k < all.length - 1 && !l.endsWith("\n") ? l + eol : l)).join("") };
}

/**
 * A function writing one feed peer (given its CIDRs) as the template peer was written: the template's
 * source with the CIDR scalar (ipBlock) or the inner list (networks) replaced.
 */
function peerWriter(text: string, style: ManagedStyle, peer: YAMLMap, start: number, end: number, quote: Quoter): ((cidrs: readonly string[]) => string) | null {
  const held = peer.get(style, true) as Node | undefined;
  if (style === "ipBlock") {
    const cidr = isMap(held) ? (held.get("cidr", true) as Node | undefined) : undefined;
    if (cidr === undefined || !isScalar(cidr)) return null;
    const [cs, ce] = range(cidr);
    const template = text.slice(start, cs) + PLACEHOLDER + text.slice(ce, end);
    return (cidrs) => template.replace(PLACEHOLDER, quote(cidrs[0] ?? ""));
  }
  if (!isSeq(held)) return null;
  const inner = networksWriter(text, held, quote);
  const template = text.slice(start, inner.start) + PLACEHOLDER + text.slice(inner.end, end);
  return (cidrs) => template.replace(PLACEHOLDER, inner.write(cidrs));
}

interface Context {
  readonly text: string;
  readonly lines: LineCounter;
  readonly feeds: ReadonlyMap<FeedProvider, Feed>;
  readonly settings: UpdateSettings;
  readonly edits: Edit[];
  readonly policies: PolicyUpdate[];
  readonly errors: UpdateProblem[];
}

function lineOf(c: Context, node: Node | null | undefined): number {
  return node?.range === undefined || node.range === null ? 1 : c.lines.linePos(node.range[0]).line;
}

function stringAt(map: YAMLMap, key: string): string | null {
  const v = map.get(key);
  return typeof v === "string" ? v : null;
}

function pairOf(map: YAMLMap, key: string): Pair<Scalar, Node> | undefined {
  return (map.items as Array<Pair<Scalar, Node>>).find((p) => isScalar(p.key) && p.key.value === key);
}

/** The edits of one egress rule's `to`: feed peers replaced by `peers`, or none when they already hold them. */
function ruleEdits(c: Context, style: ManagedStyle, to: YAMLSeq, cidrs: readonly string[]): Edit[] | null {
  const items = to.items as Node[];
  const managed = items.filter((p) => isFeedPeer(style, p.toJSON()));
  if (managed.length === 0) return [];
  const want = feedPeers(style, cidrs);
  if (JSON.stringify(managed.map((p) => p.toJSON())) === JSON.stringify(want)) return [];
  const first = managed[0] as YAMLMap;
  const quote = quoterOf(cidrScalars(style, managed));
  const chunks: string[][] = style === "ipBlock" ? cidrs.map((x) => [x]) : want.map((p) => (p as { networks: string[] }).networks);
  if (to.flow === true) {
    const [fs, fe] = range(first);
    const writer = peerWriter(c.text, style, first, fs, fe, quote);
    if (writer === null) return null;
    const sep = flowSeparator(c.text, to);
    const parts: string[] = [];
    for (const item of items) {
      if (item === first) parts.push(...chunks.map(writer));
      else if (!managed.includes(item)) parts.push(c.text.slice(...range(item)));
    }
    const start = range(items[0] as Node)[0];
    const end = range(items[items.length - 1] as Node)[1];
    return [{ start, end, text: parts.join(sep) }];
  }
  const span = (item: Node): [number, number] => [blockItemStart(c.text, range(item)[0]), lineEndAfter(c.text, range(item)[1] - 1)];
  const [fs, fe] = span(first);
  const writer = peerWriter(c.text, style, first, fs, fe, quote);
  if (writer === null) return null;
  const eol = c.text.includes("\r\n") ? "\r\n" : "\n";
  const peersText = chunks
    .map((chunk) => withoutComments(writer(chunk)))
    .map((t, k, all) => (k < all.length - 1 && !t.endsWith("\n") ? t + eol : t))
    .join("");
  return managed.map((item, k) => {
    const [s, e] = span(item);
    return { start: s, end: e, text: k === 0 ? peersText : "" };
  });
}

/** Set (or add after the selector annotation) one annotation's value. */
function annotationEdit(c: Context, annotations: YAMLMap, key: string, value: string): Edit[] {
  const pair = pairOf(annotations, key);
  if (pair !== undefined && isScalar(pair.value)) {
    if (String(pair.value.value) === value) return [];
    const [s, e] = range(pair.value);
    return [{ start: s, end: e, text: quoteLike(pair.value, value) }];
  }
  const selector = pairOf(annotations, FEED_SELECTOR_ANNOTATION);
  if (selector === undefined || selector.value === null) return [];
  const keyText = quoteLike(selector.key, key);
  const entry = `${keyText}: ${JSON.stringify(value)}`;
  const [ks] = range(selector.key);
  const [, ve] = range(selector.value);
  if (annotations.flow === true) {
    const pairs = annotations.items as Array<Pair<Scalar, Node>>;
    const at = pairs.indexOf(selector);
    const next = pairs[at + 1];
    const prev = pairs[at - 1];
    const sep = next !== undefined ? c.text.slice(ve, range(next.key)[0]) : prev?.value != null ? c.text.slice(range(prev.value)[1], ks) : ", ";
    return [{ start: ve, end: ve, text: `${sep}${entry}` }];
  }
  const indent = c.text.slice(lineStart(c.text, ks), ks);
  const eol = c.text.includes("\r\n") ? "\r\n" : "\n";
  const at = lineEndAfter(c.text, ve - 1);
  const lead = at === c.text.length && !c.text.endsWith("\n") ? eol : "";
  return [{ start: at, end: at, text: `${lead}${indent}${entry}${at === c.text.length && lead !== "" ? "" : eol}` }];
}

function parseCidrs(texts: readonly string[]): Cidr[] | string {
  const out: Cidr[] = [];
  for (const t of texts) {
    const r = parseCidr(t);
    if (!r.ok) return `${t}: ${r.reason}`;
    out.push(r.cidr);
  }
  return out;
}

function egressTos(policy: YAMLMap): YAMLSeq[] {
  const spec = policy.get("spec", true);
  const egress = isMap(spec) ? spec.get("egress", true) : undefined;
  if (!isSeq(egress)) return [];
  return (egress.items as Node[]).flatMap((rule) => {
    const to = isMap(rule) ? rule.get("to", true) : undefined;
    return isSeq(to) ? [to] : [];
  });
}

function labelsOf(annotations: YAMLMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of annotations.items as Array<Pair<Scalar, Node>>) {
    if (isScalar(p.key) && isScalar(p.value)) out.set(String(p.key.value), String(p.value.value));
  }
  return out;
}

function updatePolicy(c: Context, policy: YAMLMap): void {
  const kind = stringAt(policy, "kind");
  const style = managedStyle(kind);
  const metadata = policy.get("metadata", true);
  const annotations = isMap(metadata) ? metadata.get("annotations", true) : undefined;
  if (style === null || kind === null || !isMap(metadata) || !isMap(annotations)) return;
  const read = readBinding(labelsOf(annotations));
  if (read.kind === "none") return;
  const where = `${kind} ${[stringAt(metadata, "namespace"), stringAt(metadata, "name")].filter((x) => x !== null).join("/")}`;
  if (read.kind === "invalid") {
    c.errors.push({ line: lineOf(c, pairOf(annotations, read.annotation)?.key), message: `${where}: annotation ${read.annotation}: ${read.message}` });
    return;
  }
  const binding = read.binding;
  const replacement = replacementFor(binding, c.feeds);
  if (!replacement.ok) {
    c.errors.push({ line: lineOf(c, pairOf(annotations, FEED_SELECTOR_ANNOTATION)?.key), message: `${where}: ${replacement.message}` });
    return;
  }
  const tos = egressTos(policy);
  const alias = tos.flatMap((to) => to.items as Node[]).find((p) => isAlias(p));
  if (alias !== undefined) {
    c.errors.push({ line: lineOf(c, alias), message: `${where}: an alias (*${isAlias(alias) ? alias.source : ""}) among the egress peers: feeds update edits peers written in place only` });
    return;
  }
  const peers = tos.flatMap((to) => (to.items as Node[]).filter((p) => isFeedPeer(style, p.toJSON())));
  if (peers.length === 0) {
    c.errors.push({ line: lineOf(c, pairOf(annotations, FEED_SELECTOR_ANNOTATION)?.key), message: `${where}: bound to a feed but no egress rule holds ${style === "ipBlock" ? "an ipBlock" : "a networks"} peer: feeds update cannot tell which rule the ranges belong in` });
    return;
  }
  const except = peers.find((p) => hasExcept(style, p.toJSON()));
  if (except !== undefined) {
    c.errors.push({ line: lineOf(c, except), message: `${where}: a feed-managed ipBlock has \`except\`, a hand edit feeds update will not guess at: remove the except (or the ${FEED_SELECTOR_ANNOTATION} annotation)` });
    return;
  }
  const beforeTexts = [...new Set(peers.flatMap((p) => peerCidrTexts(style, p.toJSON())))];
  const before = parseCidrs(beforeTexts);
  if (typeof before === "string") {
    c.errors.push({ line: lineOf(c, peers[0]), message: `${where}: a feed-managed peer holds an invalid CIDR ${before}` });
    return;
  }
  applyPolicy(c, { policy, style, kind, annotations, where, tos, beforeTexts, before, replacement: replacement.replacement, recorded: binding.version, selectors: binding.selectors.map(formatSelector) });
}

interface Bound {
  readonly policy: YAMLMap;
  readonly style: ManagedStyle;
  readonly kind: string;
  readonly annotations: YAMLMap;
  readonly where: string;
  readonly tos: readonly YAMLSeq[];
  readonly beforeTexts: readonly string[];
  readonly before: readonly Cidr[];
  readonly replacement: Replacement;
  readonly recorded: string | null;
  readonly selectors: readonly string[];
}

function applyPolicy(c: Context, b: Bound): void {
  const { feed } = b.replacement;
  const after = replacementCidrs(b.replacement);
  const refused = checkGuards({ selections: b.replacement.selections, before: b.before, after: [...b.replacement.v4, ...b.replacement.v6], recordedVersion: b.recorded, feedVersion: feed.version }, c.settings);
  const edits: Edit[] = [];
  for (const to of b.tos) {
    const e = ruleEdits(c, b.style, to, after);
    if (e === null) {
      c.errors.push({ line: lineOf(c, to), message: `${b.where}: a feed-managed peer is not written as \`${b.style === "ipBlock" ? "ipBlock: {cidr: ...}" : "networks: [...]"}\`: feeds update cannot tell where its ranges go` });
      return;
    }
    edits.push(...e);
  }
  if (feed.version !== null) edits.push(...annotationEdit(c, b.annotations, FEED_VERSION_ANNOTATION, feed.version.text));
  edits.push(...annotationEdit(c, b.annotations, FEED_SHA256_ANNOTATION, feed.sha256));
  const beforeSet = new Set(b.before.map(formatCidr));
  const afterSet = new Set(after);
  const metadata = b.policy.get("metadata") as YAMLMap;
  c.policies.push({
    kind: b.kind,
    namespace: stringAt(metadata, "namespace"),
    name: stringAt(metadata, "name"),
    line: lineOf(c, b.policy),
    selectors: b.selectors,
    versionBefore: b.recorded,
    versionAfter: feed.version?.text ?? b.recorded,
    before: b.beforeTexts,
    after,
    added: after.filter((x) => !beforeSet.has(x)),
    removed: b.before.map(formatCidr).filter((x) => !afterSet.has(x)),
    changed: edits.length > 0,
    refused,
  });
  if (refused.length === 0 || c.settings.force) c.edits.push(...edits);
}

/** Every bound policy of the file refreshed; problems name the line. Documents that are not bound policies are not looked at. */
export function updateText(text: string, feeds: ReadonlyMap<FeedProvider, Feed>, settings: UpdateSettings): FileUpdate {
  const lines = new LineCounter();
  const c: Context = { text, lines, feeds, settings, edits: [], policies: [], errors: [] };
  const docs = parseAllDocuments(text, { lineCounter: lines, version: "1.1", merge: true, uniqueKeys: false });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error !== undefined) {
      c.errors.push({ line: lines.linePos(error.pos[0]).line, message: `YAML: ${error.message.split("\n")[0] ?? ""}` });
      continue;
    }
    const root = doc.contents;
    if (!isMap(root)) continue;
    const items = root.get("items", true);
    const kind = stringAt(root, "kind");
    if (kind !== null && kind.endsWith("List") && isSeq(items)) {
      for (const item of items.items) if (isMap(item)) updatePolicy(c, item);
    } else updatePolicy(c, root);
  }
  if (c.errors.length > 0) return { text, changed: false, policies: c.policies, errors: c.errors };
  const updated = applyEdits(text, c.edits);
  return { text: updated, changed: updated !== text, policies: c.policies, errors: [] };
}
