import type { Direction } from "../model/cluster.js";

/**
 * Rule ids, used as rule comments, log prefixes and RuleIdMap keys:
 * `pc:e:17` egress rule 17, `pc:i:g2` the default deny of ingress group 2,
 * `pc:e:unknown` fail-closed drop of an unknown local pod address. Numbers follow the sorted
 * policy ids and rule indexes, so the same input always gives the same ids.
 */
const LETTER: Readonly<Record<Direction, string>> = { egress: "e", ingress: "i" };

export const ruleId = (direction: Direction, n: number): string => `pc:${LETTER[direction]}:${n}`;
export const groupId = (direction: Direction, group: number): string => `pc:${LETTER[direction]}:g${group}`;
export const unknownId = (direction: Direction): string => `pc:${LETTER[direction]}:unknown`;

/** Finds a rule id in a log line or a trace line. */
export const RULE_ID_PATTERN = /\bpc:[ei]:(?:\d+|g\d+|unknown)\b/;

export const setName = (direction: Direction, n: number, family: 4 | 6, named = false): string =>
  `${LETTER[direction]}${n}${named ? "_named" : ""}_v${family}`;
export const groupChain = (direction: Direction, group: number): string => `${direction === "egress" ? "eg" : "in"}_g${group}`;
export const unknownChain = (direction: Direction): string => `unknown_${direction}`;
