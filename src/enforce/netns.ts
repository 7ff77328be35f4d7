import { randomBytes } from "node:crypto";
import { type RunResult, run } from "./process.js";

/**
 * Network namespaces for tests and experiments. Names are `<prefix>-<random hex>`, and only
 * namespaces created here can be deleted here, so nothing else on the machine is touched.
 */
const created = new Set<string>();

export async function createNetns(prefix = "pcnft"): Promise<RunResult<string>> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  const r = await run("ip", ["netns", "add", name], { timeoutMs: 10_000 });
  if (!r.ok) return r;
  created.add(name);
  return { ok: true, value: name };
}

export async function deleteNetns(name: string): Promise<RunResult<void>> {
  if (!created.has(name)) {
    return { ok: false, error: { code: "bad-netns", message: `refusing to delete namespace "${name}": not created here`, stderr: "", exitCode: null } };
  }
  const r = await run("ip", ["netns", "delete", name], { timeoutMs: 10_000 });
  if (r.ok) created.delete(name);
  return r.ok ? { ok: true, value: undefined } : r;
}

/** `ip -n NS ...`: configures links, addresses and routes inside the namespace only. */
export function ipIn(netns: string, args: readonly string[]): Promise<RunResult<string>> {
  return run("ip", ["-n", netns, ...args], { timeoutMs: 10_000 });
}

/** Runs a program inside the namespace (`ip netns exec`). */
export function execIn(netns: string, argv: readonly string[], timeoutMs = 10_000): Promise<RunResult<string>> {
  return run("ip", ["netns", "exec", netns, ...argv], { timeoutMs });
}

/** Whether this process can run the namespace tests: root, with `ip` and `nft` present. */
export async function netnsSupport(): Promise<{ readonly ok: boolean; readonly reason: string }> {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { ok: false, reason: "not root" };
  const nft = await run("nft", ["--version"], { timeoutMs: 5_000 });
  if (!nft.ok) return { ok: false, reason: `nft unavailable: ${nft.error.message}` };
  const ip = await run("ip", ["netns", "list"], { timeoutMs: 5_000 });
  if (!ip.ok) return { ok: false, reason: `ip netns unavailable: ${ip.error.message}` };
  return { ok: true, reason: "" };
}
