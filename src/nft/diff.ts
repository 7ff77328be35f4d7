import { formatElement, renderRuleset } from "./render.js";
import type { NftElement, NftSet, Ruleset } from "./types.js";

export type RulesetDiff =
  | { readonly kind: "unchanged"; readonly text: "" }
  | { readonly kind: "elements"; readonly text: string; readonly added: number; readonly removed: number }
  | { readonly kind: "replace"; readonly text: string; readonly reason: "no-previous" | "structure" };

/** Everything but the elements: when two rulesets agree on it, elements alone tell them apart. */
function structureKey(r: Ruleset): string {
  return JSON.stringify({
    family: r.family,
    table: r.table,
    sets: r.sets.map((s) => [s.name, s.kind, s.type, s.interval]),
    chains: r.chains,
  });
}

const byKey = (elements: readonly NftElement[]): Map<string, NftElement> => new Map(elements.map((e) => [e.key, e]));

/**
 * The smallest `nft -f` script that turns the applied ruleset `old` into `next`: element deletions
 * then additions, in one transaction, when only elements differ (a pod IP appears or goes, a label
 * change moves a pod to another group); the full replacing script when sets or chains differ.
 * Element-only updates keep counters and the `limit` state of the rules.
 * Elements are deleted exactly as they were added, so the table must hold what `old` describes.
 */
export function diffRulesets(old: Ruleset | null, next: Ruleset): RulesetDiff {
  if (old === null) return { kind: "replace", text: renderRuleset(next), reason: "no-previous" };
  if (structureKey(old) !== structureKey(next)) return { kind: "replace", text: renderRuleset(next), reason: "structure" };
  const deletes: string[] = [];
  const adds: string[] = [];
  let added = 0;
  let removed = 0;
  next.sets.forEach((set, k) => {
    const before = byKey((old.sets[k] as NftSet).elements);
    const after = byKey(set.elements);
    const gone = [...before.values()].filter((e) => formatElement(after.get(e.key) ?? { key: "" }) !== formatElement(e));
    const come = set.elements.filter((e) => formatElement(before.get(e.key) ?? { key: "" }) !== formatElement(e));
    // A map element is deleted by its key alone.
    if (gone.length > 0) deletes.push(elementCommand("delete", next, set, gone.map((e) => e.key)));
    if (come.length > 0) adds.push(elementCommand("add", next, set, come.map(formatElement)));
    added += come.length;
    removed += gone.length;
  });
  if (added + removed === 0) return { kind: "unchanged", text: "" };
  return { kind: "elements", text: [...deletes, ...adds].join(""), added, removed };
}

function elementCommand(verb: "add" | "delete", r: Ruleset, set: NftSet, elements: readonly string[]): string {
  return `${verb} element ${r.family} ${r.table} ${set.name} {\n${elements.map((e) => `\t${e}`).join(",\n")}\n}\n`;
}
