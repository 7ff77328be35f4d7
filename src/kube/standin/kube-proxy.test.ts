import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterDnsRecords } from "./cluster-dns.js";
import { kubeProxyTable, serviceEndpoints } from "./kube-proxy.js";
import type { KubeObject } from "./store.js";

const pod = (name: string, labels: Record<string, string>, ip: string | undefined, ready: boolean, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "apps", labels, ...extra },
  spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
  status: { ...(ip === undefined ? {} : { podIP: ip }), conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "apps" }, spec });

const PODS = [
  pod("web-1", { app: "web" }, "10.244.1.5", true),
  pod("web-2", { app: "web" }, "10.244.1.6", false),
  pod("web-3", { app: "web" }, "10.244.1.7", true, { deletionTimestamp: "2026-01-01T00:00:00Z" }),
  pod("web-4", { app: "web" }, undefined, true),
  pod("db", { app: "db" }, "10.244.1.8", true),
  { ...pod("other-ns", { app: "web" }, "10.244.1.9", true), metadata: { name: "other-ns", namespace: "prod", labels: { app: "web" } } },
];

test("endpoints (EndpointSlice controller): same namespace, selector matches, an IP, Ready, not terminating; publishNotReadyAddresses takes the unready too", () => {
  assert.deepEqual(serviceEndpoints(svc("web", { selector: { app: "web" } }), PODS).map((e) => e.pod.metadata.name), ["web-1"]);
  assert.deepEqual(serviceEndpoints(svc("web", { selector: { app: "web" }, publishNotReadyAddresses: true }), PODS).map((e) => e.pod.metadata.name), ["web-1", "web-2"]);
  assert.deepEqual(serviceEndpoints(svc("ext", { ports: [{ port: 443 }] }), PODS), [], "no selector: no endpoints managed");
});

test("kube-proxy table: ClusterIP:port DNAT to endpoint:targetPort (a named targetPort resolved in the pod), random among several, a reject with no endpoint, nothing for headless", () => {
  const table = kubeProxyTable(
    [
      svc("web", { clusterIP: "10.96.0.20", selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }, { port: 81, protocol: "UDP", targetPort: 9000 }] }),
      svc("both", { clusterIP: "10.96.0.21", selector: { app: "web" }, publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080 }] }),
      svc("none", { clusterIP: "10.96.0.22", selector: { app: "nothing" }, ports: [{ port: 5432 }] }),
      svc("headless", { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] }),
    ],
    PODS,
  );
  assert.equal(
    table,
    [
      "table ip standin-kube-proxy {",
      "\tchain prerouting {",
      "\t\ttype nat hook prerouting priority dstnat; policy accept;",
      "\t\tip daddr 10.96.0.20 tcp dport 80 counter dnat ip to 10.244.1.5:8080",
      "\t\tip daddr 10.96.0.20 udp dport 81 counter dnat ip to 10.244.1.5:9000",
      "\t\tip daddr 10.96.0.21 tcp dport 80 counter dnat ip to numgen random mod 2 map { 0 : 10.244.1.5 . 8080, 1 : 10.244.1.6 . 8080 }",
      '\t\tip daddr 10.96.0.22 tcp dport 5432 counter reject comment "has no endpoints"',
      "\t}",
      "}",
    ].join("\n"),
  );
});

test("cluster DNS records (CoreDNS kubernetes plugin): <svc>.<ns>.svc.cluster.local → ClusterIP, headless → ready pod IPs, pods by dashed address, external names", () => {
  const records = clusterDnsRecords([svc("web", { clusterIP: "10.96.0.20", selector: { app: "web" } }), svc("db", { clusterIP: "None", selector: { app: "db" } })], PODS.slice(0, 1).concat(PODS[4] as KubeObject), { "API.example.com.": ["203.0.113.9"] });
  assert.deepEqual(records, {
    "api.example.com": ["203.0.113.9"],
    "web.apps.svc.cluster.local": ["10.96.0.20"],
    "db.apps.svc.cluster.local": ["10.244.1.8"],
    "10-244-1-5.apps.pod.cluster.local": ["10.244.1.5"],
    "10-244-1-8.apps.pod.cluster.local": ["10.244.1.8"],
  });
});
