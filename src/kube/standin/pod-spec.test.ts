import { test } from "node:test";
import assert from "node:assert/strict";
import { type Container, type PodRuntime, PodAddresses, resolvConf, containerArgv, containerEnv, entrypointName, execArgv, podPhase, podStatusJson, resolvePort, restartDelayMs, restarts } from "./pod-spec.js";

const IMAGES = { "portcullis:0.1.0": ["/usr/bin/node", "/repo/bin/portcullis.js"], "node:20-bookworm-slim": ["/usr/bin/node"] };

// kubernetes.io "Define a Command and Arguments for a Container": "If you supply a command but no args
// for a Container, only the supplied command is used." "If you supply only args for a Container, the
// default Entrypoint defined in the Docker image is run with the args that you supplied." "If you
// supply a command and args, … your command is run with your args." The command's first word naming
// the image's entrypoint runs the mapped executable.
const CASES: readonly { name: string; container: Container; argv: readonly string[] }[] = [
  { name: "neither: the image's entrypoint", container: { name: "c", image: "portcullis:0.1.0" }, argv: ["/usr/bin/node", "/repo/bin/portcullis.js"] },
  { name: "args only: the entrypoint with the args", container: { name: "c", image: "portcullis:0.1.0", args: ["probe-agent"] }, argv: ["/usr/bin/node", "/repo/bin/portcullis.js", "probe-agent"] },
  { name: "command naming the entrypoint, then args", container: { name: "c", image: "portcullis:0.1.0", command: ["portcullis", "probe-agent"], args: ["--not-ready"] }, argv: ["/usr/bin/node", "/repo/bin/portcullis.js", "probe-agent", "--not-ready"] },
  { name: "another registry, same name and tag", container: { name: "c", image: "ghcr.io/org/portcullis:0.1.0", command: ["portcullis", "probe-agent"] }, argv: ["/usr/bin/node", "/repo/bin/portcullis.js", "probe-agent"] },
  { name: "docker.io/library/node is node", container: { name: "c", image: "docker.io/library/node:20-bookworm-slim", command: ["node", "-e", "1"] }, argv: ["/usr/bin/node", "-e", "1"] },
  { name: "a command of the image's PATH", container: { name: "c", image: "node:20-bookworm-slim", command: ["sh", "-c", "true"] }, argv: ["sh", "-c", "true"] },
  { name: "node image, args starting with node (docker-entrypoint.sh runs them as a command; kubectl run -- node …)", container: { name: "c", image: "node:20-bookworm-slim", args: ["node", "-e", "1"] }, argv: ["/usr/bin/node", "-e", "1"] },
  { name: "node image, args as node's (docker-entrypoint.sh: node ARGS)", container: { name: "c", image: "node:20-bookworm-slim", args: ["-e", "1"] }, argv: ["/usr/bin/node", "-e", "1"] },
];

for (const c of CASES) {
  test(`containerArgv: ${c.name}`, () => {
    assert.deepEqual(containerArgv(IMAGES, c.container), { ok: true, value: c.argv });
  });
}

test("containerArgv: an image mapped to nothing is ErrImagePull with the image in the message (the pod stays Pending)", () => {
  const r = containerArgv(IMAGES, { name: "c", image: "nginx:1.27" });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? undefined : [r.reason, r.message.startsWith('Failed to pull image "nginx:1.27"')], ["ErrImagePull", true]);
  assert.equal(entrypointName("registry.k8s.io/coredns/coredns:v1.11.3"), "coredns");
});

test("exec probe argv: the same image mapping (`portcullis probe-agent --not-ready`), other words from PATH (`false`)", () => {
  const c: Container = { name: "c", image: "portcullis:0.1.0" };
  assert.deepEqual(execArgv(IMAGES, c, ["portcullis", "probe-agent", "--not-ready"]), ["/usr/bin/node", "/repo/bin/portcullis.js", "probe-agent", "--not-ready"]);
  assert.deepEqual(execArgv(IMAGES, c, ["false"]), ["false"]);
});

test("env: values kept; valueFrom refused with CreateContainerConfigError", () => {
  assert.deepEqual(containerEnv({ name: "c", env: [{ name: "A", value: "1" }, { name: "B" }] }), { ok: true, value: { A: "1", B: "" } });
  const r = containerEnv({ name: "c", env: [{ name: "T", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] });
  assert.equal(r.ok ? "" : r.reason, "CreateContainerConfigError");
});

test("a named port resolves in the containers' ports; a number is itself; an unknown name is nothing", () => {
  const cs: Container[] = [{ name: "a", ports: [{ name: "http", containerPort: 8080 }] }];
  assert.deepEqual([resolvePort(cs, "http"), resolvePort(cs, 53), resolvePort(cs, "9090"), resolvePort(cs, "grpc")], [8080, 53, 9090, undefined]);
});

test("pod addresses (host-local IPAM): the gateway is the CIDR's first host; pods get the next free after the last given, wrapping, never network/gateway/broadcast", () => {
  const a = new PodAddresses("10.244.1.0/29");
  assert.equal(a.gateway, "10.244.1.1");
  assert.deepEqual([a.take(), a.take(), a.take()], ["10.244.1.2", "10.244.1.3", "10.244.1.4"]);
  a.release("10.244.1.3");
  assert.equal(a.take(), "10.244.1.5", "a released address is not reused at once");
  assert.equal(a.take(), "10.244.1.6");
  assert.equal(a.take(), "10.244.1.3", "wrapped around to the free one");
  assert.equal(a.take(), undefined, "10.244.1.7 is the broadcast address");
  const held = new PodAddresses("10.244.3.0/24");
  assert.equal(held.take((ip) => ip === "10.244.3.2"), "10.244.3.3", "an address a stored pod object holds is skipped");
  const tiny = new PodAddresses("10.244.2.0/30");
  assert.deepEqual([tiny.take(), tiny.take()], ["10.244.2.2", undefined]);
  assert.throws(() => new PodAddresses("fd00::/64"), /not an IPv4 block/);
});

test("restart policy (pod lifecycle doc): Always restarts any exit, OnFailure a non-zero one, Never none; backoff doubles to a 2 s cap", () => {
  assert.deepEqual([restarts("Always", 0), restarts(undefined, 0), restarts("OnFailure", 0), restarts("OnFailure", 1), restarts("Never", 1)], [true, true, false, true, false]);
  assert.deepEqual([0, 1, 2, 5, 30].map(restartDelayMs), [100, 200, 400, 2000, 2000]);
});

const rt = (states: PodRuntime["containers"][number]["state"][], extra: Partial<PodRuntime> = {}): PodRuntime => ({
  hostIP: "10.244.1.1",
  podIP: "10.244.1.2",
  startTime: "2026-01-01T00:00:00Z",
  sandbox: true,
  containers: states.map((state, k) => ({ name: `c${k}`, image: "i", state, ready: state.kind === "running", restartCount: 0, started: state.kind !== "waiting" })),
  ...extra,
});
const done = (exitCode: number) => ({ kind: "terminated" as const, exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt: "t", finishedAt: "t" });

test("phase (pod lifecycle doc): Pending while a container waits to start; Running; Succeeded when all exited 0; Failed when one failed and is not restarted; Failed with the kubelet's reason", () => {
  assert.equal(podPhase("Never", rt([{ kind: "waiting", reason: "ContainerCreating" }])), "Pending");
  assert.equal(podPhase("Never", rt([{ kind: "running", startedAt: "t" }, done(0)])), "Running");
  assert.equal(podPhase("Never", rt([done(0), done(0)])), "Succeeded");
  assert.equal(podPhase("Never", rt([done(0), done(1)])), "Failed");
  assert.equal(podPhase("OnFailure", rt([done(1)])), "Running");
  assert.equal(podPhase("Always", rt([done(0)])), "Running");
  assert.equal(podPhase("Always", rt([{ kind: "running", startedAt: "t" }], { failed: { reason: "DeadlineExceeded", message: "m" } })), "Failed");
});

test("status: Ready and ContainersReady follow the containers' readiness (reason ContainersNotReady), PodCompleted once done; a condition keeps its lastTransitionTime while unchanged", () => {
  const s1 = podStatusJson({ restartPolicy: "Never" }, rt([{ kind: "running", startedAt: "t" }]), "T1") as { conditions: { type: string; status: string; lastTransitionTime: string; reason?: string }[]; podIPs: unknown };
  const ready = s1.conditions.find((c) => c.type === "Ready");
  assert.deepEqual([ready?.status, ready?.lastTransitionTime], ["True", "T1"]);
  assert.deepEqual(s1.podIPs, [{ ip: "10.244.1.2" }]);
  const s2 = podStatusJson({ restartPolicy: "Never" }, rt([{ kind: "running", startedAt: "t" }]), "T2", s1) as typeof s1;
  assert.equal(s2.conditions.find((c) => c.type === "Ready")?.lastTransitionTime, "T1");
  const s3 = podStatusJson({ restartPolicy: "Never" }, rt([done(0)]), "T3", s2) as typeof s1;
  assert.deepEqual(s3.conditions.find((c) => c.type === "Ready"), { type: "Ready", status: "False", lastProbeTime: null, lastTransitionTime: "T3", reason: "PodCompleted" });
});

// kubernetes.io "DNS for Services and Pods", Pod's DNS Policy: "ClusterFirst: Any DNS query that does not match the
// configured cluster domain suffix … is forwarded to an upstream nameserver"; "Default: The Pod inherits the name
// resolution configuration from the node"; "None: … all DNS settings are supposed to be provided using the dnsConfig
// field"; dnsConfig: "nameservers … will be added to the nameservers generated from the specified DNS policy with
// duplicate addresses removed", searches likewise, options "merged with the options generated from the specified DNS policy".
test("resolv.conf by dnsPolicy: ClusterFirst (default), ClusterFirst + dnsConfig merged, None (dnsConfig only), Default (the node's)", () => {
  assert.equal(resolvConf({}, "apps", "10.96.0.10"), "search apps.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  assert.equal(
    resolvConf({ dnsConfig: { nameservers: ["1.1.1.1", "10.96.0.10"], searches: ["corp.example"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }, "apps", "10.96.0.10"),
    "search apps.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 edns0\n",
  );
  assert.equal(resolvConf({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"] } }, "apps", "10.96.0.10"), "nameserver 1.1.1.1\n");
  assert.equal(resolvConf({ dnsPolicy: "Default" }, "apps", "10.96.0.10"), undefined);
});
