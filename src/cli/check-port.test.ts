/** `check --port NAME`: the destination's named container port, as a NetworkPolicy resolves it. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess, ROOT } from "./e2e-support.js";

const cli = cliInProcess;

const EXAMPLE = join(ROOT, "examples", "egress");
const WEB_API = ["check", "-f", EXAMPLE, "--from", "production/web-api"];

/** A pod whose two containers both name a port "http" (the API server refuses it; files may have it). */
const SPLIT = `
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}, {name: d, image: i, ports: [{name: http, containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-8080-only, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{ports: [{port: 8080}]}]
`;

test("check --port NAME resolves the destination's named container port", async () => {
  const r = await cli([...WEB_API, "--to", "monitoring/prometheus", "--port", "web", "-o", "json"]);
  const view = JSON.parse(r.stdout) as { port: number; protocol: string };
  assert.deepEqual([view.port, view.protocol], [9090, "TCP"], r.stderr);
});

test("check --port NAME takes the named port's protocol (dns is UDP 53 on coredns)", async () => {
  const r = await cli([...WEB_API, "--to", "kube-system/coredns", "--port", "dns", "-o", "json"]);
  const view = JSON.parse(r.stdout) as { port: number; protocol: string; verdict: string };
  assert.deepEqual([view.port, view.protocol, view.verdict, r.code], [53, "UDP", "allowed", 0], r.stderr);
});

test("check --port NAME with a --protocol the name does not have is a usage error", async () => {
  const r = await cli([...WEB_API, "--to", "kube-system/coredns", "--port", "dns", "--protocol", "SCTP"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--port dns: Deployment\/kube-system\/coredns declares no SCTP port named "dns" \(its named ports: dns UDP 53, dns-tcp TCP 53, metrics TCP 9153\)/);
});

test("check --port NAME the destination lacks is a usage error naming its ports", async () => {
  const r = await cli([...WEB_API, "--to", "monitoring/prometheus", "--port", "http"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--port http: Deployment\/monitoring\/prometheus declares no port named "http" \(its named ports: web TCP 9090\)/);
});

test("check --port NAME to an address is a usage error: only pods name ports", async () => {
  const r = await cli([...WEB_API, "--to", "203.0.113.7", "--port", "https"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--port https: a port name needs a pod or workload destination; 203\.0\.113\.7 is an address: give --port NUMBER/);
});

test("check --port NAME that means several ports on the destination depends, per port", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pc-port-"));
  writeFileSync(join(dir, "split.yaml"), SPLIT);
  const r = await cli(["check", "-f", dir, "--from", "shop/client", "--to", "shop/api", "--port", "http"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stdout,
    [
      `DEPENDS: port name "http" means several ports on Pod/shop/api: TCP 8080, TCP 9090`,
      `  TCP 8080: allowed`,
      `  TCP 9090: denied`,
      `Run check with --port NUMBER for the explanation of one.`,
      "",
    ].join("\n"),
  );
});
