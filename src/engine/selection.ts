import type { Direction, Policy } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import { type LabelSelector, selectorKey, selectorMatches } from "../model/selector.js";
import type { LabelClass, LabelClasses } from "./classes.js";

/**
 * Memoised selector evaluation. Selectors and labels are immutable model values, so a selector's
 * key and its answer for a label set are computed once and kept with the objects (weakly).
 */
const keys = new WeakMap<LabelSelector, string>();
const namespaceMemos = new WeakMap<Labels, Map<string, boolean>>();

export function cachedSelectorKey(selector: LabelSelector): string {
  // One requirement (most selectors) is cheaper to key again than to look up.
  if (selector.requirements.length <= 1) return selectorKey(selector);
  let key = keys.get(selector);
  if (key === undefined) {
    key = selectorKey(selector);
    keys.set(selector, key);
  }
  return key;
}

function memoised(memo: Map<string, boolean>, selector: LabelSelector, labels: Labels): boolean {
  const key = cachedSelectorKey(selector);
  let hit = memo.get(key);
  if (hit === undefined) {
    hit = selectorMatches(selector, labels);
    memo.set(key, hit);
  }
  return hit;
}

/** Whether `selector` selects the pods of class `c` (by their labels). */
export function selectsPods(selector: LabelSelector, c: LabelClass): boolean {
  return memoised(c.selectorMemo, selector, c.labels);
}

/** Whether `selector` selects the namespace of class `c` (by the namespace's labels). */
export function selectsNamespace(selector: LabelSelector, c: LabelClass): boolean {
  return selectsNamespaceLabels(selector, c.namespaceLabels);
}

export function selectsNamespaceLabels(selector: LabelSelector, labels: Labels): boolean {
  let memo = namespaceMemos.get(labels);
  if (memo === undefined) {
    memo = new Map();
    namespaceMemos.set(labels, memo);
  }
  return memoised(memo, selector, labels);
}

/**
 * The classes of `namespace` whose labels `selector` selects, host-network classes included.
 * A selector with an `In` requirement only looks at the classes carrying one of its values.
 */
export function classesSelectedBy(classes: LabelClasses, namespace: string, selector: LabelSelector): LabelClass[] {
  const all = classes.byNamespace.get(namespace) ?? [];
  const narrowing = selector.requirements.find((r) => r.operator === "In");
  let candidates: readonly LabelClass[];
  if (all.length <= SCAN_BELOW) {
    candidates = all;
  } else if (narrowing !== undefined && "values" in narrowing) {
    // Index entries may be older copies of a class: the current one is `classes.all[index]`.
    candidates = [...new Set(narrowing.values)].flatMap((v) => classes.withLabel(namespace, narrowing.key, v).map((c) => classes.all[c.index] as LabelClass));
  } else {
    candidates = all;
  }
  // Evaluated directly: for a one-off sweep over many classes a memo lookup costs more than the
  // few label lookups of a selector.
  return candidates.filter((c) => selectorMatches(selector, c.labels));
}

/** Namespaces with fewer classes are scanned: an index would cost more than it saves. */
const SCAN_BELOW = 16;

/**
 * For each class of `namespace` selected by some of `policies` (the namespace's policies, in
 * order), those policies per direction, in the same order. Host-network classes are never selected.
 * Policies with equal pod selectors share one evaluation.
 */
export function policiesSelectingClasses(classes: LabelClasses, namespace: string, policies: readonly Policy[]): Map<number, Record<Direction, Policy[]>> {
  const found = new Map<number, Record<Direction, Policy[]>>();
  const bySelector = new Map<string, LabelClass[]>();
  for (const p of policies) {
    if (!p.affects.ingress && !p.affects.egress) continue;
    const key = cachedSelectorKey(p.podSelector);
    let selected = bySelector.get(key);
    if (selected === undefined) {
      selected = classesSelectedBy(classes, namespace, p.podSelector).filter((c) => !c.hostNetwork);
      bySelector.set(key, selected);
    }
    for (const c of selected) {
      let lists = found.get(c.index);
      if (lists === undefined) {
        lists = { ingress: [], egress: [] };
        found.set(c.index, lists);
      }
      if (p.affects.ingress) lists.ingress.push(p);
      if (p.affects.egress) lists.egress.push(p);
    }
  }
  return found;
}
