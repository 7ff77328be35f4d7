/**
 * One definition per fact: on one fixture cluster, with `--dns` (NodeLocal DNSCache) and
 * `--metadata` given, every command's pure analysis gives the same answer about cloud metadata,
 * the internet and the cluster DNS (model/well-known.ts). A command may skip a question only
 * with a stated reason.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffClusters } from "../diff/diff.js";
import { Engine } from "../engine/engine.js";
import { buildEgressGraph } from "../graph/build.js";
import { planLabRun } from "../labrun/plan.js";
import { lintCluster } from "../lint/lint.js";
import { clusterOfYaml } from "../lint/test-support.js";
import type { Cluster } from "../model/cluster.js";
import { internetAddresses, metadataAddresses } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { egressOverview } from "../render/egress-view.js";
import { scaffold } from "../scaffold/scaffold.js";

const ip = (text: string): Ip => {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`bad ip ${text}`);
  return parsed;
};
const POD_CIDR = parseCidr("10.244.0.0/16");
if (!POD_CIDR.ok) throw new Error("unreachable");
const ENGINE = { podNetwork: AddressSet.fromCidr(POD_CIDR.cidr), ipBlockMatchesPods: true };
/** NodeLocal DNSCache: the pods query this link-local address, not the kube-dns pods. */
const NODELOCAL = ip("169.254.20.10");
/** `--metadata`: the EKS Pod Identity agent, a credentials endpoint too. */
const POD_IDENTITY = ip("169.254.170.23");
const FACTS = { dns: { ips: [NODELOCAL] }, metadata: [POD_IDENTITY] };

const pod = (name: string, address: string, labels: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${name === "coredns" ? "kube-system" : "app"}, labels: ${labels}}
spec: {containers: [{name: c, image: i}]}
status: {podIPs: [{ip: ${address}}]}
`;
const egressTo = (app: string, peer: string, ports = ""): string => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${app}, namespace: app}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  policyTypes: [Egress]
  egress: [{to: [${peer}]${ports}}]
`;
const NAMESPACES = `
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
`;
const PODS = [
  pod("open", "10.244.0.10", "{app: open}"),
  pod("alibaba", "10.244.0.11", "{app: alibaba}"),
  pod("aws6", "10.244.0.12", "{app: aws6}"),
  pod("closed", "10.244.0.13", "{app: closed}"),
  pod("special", "10.244.0.14", "{app: special}"),
  pod("podidentity", "10.244.0.15", "{app: podidentity}"),
  pod("coredns", "10.244.0.53", "{k8s-app: kube-dns}"),
];
const FIXTURE = [
  NAMESPACES,
  ...PODS,
  egressTo("open", "{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}"),
  // A block around the Alibaba address, not the address itself: the lab must probe it as metadata.
  egressTo("alibaba", "{ipBlock: {cidr: 100.100.100.192/28}}"),
  egressTo("aws6", "{ipBlock: {cidr: fd00:ec2::254/128}}"),
  egressTo("closed", "{ipBlock: {cidr: 169.254.20.10/32}}", ", ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]"),
  // Loopback, multicast, and a public IPv6 block the IPv4-only pods cannot use: none of it is the internet.
  egressTo("podidentity", "{ipBlock: {cidr: 169.254.170.0/24}}"),
  egressTo("special", "{ipBlock: {cidr: 127.0.0.0/8}}, {ipBlock: {cidr: 224.0.0.0/4}}, {ipBlock: {cidr: 2606:4700::/32}}"),
].join("---\n");
/** The same pods, all isolated for egress and allowed nothing: the "before" of the diff. */
const DENY_ALL = [NAMESPACES, ...PODS, egressTo("x", "{ipBlock: {cidr: 192.0.2.0/32}}").replace("{matchLabels: {app: x}}", "{}")].join("---\n");

const PODS_ASKED = ["app/open", "app/alibaba", "app/aws6", "app/closed", "app/special", "app/podidentity"] as const;
type Question = "metadata" | "internet" | "dns";
/** The answer, or why this command cannot answer. */
type Answer = boolean | { readonly skip: string };
type Answers = Readonly<Record<Question, (pod: string) => Answer>>;

/** What model/well-known.ts means, worked out by hand for the fixture. */
const EXPECTED: Readonly<Record<Question, readonly string[]>> = {
  metadata: ["app/open", "app/alibaba", "app/aws6", "app/podidentity"], // open: 100.100.100.200 is in 0.0.0.0/0 (only 169.254.169.254 is excepted)
  internet: ["app/open"],
  dns: ["app/open", "app/closed"], // 0.0.0.0/0 holds 169.254.20.10
};

const cluster: Cluster = clusterOfYaml(FIXTURE);
const engine = Engine.compile(cluster, ENGINE);

function egress(): Answers {
  const view = egressOverview(engine, "flag", FACTS);
  const w = (id: string) => {
    const found = view.namespaces.flatMap((n) => n.workloads).find((x) => x.id === id);
    if (found === undefined) throw new Error(`egress: no ${id}`);
    return found;
  };
  return {
    metadata: (p) => w(p).cloudMetadata.access !== "blocked",
    internet: (p) => w(p).internet.access !== "blocked",
    dns: (p) => w(p).dns.access !== "blocked",
  };
}

function graph(): Answers {
  const g = buildEgressGraph(engine, { namespace: null, metadata: FACTS.metadata });
  const blocked = (p: string, kind: string): boolean =>
    g.edges.some((e) => e.style === "blocked" && e.from === g.nodes.find((n) => n.kind === "endpoint" && `${n.namespace}/${n.label}` === p)?.id && g.nodes.find((n) => n.id === e.to)?.kind === kind);
  return {
    metadata: (p) => !blocked(p, "metadata"),
    internet: (p) => !blocked(p, "internet"),
    dns: () => ({ skip: "graph draws no DNS node" }),
  };
}

function lint(): Answers {
  const findings = lintCluster(cluster, { engine: ENGINE, ...FACTS, enable: ["metadata-reachable", "dns-egress-blocked"] });
  const named = (rule: string, p: string): boolean => findings.some((f) => f.rule === rule && f.endpoints.includes(p));
  return {
    metadata: (p) => named("metadata-reachable", p),
    internet: () => ({ skip: "no lint rule is about the internet" }),
    dns: (p) => !named("dns-egress-blocked", p),
  };
}

function diff(): Answers {
  const denyAll = Engine.compile(clusterOfYaml(DENY_ALL), ENGINE);
  const opened = diffClusters(denyAll, engine, FACTS);
  const closed = diffClusters(engine, denyAll, FACTS);
  const classed = (report: typeof opened, cls: string, p: string): boolean => report.changes.some((c) => c.class.some((k) => k === cls) && c.src === `${p}[Pod]`);
  return {
    metadata: (p) => classed(opened, "metadata-reachable", p),
    internet: (p) => classed(opened, "internet-egress-added", p),
    dns: (p) => classed(closed, "dns-lost", p),
  };
}

function lab(): Answers {
  const planned = planLabRun(cluster, { podCidrs: [POD_CIDR.ok ? POD_CIDR.cidr : (undefined as never)], ipBlockMatchesPods: true, metadata: FACTS.metadata });
  if (!planned.ok) throw new Error(`lab: ${JSON.stringify(planned.errors)}`);
  const metadata = AddressSet.fromIps(metadataAddresses(FACTS.metadata));
  const internet = internetAddresses(new Set([4, 6] as const));
  const reaches = (p: string, set: AddressSet): boolean => planned.plan.probes.some((x) => x.from === p && x.expected && set.has(ip(x.ip)));
  return {
    metadata: (p) => (p === "app/aws6" ? { skip: "the lab's pods have IPv4 addresses only: fd00:ec2::254 cannot be probed" } : reaches(p, metadata)),
    internet: (p) => reaches(p, internet),
    dns: () => ({ skip: "the lab has no NodeLocal DNSCache (lab run takes no --dns)" }),
  };
}

const COMMANDS: Readonly<Record<string, () => Answers>> = { egress, graph, lint, diff, lab };

for (const [name, answers] of Object.entries(COMMANDS)) {
  test(`${name} agrees with model/well-known about metadata, internet and DNS on the fixture`, () => {
    const a = answers();
    const disagreements: string[] = [];
    let asked = 0;
    for (const question of ["metadata", "internet", "dns"] as const) {
      for (const p of PODS_ASKED) {
        const answer = a[question](p);
        if (typeof answer !== "boolean") continue;
        asked++;
        if (answer !== EXPECTED[question].includes(p)) disagreements.push(`${p} ${answer ? "reaches" : "does not reach"} ${question}`);
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(asked >= PODS_ASKED.length, `${name} answered ${asked} questions`);
  });
}

test("scaffold --block-metadata excepts exactly the metadata addresses from 0.0.0.0/0 and ::/0", () => {
  const r = scaffold({ namespace: "app", allowDns: false, blockMetadata: true, allowTo: ["0.0.0.0/0", "::/0"], metadata: FACTS.metadata });
  assert.ok(r.ok);
  const excepted = clusterOfYaml(r.value).policies.flatMap((p) => p.egress.flatMap((rule) => (rule.peers === "all" ? [] : rule.peers.flatMap((peer) => (peer.kind === "ipBlock" ? peer.except : [])))));
  assert.ok(AddressSet.fromCidrs(excepted).equals(AddressSet.fromIps(metadataAddresses(FACTS.metadata))));
});
