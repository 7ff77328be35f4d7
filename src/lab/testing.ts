/** For test files that need a lab. */
import { bridgePreflight, labPreflight } from "./preflight.js";
import type { LabTopology } from "./types.js";

/**
 * `false` when labs (of this topology) can run here; otherwise the reason, to pass as `{ skip }`. With `CI=true` a lab
 * that cannot run is an error, never a skip: it throws, and the test file fails.
 */
export async function labSkip(topology: LabTopology["kind"] = "routed"): Promise<string | false> {
  const lab = await labPreflight();
  const p = lab.ok && topology === "bridge" ? bridgePreflight() : lab;
  if (p.ok) return false;
  if (process.env.CI === "true") throw new Error(`lab tests must run in CI, but: ${p.reason}`);
  return p.reason;
}
