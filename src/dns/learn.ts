/**
 * What a DNS answer teaches the kernel (issue 12, "Enforcer"): "A domain peer matches a destination
 * IP only if the source pod received that IP in a DNS answer for a matching name whose TTL has not
 * expired; CNAME chains count when returned in one response (every name of the chain maps to the
 * final addresses)". Pure: the answer (its records as a DnsSnapshot), the pod that received it and
 * the domain rules whose subject selects that pod → the (set, pod, destination) elements with their
 * timeouts; and the learned state with its caps, eviction and counters. The node agent's learner
 * (src/enforce/dns-learner.ts) writes what this decides.
 */
import { type Family, type Ip, formatIp } from "../net/ip.js";
import { type DnsName, type DomainPattern, patternMatches } from "./names.js";
import type { DnsSnapshot } from "./snapshot.js";

/** A domain rule as the kernel holds it, for learning: its patterns and its learned set per family (nft/types.ts `DomainRuleSets`). */
export interface LearningRule {
  readonly id: string;
  readonly patterns: readonly DomainPattern[];
  readonly sets: Readonly<Partial<Record<Family, string>>>;
}

export interface Timeouts {
  /** Seconds: an answer's TTL below this counts as this (a TTL of 0 still opens the address for the connection that follows). */
  readonly minTtl: number;
  /** Seconds added to the TTL: the pod may connect a little after its cache expired, and clocks differ. */
  readonly grace: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { minTtl: 5, grace: 5 };

/** An element's timeout: `max(TTL, minTtl) + grace`, whole seconds. */
export const elementTimeout = (ttl: number, t: Timeouts): number => Math.ceil(Math.max(ttl, t.minTtl) + t.grace);

/** One learned pair: `pod . destination` in `set`, for `name` (the matched name), good for `timeout` seconds. */
export interface LearnedPair {
  readonly set: string;
  readonly rule: string;
  readonly pod: Ip;
  readonly destination: Ip;
  readonly name: DnsName;
  readonly timeout: number;
}

/**
 * The pairs an answer admits for `client`: for every rule (whose subject selects the client) and
 * pattern, every name of the answer the pattern matches (a CNAME chain's names included) and the
 * final addresses it resolves to within the answer, with the chain's smallest TTL. An address of
 * another family than the client's has no set to go in (the set is `pod . destination` of one
 * family): it is skipped. One pair per set and destination, the longest timeout.
 */
export function learnedPairs(answer: DnsSnapshot, client: Ip, rules: readonly LearningRule[], t: Timeouts): LearnedPair[] {
  const out = new Map<string, LearnedPair>();
  const names = answer.names();
  for (const rule of rules) {
    const set = rule.sets[client.family];
    if (set === undefined) continue;
    for (const name of names) {
      if (!rule.patterns.some((p) => patternMatches(p, name))) continue;
      for (const r of answer.resolve(name)) {
        if (r.address.family !== client.family) continue;
        const timeout = elementTimeout(r.ttl, t);
        const key = `${set}\u0000${formatIp(r.address)}`;
        const known = out.get(key);
        if (known === undefined || known.timeout < timeout) out.set(key, { set, rule: rule.id, pod: client, destination: r.address, name, timeout });
      }
    }
  }
  return [...out.values()];
}

/** The caps of the learned state: pairs per pod and name, per pod, in all. */
export interface Caps {
  readonly perName: number;
  readonly perPod: number;
  readonly total: number;
}

/** "more than 100 addresses per name" fit; a pod resolving without end, or all of them, are bounded. */
export const DEFAULT_CAPS: Caps = { perName: 1024, perPod: 16384, total: 262144 };

/** A learned element as the state holds it: where, and until when (ms, the caller's clock). */
export interface LearnedElement {
  readonly set: string;
  readonly pod: Ip;
  readonly destination: Ip;
  readonly expiresAt: number;
}

/** An element the kernel must hold until `timeout` seconds from now. */
export interface ElementWrite extends LearnedElement {
  readonly timeout: number;
}

export interface Admitted {
  /** New elements, and known ones whose expiry moves later: to add (a re-add sets the new timeout). */
  readonly writes: readonly ElementWrite[];
  /** Elements evicted to make room (caps): to delete. */
  readonly evictions: readonly LearnedElement[];
  /** Elements of the answer already held as long or longer: nothing to write (their write may still be in flight). */
  readonly held: readonly LearnedElement[];
}

export interface LearnCounters {
  /** Elements new to the state. */
  added: number;
  /** Known elements whose expiry an answer moved later. */
  refreshed: number;
  /** Elements whose timeout ran out (the kernel removes them itself). */
  expired: number;
  /** Elements removed to stay within a cap, by cap. */
  evicted: { perName: number; perPod: number; total: number };
}

interface Entry {
  readonly key: string;
  readonly element: { set: string; pod: Ip; destination: Ip; expiresAt: number };
  podKey: string;
  nameKey: string;
}

/** A refresh that moves the expiry less than this is not written (a pod asking again within the second). */
const REFRESH_SLACK_MS = 1000;

const ipKey = (ip: Ip): string => `${ip.family}:${ip.value.toString(16)}`;

/**
 * The learned elements, as the kernel holds them (the caller writes what `admit` returns): each
 * element's expiry, indexes per pod and per pod and name for the caps, and counters. An expiry
 * never moves earlier: a later answer with a shorter TTL does not cut short what an earlier answer
 * granted (a re-add with a shorter timeout would, in the kernel: measured on Linux 6.18).
 */
export class LearnedState {
  private readonly entries = new Map<string, Entry>();
  private readonly byPod = new Map<string, Set<Entry>>();
  private readonly byName = new Map<string, Set<Entry>>();
  readonly counters: LearnCounters = { added: 0, refreshed: 0, expired: 0, evicted: { perName: 0, perPod: 0, total: 0 } };

  constructor(readonly caps: Caps = DEFAULT_CAPS) {}

  get size(): number {
    return this.entries.size;
  }

  /** Takes the pairs of one answer received at `now` (ms). */
  admit(pairs: readonly LearnedPair[], now: number): Admitted {
    const writes: ElementWrite[] = [];
    const evictions: LearnedElement[] = [];
    const held: LearnedElement[] = [];
    for (const p of pairs) {
      const key = `${p.set}\u0000${ipKey(p.pod)}\u0000${ipKey(p.destination)}`;
      const expiresAt = now + p.timeout * 1000;
      const podKey = ipKey(p.pod);
      const nameKey = `${podKey}\u0000${p.name}`;
      const known = this.entries.get(key);
      if (known !== undefined && known.element.expiresAt > now) {
        this.move(known, nameKey);
        if (expiresAt < known.element.expiresAt + REFRESH_SLACK_MS) {
          held.push({ ...known.element });
          continue;
        }
        known.element.expiresAt = expiresAt;
        this.counters.refreshed++;
        writes.push({ ...known.element, timeout: p.timeout });
        continue;
      }
      if (known !== undefined) this.remove(known);
      evictions.push(...this.makeRoom(podKey, nameKey));
      const entry: Entry = { key, element: { set: p.set, pod: p.pod, destination: p.destination, expiresAt }, podKey, nameKey };
      this.entries.set(key, entry);
      addTo(this.byPod, podKey, entry);
      addTo(this.byName, nameKey, entry);
      this.counters.added++;
      writes.push({ ...entry.element, timeout: p.timeout });
    }
    return { writes, evictions, held };
  }

  /** Forgets the elements whose timeout has run out by `now`; how many. */
  expire(now: number): number {
    let n = 0;
    for (const e of this.entries.values()) {
      if (e.element.expiresAt > now) continue;
      this.remove(e);
      n++;
    }
    this.counters.expired += n;
    return n;
  }

  /** Forgets elements whose write failed (the kernel does not hold them). */
  forget(elements: readonly LearnedElement[]): void {
    for (const el of elements) {
      const e = this.entries.get(`${el.set}\u0000${ipKey(el.pod)}\u0000${ipKey(el.destination)}`);
      if (e !== undefined && e.element.expiresAt === el.expiresAt) this.remove(e);
    }
  }

  /** Forgets every element of a set that is gone (its rule removed). */
  dropSets(keep: ReadonlySet<string>): void {
    for (const e of this.entries.values()) if (!keep.has(e.element.set)) this.remove(e);
  }

  /** Takes an element the kernel holds (re-read after a restart); its name is unknown, so it counts per pod only. */
  restore(element: LearnedElement): void {
    const key = `${element.set}\u0000${ipKey(element.pod)}\u0000${ipKey(element.destination)}`;
    const known = this.entries.get(key);
    if (known !== undefined) {
      if (known.element.expiresAt < element.expiresAt) known.element.expiresAt = element.expiresAt;
      return;
    }
    const podKey = ipKey(element.pod);
    const entry: Entry = { key, element: { ...element }, podKey, nameKey: `${podKey}\u0000` };
    this.entries.set(key, entry);
    addTo(this.byPod, podKey, entry);
    addTo(this.byName, entry.nameKey, entry);
  }

  /** Every element held, with its expiry. */
  elements(): LearnedElement[] {
    return [...this.entries.values()].map((e) => ({ ...e.element }));
  }

  /** Evicts, soonest expiry first, until one more element fits the pod's name, the pod and the total. */
  private makeRoom(podKey: string, nameKey: string): LearnedElement[] {
    const out: LearnedElement[] = [];
    const evictFrom = (group: ReadonlySet<Entry> | undefined, cap: number, which: keyof LearnCounters["evicted"]): void => {
      while (group !== undefined && group.size >= cap && group.size > 0) {
        const victim = soonest(group);
        this.remove(victim);
        this.counters.evicted[which]++;
        out.push({ ...victim.element });
      }
    };
    evictFrom(this.byName.get(nameKey), this.caps.perName, "perName");
    evictFrom(this.byPod.get(podKey), this.caps.perPod, "perPod");
    if (this.entries.size >= this.caps.total) {
      // At the global cap: the soonest 1% go at once, so that a flood costs one scan per hundredth, not per element.
      const victims = [...this.entries.values()].sort((a, b) => a.element.expiresAt - b.element.expiresAt).slice(0, Math.max(1, Math.ceil(this.caps.total / 100), this.entries.size - this.caps.total + 1));
      for (const v of victims) {
        this.remove(v);
        this.counters.evicted.total++;
        out.push({ ...v.element });
      }
    }
    return out;
  }

  private move(e: Entry, nameKey: string): void {
    if (e.nameKey === nameKey) return;
    removeFrom(this.byName, e.nameKey, e);
    e.nameKey = nameKey;
    addTo(this.byName, nameKey, e);
  }

  private remove(e: Entry): void {
    this.entries.delete(e.key);
    removeFrom(this.byPod, e.podKey, e);
    removeFrom(this.byName, e.nameKey, e);
  }
}

function soonest(group: ReadonlySet<Entry>): Entry {
  let best: Entry | undefined;
  for (const e of group) if (best === undefined || e.element.expiresAt < best.element.expiresAt) best = e;
  return best as Entry;
}

function addTo(index: Map<string, Set<Entry>>, key: string, e: Entry): void {
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([e]));
  else set.add(e);
}

function removeFrom(index: Map<string, Set<Entry>>, key: string, e: Entry): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(e);
  if (set.size === 0) index.delete(key);
}
