/**
 * Client configuration for the stand-in, as clients find it on a real machine: a kubeconfig (token,
 * client certificate, or an `exec` credential plugin printing a client.authentication.k8s.io/v1
 * ExecCredential, as EKS/GKE/AKS plugins do), or a pod's service account files (token, ca.crt,
 * namespace) with KUBERNETES_SERVICE_HOST/PORT.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KeyPair } from "./certs.js";

export type Credentials =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "cert"; readonly cert: KeyPair }
  /** A plugin that prints the token currently in `tokenFile` (read at each run, so rotations show). */
  | { readonly kind: "exec"; readonly tokenFile: string };

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/** The plugin: node printing an ExecCredential with the token file's content. */
function execStanza(tokenFile: string): unknown {
  const script = [
    'const fs = require("node:fs");',
    `const token = fs.readFileSync(${JSON.stringify(tokenFile)}, "utf8").trim();`,
    'process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token } }));',
  ].join(" ");
  return { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: ["-e", script], interactiveMode: "Never", provideClusterInfo: false };
}

export function kubeconfigYaml(url: string, caPem: string, user: string, credentials: Credentials): string {
  const userEntry =
    credentials.kind === "token"
      ? { token: credentials.token }
      : credentials.kind === "cert"
        ? { "client-certificate-data": b64(credentials.cert.certPem), "client-key-data": b64(credentials.cert.keyPem) }
        : { exec: execStanza(credentials.tokenFile) };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "standin", cluster: { server: url, "certificate-authority-data": b64(caPem) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: "standin", context: { cluster: "standin", user } }],
    "current-context": "standin",
  });
}

/** Writes a file whole or not at all (the kubelet swaps projected volume files atomically). */
export function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** /var/run/secrets/kubernetes.io/serviceaccount as a pod sees it: token, ca.crt, namespace. */
export function writeServiceAccountFiles(dir: string, token: string, caPem: string, namespace: string): void {
  writeAtomic(join(dir, "token"), token);
  writeAtomic(join(dir, "ca.crt"), caPem);
  writeAtomic(join(dir, "namespace"), namespace);
}
