/**
 * A small interpreter of the rulesets this compiler writes, for tests: it reads the rule *text*
 * and the element *text*, so the conformance cases check what nft will be given, not an
 * intermediate plan. It knows only the statements the compiler emits, and says so on others.
 * A simulated packet is the first packet of a connection (`ct state new`).
 */
import type { Protocol } from "../model/ports.js";
import { parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { NFT_PROTOCOL } from "./elements.js";
import type { NftChain, NftSet, Ruleset } from "./types.js";

export interface SimPacket {
  readonly source: Ip;
  readonly destination: Ip;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface SimResult {
  readonly verdict: "accept" | "drop";
  /** Comments (rule ids) of the rules whose verdict was taken, in order. */
  readonly trail: readonly string[];
}

type Value = { kind: "ip"; ip: Ip } | { kind: "proto"; name: string; number: number } | { kind: "port"; port: number };

/** IANA protocol numbers, as `meta l4proto` holds them. */
const PROTOCOL_NUMBER: Readonly<Record<Protocol, number>> = { TCP: 6, UDP: 17, SCTP: 132 };

const FIELD: Readonly<Record<string, (p: SimPacket) => Value | undefined>> = {
  "ip saddr": (p) => (p.source.family === 4 ? { kind: "ip", ip: p.source } : undefined),
  "ip daddr": (p) => (p.destination.family === 4 ? { kind: "ip", ip: p.destination } : undefined),
  "ip6 saddr": (p) => (p.source.family === 6 ? { kind: "ip", ip: p.source } : undefined),
  "ip6 daddr": (p) => (p.destination.family === 6 ? { kind: "ip", ip: p.destination } : undefined),
  "meta l4proto": (p) => ({ kind: "proto", name: NFT_PROTOCOL[p.protocol], number: PROTOCOL_NUMBER[p.protocol] }),
  "th dport": (p) => ({ kind: "port", port: p.port }),
};

/** Whether one element component (`10.0.0.0/8`, `a-b`, `tcp`, `0-255`, `80-90`) holds the value. */
function componentHas(text: string, v: Value): boolean {
  if (v.kind === "proto" && !/^\d/.test(text)) return text === v.name;
  if (v.kind === "proto" || v.kind === "port") {
    const value = v.kind === "proto" ? v.number : v.port;
    const [lo, hi] = text.split("-").map(Number);
    return lo !== undefined && value >= lo && value <= (hi ?? lo);
  }
  if (text.includes("/")) {
    const c = parseCidr(text);
    return c.ok && c.cidr.family === v.ip.family && c.cidr.first <= v.ip.value && v.ip.value <= c.cidr.last;
  }
  const [lo, hi] = text.split("-").map(parseIp);
  return lo !== undefined && lo.family === v.ip.family && lo.value <= v.ip.value && v.ip.value <= (hi ?? lo).value;
}

/**
 * The element matching `key`: its value (`jump x` in a map, "" in a set), or undefined. A set
 * without `flags interval` (a hash set) holds exact values only: nft refuses a range or a prefix
 * there, and so does the simulator.
 */
function lookup(set: NftSet, key: readonly Value[]): string | undefined {
  for (const e of set.elements) {
    const parts = e.key.split(" . ");
    if (!set.interval && parts.some((text) => text.includes("-") || text.includes("/"))) throw new Error(`hash set ${set.name} holds a range: ${e.key}`);
    if (parts.length === key.length && parts.every((text, k) => componentHas(text, key[k] as Value))) return e.value ?? "";
  }
  return undefined;
}

const MATCH = /((?:ip6?|meta|th) \w+(?: \. (?:ip6?|meta|th) \w+)*) (!= )?(vmap )?@(\w+)/g;
const ANONYMOUS = /((?:meta|th) \w+(?: \. (?:meta|th) \w+)*) \{ ([^}]*) \}/;
const IGNORED = [/\bcounter\b/g, /\blimit rate \S+ burst \d+ packets\b/g, /\bmeta nftrace set 1\b/g, /\blog prefix "[^"]*" level \w+/g];

type Outcome = { kind: "continue" } | { kind: "verdict"; verdict: string };

function evalRule(r: Ruleset, rule: string, p: SimPacket): Outcome {
  if (rule.startsWith("ct state")) return { kind: "continue" }; // a new packet: neither established nor invalid
  let rest = rule.replace(/ ?comment "[^"]*"$/, "");
  let vmapVerdict: string | undefined;
  for (const m of rest.matchAll(MATCH)) {
    const set = r.sets.find((s) => s.name === m[4]);
    if (set === undefined) throw new Error(`unknown set ${m[4]}`);
    const key = (m[1] as string).split(" . ").map((f) => FIELD[f]?.(p));
    if (key.some((v) => v === undefined)) return { kind: "continue" };
    const found = lookup(set, key as Value[]);
    if (m[3] !== undefined) {
      if (found === undefined) return { kind: "continue" };
      vmapVerdict = found;
    } else if ((found !== undefined) === (m[2] !== undefined)) {
      return { kind: "continue" };
    }
  }
  rest = rest.replace(MATCH, "");
  // An anonymous set of `protocol . ports` (a domain rule's ports beside its learned pairs).
  const anonymous = ANONYMOUS.exec(rest);
  if (anonymous !== null) {
    const key = (anonymous[1] as string).split(" . ").map((f) => FIELD[f]?.(p));
    const listed = (anonymous[2] as string).split(", ").map((e) => e.split(" . "));
    if (key.some((v) => v === undefined) || !listed.some((parts) => parts.length === key.length && parts.every((text, k) => componentHas(text, key[k] as Value)))) return { kind: "continue" };
    rest = rest.replace(ANONYMOUS, "");
  }
  for (const re of IGNORED) rest = rest.replace(re, "");
  const verdict = vmapVerdict ?? rest.trim();
  if (verdict === "") return { kind: "continue" };
  if (!/^(accept|drop|return|(?:jump|goto) \w+)$/.test(verdict)) throw new Error(`the simulator does not know "${rule}"`);
  return { kind: "verdict", verdict };
}

const MAX_DEPTH = 16;

/**
 * Runs a chain; "return" and falling off the end both come back as undefined. `jump` comes back
 * to the next rule when the chain it runs returns; `goto` does not: what the chain gone to decides
 * is what this chain decides (its return is this chain's return).
 */
function runChain(r: Ruleset, chain: NftChain, p: SimPacket, trail: string[], depth: number): "accept" | "drop" | undefined {
  if (depth > MAX_DEPTH) throw new Error("jumps too deep");
  for (const rule of chain.rules) {
    const o = evalRule(r, rule, p);
    if (o.kind === "continue") continue;
    const id = /comment "([^"]*)"$/.exec(rule)?.[1];
    if (id !== undefined) trail.push(id);
    if (o.verdict === "accept" || o.verdict === "drop") return o.verdict;
    if (o.verdict === "return") return undefined;
    const [how, name] = o.verdict.split(" ");
    const target = r.chains.find((c) => c.name === name);
    if (target === undefined) throw new Error(`unknown chain in ${rule}`);
    const v = runChain(r, target, p, trail, depth + 1);
    if (v !== undefined || how === "goto") return v;
  }
  return undefined;
}

/** The verdict of the base chain (policy accept) for the first packet of a connection. */
export function simulate(r: Ruleset, p: SimPacket): SimResult {
  const trail: string[] = [];
  const base = r.chains.find((c) => c.base !== undefined);
  if (base === undefined) throw new Error("no base chain");
  return { verdict: runChain(r, base, p, trail, 0) ?? "accept", trail };
}
