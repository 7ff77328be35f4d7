/** Planning `lab run`: pure, no lab needed. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatIp, parseIp } from "../net/ip.js";
import { OPTIONS, cidr, clusterFrom, clusterOf, workload } from "./fixture.js";
import { DEFAULT_EXTERNAL_PORTS, planLabRun } from "./plan.js";
import type { LabRunOptions, LabRunPlan, PlannedProbe } from "./types.js";

function plan(yaml: string, options: LabRunOptions = OPTIONS): LabRunPlan {
  const p = planLabRun(clusterOf(yaml), options);
  assert.ok(p.ok, p.ok ? "" : JSON.stringify(p.errors));
  return p.plan;
}

const ipsOf = (p: LabRunPlan): Record<string, string[]> => Object.fromEntries(p.spec.pods.map((x) => [x.id, x.ips.map(formatIp)]));
const probe = (p: LabRunPlan, from: string, to: string, port: number, protocol = "TCP"): PlannedProbe | undefined =>
  p.probes.find((x) => x.from === from && x.to === to && x.port === port && x.protocol === protocol);

const egressPolicy = (ns: string, name: string, app: string, to: string, ports = "[{port: 443, protocol: TCP}]"): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n  policyTypes: [Egress]\n  egress:\n    - to: [${to}]\n      ports: ${ports}\n`;

describe("lab pods", () => {
  test("a workload stands for one pod: one lab pod per endpoint, a Pod in the lab cluster", () => {
    const p = plan([workload("a", "web", { app: "web" }, [{ port: 80 }]), workload("a", "db", { app: "db" }, [{ port: 5432 }], "10.244.3.3")].join("---\n"));
    assert.deepEqual(p.spec.pods.map((x) => x.id), ["a/db", "a/web"]);
    assert.deepEqual(p.cluster.endpoints.map((e) => [e.id, e.kind, e.ips.map(formatIp)]), [
      ["a/web", "Pod", ["10.244.0.1"]],
      ["a/db", "Pod", ["10.244.3.3"]],
    ]);
  });

  test("endpoints without IPs get the lowest free addresses of the first pod CIDR, never a known IP", () => {
    const p = plan([workload("a", "known", { app: "k" }, [], "10.244.0.1"), workload("a", "x", { app: "x" }), workload("a", "y", { app: "y" })].join("---\n"));
    assert.deepEqual(ipsOf(p), { "a/known": ["10.244.0.1"], "a/x": ["10.244.0.2"], "a/y": ["10.244.0.3"] });
  });

  test("--topology bridge: cni0 holds the pod CIDR's first address (Flannel's gateway), so no pod gets it and a pod known at it is skipped", () => {
    const bridge: LabRunOptions = { ...OPTIONS, topology: "bridge" };
    const p = plan([workload("a", "known", { app: "k" }, [], "10.244.0.1"), workload("a", "x", { app: "x" }), workload("a", "y", { app: "y" })].join("---\n"), bridge);
    assert.deepEqual(ipsOf(p), { "a/x": ["10.244.0.2"], "a/y": ["10.244.0.3"] });
    assert.deepEqual(p.skipped, [{ reason: "address-reserved", to: "a/known" }]);
    assert.deepEqual(p.spec.topology, { kind: "bridge", podCidrs: OPTIONS.podCidrs });
    assert.equal(plan(workload("a", "x", { app: "x" })).spec.topology, undefined, "routed: the spec as before");
  });

  test("allocation follows the first pod CIDR, also IPv6", () => {
    const p = plan(workload("a", "x", { app: "x" }), { ...OPTIONS, podCidrs: [cidr("fd00:10::/64"), cidr("10.1.0.0/16")] });
    assert.deepEqual(ipsOf(p), { "a/x": ["fd00:10::1"] });
  });

  test("a full pod CIDR is an error value, not an exception", () => {
    const r = planLabRun(clusterOf([workload("a", "x", { app: "x" }), workload("a", "y", { app: "y" })].join("---\n")), { ...OPTIONS, podCidrs: [cidr("10.9.0.0/31")] });
    assert.deepEqual(r, { ok: false, errors: [{ kind: "pod-cidr-full", cidr: "10.9.0.0/31" }] });
  });

  test("host-network endpoints are left out of the lab and reported", () => {
    const host = "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}\n";
    const p = plan([host, workload("a", "x", { app: "x" })].join("---\n"));
    assert.deepEqual(p.spec.pods.map((x) => x.id), ["a/x"]);
    assert.deepEqual(p.skipped, [{ reason: "host-network", to: "a/agent" }]);
  });

  test("portcullis.dev/mode annotations are dropped: the lab enforces every policy", () => {
    const audited = egressPolicy("a", "p", "x", "{ipBlock: {cidr: 203.0.113.0/24}}").replace("namespace: a}", "namespace: a, annotations: {portcullis.dev/mode: audit}}");
    const p = plan([workload("a", "x", { app: "x" }), audited].join("---\n"));
    assert.equal(p.cluster.policies[0]?.annotations.has("portcullis.dev/mode"), false);
  });
});

describe("cluster DNS", () => {
  test("kube-dns pods answer for every Service (its selected pods) and every pod", async () => {
    const p = planLabRun(await clusterFrom(["examples/egress"]), OPTIONS);
    assert.ok(p.ok);
    const dns = p.plan.spec.pods.filter((x) => x.dns !== undefined);
    assert.deepEqual(dns.map((x) => x.id), ["kube-system/coredns"]);
    const names = dns[0]?.dns?.names ?? {};
    const ip = (id: string): string => formatIp(p.plan.spec.pods.find((x) => x.id === id)?.ips[0] ?? { family: 4, value: 0n });
    assert.deepEqual(names["kube-dns.kube-system.svc.cluster.local"], [ip("kube-system/coredns")]);
    assert.deepEqual(names["postgres.production.svc.cluster.local"], [ip("production/postgres")]);
    assert.deepEqual(names["10-244-1-23.production.pod.cluster.local"], ["10.244.1.23"]);
    assert.equal(p.plan.spec.pods.filter((x) => x.dns === undefined).length, 4);
  });

  test("a pod behind Service kube-system/kube-dns is cluster DNS even without the k8s-app label", () => {
    const svc = "apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec: {selector: {app: resolver}, ports: [{port: 53, protocol: UDP}]}\n";
    const p = plan([svc, workload("kube-system", "resolver", { app: "resolver" }, [{ port: 53, protocol: "UDP" }])].join("---\n"));
    assert.deepEqual(p.spec.pods[0]?.dns?.names["kube-dns.kube-system.svc.cluster.local"], ["10.244.0.1"]);
  });
});

describe("targets", () => {
  test("every pod × each declared port × protocol, with the engine's verdict", async () => {
    const p = planLabRun(await clusterFrom(["examples/egress"]), OPTIONS);
    assert.ok(p.ok);
    assert.equal(probe(p.plan, "production/web-api", "production/postgres", 5432)?.expected, true);
    assert.equal(probe(p.plan, "production/debug-shell", "production/postgres", 5432)?.expected, false);
    assert.equal(probe(p.plan, "monitoring/prometheus", "production/web-api", 8080)?.expected, true);
    assert.equal(probe(p.plan, "production/web-api", "kube-system/coredns", 53, "UDP")?.expected, true);
  });

  test("derived external targets: inside the cidr outside the except, inside the except, and the IPv4 metadata addresses", async () => {
    const p = planLabRun(await clusterFrom(["examples/egress"]), OPTIONS);
    assert.ok(p.ok);
    const external = [...new Set(p.plan.probes.filter((x) => x.identity.startsWith("internet ")).map((x) => x.to))];
    assert.deepEqual(external, ["100.100.100.200", "169.254.0.1", "169.254.169.254", "203.0.113.1"]);
    assert.equal(probe(p.plan, "production/web-api", "203.0.113.1", 443)?.expected, true);
    assert.equal(probe(p.plan, "production/web-api", "203.0.113.1", 80)?.expected, false);
    assert.equal(probe(p.plan, "production/web-api", "169.254.0.1", 80)?.expected, true);
    assert.equal(probe(p.plan, "production/web-api", "169.254.169.254", 80)?.expected, false);
    assert.equal(probe(p.plan, "production/web-api", "100.100.100.200", 80)?.expected, false);
  });

  test("every external address also probes every pod from the internet: ingress from outside the cluster", async () => {
    const p = planLabRun(await clusterFrom(["examples/egress"]), OPTIONS);
    assert.ok(p.ok);
    const sources = [...new Set(p.plan.probes.map((x) => x.from))].filter((f) => !f.includes("/"));
    assert.deepEqual(sources, ["100.100.100.200", "169.254.0.1", "169.254.169.254", "203.0.113.1"]);
    assert.equal(probe(p.plan, "203.0.113.1", "production/web-api", 8080)?.expected, false);
    assert.equal(probe(p.plan, "203.0.113.1", "kube-system/coredns", 53, "UDP")?.expected, true);
  });

  test("an address without a port is probed on the policies' numeric ports and TCP 80, TCP 443, UDP 53", () => {
    const p = plan([workload("a", "x", { app: "x" }), egressPolicy("a", "p", "x", "{ipBlock: {cidr: 203.0.113.0/24}}", "[{port: 8000, endPort: 8010, protocol: TCP}, {port: 123, protocol: UDP}]")].join("---\n"));
    const ports = p.probes.filter((x) => x.to === "203.0.113.1").map((x) => `${x.port}/${x.protocol}`);
    assert.deepEqual(ports, ["53/UDP", "80/TCP", "123/UDP", "443/TCP", "8000/TCP", "8010/TCP"]);
    assert.deepEqual(DEFAULT_EXTERNAL_PORTS.map((x) => `${x.port}/${x.protocol}`), ["80/TCP", "443/TCP", "53/UDP"]);
  });

  test("except ipBlocks: the first usable address outside the except, and inside each except", () => {
    const p = plan([workload("a", "x", { app: "x" }), egressPolicy("a", "p", "x", "{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 192.168.0.0/16]}}")].join("---\n"));
    const external = [...new Set(p.probes.map((x) => x.to))].filter((t) => t !== "a/x");
    // 0.0.0.1 is "this network" and cannot be probed: the next probeable address is 1.0.0.0.
    assert.deepEqual(external, ["1.0.0.0", "10.0.0.1", "100.100.100.200", "169.254.169.254", "192.168.0.1"]);
    assert.equal(probe(p, "a/x", "1.0.0.0", 443)?.expected, true);
    assert.equal(probe(p, "a/x", "10.0.0.1", 443)?.expected, false);
  });

  test("--to replaces the derived targets; an address in the pod CIDR is skipped (the node fails closed there)", () => {
    const to = [parseIp("198.51.100.7"), parseIp("10.244.9.9")].map((ip) => ({ ip: ip ?? { family: 4 as const, value: 0n } }));
    const p = plan(workload("a", "x", { app: "x" }), { ...OPTIONS, to: [{ ...to[0]!, port: { port: 8443, protocol: "TCP" } }, to[1]!] });
    assert.deepEqual(p.probes.map((x) => `${x.to}:${x.port}`), ["198.51.100.7:8443"]);
    assert.deepEqual(p.skipped, [{ reason: "in-pod-cidr", to: "10.244.9.9" }]);
  });

  test("a source without an address of the destination's family is skipped, not guessed", () => {
    const p = plan(workload("a", "x", { app: "x" }), { ...OPTIONS, to: [{ ip: parseIp("2001:db8::7")!, port: { port: 443, protocol: "TCP" } }] });
    assert.deepEqual(p.probes, []);
    assert.deepEqual(p.skipped, [{ reason: "no-address-family", from: "a/x", to: "2001:db8::7", port: 443, protocol: "TCP" }]);
  });

  test("more probes than allowed is an error value", () => {
    const r = planLabRun(clusterOf(workload("a", "x", { app: "x" })), { ...OPTIONS, maxProbes: 2 });
    assert.deepEqual(r, { ok: false, errors: [{ kind: "too-many-probes", count: 6, max: 2 }] });
  });

  test("the internet listens on every port an external probe uses", async () => {
    const p = planLabRun(await clusterFrom(["examples/egress"]), OPTIONS);
    assert.ok(p.ok);
    const wanted = new Set(p.plan.probes.filter((x) => x.identity.startsWith("internet ")).map((x) => `${x.port}/${x.protocol}`));
    assert.deepEqual(new Set(p.plan.spec.internet.ports.map((x) => `${x.port}/${x.protocol}`)), wanted);
  });
});
