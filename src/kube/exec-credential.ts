/**
 * client.authentication.k8s.io exec credential plugins (EKS `aws eks get-token`, GKE
 * `gke-gcloud-auth-plugin`, AKS `kubelogin`): run the command, read an ExecCredential from its
 * stdout. Portcullis never has a terminal to lend the plugin: stdin is closed and
 * spec.interactive is false.
 */
import { spawn } from "node:child_process";
import { type Result, fail, formatDuration, ok } from "./errors.js";
import type { ClusterSettings, ExecSettings } from "./kubeconfig.js";
import { isRecord } from "../k8s/values.js";

/** What a plugin gave: a token or a client certificate, and until when (undefined: until rejected). */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  readonly expiresAt?: number;
}

type Json = Record<string, unknown>;

/** The ExecCredential a plugin printed, checked as client-go checks it. */
export function parseExecCredential(stdout: string, settings: ExecSettings): Result<ExecCredential> {
  const at = `exec plugin ${settings.command} (${settings.from})`;
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (e) {
    return fail({ kind: "credentials", message: `${at} printed no ExecCredential JSON: ${(e as Error).message}` });
  }
  if (!isRecord(doc) || doc["kind"] !== "ExecCredential") return fail({ kind: "credentials", message: `${at} printed JSON that is not an ExecCredential` });
  if (doc["apiVersion"] !== settings.apiVersion) {
    return fail({ kind: "credentials", message: `${at} printed apiVersion ${JSON.stringify(doc["apiVersion"])}, but the kubeconfig asks for ${settings.apiVersion}` });
  }
  const status = doc["status"];
  if (!isRecord(status)) return fail({ kind: "credentials", message: `${at} printed an ExecCredential without status` });
  const token = typeof status["token"] === "string" && status["token"] !== "" ? status["token"] : undefined;
  const cert = status["clientCertificateData"];
  const key = status["clientKeyData"];
  const hasCert = typeof cert === "string" && cert !== "";
  const hasKey = typeof key === "string" && key !== "";
  if (hasCert !== hasKey) return fail({ kind: "credentials", message: `${at}: status has ${hasCert ? "clientCertificateData but no clientKeyData" : "clientKeyData but no clientCertificateData"}` });
  if (token === undefined && !hasCert) return fail({ kind: "credentials", message: `${at}: status has neither token nor clientCertificateData/clientKeyData` });
  let expiresAt: number | undefined;
  const expiry = status["expirationTimestamp"];
  if (expiry !== undefined && expiry !== null) {
    expiresAt = typeof expiry === "string" ? Date.parse(expiry) : Number.NaN;
    if (Number.isNaN(expiresAt)) return fail({ kind: "credentials", message: `${at}: status.expirationTimestamp ${JSON.stringify(expiry)} is not an RFC 3339 time` });
  }
  return ok({
    ...(token === undefined ? {} : { token }),
    ...(hasCert && hasKey ? { clientCertificate: { cert: cert as string, key: key as string } } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
}

/** KUBERNETES_EXEC_INFO: what the plugin is told. `caData` is the CA PEM when provideClusterInfo is set. */
export function execInfo(settings: ExecSettings, cluster: ClusterSettings, caPem: string | undefined): string {
  const spec: Json = { interactive: false };
  if (settings.provideClusterInfo) {
    spec["cluster"] = {
      server: cluster.server,
      ...(cluster.tlsServerName === undefined ? {} : { "tls-server-name": cluster.tlsServerName }),
      ...(cluster.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
      ...(caPem === undefined ? {} : { "certificate-authority-data": Buffer.from(caPem).toString("base64") }),
    };
  }
  return JSON.stringify({ apiVersion: settings.apiVersion, kind: "ExecCredential", spec });
}

const lastLines = (text: string, n: number): string => text.trim().split("\n").slice(-n).join("\n");
const hint = (settings: ExecSettings): string => (settings.installHint === undefined ? "" : `\n${settings.installHint.trim()}`);

/** Runs the plugin once. `timeoutMs` bounds a plugin that hangs (waiting for a login that cannot happen). */
export function runExecPlugin(settings: ExecSettings, info: string, timeoutMs = 60_000, signal?: AbortSignal): Promise<Result<ExecCredential>> {
  const at = `exec plugin ${settings.command} (${settings.from})`;
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, KUBERNETES_EXEC_INFO: info };
    for (const { name, value } of settings.env) env[name] = value;
    const child = spawn(settings.command, [...settings.args], { env, stdio: ["ignore", "pipe", "pipe"], ...(signal === undefined ? {} : { signal }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const done = (r: Result<ExecCredential>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done(fail({ kind: "credentials", message: `${at} did not finish within ${formatDuration(timeoutMs)} (is it waiting for an interactive login?)${hint(settings)}` }));
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.name === "AbortError") done(fail({ kind: "aborted", message: `${at}: aborted` }));
      else if (e.code === "ENOENT") done(fail({ kind: "credentials", message: `${at}: command not found${hint(settings)}` }));
      else done(fail({ kind: "credentials", message: `${at} could not run: ${e.message}${hint(settings)}` }));
    });
    child.on("close", (code, sig) => {
      const stderr = lastLines(Buffer.concat(err).toString("utf8"), 10);
      if (code !== 0) {
        const how = code === null ? `was killed (${sig})` : `exited with status ${code}`;
        done(fail({ kind: "credentials", message: `${at} ${how}${stderr === "" ? "" : `: ${stderr}`}${hint(settings)}` }));
        return;
      }
      done(parseExecCredential(Buffer.concat(out).toString("utf8"), settings));
    });
  });
}
