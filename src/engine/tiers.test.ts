import { test } from "node:test";
import assert from "node:assert/strict";
import type { Policy } from "../model/cluster.js";
import type { AdminPolicy } from "../model/admin-policy.js";
import {
  type Action,
  type Tier,
  type TierEnd,
  type TrafficSets,
  type VerdictLayer,
  ADMIN_TIER_END,
  NETWORK_POLICY_ACTION,
  NETWORK_POLICY_END,
  tierLayers,
  verdictLayers,
  walkTiers,
} from "./tiers.js";

/** Traffic as sets of small numbers (say ports), so that each case reads at a glance. */
type Ports = ReadonlySet<number>;
const PORTS: TrafficSets<Ports> = {
  empty: new Set(),
  isEmpty: (a) => a.size === 0,
  union: (a, b) => new Set([...a, ...b]),
  intersect: (a, b) => new Set([...a].filter((x) => b.has(x))),
  subtract: (a, b) => new Set([...a].filter((x) => !b.has(x))),
};
const WHOLE: Ports = new Set([1, 2, 3, 4]);

const tier = (end: TierEnd, ...rules: [Action, number[]][]): Tier<Ports> => ({ end, rules: rules.map(([action, match]) => ({ action, match: new Set(match) })) });
const sorted = (s: Ports): number[] => [...s].sort((a, b) => a - b);

// Sources of the wording:
// - ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2, NPEP-122 and the CRD's `action` field
//   docs): "Accept" and "Deny" end the evaluation of the traffic they select; "Pass: ... skips all
//   lower-priority rules in the current tier and continues to the next tier".
// - AdminNetworkPolicy (v1alpha1) `ingress`/`egress` field docs: "The relative precedence of ...
//   rules within a single ANP object ... will be determined by the order in which the rule is
//   written. Thus, a rule that appears at the top ... would take the highest precedence."
// - NetworkPolicy (networking.k8s.io/v1): "By default, a pod is non-isolated for egress; all
//   outbound connections are allowed"; "the egress/ingress traffic allowed for a pod is the union of
//   what all applicable policies allow".
const cases: { name: string; tiers: Tier<Ports>[]; accepted: number[] }[] = [
  { name: "NetworkPolicy: no tier decides (the pod is non-isolated) → \"all outbound connections are allowed\"", tiers: [], accepted: [1, 2, 3, 4] },
  { name: "CNP Accept: accepted traffic is final (a later tier's deny does not see it)", tiers: [tier("next", ["accept", [1]]), tier("deny")], accepted: [1] },
  { name: "CNP Deny: denied traffic is final (a later tier's accept does not see it)", tiers: [tier("next", ["deny", [1, 2]]), tier("next", ["accept", [1, 2, 3]])], accepted: [3, 4] },
  { name: "CNP Pass: \"skips all lower-priority rules in the current tier and continues to the next tier\"", tiers: [tier("next", ["pass", [1, 2]], ["deny", [1, 2, 3]]), tier("next", ["accept", [1]], ["deny", [2]])], accepted: [1, 4] },
  { name: "CNP Pass into a tier that ends in deny (NetworkPolicy isolation): only that tier's accepts get through", tiers: [tier("next", ["pass", [1, 2]]), tier("deny", ["accept", [2]])], accepted: [2] },
  { name: "ANP precedence: \"a rule that appears at the top ... would take the highest precedence\" (deny before accept)", tiers: [tier("next", ["deny", [1]], ["accept", [1, 2]])], accepted: [2, 3, 4] },
  { name: "ANP precedence: accept before deny", tiers: [tier("next", ["accept", [1]], ["deny", [1, 2]])], accepted: [1, 3, 4] },
  { name: "a tier that ends in `next` lets unmatched traffic on; no tier decides it → allowed", tiers: [tier("next", ["deny", [4]]), tier("next")], accepted: [1, 2, 3] },
  { name: "NetworkPolicy: \"the union of what all applicable policies allow\", isolation denies the rest", tiers: [tier("deny", ["accept", [1]], ["accept", [3]], ["accept", [1, 3]])], accepted: [1, 3] },
  { name: "NetworkPolicy: an isolating policy with no rules allows nothing", tiers: [tier("deny")], accepted: [] },
  { name: "Admin, NetworkPolicy, Baseline: Admin denies 4, passes 3; v1 accepts 1 and 3; Baseline is not reached", tiers: [tier("next", ["deny", [4]], ["pass", [3]]), tier("deny", ["accept", [1, 3]]), tier("next", ["accept", [2]])], accepted: [1, 3] },
  { name: "Admin, Baseline with the pod not isolated (no v1 tier): Baseline decides what Admin passed", tiers: [tier("next", ["pass", [1, 2]]), tier("next", ["deny", [2]])], accepted: [1, 3, 4] },
];

for (const c of cases) {
  test(`tier walk: ${c.name}`, () => {
    assert.deepEqual(sorted(walkTiers(PORTS, WHOLE, c.tiers)), c.accepted);
  });
}

test("tier walk: each tier's rules are read to the end, in order (evaluators collect explanations as the walk reads them)", () => {
  const read: number[] = [];
  function* rules(): Generator<{ action: Action; match: Ports }> {
    for (const n of [1, 2, 3]) {
      read.push(n);
      yield { action: "accept", match: new Set([n]) };
    }
  }
  walkTiers(PORTS, new Set([1]), [{ rules: rules(), end: "deny" }]);
  assert.deepEqual(read, [1, 2, 3]);
});

const policy = (name: string): Policy => ({ namespace: "ns", name }) as unknown as Policy;

test("NetworkPolicy v1 layer: \"By default, a pod is non-isolated\" — no selecting policy, no layer", () => {
  assert.deepEqual(verdictLayers("egress", []), []);
});

test("NetworkPolicy v1 layer: only when the pod is isolated in that direction; its rules accept, its end denies", () => {
  const a = policy("a");
  const b = policy("b");
  const [layer, ...more] = verdictLayers("egress", [a, b]);
  assert.equal(more.length, 0);
  assert.ok(layer !== undefined);
  assert.deepEqual(layer.policies, [a, b]);
  assert.equal(layer.direction, "egress");
  assert.equal(NETWORK_POLICY_ACTION, "accept");
  assert.equal(NETWORK_POLICY_END, "deny");
});

test('tierLayers: "Policy tiers are evaluated in the following order: * Admin tier * NetworkPolicy tier * Baseline tier." — each present only when it has policies', () => {
  const np = verdictLayers("egress", [{ name: "np" } as unknown as Policy]);
  const a = [{ name: "a" }] as unknown as readonly AdminPolicy[];
  const b = [{ name: "b" }] as unknown as readonly AdminPolicy[];
  const kinds = (layers: readonly VerdictLayer[]): string[] => layers.map((l) => (l.kind === "admin" ? l.tier : l.kind));
  assert.deepEqual(kinds(tierLayers("egress", a, np, b)), ["Admin", "networkpolicy", "Baseline"]);
  assert.deepEqual(kinds(tierLayers("egress", [], np, b)), ["networkpolicy", "Baseline"]);
  assert.deepEqual(kinds(tierLayers("egress", a, [], [])), ["Admin"]);
  assert.deepEqual(kinds(tierLayers("egress", [], [], [])), []);
  assert.equal(ADMIN_TIER_END, "next");
});
