/**
 * `scaffold --cluster` (issue 9): "prints the guardrail set a platform team starts from (Admin: Deny
 * metadata v4+v6 for all pods, Accept DNS to kube-dns; Baseline: default-deny egress for
 * namespaces that have no policies), checked by the engine". The printed YAML goes through our
 * decoder beside the sample cluster (examples/guardrails/cluster.yaml) and the engine's check
 * answers each guardrail, in both API versions.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Engine } from "../engine/engine.js";
import type { Target, Verdict } from "../engine/types.js";
import { decodeYaml, errors } from "../k8s/testing.js";
import type { Cluster } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { DEFAULT_METADATA } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { formatIp, type Ip, parseIp } from "../net/ip.js";
import { type AdminApi, scaffoldCluster, unguardedNamespaces } from "./cluster.js";

const SAMPLE = readFileSync(new URL("../../../examples/guardrails/cluster.yaml", import.meta.url), "utf8");

function decoded(text: string): Cluster {
  const d = decodeYaml(text);
  assert.deepEqual(errors(d.diagnostics), [], "decodes without errors");
  return d.value;
}

const sampleCluster = decoded(SAMPLE);

/** The guardrails for the sample cluster beside it, decoded, and an engine over both. */
function guarded(api: AdminApi, extra: { metadata?: readonly Ip[]; dns?: readonly Ip[] } = {}): { cluster: Cluster; engine: Engine; text: string } {
  const text = scaffoldCluster({ api, cluster: sampleCluster, ...extra });
  const cluster = decoded(`${text}---\n${SAMPLE}`);
  const podNetwork = AddressSet.fromCidrs(["10.244.0.0/16", "fd00:10:244::/48"].flatMap((c) => {
    const r = parseCidr(c);
    return r.ok ? [r.cidr] : [];
  }));
  return { cluster, engine: Engine.compile(cluster, { podNetwork, ipBlockMatchesPods: true }), text };
}

function target(cluster: Cluster, text: string): Target {
  const endpoint = cluster.endpoints.find((e) => e.id === text);
  if (endpoint !== undefined) return { kind: "endpoint", endpoint };
  const ip = parseIp(text);
  assert.ok(ip, text);
  return { kind: "external", addresses: AddressSet.fromIp(ip) };
}

function verdict(g: { cluster: Cluster; engine: Engine }, from: string, to: string, port: number, protocol: Protocol = "TCP"): Verdict {
  return g.engine.check({ from: target(g.cluster, from), to: target(g.cluster, to), port, protocol }).verdict;
}

const PODS = ["shop/web", "shop/batch", "legacy/app", "reports/cron", "kube-system/coredns"];

for (const api of ["v1alpha2", "v1alpha1"] as const) {
  describe(`scaffold --cluster --api ${api}, checked by the engine on the sample cluster`, () => {
    const g = guarded(api);

    test("the printed YAML decodes with no error: two Admin policies and one Baseline policy", () => {
      const policies = g.cluster.adminPolicies ?? [];
      assert.deepEqual(
        policies.map((p) => `${p.tier} ${p.source.kind} ${p.name}`),
        api === "v1alpha2"
          ? ["Admin ClusterNetworkPolicy guardrail-deny-cloud-metadata", "Admin ClusterNetworkPolicy guardrail-accept-cluster-dns", "Baseline ClusterNetworkPolicy guardrail-baseline-default-deny-egress"]
          : ["Admin AdminNetworkPolicy guardrail-deny-cloud-metadata", "Admin AdminNetworkPolicy guardrail-accept-cluster-dns", "Baseline BaselineAdminNetworkPolicy default"],
      );
    });

    test("Admin: every metadata address (IPv4 and IPv6) is DENIED for every pod, even shop/web whose NetworkPolicy allows 0.0.0.0/0 and ::/0", () => {
      const got = PODS.flatMap((from) => DEFAULT_METADATA.map((ip) => `${from} → ${formatIp(ip)}: ${verdict(g, from, formatIp(ip), 80)}`));
      assert.deepEqual(got, PODS.flatMap((from) => DEFAULT_METADATA.map((ip) => `${from} → ${formatIp(ip)}: denied`)));
      assert.ok(DEFAULT_METADATA.some((ip) => ip.family === 6), "an IPv6 metadata address is among them");
      // The NetworkPolicy does allow the rest of the internet: the Deny is the Admin tier's.
      assert.equal(verdict(g, "shop/web", "1.1.1.1", 443), "allowed");
      assert.equal(verdict(g, "shop/web", "2606:4700::1111", 443), "allowed");
    });

    test("Admin: DNS on UDP and TCP 53 to the kube-dns pods is ALLOWED from every pod, in a namespace without policies too (the Baseline deny comes after)", () => {
      const got = PODS.filter((p) => p !== "kube-system/coredns").flatMap((from) => (["UDP", "TCP"] as const).map((proto) => `${from} ${proto}: ${verdict(g, from, "kube-system/coredns", 53, proto)}`));
      assert.deepEqual(got, PODS.filter((p) => p !== "kube-system/coredns").flatMap((from) => [`${from} UDP: allowed`, `${from} TCP: allowed`]));
      // Only DNS: another port of the same pod is the Baseline's for legacy.
      assert.equal(verdict(g, "legacy/app", "kube-system/coredns", 9153), "denied");
    });

    test("Baseline: other egress from the namespaces without policies is DENIED; shop, with its own policies, is unaffected (web by its NetworkPolicy, batch not isolated)", () => {
      assert.deepEqual(
        [
          verdict(g, "legacy/app", "1.1.1.1", 443),
          verdict(g, "legacy/app", "2606:4700::1111", 443),
          verdict(g, "legacy/app", "shop/web", 8080),
          verdict(g, "reports/cron", "1.1.1.1", 443),
          verdict(g, "shop/web", "1.1.1.1", 443),
          verdict(g, "shop/batch", "1.1.1.1", 443),
          verdict(g, "shop/batch", "legacy/app", 8080),
          // kube-system is left out: the cluster DNS forwards to upstream resolvers.
          verdict(g, "kube-system/coredns", "8.8.8.8", 53, "UDP"),
        ],
        ["denied", "denied", "denied", "denied", "allowed", "allowed", "allowed", "allowed"],
      );
    });
  });
}

test("the namespaces without policies: declared or holding pods, in name order, Kubernetes' own left out and named", () => {
  assert.deepEqual(unguardedNamespaces(sampleCluster), { namespaces: ["legacy", "reports"], system: ["kube-system"], withPolicies: 1 });
});

test("without manifests: the Admin guardrails, and a comment saying what the Baseline would be (no Baseline policy)", () => {
  const text = scaffoldCluster({ api: "v1alpha2", cluster: null });
  const policies = decoded(text).adminPolicies ?? [];
  assert.deepEqual(policies.map((p) => p.tier), ["Admin", "Admin"]);
  assert.match(text, /# Baseline tier: not written, no manifests given\. With -f, portcullis writes a Baseline\n# default-deny egress for the namespaces of the input that have no NetworkPolicy/);
});

test("every namespace with policies of its own: no Baseline policy (an In list may not be empty), and the comment says why", () => {
  const own = (ns: string): string => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: own, namespace: ${ns}}\nspec: {podSelector: {}}\n`;
  const text = scaffoldCluster({ api: "v1alpha2", cluster: decoded(SAMPLE + own("legacy") + own("reports")) });
  assert.deepEqual((decoded(text).adminPolicies ?? []).map((p) => p.tier), ["Admin", "Admin"]);
  assert.match(text, /# Baseline tier: not written: every namespace of the input has NetworkPolicies of its own \(3\), or is Kubernetes' own \(kube-system\)\./);
});

test("--metadata adds an address to the Deny, --dns accepts DNS to the addresses given instead of the kube-dns pods", () => {
  const extra = parseIp("169.254.170.2") as Ip;
  const nodeLocal = parseIp("169.254.20.10") as Ip;
  const g = guarded("v1alpha2", { metadata: [extra], dns: [nodeLocal] });
  assert.equal(verdict(g, "shop/web", "169.254.170.2", 80), "denied");
  assert.equal(verdict(g, "legacy/app", "169.254.20.10", 53, "UDP"), "allowed");
  assert.equal(verdict(g, "legacy/app", "kube-system/coredns", 53, "UDP"), "denied");
  assert.match(g.text, /- 169\.254\.20\.10\/32/);
});

test("examples/guardrails/guardrails.yaml is what scaffold --cluster writes for examples/guardrails/cluster.yaml today (the README's admin-tier example does not drift)", () => {
  const shipped = readFileSync(new URL("../../../examples/guardrails/guardrails.yaml", import.meta.url), "utf8");
  assert.equal(shipped, scaffoldCluster({ api: "v1alpha2", cluster: sampleCluster }));
});
