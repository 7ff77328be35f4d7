/**
 * The admin tiers with real packets (issue 9: "The lab probes clusters with admin policies and
 * asserts observed == engine, including the metadata guardrail and a namespace policy that tries to
 * re-open it"). The fixture (testdata/admin-guardrail.yaml) is enforced in a lab this file creates
 * (network namespaces only; the metadata addresses are the lab's own internet addresses), every
 * planned probe must do what the engine's check says, and a few probes are named for what they show.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { labSkip } from "../lab/testing.js";
import type { Lab } from "../lab/types.js";
import { parseIp } from "../net/ip.js";
import { OPTIONS, clusterFrom } from "./fixture.js";
import { runLab } from "./run.js";
import type { LabEntry, LabReport } from "./types.js";

const skips = { routed: await labSkip(), bridge: await labSkip("bridge") } as const;
const TIMEOUT_MS = 700;
const FIXTURE = "src/labrun/testdata/admin-guardrail.yaml";
const WEB = "shop/web";
const WORKER = "shop/worker";
const DEBUG = "ops/debug";
const DNS = "kube-system/coredns";

function entry(r: LabReport, from: string, to: string, port: number, protocol = "TCP"): LabEntry {
  const e = r.entries.find((x) => x.from === from && x.to === to && x.port === port && x.protocol === protocol);
  assert.ok(e, `no entry ${from} → ${to} ${protocol} ${port}`);
  return e;
}

// Both datapath shapes (issue 10): on the bridge, the pod-to-pod probes are bridged, the rest routed.
for (const topology of ["routed", "bridge"] as const) {
describe(`admin tiers in the ${topology} lab: the metadata guardrail and the tiers around it`, { skip: skips[topology] }, () => {
  let report: LabReport;
  const inLab: Record<string, unknown> = {};

  before(async () => {
    const cluster = await clusterFrom([FIXTURE]);
    const checks = async (lab: Lab): Promise<void> => {
      const metadata = parseIp("169.254.169.254");
      assert.ok(metadata);
      inLab["metadata"] = (await lab.probe(WEB, [{ ip: metadata, port: 443, protocol: "TCP" }], { timeoutMs: TIMEOUT_MS }))[0]?.outcome;
    };
    const r = await runLab(cluster, { ...OPTIONS, topology, probeTimeoutMs: TIMEOUT_MS, inLab: checks });
    assert.ok(r.ok, JSON.stringify(r.ok ? "" : r.error));
    report = r.value;
  });

  test("observed == engine for every probe (pods, the internet, the metadata and node addresses)", () => {
    assert.ok(report.entries.length >= 100, `only ${report.entries.length} probes`);
    assert.deepEqual(report.mismatches, [], JSON.stringify(report.mismatches, null, 1));
    assert.deepEqual(report.skipped, []);
  });

  test('the Admin Deny of metadata is final: shop/web-egress re-opens 0.0.0.0/0 ("whatever the namespaces write"), the packets are still dropped', () => {
    for (const to of ["169.254.169.254", "100.100.100.200"]) {
      for (const port of [80, 443]) assert.equal(entry(report, WEB, to, port).observed, false, `${to}:${port}`);
      assert.equal(entry(report, WORKER, to, 80).observed, false);
    }
    // Dropped, not refused: a refusal would mean the packet got through ("Deny" drops, no reject).
    assert.equal(inLab["metadata"], "timeout");
    // The NetworkPolicy's 0.0.0.0/0 still decides the rest of web's egress.
    assert.equal(entry(report, WEB, "203.0.113.1", 443).observed, true);
  });

  test("the Admin Accept of DNS reaches kube-dns from a pod the Baseline default deny otherwise closes", () => {
    assert.equal(entry(report, WORKER, DNS, 53, "UDP").observed, true);
    assert.equal(entry(report, WORKER, "203.0.113.1", 443).observed, false);
  });

  test("Pass skips the rest of the Admin tier: ops reaches 203.0.113.x on 443 by the Baseline Accept, not on 80 (Baseline default deny); elsewhere the Admin Deny after the Pass decides", () => {
    assert.equal(entry(report, DEBUG, "203.0.113.1", 443).observed, true);
    assert.equal(entry(report, DEBUG, "203.0.113.1", 80).observed, false);
    // 1.0.0.0: the first address of 0.0.0.0/0 the lab can probe as the internet.
    assert.equal(entry(report, DEBUG, "1.0.0.0", 443).observed, false);
  });

  test("a nodes peer matches the Node's status.addresses: ops reaches 192.0.2.10 on 10250 only", () => {
    assert.equal(entry(report, DEBUG, "192.0.2.10", 10250).observed, true);
    assert.equal(entry(report, DEBUG, "192.0.2.10", 443).observed, false);
  });

  test("an ingress named port resolves on the destination pod: ops reaches web on http (8080) and worker on http (8081), not web on 9090", () => {
    assert.equal(entry(report, DEBUG, WEB, 8080).observed, true);
    assert.equal(entry(report, DEBUG, WORKER, 8081).observed, true);
    assert.equal(entry(report, DEBUG, WEB, 9090).observed, false);
  });
});
}
