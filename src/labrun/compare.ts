/** Expected against observed, pure. */
import type { ProbeOutcome } from "../lab/types.js";
import type { LabEntry, Mismatch, PlannedProbe } from "./types.js";

export interface Observation {
  readonly outcome: ProbeOutcome;
  readonly identity: string | null;
  readonly detail?: string;
}

/**
 * Enforcement drops what it denies, so a blocked probe times out; an allowed one is answered by
 * the very pod (or internet address) probed. Anything else disagrees with the engine, or shows the
 * lab is not what the plan says: a refusal means the packet got through to a closed port.
 */
export function explained(p: PlannedProbe, o: Observation): boolean {
  return p.expected ? o.outcome === "answered" && o.identity === p.identity : o.outcome === "timeout";
}

export function compare(probes: readonly PlannedProbe[], observed: readonly Observation[]): { entries: LabEntry[]; mismatches: Mismatch[] } {
  const entries: LabEntry[] = [];
  const mismatches: Mismatch[] = [];
  probes.forEach((p, i) => {
    const o: Observation = observed[i] ?? { outcome: "error", identity: null, detail: "not probed" };
    const entry: LabEntry = { from: p.from, to: p.to, port: p.port, protocol: p.protocol, expected: p.expected, observed: o.outcome === "answered" };
    entries.push(entry);
    if (explained(p, o)) return;
    mismatches.push({ ...entry, outcome: o.outcome, identity: o.identity, wanted: p.identity, ...(o.detail === undefined ? {} : { detail: o.detail }) });
  });
  return { entries, mismatches };
}
