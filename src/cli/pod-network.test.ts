/** The pod network from the Nodes' spec.podCIDRs, unless --pod-cidr is given: every command, one fixture. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { run } from "./e2e-support.js";

const NODE = "apiVersion: v1\nkind: Node\nmetadata: {name: worker-1}\nspec: {podCIDR: 10.1.0.0/24, podCIDRs: [10.1.0.0/24]}\n";
const PODS = [
  "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.1.0.7}\n",
  "apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: shop, labels: {app: db}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}\n",
  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web-egress, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.1.0.0/24}}], ports: [{port: 5432}]}]\n",
].join("---\n");

const dir = mkdtempSync(join(tmpdir(), "pc-podnet-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "pods.yaml"), PODS);
const withNodes = join(dir, "with-nodes.yaml");
writeFileSync(withNodes, `${PODS}---\n${NODE}`);
const CHECK = ["check", "--from", "shop/web", "--to", "shop/db", "--port", "5432"];

// db has no IP: it is taken to be anywhere in the pod network, and the ipBlock covers it only when
// that network is the Node's 10.1.0.0/24.
const CASES: readonly [string, string[], number, string][] = [
  ["Nodes in the input: their podCIDRs", ["-f", withNodes], 0, "10.1.0.0/24 (from the Nodes' spec.podCIDRs; --pod-cidr overrides)"],
  ["an explicit --pod-cidr wins over the Nodes", ["-f", withNodes, "--pod-cidr", "10.244.0.0/16"], 1, "10.244.0.0/16 (from --pod-cidr; it wins over Nodes' spec.podCIDRs)"],
  ["no Nodes: the default", ["-f", join(dir, "pods.yaml")], 1, "10.244.0.0/16 (the default; --pod-cidr sets it)"],
];

for (const [name, args, code, verbose] of CASES) {
  test(`pod network: ${name}`, async () => {
    const checked = await run([...CHECK, ...args, "-v"], dir);
    assert.equal(checked.code, code, checked.stdout + checked.stderr);
    assert.match(checked.stderr, new RegExp(`^pod network: ${verbose.replace(/[.()/]/g, "\\$&")}$`, "m"));
    const egress = await run(["egress", ...args, "-o", "json"], dir);
    const from = (JSON.parse(egress.stdout) as { assumptions: { podNetworkFrom: string } }).assumptions.podNetworkFrom;
    assert.equal(from, args.includes("--pod-cidr") ? "flag" : args[1] === withNodes ? "nodes" : "default");
  });
}

test("pod network: the egress text's assumption line says it came from the Nodes", async () => {
  const r = await run(["egress", "-f", withNodes], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Pods without a known IP are taken to be in 10\.1\.0\.0\/24 \(from the Nodes' spec\.podCIDRs; --pod-cidr overrides\);/m);
});

test("pod network: a Node with a bad pod range is invalid input (2), naming file, line and field", async () => {
  const bad = join(dir, "bad-node.yaml");
  writeFileSync(bad, "apiVersion: v1\nkind: Node\nmetadata: {name: worker-2}\nspec:\n  podCIDRs: [10.1.0.0/33]\n");
  const r = await run(["egress", "-f", bad], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad-node\.yaml:5:\d+: error: Node worker-2: spec\.podCIDRs\[0\]: invalid CIDR "10\.1\.0\.0\/33"/);
});
