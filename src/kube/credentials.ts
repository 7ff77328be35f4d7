/**
 * The credentials of each request: a bearer token (inline, from a file re-read as it rotates, or
 * from an exec plugin cached until it expires) and/or a client certificate. After a 401 the
 * transport calls `rejected()`: cached tokens are dropped and read or fetched again once.
 */
import { readFileSync } from "node:fs";
import { type Result, fail, ok } from "./errors.js";
import { execInfo, runExecPlugin } from "./exec-credential.js";
import type { ClusterConfig, Material } from "./kubeconfig.js";

export interface Auth {
  readonly token?: string;
  /** PEM texts. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
}

export interface Credentials {
  get(signal?: AbortSignal): Promise<Result<Auth>>;
  /** The server answered 401 with these credentials: true when asking again may give different ones. */
  rejected(): boolean;
}

export interface CredentialOptions {
  readonly now?: () => number;
  /** How often a token file is re-read ("projected tokens rotate": client-go re-reads every minute). */
  readonly tokenFileRefreshMs?: number;
  readonly execTimeoutMs?: number;
}

export function readMaterial(m: Material): Result<string> {
  if (m.kind === "inline") return ok(m.pem);
  try {
    return ok(readFileSync(m.path, "utf8"));
  } catch (e) {
    return fail({ kind: "config", message: `cannot read ${m.path} (${m.from}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
  }
}

export function credentialsFor(config: ClusterConfig, options: CredentialOptions = {}): Credentials {
  const now = options.now ?? Date.now;
  const refreshMs = options.tokenFileRefreshMs ?? 60_000;
  const { user } = config;
  let staticCert: Result<Auth["clientCertificate"]> | undefined;
  const certificate = (): Result<Auth["clientCertificate"]> => {
    if (user.clientCert === undefined) return ok(undefined);
    if (staticCert === undefined || !staticCert.ok) {
      const cert = readMaterial(user.clientCert.cert);
      const key = readMaterial(user.clientCert.key);
      staticCert = !cert.ok ? cert : !key.ok ? key : ok({ cert: cert.value, key: key.value });
    }
    return staticCert;
  };

  // A token file: re-read at most every refreshMs, or at once after a 401.
  let fileToken: { token: string; readAt: number } | undefined;
  const tokenFromFile = (path: string, from: string): Result<string> => {
    if (fileToken !== undefined && now() - fileToken.readAt < refreshMs) return ok(fileToken.token);
    try {
      const token = readFileSync(path, "utf8").trim();
      if (token === "") return fail({ kind: "credentials", message: `token file ${path} (${from}) is empty` });
      fileToken = { token, readAt: now() };
      return ok(token);
    } catch (e) {
      // Keep using the last token read while the file is briefly missing (atomic rotation swaps a symlink).
      if (fileToken !== undefined) return ok(fileToken.token);
      return fail({ kind: "credentials", message: `cannot read token file ${path} (${from}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    }
  };

  // An exec plugin: cached until status.expirationTimestamp, fetched once for concurrent requests.
  // The shared run has its own AbortController: a waiting request that aborts leaves the run to
  // the others, and the run stops only when no request waits for it any more.
  let execCached: { auth: Auth; expiresAt: number | undefined } | undefined;
  let execRunning: { readonly result: Promise<Result<Auth>>; readonly stop: AbortController; waiting: number } | undefined;
  const fromExec = (signal?: AbortSignal): Promise<Result<Auth>> => {
    const exec = user.exec!;
    const at = `exec plugin ${exec.command} (${exec.from})`;
    if (execCached !== undefined && (execCached.expiresAt === undefined || now() < execCached.expiresAt)) return Promise.resolve(ok(execCached.auth));
    if (signal?.aborted === true) return Promise.resolve(fail({ kind: "aborted", message: `${at}: aborted` }));
    if (execRunning === undefined) {
      const ca = config.cluster.ca === undefined ? undefined : readMaterial(config.cluster.ca);
      if (ca !== undefined && !ca.ok) return Promise.resolve(ca);
      const stop = new AbortController();
      const result: Promise<Result<Auth>> = runExecPlugin(exec, execInfo(exec, config.cluster, ca?.value), options.execTimeoutMs, stop.signal).then((r) => {
        if (execRunning?.result === result) execRunning = undefined;
        if (!r.ok) return r;
        const auth: Auth = {
          ...(r.value.token === undefined ? {} : { token: r.value.token }),
          ...(r.value.clientCertificate === undefined ? {} : { clientCertificate: r.value.clientCertificate }),
        };
        execCached = { auth, expiresAt: r.value.expiresAt };
        return ok(auth);
      });
      execRunning = { result, stop, waiting: 0 };
    }
    const run = execRunning;
    run.waiting++;
    if (signal === undefined) return run.result;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        resolve(fail({ kind: "aborted", message: `${at}: aborted` }));
        if (--run.waiting > 0) return;
        // Nobody waits: stop the plugin; a later request starts a new run.
        if (execRunning === run) execRunning = undefined;
        run.stop.abort();
      };
      signal.addEventListener("abort", onAbort, { once: true });
      void run.result.then((r) => {
        signal.removeEventListener("abort", onAbort);
        resolve(r);
      });
    });
  };

  return {
    async get(signal) {
      const cert = certificate();
      if (!cert.ok) return cert;
      const base: Auth = cert.value === undefined ? {} : { clientCertificate: cert.value };
      if (user.exec !== undefined) {
        const fetched = await fromExec(signal);
        return fetched.ok ? ok({ ...base, ...fetched.value }) : fetched;
      }
      if (user.token === undefined) return ok(base);
      if (user.token.kind === "inline") return ok({ ...base, token: user.token.token });
      const token = tokenFromFile(user.token.path, user.token.from);
      return token.ok ? ok({ ...base, token: token.value }) : token;
    },
    rejected() {
      if (user.exec !== undefined) {
        execCached = undefined;
        return true;
      }
      if (user.token?.kind === "file") {
        fileToken = undefined;
        return true;
      }
      return false;
    },
  };
}
