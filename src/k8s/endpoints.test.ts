import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Endpoint } from "../model/cluster.js";
import { formatIp, parseIp } from "../net/ip.js";
import { codes } from "./codes.js";
import { groupEndpoints } from "./endpoints.js";
import type { WorkloadObject } from "./workload.js";
import { decodeYaml, errors, yaml } from "./testing.js";

function endpoints(text: string): Endpoint[] {
  const result = decodeYaml(yaml(text));
  assert.deepEqual(errors(result.diagnostics), []);
  return [...result.value.endpoints];
}

/** id, kind, pods, ips: what grouping decides. */
function grouping(list: readonly Endpoint[]): string[] {
  return list.map((e) => `${e.id} ${e.kind} pods=[${e.pods.join(",")}] ips=[${e.ips.map(formatIp).join(",")}]`);
}

const deployment = `
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers:
          - name: web
            ports: [{name: http, containerPort: 8080}]
          - name: sidecar
            ports: [{containerPort: 9090, protocol: UDP}]
`;

const replicaSet = `
  apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: web-7d9f8
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]
  spec:
    template:
      metadata: {labels: {app: web, pod-template-hash: 7d9f8}}
      spec: {containers: [{name: web}]}
`;

function pod(name: string, owner: string | undefined, ips: string, extra = ""): string {
  const owners = owner === undefined ? "" : `\n    ownerReferences: [${owner}]`;
  return `
  apiVersion: v1
  kind: Pod
  metadata:
    name: ${name}
    namespace: shop
    labels: {app: web, pod-template-hash: 7d9f8}${owners}
  spec:
    containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]${extra}
  status: ${ips}
`;
}

const rsOwner = "{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f8, controller: true}";

describe("endpoints from workloads", () => {
  test("a workload's pod template is an endpoint: template labels, all containers' ports (protocol defaults to TCP)", () => {
    const [e] = endpoints(deployment);
    assert.ok(e !== undefined);
    assert.equal(e.id, "shop/web");
    assert.equal(e.kind, "Deployment");
    assert.deepEqual([...e.labels], [["app", "web"]]);
    assert.deepEqual(e.ports, [
      { name: "http", port: 8080, protocol: "TCP" },
      { port: 9090, protocol: "UDP" },
    ]);
    assert.deepEqual([e.hostNetwork, e.ips, e.pods], [false, [], []]);
    assert.deepEqual([e.at.path, e.at.line], ["", 1]);
  });

  test("a CronJob's pod template is at spec.jobTemplate.spec.template", () => {
    const [e] = endpoints(`
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: backup, namespace: shop}
      spec:
        schedule: "0 3 * * *"
        jobTemplate:
          spec:
            template:
              metadata: {labels: {job: backup}}
              spec: {containers: [{name: backup}], restartPolicy: OnFailure}
    `);
    assert.deepEqual([e?.id, e?.kind, [...(e?.labels ?? [])]], ["shop/backup", "CronJob", [["job", "backup"]]]);
  });

  test("every workload kind is an endpoint", () => {
    const kinds = ["StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];
    const text = kinds
      .map((kind) => `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: ${kind.toLowerCase()}}\nspec:\n  template:\n    metadata: {labels: {k: ${kind}}}\n`)
      .join("---\n");
    assert.deepEqual(
      endpoints(text).map((e) => `${e.id} ${e.kind}`),
      kinds.map((kind) => `default/${kind.toLowerCase()} ${kind}`),
    );
  });

  test("a host-network pod template is marked hostNetwork", () => {
    const text = deployment.replace("containers:", "hostNetwork: true\n        containers:");
    assert.equal(endpoints(text)[0]?.hostNetwork, true);
  });

  test("a workload without a pod template is an error", () => {
    const result = decodeYaml("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n");
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.at?.path, d.object]),
      [[codes.missingField, "spec.template", "Deployment default/web"]],
    );
    assert.deepEqual(result.value.endpoints, []);
  });
});

describe("pods grouped under their owners", () => {
  test("a pod owned by a ReplicaSet owned by a Deployment, all in the input, is part of the Deployment", () => {
    const list = endpoints(`${replicaSet}---${pod("web-7d9f8-abcde", rsOwner, "{podIP: 10.244.1.5}")}---${deployment}`);
    assert.deepEqual(grouping(list), ["shop/web Deployment pods=[web-7d9f8-abcde] ips=[10.244.1.5]"]);
    assert.deepEqual([...(list[0]?.labels ?? [])], [["app", "web"], ["pod-template-hash", "7d9f8"]], "the pod's own labels, not the template's");
  });

  test("a pod owned by a ReplicaSet in the input whose Deployment is not joins the ReplicaSet", () => {
    const list = endpoints(`${replicaSet}---${pod("web-7d9f8-abcde", rsOwner, "{podIP: 10.244.1.5}")}`);
    assert.deepEqual(grouping(list), ["shop/web-7d9f8 ReplicaSet pods=[web-7d9f8-abcde] ips=[10.244.1.5]"]);
  });

  test("pods whose owner is not in the input form one endpoint named as the ownerReference", () => {
    const text = `${pod("web-7d9f8-abcde", rsOwner, "{podIP: 10.244.1.5}")}---${pod("web-7d9f8-fghij", rsOwner, "{podIP: 10.244.2.9}")}`;
    const list = endpoints(text);
    assert.deepEqual(grouping(list), ["shop/web-7d9f8 ReplicaSet pods=[web-7d9f8-abcde,web-7d9f8-fghij] ips=[10.244.1.5,10.244.2.9]"]);
    const e = list[0];
    assert.deepEqual([...(e?.labels ?? [])], [["app", "web"], ["pod-template-hash", "7d9f8"]], "the pod's labels");
    assert.deepEqual(e?.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    // Located at the first pod, the object the input holds (lint points there: issue 8, item 10), not its ownerReferences entry.
    assert.deepEqual([e?.at.line, e?.at.path], [1, ""]);
  });

  test("the controller owner reference wins over the first one", () => {
    const owners = "{kind: ConfigMap, name: settings}, {kind: StatefulSet, name: db, controller: true}";
    assert.deepEqual(grouping(endpoints(pod("db-0", owners, "{}"))), ["shop/db StatefulSet pods=[db-0] ips=[]"]);
  });

  test("without a controller the first owner is taken", () => {
    const owners = "{kind: Job, name: migrate}, {kind: StatefulSet, name: db}";
    assert.deepEqual(grouping(endpoints(pod("migrate-x", owners, "{}"))), ["shop/migrate Job pods=[migrate-x] ips=[]"]);
  });

  test("a pod owned by something that is not a workload (a Node: static pod) stands alone", () => {
    const owners = "{apiVersion: v1, kind: Node, name: node-1, controller: true}";
    assert.deepEqual(grouping(endpoints(pod("kube-proxy-node-1", owners, "{podIP: 10.0.0.1}"))), [
      "shop/kube-proxy-node-1 Pod pods=[kube-proxy-node-1] ips=[10.0.0.1]",
    ]);
  });

  test("a bare pod stands alone, with its own name as its only pod", () => {
    assert.deepEqual(grouping(endpoints(pod("debug", undefined, "{podIP: 10.244.0.7}"))), ["shop/debug Pod pods=[debug] ips=[10.244.0.7]"]);
  });

  test("a Job owned by a CronJob in the input is part of the CronJob, with its pods", () => {
    const text = `
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: backup, namespace: shop}
      spec: {jobTemplate: {spec: {template: {metadata: {labels: {job: backup}}}}}}
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: backup-123, namespace: shop, ownerReferences: [{kind: CronJob, name: backup, controller: true}]}
      spec: {template: {metadata: {labels: {job: backup}}}}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: backup-123-xyz, namespace: shop, ownerReferences: [{kind: Job, name: backup-123, controller: true}]}
      status: {podIP: 10.244.3.3}
    `;
    assert.deepEqual(grouping(endpoints(text)), ["shop/backup CronJob pods=[backup-123-xyz] ips=[10.244.3.3]"]);
  });
});

describe("pod IPs and host network", () => {
  test("podIPs (IPv4 and IPv6) and podIP are read once each", () => {
    const status = "{podIP: 10.244.1.5, podIPs: [{ip: 10.244.1.5}, {ip: 'fd00:10:244:1::5'}]}";
    assert.deepEqual(grouping(endpoints(pod("dual", undefined, status))), ["shop/dual Pod pods=[dual] ips=[10.244.1.5,fd00:10:244:1::5]"]);
  });

  test("an invalid pod IP is an error", () => {
    const result = decodeYaml(yaml(pod("bad", undefined, "{podIPs: [{ip: 10.244.1.500}]}")));
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.at?.path, d.object]),
      [[codes.invalidIp, "status.podIPs[0].ip", "Pod shop/bad"]],
    );
  });

  test("a host-network pod is marked hostNetwork", () => {
    const [e] = endpoints(pod("node-exporter", undefined, "{podIP: 192.168.1.10}", "\n    hostNetwork: true"));
    assert.deepEqual([e?.hostNetwork, e?.ips.map(formatIp)], [true, ["192.168.1.10"]]);
  });
});

describe("endpoint ids", () => {
  test("two endpoints with one namespace/name are told apart by [Kind], both of them", () => {
    const text = `${deployment}---${pod("web", undefined, "{}")}`;
    assert.deepEqual(
      endpoints(text).map((e) => e.id),
      ["shop/web[Deployment]", "shop/web[Pod]"],
    );
  });

  test("objects without metadata.namespace are in default", () => {
    assert.equal(endpoints(deployment.replace(", namespace: shop", ""))[0]?.id, "default/web");
  });
});

describe("memory (issue 10: the node agent holds 50k endpoints of one pod each)", () => {
  const pod = (name: string, ip: string): WorkloadObject => ({
    kind: "Pod",
    namespace: "shop",
    name,
    podLabels: new Map([["app", "web"]]),
    ports: [],
    hostNetwork: false,
    ips: [parseIp(ip)!],
    owner: undefined,
    annotations: new Map(),
    at: { object: { kind: "Pod", namespace: "shop", name }, path: "" },
  });

  test("a bare pod's endpoint holds the pod's own labels Map and address list", () => {
    const web = pod("web", "10.244.1.5");
    const [e] = groupEndpoints([web], new Set()).endpoints;
    assert.equal(e?.labels, web.podLabels);
    assert.equal(e?.ips, web.ips);
  });

  test("an owner's endpoint of two pods has its own address list, with both", () => {
    const owned = (name: string, ip: string): WorkloadObject => ({ ...pod(name, ip), owner: { kind: "ReplicaSet", name: "web-7d9f" } });
    const [a, b] = [owned("web-7d9f-a", "10.244.1.5"), owned("web-7d9f-b", "10.244.1.6")];
    const [e] = groupEndpoints([a, b], new Set()).endpoints;
    assert.deepEqual(e?.ips.map(formatIp), ["10.244.1.5", "10.244.1.6"]);
    assert.equal(e?.labels, a.podLabels, "the labels all its pods share are all of the first pod's");
  });
});
