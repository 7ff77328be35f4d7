import { isObject, parseNftJson } from "./json.js";
import type { Ruleset } from "./types.js";

/** `detail` is null when the kernel holds the table as applied, else what differs. */
export type DriftCheck = { readonly ok: true; readonly detail: string | null } | { readonly ok: false; readonly error: string };

/**
 * A cheap check that the kernel still holds the table as applied, judged from one read:
 * `nft -t -j list table inet portcullis` (terse: no set elements, so far smaller than the table), or
 * null when nft says the table does not exist. One read is one snapshot: a deletion cannot land
 * between two listings and be judged half-way. It catches what undoes enforcement: the table deleted,
 * the ruleset flushed (`nft flush ruleset`, a firewall reload), the table or a chain flushed, a chain
 * deleted, rules added or deleted by hand. Set elements are not compared; an element diff that fails
 * on such drift replaces the table anyway.
 */
export function tableDrift(applied: Ruleset, listing: string | null): DriftCheck {
  if (listing === null) return { ok: true, detail: `table ${applied.family} ${applied.table} is gone` };
  const held = rulesPerChain(listing);
  if (!held.ok) return held;
  const expected = applied.chains.map((c) => c.name);
  const missing = expected.filter((name) => !held.rules.has(name));
  if (missing.length > 0) return { ok: true, detail: `${missing.length} of ${expected.length} chains are gone (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""})` };
  const changed = applied.chains.find((c) => held.rules.get(c.name) !== c.rules.length);
  if (changed !== undefined) return { ok: true, detail: `chain ${changed.name} has ${held.rules.get(changed.name) ?? 0} of its ${changed.rules.length} rules` };
  return { ok: true, detail: null };
}

type ChainRules = { readonly ok: true; readonly rules: ReadonlyMap<string, number> } | { readonly ok: false; readonly error: string };

/** Each listed chain's name and how many rules it holds. */
function rulesPerChain(listing: string): ChainRules {
  const parsed = parseNftJson(listing);
  if (!parsed.ok) return parsed;
  const rules = new Map<string, number>();
  for (const item of parsed.items) {
    const chain = item["chain"];
    if (isObject(chain) && typeof chain["name"] === "string") rules.set(chain["name"], rules.get(chain["name"]) ?? 0);
    const rule = item["rule"];
    if (isObject(rule) && typeof rule["chain"] === "string") rules.set(rule["chain"], (rules.get(rule["chain"]) ?? 0) + 1);
  }
  if (!parsed.items.some((item) => isObject(item["table"]))) return { ok: false, error: "nft JSON without the table" };
  return { ok: true, rules };
}
