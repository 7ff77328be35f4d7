/**
 * The pure half of verify: twins (issue 11: "Twins must never disturb the workloads they copy"),
 * the choice of twins, the probes with the engine's verdict and blame, and compare.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeLive } from "../k8s/live.js";
import type { LiveObject } from "../kube/live.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { compareProbes, judge } from "./compare.js";
import { chooseTwins, expectations, notReadyServices, probeTargets, type VerifyProbe } from "./plan.js";
import { parseProbePlan, readAgentLog } from "./probe-plan.js";
import { ENFORCED_SENTENCE, NOT_ENFORCED_SENTENCE, type SmokeStep, renderVerifyJunit, smokeSentence, smokeVerdict } from "./render.js";
import { MANAGED_BY_LABEL, RUN_LABEL, ownerConfigMap, probePod, runLabels } from "./twin.js";

const ip = (t: string): Ip => parseIp(t) as Ip;
const cidr = parseCidr("10.244.0.0/16");
const ENGINE = { podNetwork: cidr.ok ? AddressSet.fromCidr(cidr.cidr) : AddressSet.EMPTY, ipBlockMatchesPods: true };

const deployment = (ns: string, name: string, labels: Record<string, string>, ports: { containerPort: number; name?: string; protocol?: string }[] = []) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "x", ports }] } } },
});

/** examples/egress-like: a web tier allowed to the api on 8080 only; the api denies ingress from elsewhere; egress of web limited to api and DNS. */
const OBJECTS = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
  deployment("shop", "web", { app: "web" }, [{ containerPort: 80, name: "http" }]),
  deployment("shop", "api", { app: "api" }, [{ containerPort: 8080, name: "http" }, { containerPort: 9090, name: "metrics" }, { containerPort: 7000, protocol: "SCTP" }]),
  deployment("shop", "batch", { app: "batch" }),
  { apiVersion: "v1", kind: "Pod", metadata: { name: "coredns-1", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }, spec: { containers: [{ name: "c", image: "coredns", ports: [{ containerPort: 53, protocol: "UDP" }] }] }, status: { podIP: "10.244.9.9", phase: "Running" } },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "api-ingress", namespace: "shop" }, spec: { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 8080 }] }] } },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "web-egress", namespace: "shop" },
    spec: {
      podSelector: { matchLabels: { app: "web" } },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "api" } } }] }, { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }] }],
    },
  },
];

const live = () => decodeLive({ objects: OBJECTS as unknown as LiveObject[] }).value;

describe("twin pods", () => {
  const plan = parseProbePlan(JSON.stringify({ version: 1, run: "r1", serve: [{ port: 80, protocol: "TCP", name: "http" }], probes: [], timeoutMs: 1000, deadlineSeconds: 600 }));
  assert.ok(plan.ok);
  const pod = probePod({ name: "pcv-r1-d0", namespace: "shop", run: "r1", role: "destination", labels: { app: "web", "pod-template-hash": "abc" }, ports: [{ port: 80, protocol: "TCP", name: "http" }], twinOf: "Deployment/shop/web", image: "portcullis:0.1.0", plan: plan.plan, deadlineSeconds: 600 }, { name: "portcullis-verify-r1", uid: "u-1" }) as {
    metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string; uid: string; controller: boolean }[] };
    spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
  };
  const container = pod.spec.containers[0] ?? {};

  test("a controller ownerReference to the run's ConfigMap: 'acquires any Pods that match its selector and have no OwnerReference or whose OwnerReference is not a Controller' (ReplicaSet docs) cannot hold for it, so no ReplicaSet adopts it", () => {
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: "v1", kind: "ConfigMap", name: "portcullis-verify-r1", uid: "u-1", controller: true, blockOwnerDeletion: false }]);
  });

  test("the workload's labels as they are (the same policies select it), plus the run's label; the ports declared with names and protocols", () => {
    assert.deepEqual(pod.metadata.labels, { [MANAGED_BY_LABEL]: "portcullis", app: "web", "pod-template-hash": "abc", [RUN_LABEL]: "r1" });
    assert.deepEqual(container["ports"], [{ containerPort: 80, protocol: "TCP", name: "http" }]);
  });

  test("a workload's own app.kubernetes.io/managed-by is kept (a policy may select on it); the run label still marks the twin", () => {
    assert.deepEqual(runLabels("r1", { [MANAGED_BY_LABEL]: "Helm", app: "x" }), { [MANAGED_BY_LABEL]: "Helm", app: "x", [RUN_LABEL]: "r1" });
  });

  test("never Ready (readiness exec `portcullis probe-agent --not-ready`, which exits 1), no service account token, restartPolicy Never, a deadline, small resources", () => {
    assert.deepEqual(container["readinessProbe"], { exec: { command: ["portcullis", "probe-agent", "--not-ready"] }, periodSeconds: 30, failureThreshold: 1 });
    assert.equal(pod.spec["automountServiceAccountToken"], false);
    assert.equal(pod.spec["restartPolicy"], "Never");
    assert.equal(pod.spec["activeDeadlineSeconds"], 600);
    assert.deepEqual(container["resources"], { requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "128Mi" } });
    assert.deepEqual(container["command"], ["portcullis", "probe-agent"]);
  });

  test("a declared port below 1024 and an image that runs as a non-root user: the safe sysctl net.ipv4.ip_unprivileged_port_start=0", () => {
    assert.deepEqual(pod.spec["securityContext"], { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] });
  });

  test("the owner ConfigMap carries the run's labels (what --cleanup finds)", () => {
    assert.deepEqual((ownerConfigMap("portcullis-verify-r1", "shop", "r1")["metadata"] as { labels: unknown }).labels, { [MANAGED_BY_LABEL]: "portcullis", [RUN_LABEL]: "r1" });
  });
});

describe("choosing twins", () => {
  test("-n shop: a destination twin per workload with TCP/UDP ports (SCTP skipped), a source twin per workload; web and api are both, so two twins each", () => {
    const c = chooseTwins(live(), { run: "r1", namespace: "shop", sources: null, noTwins: false });
    assert.deepEqual(
      c.twins.map((t) => `${t.name} ${t.role} ${t.endpoint.id} ${t.ports.map((p) => `${p.port}/${p.protocol}`).join(",")}`),
      ["pcv-r1-d0 destination shop/web 80/TCP", "pcv-r1-d1 destination shop/api 8080/TCP,9090/TCP", "pcv-r1-s0 source shop/web ", "pcv-r1-s1 source shop/api ", "pcv-r1-s2 source shop/batch "],
    );
    assert.deepEqual(c.namespaces, ["shop"]);
    assert.deepEqual(c.skipped, [
      { reason: "sctp", to: "shop/api", port: 7000, protocol: "SCTP" },
      { reason: "no-ports", to: "shop/batch" },
    ]);
  });

  test("the probe pods of another run (running at once, or left by a killed one) are no workloads: skipped as verify-pod", () => {
    const leftover = { apiVersion: "v1", kind: "Pod", metadata: { name: "pcv-old-d0", namespace: "shop", labels: { app: "web", [RUN_LABEL]: "old" }, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "portcullis-verify-old", uid: "u", controller: true }] }, spec: { containers: [{ name: "probe", image: "portcullis:0.1.0" }] } };
    const cluster = decodeLive({ objects: [...OBJECTS, leftover] as unknown as LiveObject[] }).value;
    const c = chooseTwins(cluster, { run: "r1", namespace: "shop", sources: null, noTwins: false });
    assert.equal(c.twins.filter((t) => t.endpoint.labels.has(RUN_LABEL)).length, 0);
    assert.ok(c.skipped.some((s) => s.reason === "verify-pod" && s.to.startsWith("shop/")), JSON.stringify(c.skipped));
  });

  test("--no-twins: source twins only", () => {
    const c = chooseTwins(live(), { run: "r1", namespace: "shop", sources: null, noTwins: true });
    assert.deepEqual(c.twins.map((t) => t.role), ["source", "source", "source"]);
  });
});

describe("probes and the engine's verdicts", () => {
  const cluster = live();
  const choice = chooseTwins(cluster, { run: "r1", namespace: "shop", sources: null, noTwins: false });
  const addresses = new Map<string, Ip>([
    ["shop/pcv-r1-d0", ip("10.244.1.10")],
    ["shop/pcv-r1-d1", ip("10.244.1.11")],
    ["shop/pcv-r1-s0", ip("10.244.1.20")],
    ["shop/pcv-r1-s1", ip("10.244.1.21")],
    ["shop/pcv-r1-s2", ip("10.244.1.22")],
  ]);
  const options = { run: "r1", engine: ENGINE, to: [{ ip: ip("203.0.113.7"), port: { port: 443, protocol: "TCP" as const } }], metadata: [], realDestinations: null };
  const targets = probeTargets(cluster, choice.twins, addresses, options);
  const { probes } = expectations(cluster, choice.twins, addresses, targets, options);
  const line = (p: VerifyProbe): string => `${p.from} → ${p.to} ${p.port}/${p.protocol} ${p.expected ? "allowed" : `denied by ${p.blamed.map((b) => `${b.direction} of the ${b.side} (${b.policies.join(",")})`).join(" and ")}`}`;

  test("every source twin probes every destination twin port, the --to address, and the cluster DNS; verdicts from the policies (twins carry the workloads' labels), blame per side", () => {
    assert.deepEqual(probes.map(line), [
      "shop/web → shop/web 80/TCP denied by egress of the source (shop/web-egress)",
      "shop/web → shop/api 8080/TCP allowed",
      "shop/web → shop/api 9090/TCP denied by ingress of the destination (shop/api-ingress)",
      "shop/web → 203.0.113.7 443/TCP denied by egress of the source (shop/web-egress)",
      "shop/web → dns kubernetes.default 53/UDP allowed",
      "shop/api → shop/web 80/TCP allowed",
      "shop/api → shop/api 8080/TCP denied by ingress of the destination (shop/api-ingress)",
      "shop/api → shop/api 9090/TCP denied by ingress of the destination (shop/api-ingress)",
      "shop/api → 203.0.113.7 443/TCP allowed",
      "shop/api → dns kubernetes.default 53/UDP allowed",
      "shop/batch → shop/web 80/TCP allowed",
      "shop/batch → shop/api 8080/TCP denied by ingress of the destination (shop/api-ingress)",
      "shop/batch → shop/api 9090/TCP denied by ingress of the destination (shop/api-ingress)",
      "shop/batch → 203.0.113.7 443/TCP allowed",
      "shop/batch → dns kubernetes.default 53/UDP allowed",
    ]);
  });

  test("the probes a source twin is told about name the destination twin's address and the identity that must answer", () => {
    const first = targets[1];
    assert.equal(first?.ip, "10.244.1.11");
    assert.equal(first?.identity, "shop/pcv-r1-d1");
    assert.equal(first?.twin, "pcv-r1-s0");
  });

  test("compare, table (issue 11: 'Results distinguish dropped (timeout) from refused (the packet arrived)')", () => {
    const allowedTwin = probes[1] as VerifyProbe;
    const deniedTwin = probes[2] as VerifyProbe;
    const allowedExternal = probes[8] as VerifyProbe;
    const deniedExternal = probes[3] as VerifyProbe;
    const dns = probes[4] as VerifyProbe;
    const cases: [string, VerifyProbe, object | undefined, string][] = [
      ["allowed twin, the very twin answered: match", allowedTwin, { id: "x", outcome: "connected", identity: "shop/pcv-r1-d1", ms: 1 }, "match connected"],
      ["allowed twin, another pod answered: mismatch", allowedTwin, { id: "x", outcome: "connected", identity: "shop/pcv-r1-d0", ms: 1 }, "mismatch connected"],
      ["denied twin, dropped: match", deniedTwin, { id: "x", outcome: "timeout", ms: 1 }, "match dropped"],
      ["denied twin, refused (the twin listens: a rejecting plugin): match", deniedTwin, { id: "x", outcome: "refused", ms: 1 }, "match refused"],
      ["denied twin, connected: NOT enforced: mismatch", deniedTwin, { id: "x", outcome: "connected", identity: "shop/pcv-r1-d1", ms: 1 }, "mismatch connected"],
      ["no result line: mismatch", deniedTwin, undefined, "mismatch missing"],
      ["allowed external, dropped: inconclusive (nothing may listen there)", allowedExternal, { id: "x", outcome: "timeout", ms: 1 }, "inconclusive dropped"],
      ["denied external, refused: the packet left: mismatch", deniedExternal, { id: "x", outcome: "refused", ms: 1 }, "mismatch refused"],
      ["allowed external, no route from the pod (ENETUNREACH): inconclusive", allowedExternal, { id: "x", outcome: "unreachable", detail: "ENETUNREACH", ms: 1 }, "inconclusive unreachable"],
      ["denied external, no route: it did not get through: match", deniedExternal, { id: "x", outcome: "unreachable", detail: "ENETUNREACH", ms: 1 }, "match unreachable"],
      ["DNS allowed, NXDOMAIN is an answer: match", dns, { id: "x", outcome: "nxdomain", addresses: [], ms: 1 }, "match nxdomain"],
      ["DNS allowed, timeout: mismatch", dns, { id: "x", outcome: "timeout", addresses: [], ms: 1 }, "mismatch dropped"],
    ];
    for (const [name, p, r, want] of cases) {
      const e = judge(p, r as never);
      assert.equal(`${e.verdict} ${e.outcome}`, want, name);
    }
  });

  test("--no-twins: 'probes from source twins to the real destination pods' IPs over TCP only (a refused connection counts as reachable)'", () => {
    const real = cluster.endpoints.filter((e) => e.namespace === "kube-system");
    const o = { ...options, to: [], realDestinations: real };
    const c = chooseTwins(cluster, { run: "r1", namespace: "shop", sources: null, noTwins: true });
    const t = probeTargets(cluster, c.twins, addresses, o);
    const planned = expectations(cluster, c.twins, addresses, t, o).probes.filter((p) => p.kind === "pod");
    // coredns declares 53/UDP only: nothing to probe over TCP.
    assert.deepEqual(planned, []);
    const withTcp = cluster.endpoints.filter((e) => e.id === "kube-system/coredns-1").map((e) => ({ ...e, ips: [ip("10.244.9.9")], ports: [{ port: 9153, protocol: "TCP" as const }] }));
    const p2 = expectations(cluster, c.twins, addresses, probeTargets(cluster, c.twins, addresses, { ...o, realDestinations: withTcp }), { ...o, realDestinations: withTcp }).probes.filter((p) => p.kind === "pod");
    assert.deepEqual(p2.map((p) => `${p.from} → ${p.to} ${p.ip}:${p.port}`), ["shop/web → kube-system/coredns-1 10.244.9.9:9153", "shop/api → kube-system/coredns-1 10.244.9.9:9153", "shop/batch → kube-system/coredns-1 10.244.9.9:9153"]);
    const refused = judge(p2[1] as VerifyProbe, { id: "x", outcome: "refused", ms: 1 });
    assert.equal(refused.observed, true);
  });

  test("compareProbes counts mismatches and inconclusive; JUnit has one testcase per probe and a failure per mismatch", () => {
    const log = readAgentLog(['{"portcullis-probe":1,"ready":true,"listening":[],"skipped":[]}', '{"id":"p1","outcome":"connected","identity":"shop/pcv-r1-d1","ms":2}', "some other line", '{"done":true,"probes":1}'].join("\n"));
    assert.equal(log.done, true);
    const c = compareProbes(probes.slice(0, 2), log.results);
    assert.equal(c.mismatches, 1);
    const xml = renderVerifyJunit({ run: "r1", entries: c.entries, skipped: [], warnings: [], timings: { podStartMs: 1, probeMs: 1, cleanupMs: 1 }, podsCreated: 2 });
    assert.equal(xml.match(/<testcase /g)?.length, 2);
    assert.equal(xml.match(/<failure /g)?.length, 1);
  });
});

describe("Services that route to twins anyway", () => {
  test("publishNotReadyAddresses ('disregard any indications of ready/not-ready') selecting a twin's labels: warned", () => {
    const choice = chooseTwins(live(), { run: "r1", namespace: "shop", sources: null, noTwins: false });
    const warnings = notReadyServices(
      [
        { namespace: "shop", name: "web-headless", selector: { app: "web" }, publishNotReadyAddresses: true },
        { namespace: "shop", name: "web", selector: { app: "web" }, publishNotReadyAddresses: false },
        { namespace: "other", name: "web", selector: { app: "web" }, publishNotReadyAddresses: true },
      ],
      choice.twins,
    );
    assert.deepEqual(warnings, ["Service shop/web-headless has publishNotReadyAddresses: it selects the twin of shop/web, which never turns Ready, and routes to it anyway"]);
  });
});

describe("--smoke verdicts", () => {
  const step = (name: SmokeStep["name"], ok: boolean): SmokeStep => ({ name, probe: "server 8080/TCP", expected: name === "no policy" ? "reachable" : "blocked", outcome: ok === (name === "no policy") ? "connected" : "dropped", ok });
  test("the issue's sentences, word for word: `NetworkPolicy is enforced (ingress, egress)` and `NOT ENFORCED: the API server accepted a deny-all policy and traffic still flows — this cluster's network plugin ignores NetworkPolicy`", () => {
    assert.equal(ENFORCED_SENTENCE, "NetworkPolicy is enforced (ingress, egress)");
    assert.equal(NOT_ENFORCED_SENTENCE, "NOT ENFORCED: the API server accepted a deny-all policy and traffic still flows — this cluster's network plugin ignores NetworkPolicy");
    assert.equal(smokeSentence(smokeVerdict([step("no policy", true), step("deny-all ingress", true), step("deny-all egress", true)])), ENFORCED_SENTENCE);
    assert.equal(smokeSentence(smokeVerdict([step("no policy", true), step("deny-all ingress", false), step("deny-all egress", false)])), NOT_ENFORCED_SENTENCE);
  });
  test("one direction only; and no connection even without policy: cannot tell", () => {
    assert.deepEqual(smokeVerdict([step("no policy", true), step("deny-all ingress", false), step("deny-all egress", true)]), { kind: "partly", enforced: "egress" });
    assert.equal(smokeVerdict([step("no policy", false)]).kind, "inconclusive");
  });
});
