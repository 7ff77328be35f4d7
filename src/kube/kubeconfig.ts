/**
 * kubeconfig files → the one cluster, user and namespace a command talks to, as kubectl picks
 * them. Pure: takes the files' texts (kubeconfig-load.ts reads them). Merging follows kubectl's
 * rule for KUBECONFIG lists: "the first file to set a particular key wins" — a named cluster, user
 * or context comes from the first file defining that name, and current-context from the first file
 * setting it. Relative paths in an entry resolve against the directory of the file that defined it.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { type Result, fail, ok } from "./errors.js";
import { isRecord } from "../k8s/values.js";

export interface KubeconfigFile {
  readonly path: string;
  readonly text: string;
}

/** PEM text given inline (`*-data`, base64-decoded) or as a file to read when connecting. */
export type Material =
  | { readonly kind: "inline"; readonly pem: string; readonly from: string }
  | { readonly kind: "file"; readonly path: string; readonly from: string };

export interface ClusterSettings {
  readonly server: string;
  readonly ca?: Material;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
}

export type ExecApiVersion = "client.authentication.k8s.io/v1" | "client.authentication.k8s.io/v1beta1";
export const EXEC_API_VERSIONS: readonly ExecApiVersion[] = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

export interface ExecSettings {
  readonly apiVersion: ExecApiVersion;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly installHint?: string;
  readonly provideClusterInfo: boolean;
  /** `Always` is refused when reading the kubeconfig: Portcullis never has a terminal for a plugin. */
  readonly interactiveMode: "Never" | "IfAvailable";
  /** For messages: "kubeconfig /root/.kube/config, users[eks-admin].exec". */
  readonly from: string;
}

export type TokenSource = { readonly kind: "inline"; readonly token: string } | { readonly kind: "file"; readonly path: string; readonly from: string };

export interface UserSettings {
  readonly token?: TokenSource;
  readonly clientCert?: { readonly cert: Material; readonly key: Material };
  readonly exec?: ExecSettings;
}

/** Everything needed to talk to one cluster. Produced from a kubeconfig or from in-cluster configuration. */
export interface ClusterConfig {
  readonly cluster: ClusterSettings;
  readonly user: UserSettings;
  /** The namespace `-n` defaults to: the context's, else "default". */
  readonly namespace: string;
  /** For `-v` and answers: "context prod, kubeconfig /root/.kube/config" or "in-cluster service account". */
  readonly origin: string;
}

type Json = Record<string, unknown>;

interface Entry {
  readonly name: string;
  readonly body: Json;
  readonly file: string;
}

interface Merged {
  readonly clusters: Map<string, Entry>;
  readonly users: Map<string, Entry>;
  readonly contexts: Map<string, Entry>;
  readonly currentContext?: { readonly name: string; readonly file: string };
}

const SECTIONS = [
  ["clusters", "cluster"],
  ["users", "user"],
  ["contexts", "context"],
] as const;

function mergeFiles(files: readonly KubeconfigFile[]): Result<Merged> {
  const merged = { clusters: new Map<string, Entry>(), users: new Map<string, Entry>(), contexts: new Map<string, Entry>() };
  let currentContext: Merged["currentContext"];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(file.text);
    } catch (e) {
      return fail({ kind: "config", message: `kubeconfig ${file.path} is not valid YAML: ${(e as Error).message.split("\n")[0]}` });
    }
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) return fail({ kind: "config", message: `kubeconfig ${file.path} is not a kubeconfig (a YAML map with clusters, users and contexts)` });
    for (const [section, key] of SECTIONS) {
      const list = doc[section];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) return fail({ kind: "config", message: `kubeconfig ${file.path}: ${section} must be a list` });
      for (const [i, item] of list.entries()) {
        if (!isRecord(item) || typeof item["name"] !== "string") return fail({ kind: "config", message: `kubeconfig ${file.path}: ${section}[${i}] has no name` });
        const body = item[key] ?? {};
        if (!isRecord(body)) return fail({ kind: "config", message: `kubeconfig ${file.path}: ${section}[${item["name"]}].${key} must be a map` });
        if (!merged[section].has(item["name"])) merged[section].set(item["name"], { name: item["name"], body, file: file.path });
      }
    }
    const current = doc["current-context"];
    if (currentContext === undefined && typeof current === "string" && current !== "") currentContext = { name: current, file: file.path };
  }
  return ok(currentContext === undefined ? merged : { ...merged, currentContext });
}

const fileList = (files: readonly KubeconfigFile[]): string => (files.length === 1 ? `kubeconfig ${files[0]!.path}` : `kubeconfig files ${files.map((f) => f.path).join(", ")}`);
const names = (m: Map<string, Entry>): string => (m.size === 0 ? "none defined" : [...m.keys()].sort().join(", "));

/** A string field of an entry, or an error naming the file and key when it is set to something else. */
function stringField(entry: Entry, section: string, key: string): Result<string | undefined> {
  const v = entry.body[key];
  if (v === undefined || v === null) return ok(undefined);
  if (typeof v !== "string") return fail({ kind: "config", message: `kubeconfig ${entry.file}: ${section}[${entry.name}].${key} must be a string` });
  return ok(v === "" ? undefined : v);
}

const resolvePath = (entry: Entry, path: string): string => (isAbsolute(path) ? path : resolve(dirname(entry.file), path));

function decodeBase64(entry: Entry, section: string, key: string, data: string): Result<string> {
  const text = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return fail({ kind: "config", message: `kubeconfig ${entry.file}: ${section}[${entry.name}].${key} is not base64` });
  return ok(Buffer.from(text, "base64").toString("utf8"));
}

/** `<key>` (a path) or `<key>-data` (base64 PEM); -data wins, as in client-go. */
function material(entry: Entry, section: string, key: string): Result<Material | undefined> {
  const data = stringField(entry, section, `${key}-data`);
  if (!data.ok) return data;
  const from = `kubeconfig ${entry.file}, ${section}[${entry.name}].${key}`;
  if (data.value !== undefined) {
    const pem = decodeBase64(entry, section, `${key}-data`, data.value);
    return pem.ok ? ok({ kind: "inline", pem: pem.value, from: `${from}-data` }) : pem;
  }
  const path = stringField(entry, section, key);
  if (!path.ok) return path;
  return ok(path.value === undefined ? undefined : { kind: "file", path: resolvePath(entry, path.value), from });
}

function readCluster(entry: Entry): Result<ClusterSettings> {
  const at = `kubeconfig ${entry.file}: clusters[${entry.name}]`;
  if (entry.body["proxy-url"] !== undefined) {
    return fail({ kind: "config", message: `${at}.proxy-url is not supported: Portcullis connects to the API server directly (remove proxy-url, or use a context without it)` });
  }
  const server = stringField(entry, "clusters", "server");
  if (!server.ok) return server;
  if (server.value === undefined) return fail({ kind: "config", message: `${at} has no server` });
  let url: URL;
  try {
    url = new URL(server.value);
  } catch {
    return fail({ kind: "config", message: `${at}.server ${JSON.stringify(server.value)} is not a URL` });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail({ kind: "config", message: `${at}.server ${server.value}: only https:// and http:// are supported` });
  const ca = material(entry, "clusters", "certificate-authority");
  if (!ca.ok) return ca;
  const insecure = entry.body["insecure-skip-tls-verify"];
  if (insecure !== undefined && typeof insecure !== "boolean") return fail({ kind: "config", message: `${at}.insecure-skip-tls-verify must be true or false` });
  if (insecure === true && ca.value !== undefined) {
    // kubectl: "specifying a root certificates file with the insecure flag is not allowed".
    return fail({ kind: "config", message: `${at} sets both insecure-skip-tls-verify and certificate-authority: specifying a root certificates file with the insecure flag is not allowed` });
  }
  const serverName = stringField(entry, "clusters", "tls-server-name");
  if (!serverName.ok) return serverName;
  return ok({
    server: server.value.replace(/\/+$/, ""),
    insecureSkipTlsVerify: insecure === true,
    ...(ca.value === undefined ? {} : { ca: ca.value }),
    ...(serverName.value === undefined ? {} : { tlsServerName: serverName.value }),
  });
}

/** What each removed auth provider became. */
const AUTH_PROVIDER_REPLACEMENTS: Record<string, string> = {
  gcp: "gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin; then gcloud container clusters get-credentials)",
  azure: "kubelogin (az aks install-cli; then kubelogin convert-kubeconfig)",
  oidc: "an exec plugin such as kubelogin (int128/kubelogin: kubectl oidc-login)",
};

function readExec(entry: Entry): Result<ExecSettings> {
  const at = `kubeconfig ${entry.file}: users[${entry.name}].exec`;
  const exec = entry.body["exec"];
  if (!isRecord(exec)) return fail({ kind: "config", message: `${at} must be a map` });
  const apiVersion = exec["apiVersion"];
  if (!EXEC_API_VERSIONS.includes(apiVersion as ExecApiVersion)) {
    return fail({ kind: "config", message: `${at}.apiVersion ${JSON.stringify(apiVersion ?? "")} is not supported (supported: ${EXEC_API_VERSIONS.join(", ")}; v1alpha1 was removed in Kubernetes 1.24)` });
  }
  const command = exec["command"];
  if (typeof command !== "string" || command === "") return fail({ kind: "config", message: `${at} has no command` });
  const args = exec["args"] ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) return fail({ kind: "config", message: `${at}.args must be a list of strings` });
  const envList = exec["env"] ?? [];
  const env: { name: string; value: string }[] = [];
  if (!Array.isArray(envList)) return fail({ kind: "config", message: `${at}.env must be a list of {name, value}` });
  for (const [i, item] of envList.entries()) {
    if (!isRecord(item) || typeof item["name"] !== "string" || typeof item["value"] !== "string") return fail({ kind: "config", message: `${at}.env[${i}] must have a string name and value` });
    env.push({ name: item["name"], value: item["value"] });
  }
  const mode = exec["interactiveMode"] ?? (apiVersion === "client.authentication.k8s.io/v1" ? undefined : "IfAvailable");
  if (mode === undefined) return fail({ kind: "config", message: `${at}.interactiveMode must be set for ${apiVersion} (Never, IfAvailable or Always)` });
  if (mode === "Always") {
    return fail({ kind: "config", message: `${at}.interactiveMode is Always: the plugin needs a terminal, and Portcullis never runs plugins interactively (log in with the plugin first, or use a non-interactive mode)` });
  }
  if (mode !== "Never" && mode !== "IfAvailable") return fail({ kind: "config", message: `${at}.interactiveMode ${JSON.stringify(mode)} is not one of Never, IfAvailable, Always` });
  const hint = exec["installHint"];
  // client-go: a command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
  const resolved = command.includes("/") ? resolvePath(entry, command) : command;
  return ok({
    apiVersion: apiVersion as ExecApiVersion,
    command: resolved,
    args: args as string[],
    env,
    provideClusterInfo: exec["provideClusterInfo"] === true,
    interactiveMode: mode,
    from: `kubeconfig ${entry.file}, users[${entry.name}].exec`,
    ...(typeof hint === "string" && hint !== "" ? { installHint: hint } : {}),
  });
}

function readUser(entry: Entry): Result<UserSettings> {
  const at = `kubeconfig ${entry.file}: users[${entry.name}]`;
  if (entry.body["username"] !== undefined || entry.body["password"] !== undefined) {
    return fail({ kind: "config", message: `${at} uses username/password (basic auth), which is not supported (Kubernetes removed it from the API server in 1.19): use a token, a client certificate or an exec plugin` });
  }
  const provider = entry.body["auth-provider"];
  if (provider !== undefined) {
    const name = isRecord(provider) && typeof provider["name"] === "string" ? provider["name"] : "";
    const replacement = AUTH_PROVIDER_REPLACEMENTS[name] ?? "the provider's exec credential plugin";
    return fail({ kind: "config", message: `${at}.auth-provider${name === "" ? "" : ` (${name})`} is not supported: auth providers were removed from kubectl in 1.26; use an exec plugin instead: ${replacement}` });
  }
  for (const key of ["as", "as-groups", "as-uid", "as-user-extra"]) {
    if (entry.body[key] !== undefined) return fail({ kind: "config", message: `${at}.${key} (impersonation) is not supported` });
  }
  const token = stringField(entry, "users", "token");
  const tokenFile = stringField(entry, "users", "tokenFile");
  if (!token.ok) return token;
  if (!tokenFile.ok) return tokenFile;
  const cert = material(entry, "users", "client-certificate");
  const key = material(entry, "users", "client-key");
  if (!cert.ok) return cert;
  if (!key.ok) return key;
  if ((cert.value === undefined) !== (key.value === undefined)) {
    return fail({ kind: "config", message: `${at} has ${cert.value === undefined ? "client-key but no client-certificate" : "client-certificate but no client-key"}: both are needed` });
  }
  const exec = entry.body["exec"] === undefined || entry.body["exec"] === null ? undefined : readExec(entry);
  if (exec !== undefined && !exec.ok) return exec;
  // client-go: "The last successfully read value [of tokenFile] takes precedence over BearerToken."
  const tokenSource: TokenSource | undefined =
    tokenFile.value !== undefined ? { kind: "file", path: resolvePath(entry, tokenFile.value), from: `kubeconfig ${entry.file}, users[${entry.name}].tokenFile` } : token.value !== undefined ? { kind: "inline", token: token.value } : undefined;
  if (exec !== undefined && tokenSource !== undefined) return fail({ kind: "config", message: `${at} sets both a token and exec: keep one` });
  return ok({
    ...(tokenSource === undefined ? {} : { token: tokenSource }),
    ...(cert.value === undefined || key.value === undefined ? {} : { clientCert: { cert: cert.value, key: key.value } }),
    ...(exec === undefined ? {} : { exec: exec.value }),
  });
}

export interface KubeconfigChoice {
  /** `--context`; else the merged current-context. */
  readonly context?: string;
}

/** The cluster, user and namespace of the chosen context in the merged files. */
export function resolveKubeconfig(files: readonly KubeconfigFile[], choice: KubeconfigChoice = {}): Result<ClusterConfig> {
  const merged = mergeFiles(files);
  if (!merged.ok) return merged;
  const { clusters, users, contexts, currentContext } = merged.value;
  const where = fileList(files);
  const contextName = choice.context ?? currentContext?.name;
  if (contextName === undefined) {
    return fail({ kind: "config", message: `${where} sets no current-context: pass --context (contexts: ${names(contexts)})` });
  }
  const context = contexts.get(contextName);
  if (context === undefined) {
    const how = choice.context === undefined ? `current-context "${contextName}" (set in ${currentContext?.file}) names no context in` : `no context "${contextName}" in`;
    return fail({ kind: "config", message: `${how} ${where} (contexts: ${names(contexts)})` });
  }
  const clusterName = stringField(context, "contexts", "cluster");
  const userName = stringField(context, "contexts", "user");
  const namespace = stringField(context, "contexts", "namespace");
  if (!clusterName.ok) return clusterName;
  if (!userName.ok) return userName;
  if (!namespace.ok) return namespace;
  if (clusterName.value === undefined) return fail({ kind: "config", message: `kubeconfig ${context.file}: contexts[${contextName}] names no cluster` });
  const clusterEntry = clusters.get(clusterName.value);
  if (clusterEntry === undefined) {
    return fail({ kind: "config", message: `kubeconfig ${context.file}: contexts[${contextName}] names cluster "${clusterName.value}", which ${where} does not define (clusters: ${names(clusters)})` });
  }
  const cluster = readCluster(clusterEntry);
  if (!cluster.ok) return cluster;
  let user: UserSettings = {};
  if (userName.value !== undefined) {
    const userEntry = users.get(userName.value);
    if (userEntry === undefined) {
      return fail({ kind: "config", message: `kubeconfig ${context.file}: contexts[${contextName}] names user "${userName.value}", which ${where} does not define (users: ${names(users)})` });
    }
    const read = readUser(userEntry);
    if (!read.ok) return read;
    user = read.value;
  }
  return ok({ cluster: cluster.value, user, namespace: namespace.value ?? "default", origin: `context ${contextName}, ${where}` });
}
