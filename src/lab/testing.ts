/** For test files that need a lab. */
import { labPreflight } from "./preflight.js";

/**
 * `false` when labs can run here; otherwise the reason, to pass as `{ skip }`. With `CI=true` a lab
 * that cannot run is an error, never a skip: it throws, and the test file fails.
 */
export async function labSkip(): Promise<string | false> {
  const p = await labPreflight();
  if (p.ok) return false;
  if (process.env.CI === "true") throw new Error(`lab tests must run in CI, but: ${p.reason}`);
  return p.reason;
}
