/**
 * The learned sets' elements as nft text (pure): the commands that write what the DNS proxy
 * learned, the table with the kernel's learned elements carried into a whole-table replace, and
 * those elements read back from `nft -j list set`.
 *
 * Measured on Linux 6.18 with nft 1.0.6 (docs/dns-names/enforcement.md):
 * - `add element` of an element the set holds sets its timeout and expiry to the new ones (the
 *   kernel updates the element's timeout); a shorter timeout shortens it. So a refresh is a re-add,
 *   and LearnedState never sends a shorter one.
 * - `add element ... { k timeout 30s expires 5s }` is accepted: a replace carries each element with
 *   the time it had left.
 * - `delete element` of an element the set does not hold fails the whole transaction; the kernel may
 *   have expired an element a moment before our clock says so. An eviction is therefore `add` (1 s)
 *   then `delete` in the same transaction: the add makes sure it is there.
 */
import type { ElementWrite, LearnedElement } from "../dns/learn.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { isObject, parseNftJson } from "./json.js";
import type { Ruleset } from "./types.js";

/** What one answer (or a batch of them, in order) writes: its evictions, then its writes. */
export interface LearnedChange {
  readonly writes: readonly ElementWrite[];
  readonly evictions: readonly LearnedElement[];
}

const pairText = (e: { readonly pod: Ip; readonly destination: Ip }): string => `${formatIp(e.pod)} . ${formatIp(e.destination)}`;
const elementKey = (e: LearnedElement): string => `${e.set}\u0000${pairText(e)}`;

/** Elements grouped by set, in first-seen order. */
function bySet<T extends { readonly set: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const list = out.get(x.set);
    if (list === undefined) out.set(x.set, [x]);
    else list.push(x);
  }
  return out;
}

/** A learned pair with the timeout (s) it is written with. */
export type TimedPair = { readonly pod: Ip; readonly destination: Ip; readonly timeout: number };

/**
 * What a batch of changes writes, in order: `add` (the writes of a set, each with its timeout) and
 * `evict` (add for 1 s, then delete: see the module comment; both in the same transaction). One
 * definition for the two writers: nft text (`learnedCommands`) and the netlink helper
 * (src/enforce/netlink-elements.ts).
 */
export type LearnedOp =
  | { readonly kind: "add"; readonly set: string; readonly elements: readonly TimedPair[] }
  | { readonly kind: "evict"; readonly set: string; readonly elements: readonly { readonly pod: Ip; readonly destination: Ip }[] };

/** The seconds an evicted element is added for before it is deleted (it must be there to be deleted). */
export const EVICTION_ADD_SECONDS = 1;

/**
 * The operations of a batch of changes, one transaction: the changes' writes as one `add` per set,
 * and each change's evictions where they fall, the writes before them sent first; a write evicted
 * later in the batch is not sent.
 */
export function learnedOps(changes: readonly LearnedChange[]): LearnedOp[] {
  const out: LearnedOp[] = [];
  // Writes wait here, one per element (the last: LearnedState only moves an expiry later), so that a
  // batch is one `add` per set; an eviction of a waiting element drops it instead.
  let writes = new Map<string, ElementWrite>();
  const flush = (): void => {
    for (const [set, list] of bySet([...writes.values()])) out.push({ kind: "add", set, elements: list.map((w) => ({ pod: w.pod, destination: w.destination, timeout: w.timeout })) });
    writes = new Map();
  };
  for (const c of changes) {
    if (c.evictions.length > 0) {
      for (const e of c.evictions) writes.delete(elementKey(e));
      flush();
      for (const [set, list] of bySet(c.evictions)) out.push({ kind: "evict", set, elements: list.map((e) => ({ pod: e.pod, destination: e.destination })) });
    }
    const evicted = new Set(c.evictions.map(elementKey));
    for (const w of c.writes) if (!evicted.has(elementKey(w))) writes.set(elementKey(w), w);
  }
  flush();
  return out;
}

/** The nft script of a batch of changes (`learnedOps`), one transaction. */
export function learnedCommands(table: string, changes: readonly LearnedChange[]): string {
  return learnedOps(changes)
    .map((op) => {
      if (op.kind === "add") return `add element inet ${table} ${op.set} { ${op.elements.map((w) => `${pairText(w)} timeout ${w.timeout}s`).join(", ")} }\n`;
      const pairs = op.elements.map(pairText);
      return `add element inet ${table} ${op.set} { ${pairs.map((p) => `${p} timeout ${EVICTION_ADD_SECONDS}s`).join(", ")} }\ndelete element inet ${table} ${op.set} { ${pairs.join(", ")} }\n`;
    })
    .join("");
}

/**
 * `ruleset` with the learned elements in its learned sets, each with its timeout and the time it
 * has left at `now` (ms): the text of a whole-table replace keeps what the pods resolved.
 * Elements of sets the ruleset no longer has, or that have run out, are left out.
 */
export function withLearned(ruleset: Ruleset, elements: readonly (LearnedElement & { readonly timeout: number })[], now: number): Ruleset {
  const sets = bySet(elements.filter((e) => e.expiresAt - now >= 1000));
  if (sets.size === 0) return ruleset;
  return {
    ...ruleset,
    sets: ruleset.sets.map((s) => {
      const list = s.learned === true ? sets.get(s.name) : undefined;
      if (list === undefined) return s;
      return { ...s, elements: list.map((e) => ({ key: `${pairText(e)} timeout ${Math.max(e.timeout, 1)}s expires ${Math.floor((e.expiresAt - now) / 1000)}s` })) };
    }),
  };
}

/** A learned element as the kernel lists it, with its timeout (s). */
export type ListedElement = LearnedElement & { readonly timeout: number };

/**
 * The elements of a learned set from `nft -j list set inet TABLE NAME` (`{"elem": {"val": {"concat":
 * [pod, destination]}, "timeout": 30, "expires": 12}}`), their expiry from `now` (ms; nft gives
 * whole seconds, rounded down).
 */
export function parseLearnedSet(json: string, set: string, now: number): { readonly ok: true; readonly elements: ListedElement[] } | { readonly ok: false; readonly error: string } {
  const parsed = parseNftJson(json);
  if (!parsed.ok) return parsed;
  const out: ListedElement[] = [];
  for (const item of parsed.items) {
    const s = item["set"];
    if (!isObject(s) || s["name"] !== set) continue;
    const elem = s["elem"];
    if (!Array.isArray(elem)) continue;
    for (const e of elem) {
      const inner = isObject(e) ? e["elem"] : undefined;
      if (!isObject(inner)) continue;
      const val = inner["val"];
      const concat = isObject(val) ? val["concat"] : undefined;
      if (!Array.isArray(concat) || concat.length !== 2) return { ok: false, error: `set ${set}: an element is not a pair` };
      const [pod, destination] = concat.map((x) => (typeof x === "string" ? parseIp(x) : undefined));
      const timeout = inner["timeout"];
      const expires = inner["expires"];
      if (pod === undefined || destination === undefined || typeof timeout !== "number" || typeof expires !== "number") return { ok: false, error: `set ${set}: an element without addresses, timeout or expiry` };
      out.push({ set, pod, destination, timeout, expiresAt: now + expires * 1000 });
    }
  }
  return { ok: true, elements: out };
}
