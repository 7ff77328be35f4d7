import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inClusterConfig, loadClusterConfig } from "./config-load.js";
import { type KubeconfigFile, resolveKubeconfig } from "./kubeconfig.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/** A kind-style kubeconfig (kind get kubeconfig): one cluster with CA data, a user with client cert data. */
const KIND = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64("CA PEM")}
    server: https://127.0.0.1:40123
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: kind-kind
users:
- name: kind-kind
  user:
    client-certificate-data: ${b64("CERT PEM")}
    client-key-data: ${b64("KEY PEM")}
`;

/** An EKS-style kubeconfig (aws eks update-kubeconfig): exec plugin, context namespace. */
const EKS = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com
    certificate-authority: certs/ca.crt
contexts:
- name: prod
  context: {cluster: prod, user: eks-admin, namespace: payments}
users:
- name: eks-admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
      env: [{name: AWS_PROFILE, value: prod}]
      installHint: install the AWS CLI
`;

const file = (path: string, text: string): KubeconfigFile => ({ path, text });

test("kind kubeconfig: current-context, inline CA and client certificate (base64 -data), namespace defaults to 'default'", () => {
  const r = resolveKubeconfig([file("/home/u/.kube/config", KIND)]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.cluster.server, "https://127.0.0.1:40123");
  assert.deepEqual(r.value.cluster.ca, { kind: "inline", pem: "CA PEM", from: "kubeconfig /home/u/.kube/config, clusters[kind-kind].certificate-authority-data" });
  assert.equal(r.value.user.clientCert?.cert.kind === "inline" && r.value.user.clientCert.cert.pem, "CERT PEM");
  assert.equal(r.value.namespace, "default");
  assert.equal(r.value.origin, "context kind-kind, kubeconfig /home/u/.kube/config");
});

test("EKS kubeconfig: exec plugin (v1beta1 defaults interactiveMode to IfAvailable), relative CA path against the file's directory, context namespace", () => {
  const r = resolveKubeconfig([file("/home/u/.kube/eks.yaml", EKS)], { context: "prod" });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.cluster.ca, { kind: "file", path: "/home/u/.kube/certs/ca.crt", from: "kubeconfig /home/u/.kube/eks.yaml, clusters[prod].certificate-authority" });
  assert.equal(r.value.namespace, "payments");
  const exec = r.value.user.exec!;
  assert.equal(exec.command, "aws");
  assert.deepEqual(exec.args, ["eks", "get-token", "--cluster-name", "prod"]);
  assert.deepEqual(exec.env, [{ name: "AWS_PROFILE", value: "prod" }]);
  assert.equal(exec.interactiveMode, "IfAvailable");
  assert.equal(exec.installHint, "install the AWS CLI");
});

test("KUBECONFIG merge: 'the first file to set a particular key wins' — for named entries and current-context", () => {
  const a = `clusters: [{name: c, cluster: {server: https://a:6443}}]
users: [{name: u, user: {token: from-a}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;
  const b = `clusters: [{name: c, cluster: {server: https://b:6443}}, {name: d, cluster: {server: https://d:6443}}]
contexts: [{name: x, context: {cluster: d, user: u}}, {name: y, context: {cluster: d, user: u}}]
current-context: y
`;
  const r = resolveKubeconfig([file("/a", a), file("/b", b)]);
  assert.ok(r.ok);
  assert.equal(r.value.cluster.server, "https://a:6443");
  assert.deepEqual(r.value.user.token, { kind: "inline", token: "from-a" });
  const y = resolveKubeconfig([file("/a", a), file("/b", b)], { context: "y" });
  assert.ok(y.ok);
  assert.equal(y.value.cluster.server, "https://d:6443", "context y (only in b) uses cluster d from b, user u from a");
});

/** Errors name the file and the key; the table is each case's kubeconfig and the message expected. */
const ERRORS: readonly { readonly name: string; readonly text: string; readonly context?: string; readonly message: RegExp }[] = [
  { name: "unknown --context lists the contexts", text: KIND, context: "prod", message: /^no context "prod" in kubeconfig \/k \(contexts: kind-kind\)$/ },
  { name: "no current-context", text: "contexts: [{name: a, context: {cluster: c}}]\n", message: /sets no current-context: pass --context \(contexts: a\)/ },
  { name: "context names a missing cluster", text: "contexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n", message: /contexts\[a\] names cluster "c", which kubeconfig \/k does not define \(clusters: none defined\)/ },
  { name: "context names a missing user", text: "clusters: [{name: c, cluster: {server: https://x}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]\ncurrent-context: a\n", message: /names user "u", which .* \(users: none defined\)/ },
  { name: "proxy-url not supported", text: "clusters: [{name: c, cluster: {server: https://x, proxy-url: http://proxy:3128}}]\ncontexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n", message: /clusters\[c\]\.proxy-url is not supported/ },
  { name: "server missing", text: "clusters: [{name: c, cluster: {}}]\ncontexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n", message: /kubeconfig \/k: clusters\[c\] has no server/ },
  {
    name: "kubectl: specifying a root certificates file with the insecure flag is not allowed",
    text: "clusters: [{name: c, cluster: {server: https://x, insecure-skip-tls-verify: true, certificate-authority: /ca}}]\ncontexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n",
    message: /not allowed/,
  },
  { name: "basic auth not supported", text: users("{username: admin, password: secret}"), message: /users\[u\] uses username\/password \(basic auth\), which is not supported/ },
  { name: "gcp auth-provider names gke-gcloud-auth-plugin", text: users("{auth-provider: {name: gcp, config: {}}}"), message: /users\[u\]\.auth-provider \(gcp\) is not supported: .*removed from kubectl in 1\.26; use an exec plugin instead: gke-gcloud-auth-plugin/ },
  { name: "azure auth-provider names kubelogin", text: users("{auth-provider: {name: azure}}"), message: /kubelogin/ },
  { name: "client-certificate without key", text: users("{client-certificate: /c.crt}"), message: /has client-certificate but no client-key/ },
  { name: "exec interactiveMode Always", text: users("{exec: {apiVersion: client.authentication.k8s.io/v1, command: login, interactiveMode: Always}}"), message: /interactiveMode is Always: the plugin needs a terminal/ },
  { name: "exec v1 requires interactiveMode", text: users("{exec: {apiVersion: client.authentication.k8s.io/v1, command: x}}"), message: /interactiveMode must be set for client.authentication.k8s.io\/v1/ },
  { name: "exec v1alpha1 removed", text: users("{exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}"), message: /v1alpha1 was removed/ },
  { name: "not YAML", text: "clusters: [\n", message: /^kubeconfig \/k is not valid YAML/ },
  { name: "bad base64", text: "clusters: [{name: c, cluster: {server: https://x, certificate-authority-data: '%%%'}}]\ncontexts: [{name: a, context: {cluster: c}}]\ncurrent-context: a\n", message: /certificate-authority-data is not base64/ },
];

function users(user: string): string {
  return `clusters: [{name: c, cluster: {server: "https://x"}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]\ncurrent-context: a\nusers: [{name: u, user: ${user}}]\n`;
}

for (const c of ERRORS) {
  test(`kubeconfig error: ${c.name}`, () => {
    const r = resolveKubeconfig([file("/k", c.text)], c.context === undefined ? {} : { context: c.context });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.kind, "config");
      assert.match(r.error.message, c.message);
    }
  });
}

test("client-go: tokenFile takes precedence over token; exec command with a slash is relative to the kubeconfig", () => {
  const r = resolveKubeconfig([file("/etc/k/config", users("{token: t, tokenFile: tok}"))]);
  assert.ok(r.ok);
  assert.deepEqual(r.value.user.token, { kind: "file", path: "/etc/k/tok", from: "kubeconfig /etc/k/config, users[u].tokenFile" });
  const e = resolveKubeconfig([file("/etc/k/config", users("{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin, interactiveMode: Never}}"))]);
  assert.ok(e.ok);
  assert.equal(e.value.user.exec?.command, "/etc/k/bin/plugin");
});

test("loading: --kubeconfig wins over KUBECONFIG; KUBECONFIG skips files that do not exist; else ~/.kube/config; else in-cluster; else a clear error", () => {
  const dir = mkdtempSync(join(tmpdir(), "kubeconfig-"));
  const one = join(dir, "one");
  writeFileSync(one, users("{token: one}"));
  const two = join(dir, "two");
  writeFileSync(two, users("{token: two}"));
  const token = (r: ReturnType<typeof loadClusterConfig>): unknown => (r.ok ? r.value.user.token : r.error.message);
  assert.deepEqual(token(loadClusterConfig({ kubeconfig: two, env: { KUBECONFIG: one } })), { kind: "inline", token: "two" });
  assert.deepEqual(token(loadClusterConfig({ env: { KUBECONFIG: `${join(dir, "missing")}:${one}:${two}` } })), { kind: "inline", token: "one" });
  const home = join(dir, "home");
  mkdirSync(join(home, ".kube"), { recursive: true });
  writeFileSync(join(home, ".kube", "config"), users("{token: home}"));
  assert.deepEqual(token(loadClusterConfig({ env: { HOME: home } })), { kind: "inline", token: "home" });
  const none = loadClusterConfig({ env: { HOME: join(dir, "nobody") } });
  assert.ok(!none.ok);
  assert.match(none.error.message, /no cluster configured: no kubeconfig \(looked at .*nobody\/\.kube\/config\) and not running in a cluster/);
  const missing = loadClusterConfig({ kubeconfig: join(dir, "nope"), env: {} });
  assert.ok(!missing.ok);
  assert.match(missing.error.message, /cannot read kubeconfig .*nope: ENOENT/);
});

test("in-cluster (client-go rest.InClusterConfig): server from KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), token and CA files, namespace file", () => {
  const dir = mkdtempSync(join(tmpdir(), "sa-"));
  writeFileSync(join(dir, "token"), "tok\n");
  writeFileSync(join(dir, "ca.crt"), "CA");
  writeFileSync(join(dir, "namespace"), "portcullis-system");
  const r = loadClusterConfig({ env: { HOME: join(dir, "nobody"), KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, serviceAccountDir: dir });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.cluster.server, "https://[fd00::1]:443");
  assert.deepEqual(r.value.user.token, { kind: "file", path: join(dir, "token"), from: `in-cluster service account ${dir}/token` });
  assert.equal(r.value.namespace, "portcullis-system");
  const noToken = inClusterConfig({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }, join(dir, "empty"));
  assert.ok(!noToken.ok);
  assert.match(noToken.error.message, /no service account token at .*empty\/token/);
});
