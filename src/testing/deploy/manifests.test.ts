/**
 * deploy/ and charts/portcullis: the chart's default render is deploy/, object by object; the
 * ClusterRole grants exactly what the agent reads (AGENT_RESOURCES, src/agent/watches.ts) and the Events it writes
 * (EVENTS_RESOURCE, src/agent/events.ts);
 * the DaemonSet's settings agree with each other (ports, node name, capabilities); `portcullis lint`
 * has nothing to say about either. Rendered with the subset renderer (helm is not installable here;
 * `helm template portcullis charts/portcullis` is the reference).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { parseCommandLine } from "../../cli/args.js";
import { cliInProcess } from "../../cli/e2e-support.js";
import type { LiveResource } from "../../kube/live.js";
import { EVENTS_RESOURCE } from "../../agent/events.js";
import { AGENT_RESOURCES } from "../../agent/watches.js";
import { CHART_DIR, DEPLOY_DIR, deployObjects, type KubeObject, objectKey, renderChart, renderChartText, ROOT } from "./artefacts.js";

const byKey = (objects: readonly KubeObject[]): Map<string, KubeObject> => new Map(objects.map((o) => [objectKey(o), o]));

test("the chart's default render equals deploy/, object by object (parsed YAML)", () => {
  const deploy = byKey(deployObjects());
  const chart = byKey(renderChart());
  assert.deepEqual([...chart.keys()].sort(), [...deploy.keys()].sort());
  for (const [key, object] of deploy) assert.deepEqual(chart.get(key), object, `${key} differs between deploy/ and the chart`);
});

test("deploy/ holds the five objects of the issue: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, DaemonSet", () => {
  assert.deepEqual(
    deployObjects().map(objectKey),
    ["Namespace portcullis-system", "ServiceAccount portcullis-system/portcullis", "ClusterRole portcullis", "ClusterRoleBinding portcullis", "DaemonSet portcullis-system/portcullis"],
    "in this order: kubectl apply -f creates the namespace before what lives in it",
  );
});

// --- RBAC -------------------------------------------------------------------------------------

interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** A ClusterRole's grants, one `verb group/resource` each ("" is the core group). */
function grants(role: KubeObject): string[] {
  const rules = role["rules"] as readonly PolicyRule[];
  return rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)))).sort();
}

const grant = (verbs: readonly string[], resources: readonly LiveResource[]): string[] => resources.flatMap((r) => verbs.map((v) => `${v} ${r.group}/${r.resource}`));

function find(objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.find((o) => o.kind === kind);
  assert.ok(found !== undefined, `no ${kind}`);
  return found;
}

for (const [source, objects] of [["deploy/", deployObjects()], ["the chart", renderChart()]] as const) {
  test(`${source}: the ClusterRole grants get/list/watch on exactly what the agent watches (AGENT_RESOURCES) and create/patch on the Events it posts (events.k8s.io), nothing else`, () => {
    const expected = [...grant(["get", "list", "watch"], AGENT_RESOURCES), ...grant(["create", "patch"], [EVENTS_RESOURCE])].sort();
    assert.deepEqual(grants(find(objects, "ClusterRole")), expected);
  });
}

test("the agent watches the admin policy kinds at the group the decoder reads them (policy.networking.k8s.io), and NetworkPolicies at networking.k8s.io", () => {
  const at = (kind: string): string | undefined => AGENT_RESOURCES.find((r) => r.kind === kind)?.group;
  for (const kind of ["ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"]) assert.equal(at(kind), "policy.networking.k8s.io", kind);
  assert.equal(at("NetworkPolicy"), "networking.k8s.io");
  for (const kind of ["Namespace", "Pod", "Service", "Node"]) assert.equal(at(kind), "", kind);
});

test("the ClusterRoleBinding binds the ClusterRole to the DaemonSet's ServiceAccount, in its namespace", () => {
  const objects = deployObjects();
  const binding = find(objects, "ClusterRoleBinding");
  const account = find(objects, "ServiceAccount");
  const pod = daemonSetPod(find(objects, "DaemonSet"));
  assert.deepEqual(binding["roleRef"], { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: find(objects, "ClusterRole").metadata.name });
  assert.deepEqual(binding["subjects"], [{ kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace }]);
  assert.equal(pod.serviceAccountName, account.metadata.name);
});

// --- the DaemonSet ----------------------------------------------------------------------------

interface Container {
  readonly args: readonly string[];
  readonly env: readonly { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  readonly ports: readonly { containerPort: number }[];
  readonly livenessProbe: { httpGet: { path: string; port: number } };
  readonly readinessProbe: { httpGet: { path: string; port: number } };
  readonly image: string;
  readonly securityContext: {
    readonly runAsUser: number;
    readonly runAsNonRoot: boolean;
    readonly allowPrivilegeEscalation: boolean;
    readonly readOnlyRootFilesystem: boolean;
    readonly capabilities: { drop: string[]; add: string[] };
  };
  readonly volumeMounts?: readonly { name: string; mountPath: string }[];
}

interface PodSpec {
  readonly serviceAccountName: string;
  readonly hostNetwork: boolean;
  readonly dnsPolicy: string;
  readonly priorityClassName: string;
  readonly tolerations: readonly unknown[];
  readonly volumes?: readonly unknown[];
  readonly containers: readonly Container[];
}

function daemonSetPod(ds: KubeObject): PodSpec {
  return (ds["spec"] as { template: { spec: PodSpec } }).template.spec;
}

function agent(objects: readonly KubeObject[] = deployObjects()): Container {
  const containers = daemonSetPod(find(objects, "DaemonSet")).containers;
  assert.equal(containers.length, 1);
  return containers[0] as Container;
}

/** The value after `flag` in args. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

test("the node name comes from the downward API (spec.nodeName) and is passed as --node $(NODE_NAME)", () => {
  const c = agent();
  assert.deepEqual(c.env.find((e) => e.name === "NODE_NAME")?.valueFrom, { fieldRef: { fieldPath: "spec.nodeName" } });
  // "Variable references $(VAR_NAME) are expanded using the container's environment."
  assert.equal(flagValue(c.args, "--node"), "$(NODE_NAME)");
});

test("the probes reach the ops server where --listen puts it: liveness on /healthz, readiness on /readyz, the declared container port", () => {
  const c = agent();
  const port = Number(/:(\d+)$/.exec(flagValue(c.args, "--listen") ?? "")?.[1]);
  assert.equal(port, 9842, "the agent's default ops port");
  assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port });
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port });
  assert.deepEqual(c.ports.map((p) => p.containerPort), [port]);
});

test("the agent runs in the node's network namespace, on every node, evicted last", () => {
  const pod = daemonSetPod(find(deployObjects(), "DaemonSet"));
  assert.equal(pod.hostNetwork, true);
  // "For Pods running with hostNetwork, you should explicitly set its DNS policy to 'ClusterFirstWithHostNet'."
  assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
  // "An empty key with operator Exists matches all keys, values and effects which means this will tolerate everything."
  assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
  assert.equal(pod.priorityClassName, "system-node-critical");
  // No hostPath: the agent loads no kernel module (br_netfilter is a node prerequisite it checks).
  assert.deepEqual(pod.volumes, [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }]);
});

/** Mebibytes of a Kubernetes quantity written as `NMi` or `NGi` (what deploy/ and the chart write). */
function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  assert.ok(m !== null, `memory ${quantity}: written in Mi or Gi`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

test("V8's heap cap (NODE_OPTIONS --max-old-space-size, MiB) sits under the memory limit with room for the young generation, code and native buffers (>= 128 MiB); the chart's nodeOptions value sets it", () => {
  for (const [source, c] of [["deploy/", agent()], ["the chart with nodeOptions and a limit set", agent(renderChart({ nodeOptions: "--max-old-space-size=900", resources: { limits: { memory: "1280Mi" } } }))]] as const) {
    const options = c.env.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
    const cap = /(?:^| )--max-old-space-size=(\d+)(?: |$)/.exec(options);
    assert.ok(cap !== null, `${source}: NODE_OPTIONS ${JSON.stringify(options)} sets --max-old-space-size`);
    const limit = mebibytes((c as Container & { resources: { limits: { memory: string } } }).resources.limits.memory);
    assert.ok(limit - Number(cap[1]) >= 128, `${source}: limit ${limit} MiB, heap cap ${cap[1]} MiB`);
  }
  assert.equal(agent(renderChart({ nodeOptions: "--max-old-space-size=900" })).env.find((e) => e.name === "NODE_OPTIONS")?.value, "--max-old-space-size=900");
});

test("privileges: uid 0 with every capability dropped but NET_ADMIN, no escalation, a read-only root filesystem", () => {
  const s = agent().securityContext;
  assert.deepEqual(s.capabilities, { drop: ["ALL"], add: ["NET_ADMIN"] });
  assert.equal(s.runAsUser, 0);
  assert.equal(s.runAsNonRoot, false);
  assert.equal(s.allowPrivilegeEscalation, false);
  assert.equal(s.readOnlyRootFilesystem, true);
});

test("under the read-only root filesystem, /tmp is a small memory emptyDir: the long-lived nft's private directory (NftSession: mkdtemp in the temp dir) needs a writable place", () => {
  const pod = daemonSetPod(find(deployObjects(), "DaemonSet"));
  assert.deepEqual(agent().volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
  assert.ok(pod.volumes?.some((v) => (v as { name: string }).name === "tmp"));
});

test("one version everywhere: package.json, Chart.yaml version and appVersion, the chart's image tag, deploy/'s image", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const chart = parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string; appVersion: string; name: string };
  const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")) as { image: { tag: string } };
  assert.deepEqual([chart.version, chart.appVersion, values.image.tag], [version, version, version]);
  assert.equal(chart.name, "portcullis");
  assert.equal(agent().image, `portcullis:${version}`);
});

// --- values -----------------------------------------------------------------------------------

test("chart values: audit adds --audit, onExit and logFormat set their flags, extraArgs come last", () => {
  const c = agent(renderChart({ audit: true, onExit: "remove", logFormat: "text", extraArgs: ["--verbose", "--x=1"] }));
  assert.equal(flagValue(c.args, "--on-exit"), "remove");
  assert.equal(flagValue(c.args, "--log-format"), "text");
  assert.deepEqual(c.args.slice(-3), ["--audit", "--verbose", "--x=1"]);
  assert.ok(!agent().args.includes("--audit"), "the default enforces");
});

test("chart values: dnsProxy adds --dns-proxy with its address (docs/dns-names/enforcement.md), before extraArgs; absent by default (domain rules then fail closed)", () => {
  const c = agent(renderChart({ dnsProxy: "169.254.53.53:5353", extraArgs: ["--dns-min-ttl", "10"] }));
  assert.equal(flagValue(c.args, "--dns-proxy"), "169.254.53.53:5353");
  assert.deepEqual(c.args.slice(-2), ["--dns-min-ttl", "10"]);
  assert.ok(!agent().args.includes("--dns-proxy"), "the default runs no DNS proxy");
});

test("chart values: listen moves --listen, the container port and both probes together", () => {
  const c = agent(renderChart({ listen: { address: "[::]", port: 19842 } }));
  assert.equal(flagValue(c.args, "--listen"), "[::]:19842");
  assert.equal(c.livenessProbe.httpGet.port, 19842);
  assert.equal(c.readinessProbe.httpGet.port, 19842);
  assert.deepEqual(c.ports.map((p) => p.containerPort), [19842]);
});

test("chart values: namespace moves the Namespace, the namespaced objects and the binding's subject", () => {
  const objects = renderChart({ namespace: "netsec" });
  assert.deepEqual(objects.map(objectKey).sort(), ["ClusterRole portcullis", "ClusterRoleBinding portcullis", "DaemonSet netsec/portcullis", "Namespace netsec", "ServiceAccount netsec/portcullis"]);
  assert.equal((find(objects, "ClusterRoleBinding")["subjects"] as { namespace: string }[])[0]?.namespace, "netsec");
});

test("chart values: tolerations [] and nodeSelector null (helm's way to drop a default map) leave the fields out; image and resources are the values'", () => {
  const objects = renderChart({ tolerations: [], nodeSelector: null, image: { repository: "registry.example.com/pc", tag: "9.9.9" }, resources: { limits: { memory: "1Gi" } } });
  const pod = daemonSetPod(find(objects, "DaemonSet")) as PodSpec & { nodeSelector?: unknown };
  assert.equal(pod.tolerations, undefined);
  assert.equal(pod.nodeSelector, undefined);
  const c = pod.containers[0] as Container & { resources: unknown };
  assert.equal(c.image, "registry.example.com/pc:9.9.9");
  // Values merge map by map, as helm merges `--set` into values.yaml.
  assert.deepEqual(c.resources, { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } });
});

// --- the agent's command line ------------------------------------------------------------------

test("the DaemonSet's args are a valid portcullis command line (enforce --kubernetes ...)", () => {
  for (const [source, c] of [["deploy/", agent()], ["the chart with every value set", agent(renderChart({ audit: true, onExit: "remove" }))]] as const) {
    const argv = c.args.map((a) => a.replace("$(NODE_NAME)", "node-1"));
    const parsed = parseCommandLine(argv);
    assert.ok(parsed.ok, `${source}: portcullis ${argv.join(" ")}: ${parsed.ok ? "" : parsed.error.message}`);
  }
});

// --- lint -------------------------------------------------------------------------------------

async function lintClean(path: string): Promise<void> {
  const r = await cliInProcess(["lint", "-f", path, "-o", "json"]);
  assert.equal(r.stderr, "");
  assert.deepEqual(JSON.parse(r.stdout), { findings: [] });
  assert.equal(r.code, 0);
}

test("portcullis lint of deploy/: no findings", () => lintClean(DEPLOY_DIR));

test("portcullis lint of the chart's render (default values, and with audit and extraArgs): no findings", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pc-chart-"));
  try {
    for (const [name, overrides] of [["default", {}], ["audit", { audit: true, extraArgs: ["--verbose"] }]] as const) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, renderChartText(overrides));
      await lintClean(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- the docs name real values ------------------------------------------------------------------

test("every `--set KEY=` in README.md and docs/deploy.md names a chart value, and docs/deploy.md lists every value", () => {
  const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")) as Record<string, unknown>;
  const has = (path: string): boolean => {
    let v: unknown = values;
    for (const key of path.split(".")) {
      if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return false;
      v = (v as Record<string, unknown>)[key];
    }
    return true;
  };
  const docs = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");
  const sets = [readFileSync(join(ROOT, "README.md"), "utf8"), docs].flatMap((text) => [...text.matchAll(/--set ([\w.]+)=/g)].map((m) => m[1] ?? ""));
  assert.ok(sets.length >= 3);
  for (const key of sets) assert.ok(has(key), `--set ${key}: no such value in charts/portcullis/values.yaml`);
  const listed = /^Chart values: ([\s\S]*?)\.\n\n/m.exec(docs)?.[1] ?? "";
  for (const key of Object.keys(values)) assert.ok(listed.includes(`\`${key}`), `docs/deploy.md's "Chart values" does not name ${key}`);
});
