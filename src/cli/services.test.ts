/**
 * Services as destinations (issue 8, item 3), a pod named by one of its addresses (item 4), and
 * answers that hinge on the labels of a namespace the input lacks (item 5). The input,
 * src/cli/testdata/services.yaml, is cut down from a `kubectl get -A -o json` dump of a dual-stack
 * kubeadm cluster: kube-dns at 10.96.0.10 and fd00:10:96::a, a canary rollout behind one Service
 * (the Kubernetes docs' "Canary deployments"), a StatefulSet's headless Service, a Service without
 * selector and an ExternalName Service.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { decodeCluster } from "../k8s/decode.js";
import { parseDocuments } from "../k8s/parse.js";
import { readFileSync } from "node:fs";
import { cliInProcess, ROOT } from "./e2e-support.js";
import { resolveDestination } from "./target.js";

const FILE = join(ROOT, "src", "cli", "testdata", "services.yaml");
const cluster = decodeCluster(parseDocuments({ file: "services.yaml", text: readFileSync(FILE, "utf8") }).documents).value;

const check = (...args: string[]): ReturnType<typeof cliInProcess> => cliInProcess(["check", "-f", FILE, ...args]);

function destination(text: string, namespace: string | null = null): string {
  const r = resolveDestination(text, cluster, namespace);
  if (!r.ok) return `error: ${r.message}`;
  const d = r.destination;
  if (d.kind === "service") return `service ${d.service.namespace}/${d.service.name}${d.clusterIp === null ? "" : " by ClusterIP"}`;
  return d.target.kind === "endpoint" ? `endpoint ${d.target.endpoint.kind}/${d.target.endpoint.id}` : `external ${d.target.addresses.toString()}`;
}

// "ClusterIP: Exposes the Service on a cluster-internal IP" — every form that names the Service.
const FORMS: readonly [string, string | null, string | RegExp][] = [
  ["10.96.0.10", null, "service kube-system/kube-dns by ClusterIP"],
  ["fd00:10:96::a", null, "service kube-system/kube-dns by ClusterIP"],
  ["kube-system/kube-dns", null, "service kube-system/kube-dns"],
  ["svc/kube-system/kube-dns", null, "service kube-system/kube-dns"],
  ["service/kube-system/kube-dns", null, "service kube-system/kube-dns"],
  ["kube-system/kube-dns[Service]", null, "service kube-system/kube-dns"],
  ["kube-dns", "kube-system", "service kube-system/kube-dns"],
  ["svc/kube-dns", "kube-system", "service kube-system/kube-dns"],
  ["kube-dns[svc]", "kube-system", "service kube-system/kube-dns"],
  ["10.244.0.2", null, "endpoint Pod/kube-system/coredns-5d78c9869d-4xk2p"],
  ["10.96.0.11", null, "external 10.96.0.11/32"],
  // A StatefulSet's governing headless Service selects just it: both readings give one answer.
  ["shop/db", null, "endpoint StatefulSet/shop/db"],
  ["svc/shop/db", null, "service shop/db"],
  ["svc/shop/nope", null, /^error: no Service "svc\/shop\/nope" in the manifests/],
];

for (const [text, namespace, expected] of FORMS) {
  test(`kubeadm dump: --to ${text}${namespace === null ? "" : ` -n ${namespace}`} resolves as kube-proxy would`, () => {
    if (typeof expected === "string") assert.equal(destination(text, namespace), expected);
    else assert.match(destination(text, namespace), expected);
  });
}

test("a Deployment and a Service both named web (the usual pairing): ns/name is ambiguous and lists both forms", () => {
  const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;
  const twins = decodeCluster(parseDocuments({ file: "t.yaml", text: yaml }).documents).value;
  const r = resolveDestination("shop/web", twins);
  assert.ok(!r.ok);
  assert.equal(
    r.message,
    `"shop/web" is ambiguous: it names Deployment/shop/web and Service/shop/web; write Kind/namespace/name or namespace/name[Kind] (Deployment/shop/web or shop/web[Deployment] for the workload, svc/shop/web or shop/web[Service] for the Service)`,
  );
  const svc = resolveDestination("shop/web[Service]", twins);
  assert.ok(svc.ok && svc.destination.kind === "service");
});

test("kube-dns ClusterIP 10.96.0.10 as in a kubeadm cluster dump: answered per CoreDNS pod at its IPv4 address", async () => {
  const r = await check("--from", "shop/client", "--to", "10.96.0.10", "--port", "53", "--protocol", "UDP");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.split("\n\n")[0],
    [
      "ALLOWED: 10.96.0.10:53/UDP is Service kube-system/kube-dns → 2 backends, port 53 → 53/UDP",
      "  Pod/kube-system/coredns-5d78c9869d-4xk2p at 10.244.0.2 UDP 53: allowed",
      "  Pod/kube-system/coredns-5d78c9869d-9zq7m at 10.244.1.3 UDP 53: allowed",
    ].join("\n"),
  );
});

test("kube-dns by its IPv6 ClusterIP fd00:10:96::a: kube-proxy translates to the pods' IPv6 addresses, which the client's IPv4-only ipBlock refuses", async () => {
  const r = await check("--from", "shop/client", "--to", "fd00:10:96::a", "--port", "dns", "-o", "json");
  assert.equal(r.code, 1, r.stderr);
  const view = JSON.parse(r.stdout) as { verdict: string; translation: string; cases: { label: string; verdict: string; check: { port: number; protocol: string; to: { address: string } } }[] };
  assert.equal(view.verdict, "denied");
  assert.equal(view.translation, "[fd00:10:96::a]:53/UDP is Service kube-system/kube-dns → 2 backends, port 53 → 53/UDP");
  assert.deepEqual(
    view.cases.map((c) => [c.label, c.verdict, c.check.to.address, c.check.port, c.check.protocol]),
    [
      ["Pod/kube-system/coredns-5d78c9869d-4xk2p", "denied", "fd00:10:244::2", 53, "UDP"],
      ["Pod/kube-system/coredns-5d78c9869d-9zq7m", "denied", "fd00:10:244:1::3", 53, "UDP"],
    ],
  );
});

test("canary rollout behind one Service (Kubernetes docs, Canary deployments): named targetPort per backend, a backend without it is no endpoint, verdicts differ → DEPENDS", async () => {
  const r = await check("--from", "shop/client", "--to", "10.96.100.1", "--port", "80");
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stdout.split("\n\n")[0],
    [
      "DEPENDS: 10.96.100.1:80/TCP is Service shop/web → 2 backends, port 80 → http (8080/TCP, 8081/TCP)",
      "  Pod/shop/web-stable at 10.244.1.10 TCP 8080: allowed",
      "  Pod/shop/web-canary TCP 8081: denied",
      `  Pod/shop/web-debug: declares no TCP container port named "http": not a backend of this port`,
    ].join("\n"),
  );
  // Each answered case carries the whole single check, explanation included.
  assert.match(r.stdout, /DENIED: shop\/client \(Pod\) → shop\/web-canary \(Pod\), TCP port 8081\n/);
  assert.match(r.stdout, /TCP port 8081 is not among the rule's ports \(TCP 8080\)/);
});

test("--port takes the Service port's name; a Service with one port needs no --port", async () => {
  const named = await check("--from", "shop/client", "--to", "svc/shop/web", "--port", "http", "-o", "json");
  const bare = await check("--from", "shop/client", "--to", "svc/shop/web", "-o", "json");
  assert.equal(bare.code, 1, bare.stderr);
  assert.deepEqual(JSON.parse(bare.stdout), JSON.parse(named.stdout));
  assert.equal((JSON.parse(bare.stdout) as { translation: string }).translation, "Service shop/web → 2 backends, port 80 → http (8080/TCP, 8081/TCP)");
});

const USAGE: readonly [string, string[], RegExp][] = [
  ["several Service ports and no --port", ["--to", "10.96.0.10"], /--to 10\.96\.0\.10: Service kube-system\/kube-dns has several ports: give --port \(its ports: dns 53\/UDP, dns-tcp 53\/TCP, metrics 9153\/TCP\)/],
  ["a port the Service does not have", ["--to", "kube-system/kube-dns", "--port", "8080"], /Service kube-system\/kube-dns has no port 8080 \(its ports: dns 53\/UDP/],
  [
    "a Service without selector (endpoints managed by hand)",
    ["--to", "shop/legacy-db", "--port", "5432"],
    /Service shop\/legacy-db has no selector: its endpoints are managed outside it \(EndpointSlices are not read\), so its backends are not in the input; check --to a backend's IP or name/,
  ],
  [
    "an ExternalName Service",
    ["--to", "shop/payments", "--port", "443"],
    /Service shop\/payments is of type ExternalName \(api\.payments\.example\.com\): the client resolves that name by DNS, so Portcullis cannot know the address; check --to the IP it resolves to/,
  ],
  ["no --port for a pod", ["--to", "shop/web-stable"], /missing required flag --port \(only a Service with one port needs none\)/],
];

for (const [name, args, message] of USAGE) {
  test(`check --to a Service, usage error (exit 3): ${name}`, async () => {
    const r = await check("--from", "shop/client", ...args);
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.stderr, message);
  });
}

test("check --from a Service is a usage error: traffic comes from pods", async () => {
  const r = await check("--from", "svc/shop/web", "--to", "shop/web-stable", "--port", "8080");
  assert.equal(r.code, 3, r.stdout);
  assert.match(r.stderr, /"svc\/shop\/web" names a Service: a Service is a destination/);
});

test("headless Service (clusterIP: None) by name: its pods, at the port asked, no translation", async () => {
  const r = await check("--from", "shop/client", "--to", "svc/shop/db", "--port", "postgres");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ALLOWED: Service shop\/db is headless \(clusterIP: None\): its name resolves to the pods themselves, no port translation → 1 pod\n {2}StatefulSet\/shop\/db TCP 5432: allowed\n/);
});

// Item 4: "check --to <one address of a dual-stack pod> answers for all of the pod's addresses".
const DUAL_STACK: readonly [string, string[], number, string][] = [
  ["--to its IPv4 address: allowed (the ipBlock covers it)", ["--from", "shop/client", "--to", "10.244.1.10", "--port", "8080"], 0, "ALLOWED: shop/client (Pod) at 10.244.1.20 → shop/web-stable (Pod) at 10.244.1.10, TCP port 8080"],
  ["--to its IPv6 address: denied (outside the IPv4 ipBlock)", ["--from", "shop/client", "--to", "fd00:10:244:1::a", "--port", "8080"], 1, "DENIED: shop/client (Pod) at fd00:10:244:1::14 → shop/web-stable (Pod) at fd00:10:244:1::a, TCP port 8080"],
  ["--to the pod by name: depends on the address", ["--from", "shop/client", "--to", "shop/web-stable", "--port", "8080"], 1, "DEPENDS: shop/client (Pod) → shop/web-stable (Pod), TCP port 8080"],
  // One connection, one family: the IPv6 source reaches the destination's IPv6 address.
  ["--from its IPv6 address: the source is that address", ["--from", "fd00:10:244:1::14", "--to", "shop/web-stable", "--port", "8080"], 1, "DENIED: shop/client (Pod) at fd00:10:244:1::14 → shop/web-stable (Pod) at fd00:10:244:1::a, TCP port 8080"],
  ["--from its IPv4 address", ["--from", "10.244.1.20", "--to", "shop/web-stable", "--port", "8080"], 0, "ALLOWED: shop/client (Pod) at 10.244.1.20 → shop/web-stable (Pod) at 10.244.1.10, TCP port 8080"],
];

for (const [name, args, code, head] of DUAL_STACK) {
  test(`dual-stack pod of a kubeadm dump (podIPs 10.244.1.10, fd00:10:244:1::a), ${name}`, async () => {
    const r = await check(...args);
    assert.equal(r.code, code, r.stderr);
    assert.equal(r.stdout.split("\n")[0], head);
  });
}

test("dual-stack --to one IP: JSON addresses hold that IP only, ips all of the pod's", async () => {
  const r = await check("--from", "shop/client", "--to", "fd00:10:244:1::a", "--port", "8080", "-o", "json");
  const view = JSON.parse(r.stdout) as { to: { ips: string[]; addresses: string[]; address: string } };
  assert.deepEqual(view.to, { ...view.to, ips: ["10.244.1.10", "fd00:10:244:1::a"], addresses: ["fd00:10:244:1::a/128"], address: "fd00:10:244:1::a" });
});

// Item 5: "check today explains 'prod … which this peer does not select' without saying prod's labels are unknown."
test("namespace prod not in the input: the namespaceSelector env=prod miss says prod's labels are assumed (text and JSON)", async () => {
  const text = await check("--from", "prod/scraper", "--to", "shop/web-stable", "--port", "8080");
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, /prod\/scraper is in namespace prod, which this peer does not select \(all pods in namespace shop\) \(namespace prod is not in the input: its labels are assumed to be kubernetes\.io\/metadata\.name=prod only\)/);
  assert.match(text.stdout, /\nAssumed: namespace prod is not in the input: assumed labels kubernetes\.io\/metadata\.name=prod only\.\n$/);
  const json = await check("--from", "prod/scraper", "--to", "shop/web-stable", "--port", "8080", "-o", "json");
  assert.deepEqual((JSON.parse(json.stdout) as { assumptions: unknown }).assumptions, [
    { namespace: "prod", labels: { "kubernetes.io/metadata.name": "prod" }, message: "namespace prod is not in the input: assumed labels kubernetes.io/metadata.name=prod only" },
  ]);
});

test("no assumption when the namespace is in the input (shop is declared) or no selector asks beyond the name", async () => {
  const declared = await check("--from", "shop/client", "--to", "shop/web-stable", "--port", "8080", "-o", "json");
  assert.deepEqual((JSON.parse(declared.stdout) as { assumptions: unknown }).assumptions, []);
  // kube-system is not declared, but the client's policy has no namespaceSelector: nothing assumed.
  const dns = await check("--from", "shop/client", "--to", "kube-system/coredns-5d78c9869d-4xk2p", "--port", "53", "--protocol", "UDP", "-o", "json");
  assert.deepEqual((JSON.parse(dns.stdout) as { assumptions: unknown }).assumptions, []);
});

test("explain a Service (the canary rollout's shop/web): the translation, then each backend explained", async () => {
  const r = await cliInProcess(["explain", "-f", FILE, "svc/shop/web"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Service shop\/web \(ClusterIP 10\.96\.100\.1\) → 3 backends; ports http 80\/TCP → http\n {2}- Pod\/shop\/web-stable\n {2}- Pod\/shop\/web-canary\n {2}- Pod\/shop\/web-debug\n\nPod shop\/web-stable\n/);
  assert.match(r.stdout, /\nPod shop\/web-canary\n/);
  // The backends' ingress policy has a namespaceSelector env=prod, evaluated against prod (not in the input).
  assert.match(r.stdout, /\nAssumed: namespace prod is not in the input: assumed labels kubernetes\.io\/metadata\.name=prod only\.\n$/);
  const json = await cliInProcess(["explain", "-f", FILE, "10.96.0.10", "-o", "json"]);
  const view = JSON.parse(json.stdout) as { translation: string; cases: { label: string; endpoint: { id: string } }[] };
  assert.equal(view.translation, "Service kube-system/kube-dns (ClusterIP 10.96.0.10, fd00:10:96::a) → 2 backends; ports dns 53/UDP → 53, dns-tcp 53/TCP → 53, metrics 9153/TCP → 9153");
  assert.deepEqual(view.cases.map((c) => c.endpoint.id), ["kube-system/coredns-5d78c9869d-4xk2p", "kube-system/coredns-5d78c9869d-9zq7m"]);
});

test("explain an ExternalName Service says why it cannot (exit 3)", async () => {
  const r = await cliInProcess(["explain", "-f", FILE, "shop/payments"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /Service shop\/payments is of type ExternalName \(api\.payments\.example\.com\): the client resolves that name by DNS/);
});

test("egress picture: the examples' prometheus reaches the kube-dns Service's backends on its DNS ports", async () => {
  const r = await cliInProcess(["egress", "-f", join(ROOT, "examples", "egress"), "-n", "monitoring", "-o", "json"]);
  const view = JSON.parse(r.stdout) as { namespaces: { workloads: { id: string; services: unknown[] }[] }[] };
  assert.deepEqual(view.namespaces[0]?.workloads[0]?.services, [
    {
      service: "kube-system/kube-dns",
      clusterIps: ["10.96.0.10"],
      ports: [
        { port: 53, protocol: "UDP", name: "dns", backends: 1, allowed: 1 },
        { port: 53, protocol: "TCP", name: "dns-tcp", backends: 1, allowed: 1 },
      ],
    },
  ]);
});

test("egress picture: a Service reached through only some backends says how many (canary rollout: stable admits the worker on 8080, canary refuses 8081)", async () => {
  const r = await cliInProcess(["egress", "-f", FILE, "-n", "shop"]);
  assert.match(r.stdout, /\n {2}Pod worker {2}10\.244\.1\.30\n.*\n {4}can reach:\n(?: {6}.*\n)* {6}Service shop\/web 10\.96\.100\.1 +TCP 80 \(1 of 2 backends\)\n/);
});

// Item 5: "every answer that depends on such an assumed label set says so": the matrix and connlist too.
test("matrix and connlist over the dump with namespace prod not in the input: the assumption closes the text, matrix JSON has assumptions", async () => {
  // Every undeclared namespace holding endpoints is evaluated against the namespaceSelector env=prod.
  const message = (ns: string): string => `namespace ${ns} is not in the input: assumed labels kubernetes.io/metadata.name=${ns} only`;
  for (const command of ["matrix", "connlist"]) {
    const text = await cliInProcess([command, "-f", FILE]);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.endsWith(`\n\nAssumed: ${message("kube-system")}.\nAssumed: ${message("prod")}.\n`), `${command}: ${text.stdout.slice(-300)}`);
  }
  const json = await cliInProcess(["matrix", "-f", FILE, "-o", "json"]);
  const view = JSON.parse(json.stdout) as { assumptions: { namespace: string; message: string }[] };
  assert.deepEqual(view.assumptions.map((a) => [a.namespace, a.message]), [["kube-system", message("kube-system")], ["prod", message("prod")]]);
  const none = await cliInProcess(["matrix", "-f", join(ROOT, "examples", "replicas"), "-o", "json"]);
  assert.deepEqual((JSON.parse(none.stdout) as { assumptions: unknown }).assumptions, [], "no namespaceSelector asks beyond the name");
});
