import { denseCount, denseIsCheaper } from "./dense-count.js";
import { type MatrixState, groupRow } from "./state.js";
import { EMPTY_ROW, type Row } from "./terms.js";

/** Ordered endpoint pairs (self pairs included) per verdict, at one port atom. */
export interface AtomCount {
  readonly allowed: number;
  readonly depends: number;
}

/**
 * Counts the endpoint pairs allowed (and depending on addresses) at one atom without visiting
 * pairs. Sources are grouped by their egress row r, destinations by their ingress row q; the pairs
 * allowed under (r, q) form a rectangle: (sources with row r that q admits) x (destinations with
 * row q that r admits), and these rectangles are disjoint. Weights are endpoint counts.
 */
/** How to count: pick the cheaper (`auto`), or force one method (tests compare them). */
export type CountMethod = "auto" | "dense" | "rectangles";

export function countAtom(s: MatrixState, w: Weights, atom: number, method: CountMethod = "auto"): AtomCount {
  const n = s.universe.size;
  const rows = s.universe.rows;
  const weight = w.endpoints;
  const eRow = new Int32Array(n);
  const iRow = new Int32Array(n);
  const sources = new Map<number, number[]>();
  for (let c = 0; c < n; c++) {
    eRow[c] = groupRow(s.egress, s.egressOf[c] as number, atom);
    iRow[c] = groupRow(s.ingress, s.ingressOf[c] as number, atom);
    if (weight[c] === 0 || eRow[c] === EMPTY_ROW) continue;
    const list = sources.get(eRow[c] as number);
    if (list === undefined) sources.set(eRow[c] as number, [c]);
    else list.push(c);
  }
  let bucketing = 0;
  for (const r of sources.keys()) bucketing += (rows[r] as Row).full.sizeIn(n) + (rows[r] as Row).partial.size;
  if (method === "dense" || (method === "auto" && denseIsCheaper(n, bucketing))) {
    const dense = denseCount({ n, rows, eRow, iRow, weight });
    return selfPairs(s, w, dense.full, dense.some, eRow, iRow);
  }
  const accFull = new Float64Array(rows.length);
  const accSome = new Float64Array(rows.length);
  let full = 0;
  let some = 0;
  for (const [r, srcs] of sources) {
    const R = rows[r] as Row;
    const touched: number[] = [];
    const visit = (d: number, isFull: boolean): void => {
      const w = weight[d] as number;
      if (w === 0) return;
      const q = iRow[d] as number;
      if (q === EMPTY_ROW) return;
      if (accSome[q] === 0) touched.push(q);
      if (isFull) accFull[q] = (accFull[q] as number) + w;
      accSome[q] = (accSome[q] as number) + w;
    };
    R.full.forEach(n, (d) => visit(d, true));
    R.partial.forEach(n, (d) => visit(d, false));
    let srcWeight = 0;
    for (const c of srcs) srcWeight += weight[c] as number;
    for (const q of touched) {
      const Q = rows[q] as Row;
      const [wFull, wSome] = Q.full.all ? [srcWeight, srcWeight] : admittedWeight(Q, srcs, r, eRow, weight);
      full += wFull * (accFull[q] as number);
      some += wSome * (accSome[q] as number);
      accFull[q] = 0;
      accSome[q] = 0;
    }
  }
  return selfPairs(s, w, full, some, eRow, iRow);
}

/** Per class: how many endpoints, and how many of them are Pods (which always reach themselves). */
export interface Weights {
  readonly endpoints: Float64Array;
  readonly pods: Float64Array;
}

export function weightsOf(s: MatrixState): Weights {
  const n = s.universe.size;
  const endpoints = new Float64Array(n);
  const pods = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (const e of s.members[c] ?? []) {
      endpoints[c] = (endpoints[c] as number) + 1;
      if (e.kind === "Pod") pods[c] = (pods[c] as number) + 1;
    }
  }
  return { endpoints, pods };
}

/** The weight of the sources (egress row r) that ingress row Q admits in full, and at all. */
function admittedWeight(Q: Row, srcs: readonly number[], r: number, eRow: Int32Array, weight: Float64Array): [number, number] {
  let wFull = 0;
  let wPart = 0;
  if (srcs.length <= Q.full.size + Q.partial.size) {
    for (const c of srcs) {
      if (Q.full.has(c)) wFull += weight[c] as number;
      else if (Q.partial.has(c)) wPart += weight[c] as number;
    }
  } else {
    Q.full.forEach(0, (c) => {
      if (eRow[c] === r) wFull += weight[c] as number;
    });
    Q.partial.forEach(0, (c) => {
      if (eRow[c] === r) wPart += weight[c] as number;
    });
  }
  return [wFull, wFull + wPart];
}

/** "A pod can always reach itself": a Pod endpoint's pair with itself is allowed whatever the rows say. */
function selfPairs(s: MatrixState, w: Weights, full: number, some: number, eRow: Int32Array, iRow: Int32Array): AtomCount {
  const rows = s.universe.rows;
  for (let c = 0; c < s.universe.size; c++) {
    const pods = w.pods[c] as number;
    if (pods === 0) continue;
    const E = rows[eRow[c] as number] as Row;
    const I = rows[iRow[c] as number] as Row;
    const eFull = E.full.has(c);
    const iFull = I.full.has(c);
    const diagFull = eFull && iFull;
    const diagSome = (eFull || E.partial.has(c)) && (iFull || I.partial.has(c));
    full += pods * (diagFull ? 0 : 1);
    some += pods * (diagSome ? 0 : 1);
  }
  return { allowed: full, depends: some - full };
}
