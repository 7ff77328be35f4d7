import type { Labels } from "../model/labels.js";
import type { LabelSelector } from "../model/selector.js";
import { sortedIds } from "./describe.js";
import { lintMessages as m } from "./messages.js";
import { nearMiss } from "./nearmiss.js";

/**
 * The hint for a selector that matches none of `candidates`: the label probably meant, else the
 * labels the objects carry under the same key, else all their labels.
 */
export function selectorHint(selector: LabelSelector, candidates: readonly Labels[]): string {
  const miss = nearMiss(selector, candidates);
  if (miss === null) return m.combinationHint();
  if (miss.suggestion !== null) return m.nearMissHint(miss.requirement, miss.suggestion);
  const pairs = candidates.flatMap((labels) => [...labels].map(([k, v]) => ({ k, v })));
  const sameKey = pairs.filter((p) => p.k === miss.key);
  const shown = (sameKey.length > 0 ? sameKey : pairs).map((p) => `${p.k}=${p.v}`);
  return m.noNearMissHint(miss.requirement, sortedIds(shown));
}
