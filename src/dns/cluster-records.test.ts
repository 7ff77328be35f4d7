import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeYaml, errors } from "../k8s/testing.js";
import { formatIp } from "../net/ip.js";
import { clusterServiceRecords } from "./cluster-records.js";
import { recordType } from "./snapshot.js";

// A kubectl-style input: a ClusterIP Service, a headless one with two pods, an ExternalName one, a
// Service without selector (headless, no backends known).
const INPUT = `
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: db}]}
status: {podIP: 10.244.1.21}
---
apiVersion: v1
kind: Pod
metadata: {name: db-1, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: db}]}
status: {podIP: 10.244.1.20}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {clusterIP: 10.96.5.5, clusterIPs: [10.96.5.5, "fd00:96::5"], selector: {app: api}, ports: [{port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: stripe, namespace: shop}
spec: {type: ExternalName, externalName: api.stripe.com}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec: {clusterIP: None, ports: [{port: 80}]}
`;

test("the cluster's Service names as its DNS serves them: ClusterIP → the ClusterIPs, headless → the backends' pod IPs, ExternalName → a CNAME; each at its Service, TTL 5 s (CoreDNS)", () => {
  const decoded = decodeYaml(INPUT, "cluster.yaml");
  assert.deepEqual(errors(decoded.diagnostics), []);
  const records = clusterServiceRecords(decoded.value);
  assert.deepEqual(
    records.map((r) => `${r.name} ${recordType(r)} ${r.kind === "cname" ? r.target : formatIp(r.address)} ${r.ttl} ${r.at?.file ?? ""}:${r.at?.line ?? ""}`),
    [
      "db.shop.svc.cluster.local A 10.244.1.20 5 cluster.yaml:14",
      "db.shop.svc.cluster.local A 10.244.1.21 5 cluster.yaml:14",
      "api.shop.svc.cluster.local A 10.96.5.5 5 cluster.yaml:19",
      "api.shop.svc.cluster.local AAAA fd00:96::5 5 cluster.yaml:19",
      "stripe.shop.svc.cluster.local CNAME api.stripe.com 5 cluster.yaml:24",
    ],
  );
});
