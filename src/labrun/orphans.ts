/**
 * `lab list`, and what `lab run` does about labs orphaned by killed runs (their owner process is
 * gone and they were not kept): it names them, or with `--clean` removes them first.
 */
import { cleanupStale } from "../lab/cleanup.js";
import { type LabEntry, listLabs } from "../lab/inventory.js";

/** The labs on this machine (`within`: only prefixes starting with it; tests pass their own). */
export function labList(within?: string): Promise<LabEntry[]> {
  return listLabs(within);
}

export interface Orphans {
  /** Orphaned labs left in place (without `clean`). */
  readonly found: readonly string[];
  /** Orphaned labs removed (with `clean`). */
  readonly removed: readonly string[];
}

export async function orphanedLabs(clean: boolean, within?: string): Promise<Orphans> {
  if (clean) return { found: [], removed: await cleanupStale(within) };
  const found = (await listLabs(within)).filter((lab) => lab.status === "orphaned").map((lab) => lab.prefix);
  return { found, removed: [] };
}
