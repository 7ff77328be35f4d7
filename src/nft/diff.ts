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
const byName = <T extends { readonly name: string }>(items: readonly T[]): Map<string, T> => new Map(items.map((x) => [x.name, x]));

const sameDefinition = (a: NftSet, b: NftSet): boolean => a.kind === b.kind && a.type === b.type && a.interval === b.interval;
/** What the kernel holds of a chain: comments are not kept there. */
const sameChain = (a: NftChain, b: NftChain): boolean =>
  a.base === b.base && a.rules.length === b.rules.length && a.rules.every((rule, k) => rule === b.rules[k]);

/**
 * The `nft -f` script that turns the applied ruleset `old` into `next` in one transaction, touching
 * only what differs:
 * 1. elements that go, from sets and maps that stay (a map element is deleted by its key);
 * 2. chains that go or change are flushed, and those that go are deleted;
 * 3. sets that go or change type are deleted (no rule refers to them any more);
 * 4. a `table` block declares the new and changed sets (with their elements) and chains (with
 *    their rules): on an existing table it adds, it does not replace;
 * 5. elements that come, to sets and maps that stayed.
 * So a pod or label change is element updates, plus the chain of a group that did not exist before
 * (a pod lands in a new combination of policies); a policy change adds, removes or redefines its
 * own sets and the chains of the groups it isolates. Untouched rules keep their counters and
 * `limit` state. Only a change of the base chain (never made by the compiler) replaces the table.
 * Elements are deleted exactly as they were added, so the table must hold what `old` describes.
 */
export function diffRulesets(old: Ruleset | null, next: Ruleset): RulesetDiff {
  if (old === null) return { kind: "replace", text: renderRuleset(next), reason: "no-previous" };
  const oldChains = byName(old.chains);
  const nextChains = byName(next.chains);
  const baseChanged = (a: Map<string, NftChain>, b: Map<string, NftChain>): boolean =>
    [...a.values()].some((c) => c.base !== undefined && !(b.has(c.name) && sameChain(c, b.get(c.name) as NftChain)));
  if (old.family !== next.family || old.table !== next.table || baseChanged(oldChains, nextChains) || baseChanged(nextChains, oldChains)) {
    return { kind: "replace", text: renderRuleset(next), reason: "base-chain" };
  }
  const oldSets = byName(old.sets);
  const nextSets = byName(next.sets);
  const kept = next.sets.filter((s) => oldSets.has(s.name) && sameDefinition(oldSets.get(s.name) as NftSet, s));
  const keptNames = new Set(kept.map((s) => s.name));
  const setsGone = old.sets.filter((s) => !keptNames.has(s.name));
  const setsNew = next.sets.filter((s) => !keptNames.has(s.name));
  const redefined = new Set(setsNew.filter((s) => oldSets.has(s.name)).map((s) => s.name));
  // A rule refers to its set by name: a chain that looks up a redefined set is re-added with it.
  const refersToRedefined = (c: NftChain): boolean => c.rules.some((rule) => [...rule.matchAll(/@([\w.]+)/g)].some((m) => redefined.has(m[1] as string)));
  const chainsGone = old.chains.filter((c) => !nextChains.has(c.name));
  const chainsChanged = next.chains.filter((c) => oldChains.has(c.name) && (!sameChain(oldChains.get(c.name) as NftChain, c) || refersToRedefined(c)));
  const chainsNew = next.chains.filter((c) => !oldChains.has(c.name));

  const deletes: string[] = [];
  const adds: string[] = [];
  let added = 0;
  let removed = 0;
  for (const set of kept) {
    const before = byKey((oldSets.get(set.name) as NftSet).elements);
    const after = byKey(set.elements);
    const gone = [...before.values()].filter((e) => formatElement(after.get(e.key) ?? { key: "" }) !== formatElement(e));
    const come = set.elements.filter((e) => formatElement(before.get(e.key) ?? { key: "" }) !== formatElement(e));
    if (gone.length > 0) deletes.push(elementCommand("delete", next, set, gone.map((e) => e.key)));
    if (come.length > 0) adds.push(elementCommand("add", next, set, come.map(formatElement)));
    added += come.length;
    removed += gone.length;
  }
  const objects = setsGone.length + setsNew.length + chainsGone.length + chainsChanged.length + chainsNew.length;
  if (objects === 0) {
    if (added + removed === 0) return { kind: "unchanged", text: "" };
    return { kind: "elements", text: [...deletes, ...adds].join(""), added, removed };
  }
  const t = `${next.family} ${next.table}`;
  const text = [
    ...deletes,
    ...[...chainsGone, ...chainsChanged].map((c) => `flush chain ${t} ${c.name}\n`),
    ...chainsGone.map((c) => `delete chain ${t} ${c.name}\n`),
    ...setsGone.map((s) => `delete ${s.kind} ${t} ${s.name}\n`),
    setsNew.length + chainsNew.length + chainsChanged.length > 0 ? renderTable({ ...next, sets: setsNew, chains: [...chainsNew, ...chainsChanged] }) : "",
    ...adds,
  ].join("");
  return {
    kind: "objects",
    text,
    added: added + setsNew.reduce((n, s) => n + s.elements.length, 0),
    removed: removed + setsGone.reduce((n, s) => n + s.elements.length, 0),
    sets: { added: setsNew.length - redefined.size, removed: setsGone.length - redefined.size, changed: redefined.size },
    chains: { added: chainsNew.length, removed: chainsGone.length, changed: chainsChanged.length },
  };
}

function elementCommand(verb: "add" | "delete", r: Ruleset, set: NftSet, elements: readonly string[]): string {
  return `${verb} element ${r.family} ${r.table} ${set.name} {\n${elements.map((e) => `\t${e}`).join(",\n")}\n}\n`;
}
