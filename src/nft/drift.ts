import { BASE_CHAIN } from "./chains.js";
import type { Ruleset } from "./types.js";

/**
 * A cheap check that the kernel still holds the table as applied, from two small listings:
 * `nft list chains` (every chain's name, no rules) and `nft list chain inet portcullis forward`
 * (the base chain's rules). It catches what undoes enforcement wholesale: the table deleted, the
 * ruleset flushed (`nft flush ruleset`, a firewall reload), the table or its base chain flushed, a
 * chain deleted. It does not read set elements or group chain rules (listing them is as large as
 * the table); an element diff that fails on such drift replaces the table anyway.
 * Returns null when the table is as applied, else what differs.
 */
export function tableDrift(applied: Ruleset, chainsListing: string, baseChainListing: string | null): string | null {
  const chains = chainsOf(chainsListing, applied.family, applied.table);
  if (chains === null) return `table ${applied.family} ${applied.table} is gone`;
  const expected = applied.chains.map((c) => c.name);
  const missing = expected.filter((name) => !chains.includes(name));
  if (missing.length > 0) return `${missing.length} of ${expected.length} chains are gone (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""})`;
  const base = applied.chains.find((c) => c.name === BASE_CHAIN);
  if (base !== undefined) {
    const rules = baseChainListing === null ? 0 : ruleLines(baseChainListing);
    if (rules !== base.rules.length) return `chain ${BASE_CHAIN} has ${rules} of its ${base.rules.length} rules`;
  }
  return null;
}

/** The chain names of one table in `nft list chains` output; null when the table is not listed. */
export function chainsOf(listing: string, family: string, table: string): string[] | null {
  let inTable = false;
  let found = false;
  const names: string[] = [];
  for (const line of listing.split("\n")) {
    const header = /^table (\S+) (\S+) \{$/.exec(line);
    if (header !== null) {
      inTable = header[1] === family && header[2] === table;
      found ||= inTable;
      continue;
    }
    const chain = /^\tchain (\S+) \{$/.exec(line);
    if (inTable && chain !== null) names.push(chain[1] as string);
  }
  return found ? names : null;
}

/** Rules in one listed chain: the lines inside its braces that are neither its hook line nor a comment. */
function ruleLines(listing: string): number {
  return listing.split("\n").filter((line) => /^\t\t\S/.test(line) && !/^\t\ttype \S+ hook /.test(line) && !/^\t\t#/.test(line)).length;
}
