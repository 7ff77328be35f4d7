import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatLocation, locationJson } from "../diag/location.js";
import type { LiveObject, LiveResource, MissingAccess } from "../kube/live.js";
import { formatDiagnostic } from "../render/diagnostics.js";
import { decodeLive, isIncomplete, liveDocument, unseenOf } from "./live.js";
import { decodeYaml } from "./testing.js";

/** A Pod as `kubectl get pod -o json` returns it (trimmed): the wire gives kind and apiVersion on a single get; the client sets them on list items. */
function pod(namespace: string, name: string, extra: Record<string, unknown> = {}): LiveObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: "web-api" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-api-7d9f", controller: true }] },
    spec: { containers: [{ name: "api", image: "web-api:1", ports: [{ containerPort: 8080, name: "http" }] }] },
    status: { podIP: "10.244.1.7", podIPs: [{ ip: "10.244.1.7" }] },
    ...extra,
  };
}

function policy(namespace: string, name: string, spec: unknown): LiveObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

describe("live objects decode through the file decoder; messages name the object and the field path", () => {
  // The issue: "messages name objects as `Pod production/web-api-7d9f` (there is no file:line for live objects; keep the field path)".
  const cases: { name: string; object: LiveObject; line: string }[] = [
    {
      name: "an except outside its cidr (the API server rejects it): NetworkPolicy ns/name and the field",
      object: policy("shop", "egress", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] } }] }] }),
      line: "error: NetworkPolicy shop/egress: spec.egress[0].to[0].ipBlock.except[0]: ",
    },
    {
      name: "a container port out of range: Pod ns/name and the field",
      object: pod("production", "web-api-7d9f-x2x4p", { spec: { containers: [{ name: "api", ports: [{ containerPort: 70000 }] }] } }),
      line: "error: Pod production/web-api-7d9f-x2x4p: spec.containers[0].ports[0].containerPort: ",
    },
    {
      name: "a label selector with a bad operator",
      object: policy("shop", "bad-op", { podSelector: { matchExpressions: [{ key: "app", operator: "Like", values: ["x"] }] } }),
      line: "error: NetworkPolicy shop/bad-op: spec.podSelector.matchExpressions[0].operator: ",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decoded = decodeLive({ objects: [c.object] });
      const lines = decoded.diagnostics.map(formatDiagnostic);
      assert.ok(lines.some((l) => l.startsWith(c.line)), `expected a line starting ${JSON.stringify(c.line)}, got ${JSON.stringify(lines)}`);
      assert.ok(lines.every((l) => !/:\d+:\d+/.test(l)), "no file:line:column for a live object");
    });
  }

  test("a live object decodes to what the same object read from a file decodes to (one decoding path)", () => {
    const objects = [pod("production", "web-api-7d9f-x2x4p"), policy("production", "deny-all", { podSelector: {}, policyTypes: ["Egress"] })];
    const live = decodeLive({ objects });
    const file = decodeYaml(JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (key, value: unknown) => (key === "at" || key.endsWith("At") ? undefined : value instanceof Map ? [...value] : typeof value === "bigint" ? String(value) : value)));
    assert.deepEqual(strip(live.value), strip(file.value));
    assert.deepEqual(live.diagnostics, []);
  });

  test("locations: `Pod production/web-api-7d9f` plus the field path; JSON `object` for live ones", () => {
    const doc = liveDocument(pod("production", "web-api-7d9f"));
    const at = doc.locate(["spec", "containers", 0, "ports", 0]);
    assert.equal(formatLocation(at), "Pod production/web-api-7d9f");
    assert.equal(at.path, "spec.containers[0].ports[0]");
    assert.deepEqual(locationJson(at), { object: { kind: "Pod", namespace: "production", name: "web-api-7d9f" }, path: "spec.containers[0].ports[0]" });
    const ns = liveDocument({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }).locate([]);
    assert.equal(formatLocation(ns), "Namespace shop");
    assert.deepEqual(locationJson(ns), { object: { kind: "Namespace", name: "shop" }, path: "" });
  });

  test("a duplicate names where the first one is: the live object, not a file", () => {
    const decoded = decodeLive({ objects: [pod("a", "p"), pod("a", "p")] });
    const line = decoded.diagnostics.map(formatDiagnostic).find((l) => l.includes("duplicate") || l.includes("more than once")) ?? decoded.diagnostics.map(formatDiagnostic).join("\n");
    assert.match(line, /Pod a\/p/);
    assert.doesNotMatch(line, /undefined/);
  });
});

const NETPOL: LiveResource = { group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true };
const NAMESPACES: LiveResource = { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false };
const NODES: LiveResource = { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false };
const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
const DEPLOYMENTS: LiveResource = { group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true };
const ANP: LiveResource = { group: "policy.networking.k8s.io", version: "v1alpha1", resource: "adminnetworkpolicies", kind: "AdminNetworkPolicy", namespaced: false };

function refused(resource: LiveResource, namespace: string | null, reason: MissingAccess["reason"] = "forbidden"): MissingAccess {
  return { verb: "list", resource, namespace, reason, message: `${resource.resource} is forbidden: User "dev" cannot list resource "${resource.resource}"` };
}

describe("what could not be seen: never a silent partial answer", () => {
  test('the issue\'s example: "cannot list networkpolicies in namespace shop (forbidden)" and what answers miss', () => {
    const [u] = unseenOf([refused(NETPOL, "shop")]);
    assert.equal(u?.message, "cannot list networkpolicies in namespace shop (forbidden): answers below do not see NetworkPolicies there");
    assert.equal(u?.effect, "incomplete");
  });

  const cases: { name: string; missing: MissingAccess; effect: string | null; incomplete: boolean }[] = [
    { name: "NetworkPolicies unseen cluster-wide: verdicts anywhere may be wrong", missing: refused(NETPOL, null), effect: "incomplete", incomplete: true },
    { name: "Pods unseen: the answer must not claim there are no pods", missing: refused(PODS, "shop"), effect: "incomplete", incomplete: true },
    { name: "admin policies forbidden: the tiers before NetworkPolicies are unseen", missing: refused(ANP, null), effect: "incomplete", incomplete: true },
    { name: "Namespaces forbidden (a namespace-scoped user): labels assumed, and answers say so already", missing: refused(NAMESPACES, null), effect: "assumed", incomplete: false },
    { name: "Nodes forbidden: the pod network falls back to the default or --pod-cidr", missing: refused(NODES, null), effect: "defaulted", incomplete: false },
    { name: "admin policy API not served (404, CRDs not installed): nothing to miss", missing: refused(ANP, null, "not-served"), effect: null, incomplete: false },
    { name: "Deployments forbidden where Pods were read (client.test's viewer): every pod seen, named by its ReplicaSet", missing: refused(DEPLOYMENTS, "prod"), effect: "pods-only", incomplete: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const unseen = unseenOf([c.missing]);
      assert.deepEqual(
        unseen.map((u) => u.effect),
        c.effect === null ? [] : [c.effect],
      );
      assert.equal(isIncomplete(unseen), c.incomplete);
    });
  }

  test("Deployments and Pods both forbidden: the pods are unseen, so the answers are incomplete", () => {
    const unseen = unseenOf([refused(DEPLOYMENTS, "prod"), refused(PODS, "prod")]);
    assert.deepEqual(
      unseen.map((u) => u.effect),
      ["incomplete", "incomplete"],
    );
  });

  test("a cluster-wide refusal of a namespaced kind says `in any namespace`", () => {
    assert.equal(unseenOf([refused(PODS, null)])[0]?.message, "cannot list pods in any namespace (forbidden): answers below do not see Pods anywhere");
  });
});
