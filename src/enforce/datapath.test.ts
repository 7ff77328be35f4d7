/**
 * The start-time datapath check, pure part, on `ip -d -j link show` of real lab nodes (trimmed to
 * the fields read): testdata/ip-link-routed.json is a routed lab's node, ip-link-bridge.json a
 * bridge lab's node after `ip link set cni0 type bridge nf_call_iptables 1`. The kernel side (the
 * sysctls read in a namespace, and the bypass they guard against) is in packets.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { type BridgeNfSysctls, datapathMessage, judgeDatapath } from "./datapath.js";

const links = (name: string): { ifname?: unknown; master?: unknown }[] => JSON.parse(readFileSync(`src/enforce/testdata/ip-link-${name}.json`, "utf8")) as { ifname?: unknown }[];
const ROUTED = links("routed");
const BRIDGE = links("bridge");
const ON: BridgeNfSysctls = { 4: true, 6: true };
const OFF: BridgeNfSysctls = { 4: false, 6: false };

const messages = (r: ReturnType<typeof judgeDatapath>): string[] => (r.ok ? [] : r.problems.map(datapathMessage));

test("routed lab node (pod veths are plain links): routed, ok whatever br_netfilter does", () => {
  for (const sysctls of [ON, OFF, "missing"] as const) assert.deepEqual(judgeDatapath(ROUTED, sysctls), { ok: true, datapath: "routed", bridges: [] });
});

test("bridge lab node, br_netfilter on: bridge, ok, with cni0 and its pod ports", () => {
  assert.deepEqual(judgeDatapath(BRIDGE, ON), { ok: true, datapath: "bridge", bridges: [{ name: "cni0", ports: ["pod0", "pod1"], nfCallIptables: true, nfCallIp6tables: false }] });
});

test("bridge lab node without br_netfilter: the problem, in the words the agent prints", () => {
  assert.deepEqual(messages(judgeDatapath(BRIDGE, "missing")), [
    "pods are bridged on cni0 but br_netfilter is not loaded: same-node pod traffic bypasses the rules; run modprobe br_netfilter and set net.bridge.bridge-nf-call-iptables=1 and net.bridge.bridge-nf-call-ip6tables=1",
  ]);
});

test("sysctls at 0: the bridge's own nf_call_iptables 1 keeps IPv4 in the hooks (br_netfilter ORs them), IPv6 bypasses", () => {
  assert.deepEqual(messages(judgeDatapath(BRIDGE, OFF)), [
    "pods are bridged on cni0 but net.bridge.bridge-nf-call-ip6tables is 0: same-node IPv6 pod traffic bypasses the rules; set net.bridge.bridge-nf-call-ip6tables=1",
  ]);
  assert.deepEqual(messages(judgeDatapath(BRIDGE, { 4: false, 6: true })), []);
});

test("a bridge without veth ports (docker0 with no container) carries no pod traffic: routed", () => {
  const empty = BRIDGE.filter((l) => l.master !== "cni0");
  assert.deepEqual(judgeDatapath(empty, "missing"), { ok: true, datapath: "routed", bridges: [] });
});
