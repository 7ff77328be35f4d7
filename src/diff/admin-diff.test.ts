/**
 * Issue 9: "`diff`: changes caused by tier policies classified like the rest". The diff compares
 * the pair analysis of two versions, which walks the admin tiers: adding an Admin Deny narrows,
 * removing it widens (and `--fail-on widened` fails), and a rule that turns from Accept to Pass
 * hands the traffic to NetworkPolicy ("Pass ... skips the rest of the tier").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffClusters, shouldFail } from "./diff.js";
import { engineOf } from "./testkit.js";
import type { DiffReport } from "./types.js";

/** shop/web (10.244.1.5) and shop/db (10.244.1.6, port 5432); web's egress NetworkPolicy allows only DNS and 0.0.0.0/0 on TCP 443. */
const BASE = `
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
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.244.1.6}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 443}]
`;

const DENY_METADATA = `
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-metadata}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
  - name: block-imds
    action: Deny
    to: [{networks: [169.254.169.254/32]}]
`;

/** An Admin rule of web's egress to the db pods: `Accept` (final) or `Pass` (on to NetworkPolicy). */
const toDb = (action: "Accept" | "Pass"): string => `
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: web-to-db}
spec:
  tier: Admin
  priority: 20
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  egress:
  - name: db
    action: ${action}
    to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]
`;

function diff(before: string, after: string): DiffReport {
  const old = engineOf([{ file: "old.yaml", text: before }]);
  const neu = engineOf([{ file: "new.yaml", text: after }]);
  assert.deepEqual([...old.errors, ...neu.errors], [], "manifests decode without errors");
  return diffClusters(old.engine, neu.engine);
}

const lines = (r: DiffReport): string[] => r.changes.map((c) => `${c.kind} ${c.src} -> ${c.dst} +${JSON.stringify(c.added)} -${JSON.stringify(c.removed)} [${c.class.join(",")}]`);

test("adding an Admin ClusterNetworkPolicy Deny of 169.254.169.254 for every namespace narrows egress there: web's (its NetworkPolicy allowed 0.0.0.0/0 on 443) and db's (not isolated: everything)", () => {
  const r = diff(BASE, BASE + DENY_METADATA);
  assert.deepEqual(lines(r), [
    'narrowed shop/db[Pod] -> 169.254.169.254/32 +{} -"All Connections" []',
    'narrowed shop/web[Pod] -> 169.254.169.254/32 +{} -{"TCP":"443"} []',
  ]);
  assert.equal(shouldFail(r, "widened"), false);
});

test("removing the Admin Deny widens it again, classed metadata-reachable, and --fail-on widened fails", () => {
  const r = diff(BASE + DENY_METADATA, BASE);
  assert.deepEqual(lines(r), [
    'widened shop/db[Pod] -> 169.254.169.254/32 +"All Connections" -{} [metadata-reachable]',
    'widened shop/web[Pod] -> 169.254.169.254/32 +{"TCP":"443"} -{} [metadata-reachable]',
  ]);
  assert.equal(shouldFail(r, "widened"), true);
});

test('an Admin Accept of web → db that becomes a Pass hands the traffic to NetworkPolicy ("Pass ... skips the rest of the tier"), which allows only 443 there: narrowed', () => {
  const r = diff(BASE + toDb("Accept"), BASE + toDb("Pass"));
  assert.deepEqual(lines(r), ['narrowed shop/web[Pod] -> shop/db[Pod] +{} -{"TCP":"1-442,444-65535","UDP":"1-65535","SCTP":"1-65535"} []']);
});
