/**
 * Where the cluster configuration comes from, as kubectl decides: `--kubeconfig PATH`, else the
 * KUBECONFIG list (files that do not exist are skipped, as kubectl does), else ~/.kube/config,
 * else the in-cluster service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token, CA and
 * namespace), else an error saying where it looked.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { type Result, fail, ok } from "./errors.js";
import { type ClusterConfig, type KubeconfigFile, resolveKubeconfig } from "./kubeconfig.js";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface ConfigOptions {
  /** `--kubeconfig`: this file only (it must exist). */
  readonly kubeconfig?: string;
  /** `--context`. */
  readonly context?: string;
  /** Defaults to process.env (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The service account mount; tests point it at a temp directory. */
  readonly serviceAccountDir?: string;
}

function readKubeconfig(path: string): Result<KubeconfigFile> {
  try {
    return ok({ path, text: readFileSync(path, "utf8") });
  } catch (e) {
    return fail({ kind: "config", message: `cannot read kubeconfig ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
}

/** The kubeconfig files kubectl would read, in order, or the reason there are none. */
export function kubeconfigPaths(options: ConfigOptions): { readonly paths: readonly string[]; readonly looked: string } {
  const env = options.env ?? process.env;
  if (options.kubeconfig !== undefined) return { paths: [options.kubeconfig], looked: `--kubeconfig ${options.kubeconfig}` };
  const list = env["KUBECONFIG"];
  if (list !== undefined && list !== "") {
    const named = list.split(delimiter).filter((p) => p !== "");
    return { paths: named.filter((p) => existsSync(p)), looked: `KUBECONFIG=${list}` };
  }
  const home = env["HOME"] ?? homedir();
  const path = join(home, ".kube", "config");
  return { paths: existsSync(path) ? [path] : [], looked: path };
}

/** The configuration a read command or the agent uses. */
export function loadClusterConfig(options: ConfigOptions = {}): Result<ClusterConfig> {
  const env = options.env ?? process.env;
  const { paths, looked } = kubeconfigPaths(options);
  if (paths.length > 0) {
    const files: KubeconfigFile[] = [];
    for (const path of paths) {
      const file = readKubeconfig(path);
      if (!file.ok) return file;
      files.push(file.value);
    }
    return resolveKubeconfig(files, options.context === undefined ? {} : { context: options.context });
  }
  if (options.context !== undefined) return fail({ kind: "config", message: `--context ${options.context}: no kubeconfig found (looked at ${looked})` });
  if (env["KUBERNETES_SERVICE_HOST"] !== undefined && env["KUBERNETES_SERVICE_HOST"] !== "") return inClusterConfig(env, options.serviceAccountDir);
  return fail({ kind: "config", message: `no cluster configured: no kubeconfig (looked at ${looked}) and not running in a cluster (KUBERNETES_SERVICE_HOST is not set); pass --kubeconfig or -f FILES` });
}

/**
 * The pod's service account, as client-go's rest.InClusterConfig: the server from
 * KUBERNETES_SERVICE_HOST/PORT, the token and CA from the mounted files. The token is a file
 * source: projected tokens rotate, and the client re-reads it (credentials.ts).
 */
export function inClusterConfig(env: Readonly<Record<string, string | undefined>>, dir: string = SERVICE_ACCOUNT_DIR): Result<ClusterConfig> {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (host === undefined || host === "" || port === undefined || port === "") {
    return fail({ kind: "config", message: "in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (set by the kubelet in every pod)" });
  }
  const tokenPath = join(dir, "token");
  if (!existsSync(tokenPath)) return fail({ kind: "config", message: `in-cluster configuration: no service account token at ${tokenPath} (is automountServiceAccountToken false?)` });
  let namespace = "default";
  try {
    namespace = readFileSync(join(dir, "namespace"), "utf8").trim() || "default";
  } catch {
    // client-go falls back to "default" too.
  }
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const from = `in-cluster service account ${dir}`;
  return ok({
    cluster: { server: `https://${hostPart}:${port}`, insecureSkipTlsVerify: false, ca: { kind: "file", path: join(dir, "ca.crt"), from: `${from}/ca.crt` } },
    user: { token: { kind: "file", path: tokenPath, from: `${from}/token` } },
    namespace,
    origin: `in-cluster service account (namespace ${namespace})`,
  });
}
