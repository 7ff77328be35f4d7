/**
 * Real packets through a ruleset with admin tiers, and the enforcer's `--log` path: the traced
 * denials and the counters name tier, policy, priority and rule (issue 9: "counters and `--log`
 * lines naming tier/policy/rule"). A router namespace holds the table; one pod namespace holds the
 * fixture's pods, another the outside hosts (the metadata address among them: inside the test's
 * own namespaces, never the host's). The fixture is the lab's (src/labrun/testdata/admin-guardrail.yaml).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCluster } from "../k8s/load.js";
import { compileRuleset } from "../nft/compile.js";
import { type Denial, renderDenial } from "../nft/describe.js";
import type { Counter } from "../nft/counters.js";
import { AddressSet } from "../net/address-set.js";
import { cidr } from "../nft/fixture.js";
import { type Probe, type ProbeOutcome, listen, probe, wire } from "./mini-lab.js";
import { createNetns, deleteNetns, netnsSupport } from "./netns.js";
import { applyRuleset, readCounters } from "./nft.js";
import { type DenialFollower, followDenials } from "./trace.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;

test("admin packet tests run in CI", { skip: process.env["CI"] === "true" ? false : "not CI" }, () => {
  assert.ok(support.ok, `namespace tests must run in CI: ${support.reason}`);
});

const FIXTURE = "src/labrun/testdata/admin-guardrail.yaml";
const decoded = loadCluster([{ file: FIXTURE, text: readFileSync(FIXTURE, "utf8") }]);
const compiled = compileRuleset(decoded.value, { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true });

const WEB = "10.244.1.5";
const DEBUG = "10.244.2.7";
const METADATA = "169.254.169.254";
const PARTNER = "203.0.113.1";

/** The id of an admin policy's egress rule. */
function adminId(policy: string, rule: number): string {
  const found = [...compiled.ruleIds.entries.values()].find((e) => e.kind === "admin-rule" && e.direction === "egress" && e.policy.name === policy && e.rule === rule);
  assert.ok(found, `${policy} egress[${rule}]`);
  return found.id;
}

describe("real packets through the admin tiers", { skip }, () => {
  const names: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const denials: Denial[] = [];
  let follower: DenialFollower | undefined;
  const results = new Map<string, ProbeOutcome>();
  const control = new Map<string, ProbeOutcome>();
  let counters: ReadonlyMap<string, Counter> = new Map();

  const ok = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T => {
    assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
    return r.value;
  };
  const key = (p: Probe): string => `${p.from} -> ${p.to}:${p.port}`;

  before(async () => {
    assert.deepEqual(decoded.diagnostics.filter((d) => d.severity === "error"), []);
    for (let k = 0; k < 3; k++) names.push(ok(await createNetns()));
    const [router, pods, outside] = names as [string, string, string];
    ok(await wire(router, [
      { netns: pods, addresses: [WEB, DEBUG] },
      { netns: outside, addresses: [METADATA, PARTNER] },
    ]));
    const probes: Probe[] = [
      { from: WEB, to: METADATA, port: 80 },
      { from: WEB, to: PARTNER, port: 443 },
      { from: DEBUG, to: PARTNER, port: 443 },
      { from: DEBUG, to: PARTNER, port: 80 },
      { from: DEBUG, to: METADATA, port: 443 },
    ];
    stops.push(ok(await listen(outside, [80, 443])).stop);
    const run = async (into: Map<string, ProbeOutcome>): Promise<void> => {
      ok(await probe(pods, probes)).forEach((outcome, k) => into.set(key(probes[k] as Probe), outcome));
    };
    await run(control);
    ok(await applyRuleset(compiled.text, router));
    follower = followDenials({ netns: router, ruleIds: () => compiled.ruleIds, onDenial: (d) => denials.push(d) });
    await follower.ready;
    await run(results);
    counters = ok(await readCounters(router));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last trace lines arrive
  });

  after(async () => {
    await follower?.stop();
    for (const stop of stops) await stop();
    for (const name of names) await deleteNetns(name);
  });

  const outcome = (from: string, to: string, port: number): ProbeOutcome | undefined => results.get(key({ from, to, port }));
  const packets = (id: string): number => counters.get(id)?.packets ?? 0;
  const rendered = (): string[] => denials.map(renderDenial);

  test("without the table every probe connects: the topology routes them all", () => {
    assert.deepEqual([...new Set(control.values())], ["connected"], JSON.stringify([...control]));
  });

  test("the metadata Deny drops (a timeout, not a refusal) though shop/web-egress re-opens 0.0.0.0/0; its counter and its traced denial name the Admin rule", () => {
    assert.equal(outcome(WEB, METADATA, 80), "timeout");
    assert.equal(outcome(DEBUG, METADATA, 443), "timeout");
    assert.ok(packets(adminId("deny-metadata", 0)) > 0);
    assert.ok(rendered().includes(`denied shop/web -> ${METADATA}:80/TCP: egress denied by Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds"`), rendered().join("\n"));
  });

  test("the NetworkPolicy after the Admin tier still allows the rest: web reaches the partner on 443", () => {
    assert.equal(outcome(WEB, PARTNER, 443), "connected");
  });

  test("Pass then a Baseline Accept: ops reaches the partner on 443 (both rules counted); on 80 the Baseline default deny drops it and the trace names it", () => {
    assert.equal(outcome(DEBUG, PARTNER, 443), "connected");
    assert.ok(packets(adminId("ops-internet", 0)) > 0 && packets(adminId("ops-partner", 0)) > 0);
    assert.equal(outcome(DEBUG, PARTNER, 80), "timeout");
    assert.ok(rendered().includes(`denied ops/debug -> ${PARTNER}:80/TCP: egress denied by Baseline ClusterNetworkPolicy default-deny-egress (priority 50) rule 0 "default-deny"`), rendered().join("\n"));
  });
});
