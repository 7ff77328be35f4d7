import type { Direction } from "../model/cluster.js";

/**
 * Rule ids, used as rule comments, log prefixes and RuleIdMap keys:
 * `pc:e:3f0a9c21b7de` an egress rule, `pc:i:g5d02e1c88a41` the default deny of an ingress group,
 * `pc:e:unknown` fail-closed drop of an unknown local pod address.
 *
 * The hex part is a hash of what the object stands for (a policy id and rule index; a group's mode
 * and policies), not a position in a list. So an id, and the set and chain names derived from it,
 * stay the same when other policies or pods come and go, and a change touches only the objects it
 * concerns (see `diffRulesets`).
 */
const LETTER: Readonly<Record<Direction, string>> = { egress: "e", ingress: "i" };

/** Hex digits of an object's hash: 48 bits. */
export const HASH_DIGITS = 12;

export const ruleId = (direction: Direction, hash: string): string => `pc:${LETTER[direction]}:${hash}`;
export const groupId = (direction: Direction, hash: string): string => `pc:${LETTER[direction]}:g${hash}`;
export const unknownId = (direction: Direction): string => `pc:${LETTER[direction]}:unknown`;

/** Finds a rule id in a log line or a trace line. */
export const RULE_ID_PATTERN = new RegExp(`\\bpc:[ei]:(?:g?[0-9a-f]{${HASH_DIGITS}}|unknown)\\b`);

/**
 * What a rule's set holds beside its main lookup: `peers`, the peer addresses alone, and `named`, the
 * local destinations' resolved named ports (an ingress named-port rule looks both up), and `dns`, the
 * pairs (pod . destination) the DNS proxy learned for a `domainNames` rule.
 */
export type SetPart = "main" | "peers" | "named" | "dns";

export const setName = (direction: Direction, hash: string, family: 4 | 6, part: SetPart = "main"): string =>
  `${LETTER[direction]}_${hash}${part === "main" ? "" : `_${part}`}_v${family}`;
export const groupChain = (direction: Direction, hash: string): string => `${direction === "egress" ? "eg" : "in"}_g${hash}`;
export const unknownChain = (direction: Direction): string => `unknown_${direction}`;

/** cyrb53 (a public-domain 53-bit string hash), cut to HASH_DIGITS hex digits. */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(14, "0").slice(-HASH_DIGITS);
}

/**
 * A hash per key, unique among `keys`. Keys are taken in sorted order; in the rare case that two
 * hash alike, the later one is hashed again with a counter, so the outcome is still a function of
 * the keys alone.
 */
export function stableHashes(keys: Iterable<string>, hash: (text: string) => string = hashText): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const key of [...new Set(keys)].sort()) {
    let h = hash(key);
    for (let k = 1; taken.has(h); k++) h = hash(`${key}\u0000${k}`);
    taken.add(h);
    out.set(key, h);
  }
  return out;
}
