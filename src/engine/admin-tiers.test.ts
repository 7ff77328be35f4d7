/**
 * The fast engine's check walks the admin tiers: the reference's named cases (each from the API
 * text of ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy, see
 * src/reference/admin-cases.ts) run against the engine too, so engine and reference agree on each;
 * and the tier walk is explained as data (which tier, policy, priority, rule and action decided).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CASES, type Evaluate, expected, MAPPED, NO_ADMIN_POLICIES, verdicts } from "../reference/admin-cases.js";
import { referenceCheck } from "../reference/reference.js";
import { decodeYaml, errors } from "../k8s/testing.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { parseIp, type Ip } from "../net/ip.js";
import { Engine } from "./engine.js";
import type { EngineOptions, Target, TierStep } from "./types.js";

const engine: Evaluate = (cluster, options, conn) => Engine.compile(cluster, options).check(conn).verdict;
const reference: Evaluate = (cluster, options, conn) => referenceCheck(cluster, options, conn).verdict;

describe("engine check: the admin tiers, the reference's named cases (engine and reference agree on every probe)", () => {
  for (const c of CASES) {
    test(c.name, () => {
      assert.deepEqual(verdicts(engine, c.policies, c.probes, c.ipBlockMatchesPods), expected(c.probes), "engine");
      assert.deepEqual(verdicts(reference, c.policies, c.probes, c.ipBlockMatchesPods), expected(c.probes), "reference");
    });
  }
  for (const c of MAPPED) {
    test(`v1alpha1 mapped: ${c.name}`, () => {
      assert.deepEqual(verdicts(engine, c.v1alpha1, c.probes), expected(c.probes), "v1alpha1");
      assert.deepEqual(verdicts(engine, c.v1alpha2, c.probes), expected(c.probes), "v1alpha2");
    });
  }
  test("no admin policies: the engine answers as before (a NetworkPolicy-only cluster)", () => {
    assert.deepEqual(verdicts(engine, NO_ADMIN_POLICIES.policies, NO_ADMIN_POLICIES.probes), expected(NO_ADMIN_POLICIES.probes));
  });
});

/** src/cli/testdata/admin-policies.yaml: the metadata guardrail, DNS accepted, a default-deny baseline, and shop/web-egress allowing 0.0.0.0/0. */
const GUARDRAILS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: nginx}]}
status: {podIP: 10.244.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api}]}
status: {podIP: 10.244.1.6}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-metadata}
spec: {tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{name: block-imds, action: Deny, to: [{networks: [169.254.169.254/32]}]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec: {subject: {namespaces: {}}, egress: [{name: default-deny, action: Deny, to: [{networks: [0.0.0.0/0]}]}]}
`;

function explainEgress(from: string, to: string): { verdict: string; tiers: readonly TierStep[]; allowedBy: number } {
  const decoded = decodeYaml(GUARDRAILS);
  assert.deepEqual(errors(decoded.diagnostics), []);
  const cluster = decoded.value;
  const net = parseCidr("10.244.0.0/16");
  assert.ok(net.ok);
  const options: EngineOptions = { podNetwork: AddressSet.fromCidr(net.cidr), ipBlockMatchesPods: true };
  const endpoint = (name: string): Target => {
    const e = cluster.endpoints.find((x) => `${x.namespace}/${x.name}` === name);
    assert.ok(e);
    return { kind: "endpoint", endpoint: e };
  };
  const target = (t: string): Target => (parseIp(t) === undefined ? endpoint(t) : { kind: "external", addresses: AddressSet.fromIp(parseIp(t) as Ip) });
  const d = Engine.compile(cluster, options).check({ from: endpoint(from), to: target(to), port: 80, protocol: "TCP" });
  return { verdict: d.verdict, tiers: d.egress.tiers, allowedBy: d.egress.allowedBy.length };
}

const brief = (s: TierStep): string =>
  s.kind === "no-match" ? `${s.tier}: no match (${s.policies})` : `${s.tier} ${s.policy.kind} ${s.policy.name} p${s.priority ?? "-"} rule ${s.rule} ${s.name ?? ""} ${s.action}`;

describe("engine check: the tier walk as data", () => {
  test('issue 9 example "egress: Admin deny-metadata (priority 10) rule 0 "block-imds" Deny → final": the Admin rule that decided; the NetworkPolicy allowing 0.0.0.0/0 was not reached', () => {
    const r = explainEgress("shop/web", "169.254.169.254");
    assert.equal(r.verdict, "denied");
    assert.deepEqual(r.tiers.map(brief), ["Admin ClusterNetworkPolicy deny-metadata p10 rule 0 block-imds Deny"]);
    assert.equal(r.allowedBy, 0, "the NetworkPolicy tier was not reached");
  });
  test("a fall-through: the Admin tier did not match, the NetworkPolicy tier decides (an isolated pod's Baseline is not reached)", () => {
    const r = explainEgress("shop/web", "1.1.1.1");
    assert.equal(r.verdict, "allowed");
    assert.deepEqual(r.tiers.map(brief), ["Admin: no match (1)"]);
    assert.equal(r.allowedBy, 1);
  });
  test("a pod NetworkPolicy does not isolate: Admin did not match, the Baseline BaselineAdminNetworkPolicy (no priority) denies", () => {
    const r = explainEgress("shop/api", "1.1.1.1");
    assert.equal(r.verdict, "denied");
    assert.deepEqual(r.tiers.map(brief), ["Admin: no match (1)", "Baseline BaselineAdminNetworkPolicy default p- rule 0 default-deny Deny"]);
  });
});

describe("engine check: Pass in the tier walk", () => {
  const yaml = `${GUARDRAILS}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: pass-public}
spec: {tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{name: to-baseline, action: Pass, to: [{networks: [1.1.1.0/24]}]}]}
`;
  const walk = (from: string): { verdict: string; steps: string[] } => {
    const decoded = decodeYaml(yaml);
    assert.deepEqual(errors(decoded.diagnostics), []);
    const net = parseCidr("10.244.0.0/16");
    assert.ok(net.ok);
    const e = decoded.value.endpoints.find((x) => `${x.namespace}/${x.name}` === from);
    assert.ok(e);
    const d = Engine.compile(decoded.value, { podNetwork: AddressSet.fromCidr(net.cidr), ipBlockMatchesPods: true }).check({
      from: { kind: "endpoint", endpoint: e },
      to: { kind: "external", addresses: AddressSet.fromIp(parseIp("1.1.1.1") as Ip) },
      port: 443,
      protocol: "TCP",
    });
    return { verdict: d.verdict, steps: d.egress.tiers.map(brief) };
  };
  test('"Pass" ends the Admin tier: a pod NetworkPolicy does not isolate goes on to the Baseline, whose Deny decides', () => {
    assert.deepEqual(walk("shop/api"), {
      verdict: "denied",
      steps: ["Admin ClusterNetworkPolicy pass-public p1 rule 0 to-baseline Pass", "Baseline BaselineAdminNetworkPolicy default p- rule 0 default-deny Deny"],
    });
  });
  test('"Pass" ends the Admin tier: an isolated pod\'s NetworkPolicy then decides (allows 0.0.0.0/0), Baseline not reached', () => {
    assert.deepEqual(walk("shop/web"), { verdict: "allowed", steps: ["Admin ClusterNetworkPolicy pass-public p1 rule 0 to-baseline Pass"] });
  });
});
