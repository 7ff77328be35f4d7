import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeCluster } from "../k8s/decode.js";
import { parseDocuments } from "../k8s/parse.js";
import { resolveTarget } from "./target.js";

const YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-api, namespace: production}
spec:
  selector: {matchLabels: {app: web-api}}
  template:
    metadata: {labels: {app: web-api}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: production}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.244.1.23}
`;

const cluster = decodeCluster(parseDocuments({ file: "t.yaml", text: YAML }).documents).value;

/** What the text resolves to, as text: `endpoint Kind/ns/name`, `external CIDRs`, or `error: message`. */
function resolved(text: string): string {
  const r = resolveTarget(text, cluster);
  if (!r.ok) return `error: ${r.message}`;
  return r.target.kind === "endpoint" ? `endpoint ${r.target.endpoint.kind}/${r.target.endpoint.id}` : `external ${r.target.addresses.toString()}`;
}

const cases: readonly [string, string | RegExp][] = [
  ["production/web-api", "endpoint Deployment/production/web-api"],
  ["Deployment/production/web-api", "endpoint Deployment/production/web-api"],
  ["deploy/production/web-api", "endpoint Deployment/production/web-api"],
  ["po/production/debug", "endpoint Pod/production/debug"],
  ["10.244.1.23", "endpoint Pod/production/debug"],
  ["10.244.1.24", "external 10.244.1.24/32"],
  ["203.0.113.0/24", "external 203.0.113.0/24"],
  ["2001:db8::/32", "external 2001:db8::/32"],
  ["2001:db8::1", "external 2001:db8::1/128"],
  ["10.244.1.23/32", "external 10.244.1.23/32"],
  ["10.0.0.1/8", /^error: invalid CIDR "10.0.0.1\/8": host bits are set \(did you mean 10.0.0.0\/8\?\)$/],
  ["10.0.0.0/33", /^error: invalid CIDR "10.0.0.0\/33"/],
  ["production/webapi", /^error: no endpoint "production\/webapi" in the manifests \(did you mean production\/web-api\?\)$/],
  ["web-api", /did you mean production\/web-api\?\); write namespace\/name/],
  ["StatefulSet/production/web-api", /^error: no endpoint "StatefulSet\/production\/web-api" in the manifests \(did you mean Deployment\/production\/web-api\?\)$/],
  ["Gadget/production/web-api", /^error: unknown kind "Gadget"/],
  ["nothing/like/this/at/all", /^error: no endpoint/],
];

for (const [text, expected] of cases) {
  test(`target: ${text}`, () => {
    if (typeof expected === "string") assert.equal(resolved(text), expected);
    else assert.match(resolved(text), expected);
  });
}

/** A Deployment, a StatefulSet and a Pod named alike: the case the kind forms exist for. */
const TWINS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db2}}
  template:
    metadata: {labels: {app: db2}}
    spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: other}
spec: {containers: [{name: c, image: i}]}
`;

const twins = decodeCluster(parseDocuments({ file: "twins.yaml", text: TWINS }).documents).value;

function resolvedIn(text: string, namespace: string | null): string {
  const r = resolveTarget(text, twins, namespace);
  if (!r.ok) return `error: ${r.message}`;
  return r.target.kind === "endpoint" ? `endpoint ${r.target.endpoint.kind}/${r.target.endpoint.namespace}/${r.target.endpoint.name}` : "external";
}

const twinCases: readonly [string, string | null, string | RegExp][] = [
  ["Deployment/shop/db", null, "endpoint Deployment/shop/db"],
  ["sts/shop/db", null, "endpoint StatefulSet/shop/db"],
  ["Pod/shop/db", null, "endpoint Pod/shop/db"],
  ["shop/db[Deployment]", null, "endpoint Deployment/shop/db"],
  ["shop/db[StatefulSet]", null, "endpoint StatefulSet/shop/db"],
  ["shop/db[sts]", null, "endpoint StatefulSet/shop/db"],
  ["other/db[Pod]", null, "endpoint Pod/other/db"],
  ["other/db", null, "endpoint Pod/other/db"],
  [
    "shop/db",
    null,
    /^error: "shop\/db" is ambiguous: it names Deployment\/shop\/db, Pod\/shop\/db, StatefulSet\/shop\/db; write Kind\/namespace\/name or namespace\/name\[Kind\], e\.g\. Deployment\/shop\/db or shop\/db\[Deployment\]$/,
  ],
  ["shop/db[Job]", null, /^error: no endpoint "shop\/db\[Job\]" in the manifests \(did you mean Deployment\/shop\/db, Pod\/shop\/db, StatefulSet\/shop\/db\?\)$/],
  ["shop/db[constructor]", null, /^error: unknown kind "constructor"/],
  ["shop/db[Gadget]", null, /^error: unknown kind "Gadget" in "shop\/db\[Gadget\]"/],
  // -n NAMESPACE resolves bare names there; without it a bare name is not enough.
  ["Deployment/db", "shop", "endpoint Deployment/shop/db"],
  ["db[StatefulSet]", "shop", "endpoint StatefulSet/shop/db"],
  ["db", "other", "endpoint Pod/other/db"],
  ["db", "shop", /^error: "db" is ambiguous in namespace shop/],
  ["db", null, /^error: no endpoint "db" in the manifests \(did you mean other\/db, shop\/db\?\); write namespace\/name/],
  ["shop/db[Pod]", "other", "endpoint Pod/shop/db"],
];

for (const [text, namespace, expected] of twinCases) {
  test(`target among twins: ${text}${namespace === null ? "" : ` -n ${namespace}`}`, () => {
    if (typeof expected === "string") assert.equal(resolvedIn(text, namespace), expected);
    else assert.match(resolvedIn(text, namespace), expected);
  });
}
