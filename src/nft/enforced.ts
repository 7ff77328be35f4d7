import type { NftChain, Ruleset } from "./types.js";

/**
 * What a table enforces, counted the same way for a compiled ruleset and for the table the kernel
 * holds: the distinct rule ids in rule comments, one per allow rule of a policy (a hash of the
 * policy and the rule's index), one per admin rule (a hash of its policy's kind and name and its
 * index) and one per isolation group (its default deny). The fail-closed
 * drops of unknown pod addresses (`pc:e:unknown`) enforce no policy and are not counted. No id: no
 * pod is isolated, every connection is allowed.
 */
const ID_COMMENT = /comment "(pc:[ei]:g?[0-9a-f]+)"/;

export function enforcedIds(ruleLines: Iterable<string>): Set<string> {
  const ids = new Set<string>();
  for (const line of ruleLines) {
    const id = ID_COMMENT.exec(line)?.[1];
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/**
 * The ids a compiled ruleset enforces (`enforcedIds` of the rules of every chain), read per
 * chain and remembered while the chain object lives: a compile hands back unchanged chains as the
 * same objects, so a node agent's check per event reads only the rules of the chains that changed.
 */
export function rulesetEnforcedIds(ruleset: Ruleset): Set<string> {
  const ids = new Set<string>();
  for (const chain of ruleset.chains) {
    let own = chainIds.get(chain);
    if (own === undefined) {
      own = [...enforcedIds(chain.rules)];
      chainIds.set(chain, own);
    }
    for (const id of own) ids.add(id);
  }
  return ids;
}

const chainIds = new WeakMap<NftChain, readonly string[]>();

/** The lines of one table in a listing of the whole ruleset (`nft -t list ruleset`); none when it is not there. */
export function tableLines(listing: string, family: string, table: string): string[] {
  const lines = listing.split("\n");
  const start = lines.indexOf(`table ${family} ${table} {`);
  if (start < 0) return [];
  const end = lines.indexOf("}", start);
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

/** A state `enforce` refuses to apply: it drops every enforced id (`all`), or more than `maxPercent` of them. */
export interface ShrinkRefusal {
  readonly before: number;
  readonly after: number;
  /** How many of `before` would go, in percent (rounded). */
  readonly percent: number;
  readonly maxPercent: number;
  /** The new state enforces nothing while the table enforced something. */
  readonly all: boolean;
}

/** Whether going from `before` enforced ids to `after` is a shrink to refuse; null when it may be applied. */
export function shrinkRefusal(before: number, after: number, maxPercent: number): ShrinkRefusal | null {
  if (before === 0 || after >= before) return null;
  const lost = ((before - after) / before) * 100;
  const all = after === 0;
  if (!all && lost <= maxPercent) return null;
  return { before, after, percent: Math.round(lost), maxPercent, all };
}
