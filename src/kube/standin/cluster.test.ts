/**
 * The stand-in cluster end to end (root, ip netns, nft; skipped otherwise, failing with CI=true):
 * kubectl v1.32 runs a pod, reads its log and its wide listing as on a cluster; readiness, deadlines,
 * pod-to-pod TCP and UDP, the cluster DNS through each pod's resolv.conf, ClusterIP DNAT; the node
 * agent enforcing a default deny (and no enforcer: the Flannel case); ReplicaSet adoption; nothing
 * left after stop().
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../lab/run.js";
import { type StandInCluster, standInClusterSupport, startStandInCluster } from "./cluster.js";
import type { KubeObject } from "./standin.js";
import { kubectlSkip } from "./testing.js";

const NODE_IMAGE = "node:20-bookworm-slim";
const kubectlMissing = kubectlSkip();

/** A server answering its identity: TCP 8080 and UDP 8081 (as the lab's identity servers). */
const SERVER = `const net=require("net"),dgram=require("dgram");const id=process.env.ID;
net.createServer(s=>{s.on("error",()=>{});s.end(id+"\\n")}).listen(8080);
const u=dgram.createSocket("udp4");u.on("message",(m,r)=>u.send(id+"\\n",r.port,r.address));u.bind(8081,()=>console.log("listening"));
process.on("SIGTERM",()=>process.exit(0));`;

/** A client: each target of PROBES (tcp/udp host:port, or dns NAME by resolve4 and by lookup), one JSON line each, 1 s timeouts. */
const CLIENT = `const net=require("net"),dgram=require("dgram"),dns=require("dns");
const probe=(p)=>new Promise((done)=>{let sock;const t=setTimeout(()=>{sock?.close?.();sock?.destroy?.();done("timeout")},1000);const fin=(r)=>{clearTimeout(t);done(r)};
if(p.kind==="tcp"){const s=sock=net.connect(p.port,p.host);let got="";s.on("data",(d)=>got+=d);s.on("end",()=>fin("answer "+got.trim()));s.on("error",(e)=>fin(e.code));}
else if(p.kind==="udp"){const u=sock=dgram.createSocket("udp4");u.on("message",(m)=>{u.close();fin("answer "+String(m).trim())});u.send("portcullis-probe\\n",p.port,p.host);}
else if(p.kind==="resolve4"){dns.resolve4(p.host,(e,a)=>fin(e?e.code:a.join(",")));}
else{dns.lookup(p.host,{family:4},(e,a)=>fin(e?e.code:a));}});
(async()=>{for(const p of JSON.parse(process.env.PROBES)){console.log(JSON.stringify({...p,result:await probe(p)}))}})();`;

/** Ready once the server listens (without a probe a pod is Ready when its process starts, before it listens). */
const LISTENING = { readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 1 } };

type Probe = { kind: "tcp" | "udp" | "resolve4" | "lookup"; host: string; port?: number };

function pod(namespace: string, name: string, o: { labels?: Record<string, string>; script?: string; env?: Record<string, string>; image?: string; extra?: Record<string, unknown>; container?: Record<string, unknown> }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: o.labels ?? {} },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: "main",
          image: o.image ?? NODE_IMAGE,
          command: ["node", "-e", o.script ?? SERVER],
          env: Object.entries(o.env ?? {}).map(([k, v]) => ({ name: k, value: v })),
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }, { name: "echo", containerPort: 8081, protocol: "UDP" }],
          ...(o.container ?? {}),
        },
      ],
      ...(o.extra ?? {}),
    },
  };
}

const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface PodView {
  status?: { phase?: string; reason?: string; podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; restartCount: number; state: Record<string, { reason?: string; exitCode?: number; message?: string }> }[] };
  metadata: KubeObject["metadata"];
}

const view = (c: StandInCluster, namespace: string, name: string): PodView | undefined => c.api.get("Pod", namespace, name) as PodView | undefined;
const condition = (p: PodView | undefined, type: string): string | undefined => p?.status?.conditions?.find((x) => x.type === type)?.status;

/** GET as text (the log subresource is text/plain), as the admin. */
function getText(c: StandInCluster, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${c.api.url}${path}`, { ca: c.api.caPem, headers: { Authorization: `Bearer ${c.api.token("admin")}` }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Runs a client pod with these probes and returns its result lines. */
async function probeFrom(c: StandInCluster, namespace: string, name: string, probes: readonly Probe[], labels: Record<string, string> = {}): Promise<string[]> {
  c.api.apply(pod(namespace, name, { labels, script: CLIENT, env: { PROBES: JSON.stringify(probes) } }));
  await until(`${name} Succeeded`, () => view(c, namespace, name)?.status?.phase === "Succeeded");
  const r = await getText(c, `/api/v1/namespaces/${namespace}/pods/${name}/log`);
  assert.equal(r.status, 200, r.text);
  return r.text.trim().split("\n").map((l) => (JSON.parse(l) as { result: string }).result);
}

const support = await standInClusterSupport();
if (!support.ok && process.env["CI"] === "true") throw new Error(`the stand-in cluster tests must run in CI: ${support.reason}`);
const skip = support.ok ? false : support.reason;

describe("stand-in cluster (no enforcer: the Flannel case)", { skip }, () => {
  let c: StandInCluster;
  const dir = mkdtempSync(join(tmpdir(), "standin-cluster-test-"));
  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile("kubectl", ["--kubeconfig", c.kubeconfigPath, "--cache-dir", join(dir, "cache"), ...args], { env: { PATH: process.env["PATH"] ?? "", HOME: dir }, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      });
    });

  before(async () => {
    c = await startStandInCluster({
      enforce: false,
      outside: [{ ip: "203.0.113.9", ports: [{ port: 443, protocol: "TCP" }] }],
      dnsRecords: { "api.example.com": ["203.0.113.9"] },
      objects: [ns("apps")],
    });
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("kubectl run: the pod becomes Running with an IP of the node's podCIDR, in its own netns; kubectl get pod -o wide shows it as on a cluster; kubectl logs shows its output", { skip: kubectlMissing }, async () => {
    const started = Date.now();
    const r = await kubectl("run", "hello", `--image=${NODE_IMAGE}`, "--restart=Never", "--", "node", "-e", "console.log('hello from ' + process.env.HOSTNAME); console.error('to stderr'); setInterval(() => {}, 1000)");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "pod/hello created\n");
    const p = await until("hello Running", () => (view(c, "default", "hello")?.status?.phase === "Running" ? view(c, "default", "hello") : undefined), 5000);
    assert.ok(Date.now() - started < 3000, "kubectl run to Running well under the bench's budget");
    assert.match(p.status?.podIP ?? "", /^10\.244\.1\.(\d+)$/);
    assert.equal(p.status?.hostIP, "10.244.1.1");
    assert.equal(condition(p, "Ready"), "True", "no readiness probe: ready when running");
    assert.ok(c.netnsNames().includes(c.podNetns("default", "hello") ?? "-"));
    await until("the log", async () => (await kubectl("logs", "hello")).stdout.includes("to stderr"));
    assert.equal((await kubectl("logs", "hello")).stdout, "hello from hello\nto stderr\n");
    const wide = await kubectl("get", "pod", "hello", "-o", "wide");
    assert.equal(wide.code, 0, wide.stderr);
    const [header, row] = wide.stdout.trim().split("\n");
    assert.match(header ?? "", /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    assert.match(row ?? "", new RegExp(`^hello\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+${(p.status?.podIP ?? "").replaceAll(".", "\\.")}\\s+lab-node-1\\s+<none>\\s+<none>$`));
    const described = await kubectl("describe", "pod", "hello");
    assert.equal(described.code, 0, described.stderr);
    const events = described.stdout.slice(described.stdout.indexOf("Events:")).split("\n").slice(3).map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(events.filter((e) => e.length === 5).map((e) => [e[1], e[3], e[4]]), [
      ["Scheduled", "default-scheduler", "Successfully assigned default/hello to lab-node-1"],
      ["Pulled", "kubelet", `Container image "${NODE_IMAGE}" already present on machine`],
      ["Created", "kubelet", "Created container: hello"],
      ["Started", "kubelet", "Started container hello"],
    ]);
  });

  test("kubectl delete pod: graceful (SIGTERM), the netns removed before the object is; a watch sees DELETED after the process is gone", { skip: kubectlMissing }, async () => {
    const netns = await until("hello's netns", () => c.podNetns("default", "hello"));
    const r = await kubectl("delete", "pod", "hello", "--timeout=20s");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.api.get("Pod", "default", "hello"), undefined);
    assert.ok(!c.netnsNames().includes(netns));
    assert.ok(!existsSync(`/etc/netns/${netns}`), "its resolv.conf dir removed with it");
    assert.ok(!(await run(["ip", "netns", "list"])).stdout.includes(netns));
  });

  test("an unknown image: the pod stays Pending, container waiting with ErrImagePull and a message; kubectl logs prints the kubelet's 400", { skip: kubectlMissing }, async () => {
    c.api.apply(pod("default", "nopull", { image: "registry.example/nothing:1" }));
    const p = await until("ErrImagePull", () => {
      const v = view(c, "default", "nopull");
      return v?.status?.containerStatuses?.[0]?.state["waiting"]?.reason === "ErrImagePull" ? v : undefined;
    });
    assert.equal(p.status?.phase, "Pending");
    assert.match(p.status?.containerStatuses?.[0]?.state["waiting"]?.message ?? "", /^Failed to pull image "registry\.example\/nothing:1"/);
    const reasons = c.api.list("Event").filter((e) => (e["involvedObject"] as { name?: string }).name === "nopull").map((e) => `${String(e["type"])} ${String(e["reason"])}: ${String(e["message"]).split(":")[0] ?? ""}`);
    assert.deepEqual(reasons, [
      "Normal Scheduled: Successfully assigned default/nopull to lab-node-1",
      'Normal Pulling: Pulling image "registry.example/nothing',
      'Warning Failed: Failed to pull image "registry.example/nothing',
      "Warning Failed: Error",
    ]);
    const logs = await kubectl("logs", "nopull");
    assert.equal(logs.code, 1);
    assert.match(logs.stderr, /container "main" in pod "nopull" is waiting to start: trying and failing to pull image/);
    c.api.delete("Pod", "default", "nopull");
    await until("nopull gone", () => c.api.get("Pod", "default", "nopull") === undefined);
  });

  test("readinessProbe exec that fails (`false`): Running but Ready stays False; activeDeadlineSeconds kills it: Failed, DeadlineExceeded", async () => {
    c.api.apply(pod("default", "unready", { container: { readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 } }, extra: { activeDeadlineSeconds: 2 } }));
    await until("Running", () => view(c, "default", "unready")?.status?.phase === "Running");
    await new Promise((r) => setTimeout(r, 1200));
    const p = view(c, "default", "unready");
    assert.equal(p?.status?.phase, "Running");
    assert.equal(condition(p, "Ready"), "False");
    assert.equal(p?.status?.containerStatuses?.[0]?.ready, false);
    const failed = await until("DeadlineExceeded", () => (view(c, "default", "unready")?.status?.phase === "Failed" ? view(c, "default", "unready") : undefined), 5000);
    assert.equal(failed.status?.reason, "DeadlineExceeded");
    assert.ok(failed.status?.containerStatuses?.[0]?.state["terminated"] !== undefined, "the container was killed");
  });

  test("restartPolicy OnFailure: a container exiting 1 is restarted with backoff, restartCount counts, lastState says how it ended, the previous run's log stays readable (?previous=true)", async () => {
    c.api.apply(pod("default", "crashy", { script: "console.log('run at ' + Date.now()); process.exit(1)", extra: { restartPolicy: "OnFailure" } }));
    const p = await until("two restarts", () => {
      const v = view(c, "default", "crashy");
      return (v?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? v : undefined;
    });
    assert.equal(p.status?.phase, "Running", "OnFailure: the pod is Running while it restarts");
    const last = (p.status?.containerStatuses?.[0] as unknown as { lastState: { terminated?: { exitCode: number; reason: string } } }).lastState;
    assert.deepEqual([last.terminated?.exitCode, last.terminated?.reason], [1, "Error"]);
    const previous = await getText(c, "/api/v1/namespaces/default/pods/crashy/log?previous=true");
    assert.equal(previous.status, 200);
    assert.match(previous.text, /^run at \d+\n$/);
    c.api.delete("Pod", "default", "crashy");
    await until("crashy gone", () => c.api.get("Pod", "default", "crashy") === undefined);
  });

  test("dnsPolicy None with dnsConfig: the pod's resolv.conf is the pod's (the kubelet writes it)", async () => {
    c.api.apply(pod("default", "own-dns", { script: "console.log(require('fs').readFileSync('/etc/resolv.conf', 'utf8'))", extra: { dnsPolicy: "None", dnsConfig: { nameservers: ["203.0.113.53"], searches: ["corp.example"] } } }));
    await until("own-dns Succeeded", () => view(c, "default", "own-dns")?.status?.phase === "Succeeded");
    assert.equal((await getText(c, "/api/v1/namespaces/default/pods/own-dns/log")).text, "search corp.example\nnameserver 203.0.113.53\n\n");
  });

  test("two pods talk TCP and UDP; the cluster DNS answers <svc>.<ns>.svc.cluster.local (the ClusterIP) through resolv.conf, also by the search list; a TCP connection to ClusterIP:port reaches the endpoint pod (kube-proxy DNAT); external names and hosts", async () => {
    c.api.apply(pod("apps", "web", { labels: { app: "web" }, env: { ID: "apps/web" }, container: LISTENING }));
    c.api.apply({ apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "apps" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "echo", port: 81, protocol: "UDP", targetPort: 8081 }] } });
    const web = await until("web Ready", () => (condition(view(c, "apps", "web"), "Ready") === "True" ? view(c, "apps", "web") : undefined));
    const clusterIp = (c.api.get("Service", "apps", "web")?.["spec"] as { clusterIP?: string }).clusterIP ?? "";
    assert.match(clusterIp, /^10\.96\.\d+\.\d+$/, "a ClusterIP allocated at create");
    const ip = web.status?.podIP ?? "";
    assert.deepEqual(
      await probeFrom(c, "apps", "client", [
        { kind: "tcp", host: ip, port: 8080 },
        { kind: "udp", host: ip, port: 8081 },
        { kind: "resolve4", host: "web.apps.svc.cluster.local" },
        { kind: "lookup", host: "web" },
        { kind: "resolve4", host: "nothing.apps.svc.cluster.local" },
        { kind: "tcp", host: clusterIp, port: 80 },
        { kind: "udp", host: clusterIp, port: 81 },
        { kind: "lookup", host: "api.example.com" },
        { kind: "tcp", host: "203.0.113.9", port: 443 },
      ]),
      ["answer apps/web", "answer apps/web", clusterIp, clusterIp, "ENOTFOUND", "answer apps/web", "answer apps/web", "203.0.113.9", "answer internet 203.0.113.9"],
    );
  });

  test("no enforcer (Flannel): a default-deny NetworkPolicy is stored and traffic still flows", async () => {
    c.api.apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    const ip = view(c, "apps", "web")?.status?.podIP ?? "";
    assert.deepEqual(await probeFrom(c, "apps", "client-2", [{ kind: "tcp", host: ip, port: 8080 }]), ["answer apps/web"]);
  });

  test("ReplicaSet adoption: an orphan pod its selector matches is adopted and, one too many, the surplus (not ready, newest) deleted; a pod with a controller ownerReference is never adopted", async () => {
    c.api.apply(ns("rs"));
    c.api.apply(pod("rs", "real", { labels: { app: "api" }, env: { ID: "rs/real" } }));
    await until("real Ready", () => condition(view(c, "rs", "real"), "Ready") === "True");
    c.api.apply({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "api-7d9f", namespace: "rs" }, spec: { replicas: 1, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [] } } } });
    const rsUid = await until("the ReplicaSet's uid", () => c.api.get("ReplicaSet", "rs", "api-7d9f")?.metadata["uid"] as string | undefined);
    const owner = (name: string): unknown => (c.api.get("Pod", "rs", name)?.metadata["ownerReferences"] as { uid: string; controller: boolean }[] | undefined)?.find((r) => r.controller);
    await until("real adopted", () => (owner("real") as { uid?: string } | undefined)?.uid === rsUid);
    // A twin: same labels, a controller ownerReference to something else.
    const twin = pod("rs", "twin", { labels: { app: "api" }, env: { ID: "rs/twin" } });
    twin.metadata["ownerReferences"] = [{ apiVersion: "v1", kind: "ConfigMap", name: "verify-run", uid: "0000-run", controller: true }];
    c.api.apply(twin);
    c.api.apply(pod("rs", "orphan", { labels: { app: "api" }, env: { ID: "rs/orphan" } }));
    await until("the orphan deleted as surplus", () => c.api.get("Pod", "rs", "orphan") === undefined);
    assert.ok(c.api.get("Pod", "rs", "real") !== undefined, "the ready replica stays");
    assert.deepEqual(owner("twin"), { apiVersion: "v1", kind: "ConfigMap", name: "verify-run", uid: "0000-run", controller: true });
    assert.equal(view(c, "rs", "twin")?.metadata["deletionTimestamp"], undefined);
  });

  test("deleting a namespace: Terminating, its pods stopped and deleted, then the namespace; no new content meanwhile", async () => {
    const netns = c.podNetns("rs", "real");
    assert.ok(netns !== undefined);
    c.api.delete("Namespace", null, "rs");
    assert.equal((c.api.get("Namespace", null, "rs")?.["status"] as { phase?: string } | undefined)?.phase ?? "Terminating", "Terminating");
    await until("rs gone", () => c.api.get("Namespace", null, "rs") === undefined);
    assert.deepEqual(c.api.list("Pod").filter((p) => p.metadata.namespace === "rs"), []);
    assert.equal(c.api.list("ReplicaSet").length, 0);
    assert.ok(!c.netnsNames().includes(netns));
  });

  test("stop(): no netns, no /etc/netns/<name> dir, no process left", async () => {
    const names = [...c.netnsNames()];
    assert.ok(names.length >= 4, "routers, the outside host, the DNS pod and pods");
    const pids = (await Promise.all(names.map((n) => run(["ip", "netns", "pids", n])))).flatMap((r) => r.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number));
    assert.ok(pids.length >= 3, "pods' processes were running");
    assert.deepEqual(c.errors(), []);
    await c.stop();
    assert.deepEqual(c.netnsNames(), []);
    const listed = (await run(["ip", "netns", "list"])).stdout;
    for (const n of names) {
      assert.ok(!listed.includes(n), `${n} deleted`);
      assert.ok(!existsSync(`/etc/netns/${n}`), `/etc/netns/${n} removed`);
    }
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, []);
  });
});

for (const topology of ["routed", "bridge"] as const) {
  describe(`stand-in cluster with the node agent enforcing (${topology})`, { skip }, () => {
    let c: StandInCluster;
    before(async () => {
      c = await startStandInCluster({ enforce: true, topology, objects: [ns("apps")] });
    });
    after(async () => {
      await c?.stop();
    });

    test("`portcullis enforce --kubernetes` in the node's router: pods connect, then a default-deny NetworkPolicy applied by the agent makes the connection time out", async () => {
      c.api.apply(pod("apps", "web", { labels: { app: "web" }, env: { ID: "apps/web" }, container: LISTENING }));
      const ip = await until("web's IP", () => (condition(view(c, "apps", "web"), "Ready") === "True" ? view(c, "apps", "web")?.status?.podIP : undefined));
      assert.deepEqual(await probeFrom(c, "apps", "before", [{ kind: "tcp", host: ip, port: 8080 }]), ["answer apps/web"]);
      const applied = (): number => c.enforcerLog().filter((l) => l["msg"] === "applied").length;
      const n = applied();
      c.api.apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "default-deny", namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } });
      await until("the agent applied the policy", () => applied() > n);
      assert.deepEqual(await probeFrom(c, "apps", "after", [{ kind: "tcp", host: ip, port: 8080 }]), ["timeout"]);
      assert.deepEqual(c.errors(), []);
    });
  });
}

describe("stand-in cluster with two nodes", { skip }, () => {
  let c: StandInCluster;
  before(async () => {
    c = await startStandInCluster({ enforce: false, nodes: [{ name: "n1", podCIDR: "10.244.1.0/24" }, { name: "n2", podCIDR: "10.244.2.0/24" }], outside: [{ ip: "203.0.113.9", ports: [{ port: 53, protocol: "UDP" }] }], objects: [ns("apps")] });
  });
  after(async () => {
    await c?.stop();
  });

  test("pods without a node are bound round robin; each gets its node's podCIDR and hostIP; pods on different nodes talk, to each other and through a ClusterIP; both reach the outside host", async () => {
    c.api.apply(pod("apps", "a", { labels: { app: "a" }, env: { ID: "apps/a" }, container: LISTENING }));
    c.api.apply(pod("apps", "b", { labels: { app: "b" }, env: { ID: "apps/b" }, container: LISTENING }));
    c.api.apply({ apiVersion: "v1", kind: "Service", metadata: { name: "b", namespace: "apps" }, spec: { selector: { app: "b" }, ports: [{ port: 80, targetPort: 8080 }] } });
    const [a, b] = await until("both Ready", () => {
      const both = [view(c, "apps", "a"), view(c, "apps", "b")];
      return both.every((p) => condition(p, "Ready") === "True") ? both : undefined;
    });
    const nodes = [a, b].map((p) => (c.api.get("Pod", "apps", p?.metadata.name ?? "")?.["spec"] as { nodeName?: string }).nodeName).sort();
    assert.deepEqual(nodes, ["n1", "n2"]);
    for (const p of [a, b]) {
      const third = (p?.status?.podIP ?? "").split(".")[2];
      assert.equal(p?.status?.hostIP, `10.244.${third ?? ""}.1`);
    }
    const clusterIp = (c.api.get("Service", "apps", "b")?.["spec"] as { clusterIP: string }).clusterIP;
    // The client lands on the node after b's (round robin): n1 or n2, either way one crossing.
    assert.deepEqual(
      await probeFrom(c, "apps", "client", [
        { kind: "tcp", host: a?.status?.podIP ?? "", port: 8080 },
        { kind: "tcp", host: b?.status?.podIP ?? "", port: 8080 },
        { kind: "tcp", host: clusterIp, port: 80 },
        { kind: "udp", host: "203.0.113.9", port: 53 },
      ]),
      ["answer apps/a", "answer apps/b", "answer apps/b", "answer internet 203.0.113.9"],
    );
    assert.deepEqual(c.errors(), []);
  });
});
