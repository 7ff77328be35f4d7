import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCluster } from "../k8s/load.js";
import type { LiveObject } from "./live.js";
import { LAST_APPLIED, trimObject } from "./trim.js";

/** The decoded cluster and diagnostics' messages, without locations (which differ as the text differs). */
function decodeLive(objects: readonly LiveObject[]): string {
  const result = loadCluster([{ file: "live.json", text: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) }]);
  const replacer = (key: string, value: unknown): unknown => (key === "at" || key === "location" ? undefined : value instanceof Map || value instanceof Set ? [...value] : typeof value === "bigint" ? String(value) : value);
  return JSON.stringify({ cluster: result.value, diagnostics: result.diagnostics.map((d) => d.message) }, replacer);
}

/** A Pod as `kubectl get pod -o json` prints one from a kind cluster (abridged only in repeated parts). */
const POD: LiveObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-api-7d9f-x2x",
    namespace: "production",
    uid: "0b6e",
    resourceVersion: "48213",
    creationTimestamp: "2026-01-01T00:00:00Z",
    labels: { app: "web-api", "pod-template-hash": "7d9f" },
    annotations: { [LAST_APPLIED]: "{...}", "prometheus.io/scrape": "true" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-api-7d9f", uid: "r1", controller: true, blockOwnerDeletion: true }],
    managedFields: [{ manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:metadata": {} } }],
  },
  spec: {
    containers: [
      {
        name: "api",
        image: "registry/web-api:1.2",
        env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }],
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
        resources: { requests: { cpu: "100m" } },
        volumeMounts: [{ name: "kube-api-access", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }],
      },
    ],
    initContainers: [{ name: "proxy", image: "envoy", restartPolicy: "Always", ports: [{ containerPort: 15001 }] }],
    nodeName: "kind-worker",
    volumes: [{ name: "kube-api-access", projected: { sources: [] } }],
    tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }],
  },
  status: {
    phase: "Running",
    hostIP: "172.18.0.3",
    podIP: "10.244.1.7",
    podIPs: [{ ip: "10.244.1.7" }],
    conditions: [{ type: "Ready", status: "True" }],
    containerStatuses: [{ name: "api", image: "registry/web-api:1.2", imageID: "sha256:…", ready: true, restartCount: 0, state: { running: { startedAt: "2026-01-01T00:00:05Z" } } }],
  },
};

test("trim a Pod (kubectl get pod -o json, kind): managedFields, last-applied, env, volumes, conditions go; what the decoder reads stays", () => {
  assert.deepEqual(trimObject(POD), {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-api-7d9f-x2x",
      namespace: "production",
      uid: "0b6e",
      resourceVersion: "48213",
      creationTimestamp: "2026-01-01T00:00:00Z",
      labels: { app: "web-api", "pod-template-hash": "7d9f" },
      annotations: { "prometheus.io/scrape": "true" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-api-7d9f", uid: "r1", controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: "kind-worker",
      containers: [{ name: "api", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }],
      initContainers: [{ name: "proxy", restartPolicy: "Always", ports: [{ containerPort: 15001 }] }],
    },
    status: { phase: "Running", hostIP: "172.18.0.3", podIP: "10.244.1.7", podIPs: [{ ip: "10.244.1.7" }], containerStatuses: [{ name: "api", state: { running: { startedAt: "2026-01-01T00:00:05Z" } } }] },
  });
});

const DEPLOYMENT: LiveObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web-api", namespace: "production", resourceVersion: "9", managedFields: [] },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "web-api" } },
    strategy: { type: "RollingUpdate" },
    template: { metadata: { labels: { app: "web-api" }, annotations: { a: "b" } }, spec: { hostNetwork: false, containers: [{ name: "api", image: "x", ports: [{ containerPort: 8080, name: "http" }] }] } },
  },
  status: { replicas: 3, conditions: [] },
};

const CRONJOB: LiveObject = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "report", namespace: "jobs" },
  spec: { schedule: "0 * * * *", jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { labels: { job: "report" } }, spec: { restartPolicy: "Never", containers: [{ name: "r", image: "x", args: ["--all"] }] } } } } },
};

const NODE: LiveObject = {
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "kind-worker", labels: { "kubernetes.io/hostname": "kind-worker" } },
  spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"], providerID: "kind://docker/kind/kind-worker" },
  status: { addresses: [{ type: "InternalIP", address: "172.18.0.3" }], images: [{ names: ["registry/x"], sizeBytes: 1 }], nodeInfo: { kubeletVersion: "v1.32.0" } },
};

test("trim workloads, a CronJob's job template, a Node: the decoded model is the same before and after", () => {
  // The one intended difference: kubectl's last-applied-configuration annotation (a copy of the whole object) is dropped.
  const withoutLastApplied = (o: LiveObject): LiveObject => {
    const { [LAST_APPLIED]: _, ...annotations } = (o.metadata["annotations"] ?? {}) as Record<string, string>;
    return { ...o, metadata: { ...o.metadata, annotations } };
  };
  for (const o of [POD, DEPLOYMENT, CRONJOB, NODE]) {
    assert.deepEqual(decodeLive([trimObject(o)]), decodeLive([withoutLastApplied(o)]), `${o.kind} ${o.metadata.name}`);
  }
  assert.deepEqual(trimObject(NODE)["status"], { addresses: [{ type: "InternalIP", address: "172.18.0.3" }] });
  assert.equal(JSON.stringify(trimObject(CRONJOB)).includes("--all"), false);
});
