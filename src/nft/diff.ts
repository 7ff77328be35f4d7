import { formatElement, renderRuleset, renderTable } from "./render.js";
import type { NftChain, NftElement, NftSet, Ruleset } from "./types.js";

/** How many objects of one kind an update adds, removes and redefines. */
export interface ObjectChanges {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

export type RulesetDiff =
  | { readonly kind: "unchanged"; readonly text: "" }
  /** Only elements differ: deletions then additions. */
  | { readonly kind: "elements"; readonly text: string; readonly added: number; readonly removed: number }
  /** Sets or chains come, go or change too; everything else stays, counters included. */
  | {
      readonly kind: "objects";
      readonly text: string;
      readonly added: number;
      readonly removed: number;
      readonly sets: ObjectChanges;
      readonly chains: ObjectChanges;
    }
  | { readonly kind: "replace"; readonly text: string; readonly reason: "no-previous" | "base-chain" };

const byKey = (elements: readonly NftElement[]): Map<string, NftElement> => new Map(elements.map((e) => [e.key, e]));
/**
 * Items by name, remembered per list: the ruleset applied last was the `next` of the last diff, so
 * its maps are made once, not again when it is the `old` side of the next diff.
 */
function byName<T extends { readonly name: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  let found = byNameOf.get(items) as ReadonlyMap<string, T> | undefined;
  if (found === undefined) {
    found = new Map(items.map((x) => [x.name, x]));
    byNameOf.set(items, found);
  }
  return found;
}

const byNameOf = new WeakMap<readonly { readonly name: string }[], ReadonlyMap<string, { readonly name: string }>>();

const sameDefinition = (a: NftSet, b: NftSet): boolean => a.kind === b.kind && a.type === b.type && a.interval === b.interval && a.learned === b.learned;
/** What the kernel holds of a chain: comments are not kept there. */
const sameChain = (a: NftChain, b: NftChain): boolean =>
  a === b ||
  a.base === b.base && a.rules.length === b.rules.length && a.rules.every((rule, k) => rule === b.rules[k]);

/**
 * The `nft -f` script that turns the applied ruleset `old` into `next` in one transaction, touching
 * only what differs:
 * 1. elements that go, from sets and maps that stay (a map element is deleted by its key); a
 *    concatenated interval set losing many elements is flushed instead and all its elements
 *    added in step 5 (see FLUSH_PAST);
 * 2. chains that go or change are flushed, and those that go are deleted;
 * 3. sets that go or change type are deleted (no rule refers to them any more);
 * 4. a `table` block declares the new and changed sets (with their elements) and chains (with
 *    their rules): on an existing table it adds, it does not replace;
 * 5. elements that come, to sets and maps that stayed.
 * So a pod or label change is element updates, plus the chain of a group that did not exist before
 * (a pod lands in a new combination of policies); a policy change adds, removes or redefines its
 * own sets and the chains of the groups it isolates. Untouched rules keep their counters and
 * `limit` state. Only a base chain that comes, goes or changes its hook (never made by the compiler) replaces the table.
 * Elements are deleted exactly as they were added, so the table must hold what `old` describes.
 * Learned sets (`NftSet.learned`: the DNS proxy's pairs) keep their elements: a diff never touches
 * them, and they go only with their rule.
 */
export function diffRulesets(old: Ruleset | null, next: Ruleset): RulesetDiff {
  if (old === null) return { kind: "replace", text: renderRuleset(next), reason: "no-previous" };
  const oldChains = byName(old.chains);
  const nextChains = byName(next.chains);
  if (old.family !== next.family || old.table !== next.table || baseChainsDiffer(oldChains, nextChains)) {
    return { kind: "replace", text: renderRuleset(next), reason: "base-chain" };
  }
  const oldSets = byName(old.sets);
  const sets = setChanges(oldSets, old, next);
  const chains = chainChanges(oldChains, nextChains, old, next, sets.redefined);
  const elements = elementChanges(oldSets, next, sets.kept);
  const objects = sets.gone.length + sets.come.length + chains.gone.length + chains.changed.length + chains.come.length;
  if (objects === 0) {
    if (elements.added + elements.removed === 0) return { kind: "unchanged", text: "" };
    return { kind: "elements", text: [...elements.deletes, ...elements.adds].join(""), added: elements.added, removed: elements.removed };
  }
  const t = `${next.family} ${next.table}`;
  const declared = [...chains.come, ...chains.changed];
  const text = [
    ...elements.deletes,
    ...[...chains.gone, ...chains.changed].map((c) => `flush chain ${t} ${c.name}\n`),
    ...chains.gone.map((c) => `delete chain ${t} ${c.name}\n`),
    ...sets.gone.map((s) => `delete ${s.kind} ${t} ${s.name}\n`),
    sets.come.length + declared.length > 0 ? renderTable({ ...next, sets: sets.come, chains: declared }) : "",
    ...elements.adds,
  ].join("");
  const redefined = sets.redefined.size;
  return {
    kind: "objects",
    text,
    added: elements.added + sets.come.reduce((n, s) => n + s.elements.length, 0),
    removed: elements.removed + sets.gone.reduce((n, s) => n + s.elements.length, 0),
    sets: { added: sets.come.length - redefined, removed: sets.gone.length - redefined, changed: redefined },
    chains: { added: chains.come.length, removed: chains.gone.length, changed: chains.changed.length },
  };
}

/**
 * Whether a base chain came, went or changed its hook: the one change only a whole new table makes.
 * A base chain whose rules change (an address family comes or goes: its dispatch lines) is flushed
 * and written again like any chain, in the same transaction.
 */
function baseChainsDiffer(oldChains: ReadonlyMap<string, NftChain>, nextChains: ReadonlyMap<string, NftChain>): boolean {
  const changed = (a: ReadonlyMap<string, NftChain>, b: ReadonlyMap<string, NftChain>): boolean =>
    [...a.values()].some((c) => c.base !== undefined && b.get(c.name)?.base !== c.base);
  return changed(oldChains, nextChains) || changed(nextChains, oldChains);
}

/** Sets kept as they are (their elements may differ), sets that go, sets that come; a redefined set goes and comes. */
function setChanges(oldSets: ReadonlyMap<string, NftSet>, old: Ruleset, next: Ruleset): { kept: NftSet[]; gone: NftSet[]; come: NftSet[]; redefined: Set<string> } {
  const kept = next.sets.filter((s) => oldSets.has(s.name) && sameDefinition(oldSets.get(s.name) as NftSet, s));
  const keptNames = new Set(kept.map((s) => s.name));
  const come = next.sets.filter((s) => !keptNames.has(s.name));
  return {
    kept,
    gone: old.sets.filter((s) => !keptNames.has(s.name)),
    come,
    redefined: new Set(come.filter((s) => oldSets.has(s.name)).map((s) => s.name)),
  };
}

/** Chains that go, come, or change; a chain that looks up a redefined set (by name) changes with it. */
function chainChanges(
  oldChains: ReadonlyMap<string, NftChain>,
  nextChains: ReadonlyMap<string, NftChain>,
  old: Ruleset,
  next: Ruleset,
  redefined: ReadonlySet<string>,
): { gone: NftChain[]; come: NftChain[]; changed: NftChain[] } {
  const refersToRedefined = (c: NftChain): boolean => c.rules.some((rule) => [...rule.matchAll(/@([\w.]+)/g)].some((m) => redefined.has(m[1] as string)));
  return {
    gone: old.chains.filter((c) => !nextChains.has(c.name)),
    come: next.chains.filter((c) => !oldChains.has(c.name)),
    changed: next.chains.filter((c) => oldChains.has(c.name) && (!sameChain(oldChains.get(c.name) as NftChain, c) || (redefined.size > 0 && refersToRedefined(c)))),
  };
}

/** Element commands for the sets kept: deletions and additions, and how many of each. */
function elementChanges(oldSets: ReadonlyMap<string, NftSet>, next: Ruleset, kept: readonly NftSet[]): { deletes: string[]; adds: string[]; added: number; removed: number } {
  const out = { deletes: [] as string[], adds: [] as string[], added: 0, removed: 0 };
  for (const set of kept) {
    // Learned elements are the DNS proxy's, not the compiler's: never compared, flushed or deleted.
    if (set.learned === true) continue;
    const previous = oldSets.get(set.name) as NftSet;
    // A set the compile cache handed over again is the very same list: nothing to compare.
    if (previous.elements === set.elements) continue;
    const { gone, come } = set.kind === "set" ? keyChanges(previous.elements, set.elements) : elementChangesOf(previous.elements, set.elements);
    // A map element is deleted by its key alone.
    if (flushes(set, gone.length)) {
      // Emptied and filled again in the same transaction: the same set afterwards, far cheaper in the kernel.
      out.deletes.push(`flush ${set.kind} ${next.family} ${next.table} ${set.name}\n`);
      if (set.elements.length > 0) out.adds.push(elementCommand("add", next, set, set.elements.map(formatElement)));
      out.added += come.length;
      out.removed += gone.length;
      continue;
    }
    if (gone.length > 0) out.deletes.push(elementCommand("delete", next, set, gone.map((e) => e.key)));
    if (come.length > 0) out.adds.push(elementCommand("add", next, set, come.map(formatElement)));
    out.added += come.length;
    out.removed += gone.length;
  }
  return out;
}

/**
 * A set whose keys concatenate fields with intervals (the kernel's pipapo sets) is flushed and
 * filled again, instead of deleting elements one by one, past FLUSH_PAST deletions that are also
 * more than 1/REFILL_PER_DELETION of the elements it keeps. There a deletion costs kernel time in
 * proportion to the set's size, and so does each element added again, about 20 times less
 * (Linux 6.18, `addr . inet_proto` sets, kernel time: 500 elements losing 200: 0.11 s deleting,
 * 0.01 s refilling; 1,670 losing 200: 0.71 s, 0.14 s; 5,000 losing 65: 0.82 s, 1.2 s; losing 200:
 * 2.7 s, 1.9 s; 20,000 losing 200: 1.3 s, 7.3 s; losing 1,000: 6.4 s, 7.9 s). A fixed count would
 * refill a large set for a few deletions: seconds where deleting takes a fraction.
 */
const FLUSH_PAST = 64;
const REFILL_PER_DELETION = 20;

const flushes = (set: NftSet, deletions: number): boolean =>
  set.interval && set.type.includes(" . ") && deletions > FLUSH_PAST && deletions * REFILL_PER_DELETION > set.elements.length;

/**
 * The elements of `previous` and `next` outside their longest common head and tail (compared by
 * key and value): a compile lists the elements of a set in a fixed order, so a change is a run of
 * elements in the middle, and the rest costs a comparison of (mostly identical) strings, not a
 * hash of every key. Keys are distinct within a set (the kernel holds an element once; the
 * compiler never lists one twice): an element of one middle is never in the other's head or tail.
 */
function middles(previous: readonly NftElement[], next: readonly NftElement[]): { was: readonly NftElement[]; now: readonly NftElement[] } {
  const n = Math.min(previous.length, next.length);
  let head = 0;
  while (head < n && sameElement(previous[head] as NftElement, next[head] as NftElement)) head++;
  let tail = 0;
  while (tail < n - head && sameElement(previous[previous.length - 1 - tail] as NftElement, next[next.length - 1 - tail] as NftElement)) tail++;
  return { was: previous.slice(head, previous.length - tail), now: next.slice(head, next.length - tail) };
}

const sameElement = (a: NftElement, b: NftElement): boolean => a === b || (a.key === b.key && a.value === b.value);

/** Elements of a map whose key or value differ. */
function elementChangesOf(previous: readonly NftElement[], next: readonly NftElement[]): { gone: NftElement[]; come: NftElement[] } {
  const { was, now } = middles(previous, next);
  if (was.length === 0 || now.length === 0) return { gone: [...was], come: [...now] };
  const before = byKey(was);
  const after = byKey(now);
  const differs = (e: NftElement, other: NftElement | undefined): boolean => other === undefined || other.value !== e.value;
  return { gone: was.filter((e) => differs(e, after.get(e.key))), come: now.filter((e) => differs(e, before.get(e.key))) };
}

/** Elements of a set (a key alone) that go and come. */
function keyChanges(previous: readonly NftElement[], next: readonly NftElement[]): { gone: NftElement[]; come: NftElement[] } {
  const { was, now } = middles(previous, next);
  if (was.length === 0 || now.length === 0) return { gone: [...was], come: [...now] };
  const before = new Set(was.map((e) => e.key));
  const after = new Set(now.map((e) => e.key));
  return { gone: was.filter((e) => !after.has(e.key)), come: now.filter((e) => !before.has(e.key)) };
}

function elementCommand(verb: "add" | "delete", r: Ruleset, set: NftSet, elements: readonly string[]): string {
  return `${verb} element ${r.family} ${r.table} ${set.name} {\n${elements.map((e) => `\t${e}`).join(",\n")}\n}\n`;
}
