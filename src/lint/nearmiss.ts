import type { Labels } from "../model/labels.js";
import { type LabelSelector, type Requirement, formatRequirement, requirementMatches } from "../model/selector.js";
import { editDistance } from "../text/edit-distance.js";


/** Close enough to read as a typo: a third of the word's length, at least 2. */
function budget(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

export interface NearMiss {
  /** The label key of that requirement. */
  readonly key: string;
  /** The requirement no object satisfies, in kubectl syntax: `name=monitoring`. */
  readonly requirement: string;
  /** The label that was probably meant: `kubernetes.io/metadata.name=monitoring`; null when none is close. */
  readonly suggestion: string | null;
}

/**
 * Why a selector matches none of `candidates` (the label sets of the objects it could select):
 * the first requirement that no candidate satisfies, and the existing label closest to it —
 * the same value under another key (`name: monitoring` for `kubernetes.io/metadata.name:
 * monitoring`), else another value of the same key, else the closest key, by edit distance.
 * Null when every requirement alone is satisfied by some candidate (only their combination is not).
 */
export function nearMiss(selector: LabelSelector, candidates: readonly Labels[]): NearMiss | null {
  const failing = selector.requirements.find((r) => !candidates.some((labels) => requirementMatches(r, labels)));
  if (failing === undefined) return null;
  return { key: failing.key, requirement: formatRequirement(failing), suggestion: suggestLabel(failing, candidates) };
}

function suggestLabel(r: Requirement, candidates: readonly Labels[]): string | null {
  const pairs = new Map<string, [string, string]>();
  for (const labels of candidates) for (const [k, v] of labels) pairs.set(`${k}=${v}`, [k, v]);
  const all = [...pairs.values()].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
  const wanted = r.operator === "In" ? r.values : [];
  const closest = (items: [string, string][], score: (p: [string, string]) => number, limit: number): string | null => {
    let best: { text: string; d: number } | null = null;
    for (const p of items) {
      const d = score(p);
      if (d <= limit && (best === null || d < best.d)) best = { text: `${p[0]}=${p[1]}`, d };
    }
    return best?.text ?? null;
  };
  // The same value under another key: label drift like `name` for `kubernetes.io/metadata.name`.
  const sameValue = all.filter(([k, v]) => k !== r.key && wanted.includes(v));
  const byValue = closest(sameValue, ([k]) => editDistance(r.key, k), Number.POSITIVE_INFINITY);
  if (byValue !== null) return byValue;
  // Another value of the same key.
  const sameKey = all.filter(([k]) => k === r.key);
  for (const w of wanted) {
    const byKey = closest(sameKey, ([, v]) => editDistance(w, v), budget(w));
    if (byKey !== null) return byKey;
  }
  // The closest key, with the value wanted if it carries it, else its closest value.
  const nearKeys = all.filter(([k]) => k !== r.key && editDistance(r.key, k) <= budget(r.key));
  const valueDistance = (v: string): number => (wanted.length === 0 ? 0 : Math.min(...wanted.map((w) => editDistance(w, v))));
  return closest(nearKeys, ([k, v]) => editDistance(r.key, k) * 100 + valueDistance(v), Number.POSITIVE_INFINITY);
}
