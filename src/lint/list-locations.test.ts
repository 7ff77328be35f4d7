/**
 * Findings inside a `kind: List` (issue 8, item 10): what `kubectl get -A -o json` prints (JSON,
 * four-space indent) and `kubectl get -o yaml` (a YAML List). Every finding's field path carries
 * the `items[N].` prefix of its object, and its line and column (the SARIF region) are those of
 * the field in the List, as the same objects give written one document each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stringify } from "yaml";
import { sarifLog } from "./render-sarif.js";
import { TEST_OPTIONS, clusterOf } from "./test-support.js";
import { lintCluster } from "./lint.js";
import type { Finding } from "./types.js";

/** A namespace as a dump shows it without its Namespace object: pods of a ReplicaSet the dump does not hold, a host-network agent, policies. */
const OBJECTS: readonly Record<string, unknown>[] = [
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web-7d9f8-x2k4p",
      namespace: "shop",
      labels: { app: "web", "pod-template-hash": "7d9f8" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9f8", uid: "0d6c", controller: true, blockOwnerDeletion: true }],
    },
    spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080, name: "http" }] }] },
    status: { phase: "Running", podIP: "10.244.1.7", podIPs: [{ ip: "10.244.1.7" }] },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "node-agent-8xq2v", namespace: "shop", labels: { app: "node-agent" } },
    spec: { hostNetwork: true, containers: [{ name: "agent", image: "agent:2" }] },
    status: { phase: "Running", podIP: "192.168.0.10" },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "wbe-ingress", namespace: "shop" },
    spec: { podSelector: { matchLabels: { app: "wbe" } }, policyTypes: ["Ingress"] },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "agent-ingress", namespace: "shop" },
    spec: { podSelector: { matchLabels: { app: "node-agent" } }, policyTypes: ["Ingress"] },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "from-monitoring", namespace: "shop" },
    spec: { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "monitoring" } } }] }] },
  },
];

const RULES = ["egress-not-isolated", "policy-selects-nothing", "hostnetwork-selected", "peer-selects-nothing"];

function lint(file: string, text: string): Finding[] {
  return lintCluster(clusterOf([{ file, text }]), { ...TEST_OPTIONS, enable: RULES, systemNamespaces: [] });
}

const LIST = { apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: OBJECTS };
const RENDERINGS = [
  { name: "kubectl get -A -o json (a JSON List)", file: "dump.json", text: `${JSON.stringify(LIST, null, 4)}\n` },
  { name: "kubectl get -o yaml (a YAML List)", file: "dump.yaml", text: stringify(LIST) },
];
const SEPARATE = OBJECTS.map((o) => stringify(o)).join("---\n");

/** The index of the object a finding is located in, from its path in the separate-documents rendering (document order = item order). */
function itemOf(f: Finding, separate: readonly Finding[]): number {
  const same = separate.find((s) => s.rule === f.rule && s.object === f.object);
  assert.ok(same !== undefined, `${f.rule} ${f.object} is found in separate documents too`);
  const lines = SEPARATE.split("\n").slice(0, (same.location.line ?? 0) - 1);
  return lines.filter((l) => l === "---").length;
}

/** The written text at a finding's line and column. */
function textAt(text: string, f: Finding): string {
  return (text.split("\n")[(f.location.line ?? 0) - 1] ?? "").slice((f.location.column ?? 0) - 1);
}

for (const r of RENDERINGS) {
  test(`${r.name}: each finding's path starts items[N]. and its line and column are its field's`, () => {
    const separate = lint("objects.yaml", SEPARATE);
    const inList = lint(r.file, r.text);
    assert.deepEqual(inList.map((f) => [f.rule, f.object]).sort(), separate.map((f) => [f.rule, f.object]).sort());
    assert.equal(inList.length, RULES.length, "one finding of each rule");
    for (const f of inList) {
      const n = itemOf(f, separate);
      const own = separate.find((s) => s.rule === f.rule && s.object === f.object)?.location.path ?? "";
      assert.equal(f.location.path, own === "" ? `items[${n}]` : `items[${n}].${own}`, `${f.rule}: the path inside the List`);
      const last = /\.([A-Za-z]+)$/.exec(f.location.path)?.[1];
      const written = textAt(r.text, f);
      if (last !== undefined) assert.match(written, new RegExp(`^"?${last}"?:`), `${f.rule}: ${f.location.line}:${f.location.column} is the ${last} field`);
      else if (/\[\d+\]$/.test(f.location.path) && f.location.path.split(".").length > 1) assert.match(written, /^[{"A-Za-z]/, `${f.rule}: at the item`);
      else assert.match(written, r.file.endsWith(".json") ? /^\{/ : /^apiVersion:/, `${f.rule}: at the object`);
    }
  });
}

test("egress-not-isolated without the Namespace in the dump points at the first open workload's object, not its ownerReferences", () => {
  const [finding] = lint("dump.json", RENDERINGS[0]?.text ?? "").filter((f) => f.rule === "egress-not-isolated");
  assert.equal(finding?.location.path, "items[0]");
  assert.deepEqual(finding?.endpoints, ["shop/web-7d9f8"]);
});

test("SARIF regions are the findings' lines and columns, paths in the logical location", () => {
  const findings = lint("dump.yaml", RENDERINGS[1]?.text ?? "");
  const log = sarifLog(findings) as { runs: { results: { locations: { physicalLocation: { region: { startLine: number; startColumn: number } }; logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[] };
  const results = log.runs[0]?.results ?? [];
  assert.deepEqual(
    results.map((x) => [x.locations[0]?.physicalLocation.region.startLine, x.locations[0]?.physicalLocation.region.startColumn]),
    findings.map((f) => [f.location.line, f.location.column]),
  );
  assert.ok(results.every((x) => /\/items\[\d+\]/.test(x.locations[0]?.logicalLocations[0]?.fullyQualifiedName ?? "")));
});
