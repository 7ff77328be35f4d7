/** Test support shared by the diff and graph tests: manifests (as text) to a compiled engine. */
import type { Diagnostic } from "../diag/diagnostic.js";
import { Engine } from "../engine/engine.js";
import type { EngineOptions } from "../engine/types.js";
import { loadCluster } from "../k8s/load.js";
import type { Source } from "../k8s/parse.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";

/** The CLI's defaults: pod network 10.244.0.0/16, ipBlock peers match pod IPs. */
export function defaultOptions(): EngineOptions {
  const r = parseCidr("10.244.0.0/16");
  if (!r.ok) throw new Error("bad pod cidr");
  return { podNetwork: AddressSet.fromCidr(r.cidr), ipBlockMatchesPods: true };
}

export function engineOf(sources: readonly Source[], options: EngineOptions = defaultOptions()): { engine: Engine; errors: Diagnostic[] } {
  const loaded = loadCluster(sources);
  return { engine: Engine.compile(loaded.value, options), errors: loaded.diagnostics.filter((d) => d.severity === "error") };
}

/** `base` with each file of `over` replacing the file of the same name, or added. Sorted by name. */
export function overlay(base: readonly Source[], over: readonly Source[]): Source[] {
  const byName = new Map(base.map((s) => [s.file, s]));
  for (const s of over) byName.set(s.file, s);
  return [...byName.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
