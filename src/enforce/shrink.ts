import { rulesetEnforcedIds, type ShrinkRefusal, shrinkRefusal } from "../nft/enforced.js";
import type { Ruleset } from "../nft/types.js";
import { type NftResult, readEnforcedIds } from "./nft.js";

/** Refused by default: a state that drops more than half of what the table enforces. */
export const DEFAULT_MAX_SHRINK_PERCENT = 50;

export interface ShrinkLimits {
  /** Apply whatever the input says, even a state that enforces nothing (`--allow-shrink`). */
  readonly allowShrink?: boolean;
  /** Refuse a state that drops more than this share of the enforced ids (`--max-shrink`); default 50. */
  readonly maxShrinkPercent?: number;
}

/**
 * Whether to refuse applying `next` because it drops every policy the table enforces, or too many
 * of them (see enforcedIds for what is counted). What is enforced now is `applied`, the ruleset this
 * loop applied last; on the first cycle, the table in the kernel (any earlier run's), read from its
 * rule ids: they are hashes of the policies, so the kernel itself says what it enforces, whoever
 * applied it, and no state file can disagree with it.
 */
export async function checkShrink(next: Ruleset, applied: Ruleset | null, limits: ShrinkLimits, netns: string | undefined): Promise<NftResult<ShrinkRefusal | null>> {
  if (limits.allowShrink === true) return { ok: true, value: null };
  const before = applied === null ? await readEnforcedIds(netns) : { ok: true as const, value: rulesetEnforcedIds(applied) };
  if (!before.ok) return before;
  const after = rulesetEnforcedIds(next).size;
  return { ok: true, value: shrinkRefusal(before.value.size, after, limits.maxShrinkPercent ?? DEFAULT_MAX_SHRINK_PERCENT) };
}
