/**
 * HTTP(S) to the API server over node:https: a keep-alive agent with the cluster's CA, the client
 * certificate when there is one, and tls-server-name; a bearer token per request. Every failure is
 * a value: Status bodies become `http` errors with the server's message, socket errors become
 * `unreachable`/`tls` errors that say what to check. A 401 asks the credentials to refresh and
 * retries once.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { type Auth, type CredentialOptions, type Credentials, credentialsFor, readMaterial } from "./credentials.js";
import { type KubeError, type Result, fail, formatDuration, httpFailure, ok } from "./errors.js";
import type { ClusterConfig } from "./kubeconfig.js";

export interface TransportOptions {
  /** A request (a list page, a watch's headers) with no answer for this long fails. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly credentials?: CredentialOptions;
}

/** A request's method and body, for writes. */
interface Send {
  readonly method: WriteMethod;
  readonly contentType: string;
  readonly body: Buffer | undefined;
}

/** The methods of writes: POST creates, PATCH merges, DELETE deletes (no body: options go in the query). */
export type WriteMethod = "POST" | "PATCH" | "DELETE";

/** The error code of a request that waited longer than the request timeout. */
const TIMEOUT = "PORTCULLIS_TIMEOUT";

/** TLS codes of OpenSSL/Node that mean "the server's certificate did not verify". */
const VERIFY_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

export class Transport {
  readonly server: string;
  readonly origin: string;
  private readonly config: ClusterConfig;
  private readonly credentials: Credentials;
  private readonly timeoutMs: number;
  private readonly isHttps: boolean;
  private ca: Result<string | undefined> | undefined;
  private agent: { key: string; agent: http.Agent } | undefined;
  private readonly retired: http.Agent[] = [];

  constructor(config: ClusterConfig, options: TransportOptions = {}) {
    this.config = config;
    this.server = config.cluster.server;
    this.origin = config.origin;
    this.isHttps = this.server.startsWith("https:");
    this.credentials = credentialsFor(config, options.credentials);
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** GET a JSON document. */
  async getJson(path: string, signal?: AbortSignal): Promise<Result<unknown>> {
    const response = await this.open(path, signal, true);
    if (!response.ok) return response;
    const body = await this.readBody(response.value, path, signal);
    if (!body.ok) return body;
    return parseJson(body.value, `${this.server}${path}`);
  }

  /** GET a text document (a pod's log), decoded as UTF-8. */
  async getText(path: string, signal?: AbortSignal): Promise<Result<string>> {
    const response = await this.open(path, signal, true);
    if (!response.ok) return response;
    const body = await this.readBody(response.value, path, signal);
    return body.ok ? ok(body.value.toString("utf8")) : body;
  }

  /**
   * GET a streaming response (a watch): the 200 response, its body unread. The request timeout
   * covers the wait for headers only; the caller watches the body for inactivity.
   */
  stream(path: string, signal?: AbortSignal): Promise<Result<IncomingMessage>> {
    return this.open(path, signal, false);
  }

  /**
   * A write (POST to create, PATCH with a merge patch): the JSON document answered. Not retried:
   * the caller decides (the node agent's Events are best effort).
   */
  async sendJson(method: WriteMethod, path: string, body: unknown, contentType = "application/json", signal?: AbortSignal): Promise<Result<unknown>> {
    const response = await this.open(path, signal, true, { method, contentType, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) });
    if (!response.ok) return response;
    const answer = await this.readBody(response.value, path, signal);
    if (!answer.ok) return answer;
    return parseJson(answer.value, `${this.server}${path}`);
  }

  /** Closes idle keep-alive connections (so a process can exit). */
  close(): void {
    this.agent?.agent.destroy();
    this.agent = undefined;
    for (const agent of this.retired.splice(0)) agent.destroy();
  }

  private async open(path: string, signal: AbortSignal | undefined, wholeBodyTimeout: boolean, send?: Send): Promise<Result<IncomingMessage>> {
    for (let attempt = 0; ; attempt++) {
      const auth = await this.credentials.get(signal);
      if (!auth.ok) return auth;
      const agent = this.agentFor(auth.value);
      if (!agent.ok) return agent;
      const response = await this.request(path, auth.value, agent.value, signal, wholeBodyTimeout, send);
      if (!response.ok) return response;
      const status = response.value.statusCode ?? 0;
      if (status >= 200 && status < 300) return response;
      const body = await this.readBody(response.value, path, signal);
      if (!body.ok) return body;
      if (status === 401 && attempt === 0 && this.credentials.rejected()) continue;
      return fail(this.statusError(path, status, response.value, body.value));
    }
  }

  private agentFor(auth: Auth): Result<http.Agent> {
    const key = auth.clientCertificate === undefined ? "" : auth.clientCertificate.cert;
    if (this.agent !== undefined && this.agent.key === key) return ok(this.agent.agent);
    if (!this.isHttps) {
      this.agent = { key, agent: new http.Agent({ keepAlive: true }) };
      return ok(this.agent.agent);
    }
    if (this.ca === undefined || !this.ca.ok) this.ca = this.config.cluster.ca === undefined ? ok(undefined) : readMaterial(this.config.cluster.ca);
    if (!this.ca.ok) return this.ca;
    // A rotated client certificate (exec plugin) gets a new agent; the old one's requests (a watch) run on, closed with the transport.
    if (this.agent !== undefined) this.retired.push(this.agent.agent);
    const agent = new https.Agent({
      keepAlive: true,
      rejectUnauthorized: !this.config.cluster.insecureSkipTlsVerify,
      ...(this.ca.value === undefined ? {} : { ca: this.ca.value }),
      ...(auth.clientCertificate === undefined ? {} : { cert: auth.clientCertificate.cert, key: auth.clientCertificate.key }),
      ...(this.config.cluster.tlsServerName === undefined ? {} : { servername: this.config.cluster.tlsServerName }),
    });
    this.agent = { key, agent };
    return ok(agent);
  }

  private request(path: string, auth: Auth, agent: http.Agent, signal: AbortSignal | undefined, wholeBodyTimeout: boolean, send: Send | undefined): Promise<Result<IncomingMessage>> {
    // Appended, not resolved: a server URL may carry a path (Rancher: https://rancher.example/k8s/clusters/c-m-xyz).
    const url = new URL(this.server + path);
    const headers: Record<string, string> = { Accept: "application/json, */*", "User-Agent": "portcullis" };
    if (send?.body !== undefined) {
      headers["Content-Type"] = send.contentType;
      headers["Content-Length"] = String(send.body.length);
    }
    if (auth.token !== undefined) headers["Authorization"] = `Bearer ${auth.token}`;
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve(fail({ kind: "aborted", message: "aborted" }));
        return;
      }
      const lib = this.isHttps ? https : http;
      const req = lib.request(url, { method: send?.method ?? "GET", agent, headers, ...(signal === undefined ? {} : { signal }) });
      let settled = false;
      const settle = (r: Result<IncomingMessage>): void => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      let response: IncomingMessage | undefined;
      // Before the headers the request fails; after them, the body (readBody says so).
      req.setTimeout(this.timeoutMs, () => (response ?? req).destroy(Object.assign(new Error("timeout"), { code: TIMEOUT })));
      req.on("error", (e: NodeJS.ErrnoException) => settle(fail(this.socketError(e, path))));
      req.on("response", (res) => {
        response = res;
        // A watch's 200 stream stays open past the request timeout (the caller watches it for inactivity);
        // an error's body, and a list's, are bounded by it.
        const streaming = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        if (!wholeBodyTimeout && streaming) req.setTimeout(0);
        settle(ok(res));
      });
      req.end(send?.body);
    });
  }

  private socketError(e: NodeJS.ErrnoException, path: string): KubeError {
    const server = this.server;
    const code = e.code ?? "";
    if (e.name === "AbortError" || code === "ABORT_ERR") return { kind: "aborted", message: "aborted" };
    if (code === TIMEOUT) return { kind: "unreachable", message: `${server}${path}: no answer within ${formatDuration(this.timeoutMs)}` };
    if (code === "ECONNREFUSED") return { kind: "unreachable", message: `cannot connect to ${server}: connection refused (is the API server running at that address? ${this.origin})` };
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "unreachable", message: `cannot connect to ${server}: the host name does not resolve (DNS ${code}; ${this.origin})` };
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT") return { kind: "unreachable", message: `cannot connect to ${server}: ${code} (no route or no answer; ${this.origin})` };
    if (code === "ECONNRESET" || code === "EPIPE") return { kind: "unreachable", message: `${server}: the connection was reset (${code})` };
    const ca = this.config.cluster.ca;
    const caText = ca === undefined ? "no certificate-authority is configured, so only the system CAs are trusted" : `the cluster CA is ${ca.from}`;
    if (VERIFY_CODES.has(code)) return { kind: "tls", message: `${server}: the server's certificate is not signed by a trusted CA (${code}): ${caText}` };
    if (code === "CERT_HAS_EXPIRED") return { kind: "tls", message: `${server}: the server's certificate has expired (${code})` };
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return { kind: "tls", message: `${server}: the server's certificate does not name this host (${e.message}); set tls-server-name to a name it carries` };
    if (/SSL|TLS|CERT/.test(code) || /alert/i.test(e.message)) return { kind: "tls", message: `${server}: TLS handshake failed (${code || e.message}): check the client certificate and ${caText}` };
    return { kind: "unreachable", message: `cannot connect to ${server}: ${e.message}` };
  }

  /** A whole response body; a body that stops for the request timeout, or is cut, fails naming the URL. */
  private readBody(res: IncomingMessage, path: string, signal?: AbortSignal): Promise<Result<Buffer>> {
    const at = `${this.server}${path}`;
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(ok(Buffer.concat(chunks))));
      res.on("error", (e: NodeJS.ErrnoException) => {
        if (signal?.aborted === true || e.name === "AbortError") resolve(fail({ kind: "aborted", message: "aborted" }));
        else if (e.code === TIMEOUT) resolve(fail({ kind: "unreachable", message: `${at}: the response stopped: no data for ${formatDuration(this.timeoutMs)}` }));
        else resolve(fail({ kind: "unreachable", message: `${at}: the response was cut off (${e.message})` }));
      });
      // After "end" or "error" this resolves nothing more: a close without either is a cut.
      res.on("close", () => resolve(fail({ kind: "unreachable", message: `${at}: the response was cut off` })));
    });
  }

  private statusError(path: string, code: number, res: IncomingMessage, body: Buffer): KubeError {
    const status = httpFailure(code);
    const message = statusMessage(body) ?? `HTTP ${code} ${res.statusMessage ?? ""}`.trim();
    const at = `${this.server}${path.split("?")[0]}`;
    if (status === "unauthorized") {
      return { kind: "http", status, code, message: `the cluster rejected the credentials (expired or revoked?) of ${this.origin}: ${message} (HTTP 401 from ${at})` };
    }
    if (status === "too-many-requests") {
      const retryAfterSeconds = retryAfter(res.headers["retry-after"], body);
      return { kind: "http", status, code, message: `${at}: ${message} (HTTP 429)`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
    }
    return { kind: "http", status, code, message: `${at}: ${message} (HTTP ${code})` };
  }
}

/** Retry-After in seconds (an integer; an HTTP date is read too), else the Status's details.retryAfterSeconds. */
function retryAfter(header: string | undefined, body: Buffer): number | undefined {
  if (header !== undefined && header !== "") {
    if (/^\d+$/.test(header.trim())) return Number(header.trim());
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  try {
    const doc = JSON.parse(body.toString("utf8")) as { details?: { retryAfterSeconds?: unknown } };
    const seconds = doc.details?.retryAfterSeconds;
    return typeof seconds === "number" ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/** A metav1.Status body's message, if the body is one. */
export function statusMessage(body: Buffer): string | undefined {
  try {
    const doc = JSON.parse(body.toString("utf8")) as { kind?: unknown; message?: unknown };
    return doc.kind === "Status" && typeof doc.message === "string" && doc.message !== "" ? doc.message : undefined;
  } catch {
    const text = body.toString("utf8").trim();
    return text === "" ? undefined : text.slice(0, 200);
  }
}


function parseJson(body: Buffer, at: string): Result<unknown> {
  const text = body.toString("utf8");
  try {
    return ok(JSON.parse(text));
  } catch (e) {
    return fail({ kind: "decode", message: `${at}: the response is not JSON (${(e as Error).message}); it starts with ${JSON.stringify(text.slice(0, 80))}` });
  }
}
