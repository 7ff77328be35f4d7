/** Can labs run here? Root, `ip`, `sysctl`, and a namespace that can be created and removed. */
import { existsSync } from "node:fs";
import { deleteNetns, addNetns, newPrefix } from "./netns.js";
import { run } from "./run.js";
import type { Preflight } from "./types.js";

export async function labPreflight(): Promise<Preflight> {
  if (process.platform !== "linux") return { ok: false, reason: `network namespaces need Linux, not ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "network namespaces need root" };
  for (const [tool, argv] of [
    ["ip", ["ip", "-V"]],
    ["sysctl", ["sysctl", "-V"]],
  ] as const) {
    const r = await run(argv, { timeoutMs: 5000 });
    if (r.code !== 0) return { ok: false, reason: `\`${tool}\` is not usable: ${r.stderr.trim()}` };
  }
  const prefix = newPrefix();
  try {
    await addNetns([`${prefix}-0`]);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `cannot create a network namespace: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await deleteNetns(prefix).catch(() => undefined);
  }
}

/**
 * The bridge topology needs br_netfilter: without it bridged packets never reach the node's IP
 * forward hook, so nothing enforced there would see same-node traffic. Its sysctls exist (in every
 * network namespace) exactly when it is loaded. It is not loaded from here: `modprobe br_netfilter`
 * is a host-wide change (every bridge of the host starts passing the host's iptables), the
 * machine's owner decides it.
 */
export function bridgePreflight(): Preflight {
  if (existsSync("/proc/sys/net/bridge/bridge-nf-call-iptables")) return { ok: true };
  return { ok: false, reason: "the bridge topology needs the br_netfilter module, which is not loaded (modprobe br_netfilter): without it bridged pod traffic bypasses the node's forward hook" };
}
