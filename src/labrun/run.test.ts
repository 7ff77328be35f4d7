/** `runLab` on small clusters: what it skips, and `--to` targets, with real packets. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { listNetns, ofPrefix } from "../lab/netns.js";
import { labSkip } from "../lab/testing.js";
import { OPTIONS, clusterOf, workload } from "./fixture.js";
import { runLab } from "./run.js";
import { parseTo } from "./to.js";
import type { ExternalTarget } from "./types.js";

const skip = await labSkip();

function to(text: string): ExternalTarget {
  const r = parseTo(text);
  assert.ok(r.ok, text);
  return r.target;
}

const POLICY =
  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: a}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{protocol: UDP, port: 123}]}]\n";

describe("lab run", { skip }, () => {
  test("SCTP targets are reported as skipped, never dropped, when the lab cannot probe SCTP", async () => {
    const cluster = clusterOf([workload("a", "x", { app: "x" }, [{ port: 80 }, { port: 9, protocol: "SCTP" }]), workload("a", "y", { app: "y" })].join("---\n"));
    const r = await runLab(cluster, { ...OPTIONS, to: [], probeTimeoutMs: 500 });
    assert.ok(r.ok);
    assert.deepEqual(r.value.entries.map((e) => `${e.from} ${e.to} ${e.protocol} ${e.port} ${e.observed}`), ["a/x a/x TCP 80 true", "a/y a/x TCP 80 true"]);
    assert.deepEqual(r.value.skipped, [
      { reason: "sctp-unsupported", from: "a/x", to: "a/x", port: 9, protocol: "SCTP" },
      { reason: "sctp-unsupported", from: "a/y", to: "a/x", port: 9, protocol: "SCTP" },
    ]);
    assert.deepEqual(ofPrefix(await listNetns(), r.value.prefix), [], "the lab is down");
  });

  test("--to targets replace the derived ones; without a port, the policies' ports and the defaults", async () => {
    const cluster = clusterOf([workload("a", "x", { app: "x" }), POLICY].join("---\n"));
    const r = await runLab(cluster, { ...OPTIONS, to: [to("203.0.113.9:123/UDP"), to("198.51.100.7")], probeTimeoutMs: 500 });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.entries.map((e) => `${e.to} ${e.protocol} ${e.port} ${e.expected} ${e.observed}`),
      [
        "203.0.113.9 UDP 123 true true",
        "198.51.100.7 UDP 53 false false",
        "198.51.100.7 TCP 80 false false",
        "198.51.100.7 UDP 123 false false",
        "198.51.100.7 TCP 443 false false",
      ],
    );
    assert.deepEqual(r.value.mismatches, []);
  });
});
