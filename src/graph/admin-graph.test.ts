/**
 * Issue 9: "`graph`: guardrail edges drawn distinctly". Fixture src/cli/testdata/admin-policies.yaml:
 * an Admin Deny of 169.254.169.254 for every namespace, an Admin Accept of DNS (UDP/TCP 53) to
 * kube-dns, the BaselineAdminNetworkPolicy denying 0.0.0.0/0, and shop/web-egress allowing 0.0.0.0/0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { engineOf } from "../diff/testkit.js";
import { ROOT } from "../testing/files.js";
import { buildEgressGraph } from "./build.js";
import { renderDot } from "./dot.js";
import { renderMermaid } from "./mermaid.js";
import type { EgressGraph } from "./types.js";

const FIXTURE = { file: "admin-policies.yaml", text: readFileSync(new URL("src/cli/testdata/admin-policies.yaml", ROOT), "utf8") };

function graph(): EgressGraph {
  const { engine, errors } = engineOf([FIXTURE]);
  assert.deepEqual(errors, []);
  return buildEgressGraph(engine, { namespace: null });
}

const edges = (g: EgressGraph): string[] => {
  const label = new Map(g.nodes.map((n) => [n.id, n.label]));
  return g.edges.map((e) => `${label.get(e.from)} ${e.style} ${label.get(e.to)} | ${e.label}`);
};

test("guardrail edges: the metadata address denied by the Admin rule, DNS accepted by the Admin Accept, the internet denied by the Baseline for a pod NetworkPolicy leaves open", () => {
  assert.deepEqual(edges(graph()), [
    "coredns allowed ::/0 | all",
    'coredns guardrail-denied internet (public addresses) | denied by Baseline default "default-deny"',
    'coredns guardrail-denied metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200) | 100.100.100.200, 169.254.169.254 denied by Admin deny-metadata "block-imds", Baseline default "default-deny"',
    'web guardrail-accepted coredns | all (Admin allow-dns "kube-dns" accepts UDP/TCP 53)',
    "web allowed 0.0.0.0/0 except 169.254.169.254 | all",
    'web guardrail-denied metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200) | 169.254.169.254 denied by Admin deny-metadata "block-imds"',
  ]);
});

test("dot draws guardrail edges distinctly: an accepted one dark green and thick, a denied one red, dashed, ending in a tee", () => {
  const dot = renderDot(graph());
  assert.match(dot, /^ {2}shop_web -> kube_system_coredns \[label="all \(Admin allow-dns \\"kube-dns\\" accepts UDP\/TCP 53\)", color=darkgreen, penwidth=2\];$/m);
  assert.match(dot, /^ {2}shop_web -> metadata \[label="169\.254\.169\.254 denied by Admin deny-metadata \\"block-imds\\"", style=dashed, color=red, arrowhead=tee\];$/m);
});

test("mermaid draws guardrail edges distinctly: an accepted one ends in a circle (--o), a denied one in a cross (--x)", () => {
  const mmd = renderMermaid(graph());
  assert.match(mmd, /^ {2}shop_web --o\|"all \(Admin allow-dns #quot;kube-dns#quot; accepts UDP\/TCP 53\)"\| kube_system_coredns$/m);
  assert.match(mmd, /^ {2}shop_web --x\|"169\.254\.169\.254 denied by Admin deny-metadata #quot;block-imds#quot;"\| metadata$/m);
});
