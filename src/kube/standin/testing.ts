/** For the stand-in's own tests: raw HTTPS requests and watch streams against it, as a client sees them on the wire. */
import { spawnSync } from "node:child_process";
import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import type { StandIn } from "./standin.js";

export interface Credentials {
  /** A user whose bearer token is sent; none when absent (unless cert). */
  readonly user?: string;
  /** Send this token instead. */
  readonly token?: string;
  /** Authenticate with the user's client certificate instead of the token. */
  readonly cert?: boolean;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  /** The parsed JSON body. */
  readonly body: Record<string, unknown>;
  /** How many chunks the body arrived in. */
  readonly chunks: number;
}

function open(api: StandIn, path: string, who: Credentials, method: string, body: unknown, contentType: string): Promise<IncomingMessage> {
  const headers: Record<string, string> = {};
  const token = who.token ?? (who.user !== undefined && who.cert !== true ? api.token(who.user) : undefined);
  if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
  const text = body === undefined ? undefined : JSON.stringify(body);
  if (text !== undefined) headers["Content-Type"] = contentType;
  const cert = who.cert === true && who.user !== undefined ? api.clientCert(who.user) : undefined;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${api.url}${path}`, { method, headers, ca: api.caPem, agent: false, ...(cert === undefined ? {} : { cert: cert.certPem, key: cert.keyPem }) }, resolve);
    req.on("error", reject);
    req.end(text);
  });
}

/** One request; the body read whole and parsed. */
export async function call(api: StandIn, path: string, who: Credentials = { user: "admin" }, method = "GET", body?: unknown, contentType = "application/json"): Promise<Reply> {
  const res = await open(api, path, who, method, body, contentType);
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  const text = Buffer.concat(parts).toString("utf8");
  return { status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Record<string, unknown>, chunks: parts.length };
}

export interface WatchEvent {
  readonly type: string;
  readonly object: { readonly kind?: string; readonly metadata: { readonly name?: string; readonly resourceVersion?: string; readonly labels?: Record<string, string> }; readonly [k: string]: unknown };
}

export interface Watching {
  readonly status: number;
  readonly events: WatchEvent[];
  /** Resolves when the stream ends: "end" (cleanly), "aborted" (connection dropped mid-body). */
  readonly ended: Promise<"end" | "aborted">;
  /** Resolves once `n` events have arrived (rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<WatchEvent[]>;
  close(): void;
}

/** A watch request: events parsed line by line as they arrive. */
export async function watch(api: StandIn, path: string, who: Credentials = { user: "admin" }): Promise<Watching> {
  const res = await open(api, path, who, "GET", undefined, "");
  const events: WatchEvent[] = [];
  let waiters: (() => void)[] = [];
  let buffered = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      events.push(JSON.parse(buffered.slice(0, nl)) as WatchEvent);
      buffered = buffered.slice(nl + 1);
    }
    for (const w of waiters) w();
  });
  const ended = new Promise<"end" | "aborted">((resolve) => {
    res.on("end", () => resolve("end"));
    res.on("aborted", () => resolve("aborted"));
    res.on("error", () => resolve("aborted"));
  });
  return {
    status: res.statusCode ?? 0,
    events,
    ended,
    waitFor(n, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${events.length} events after ${ms} ms, waited for ${n}: ${JSON.stringify(events.map((e) => e.type))}`)), ms);
        const check = (): void => {
          if (events.length < n) return;
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          resolve(events.slice(0, n));
        };
        waiters.push(check);
        check();
      });
    },
    close() {
      res.destroy();
    },
  };
}

/** `false` when kubectl runs here; otherwise the reason, to pass as `{ skip }`. With CI=true a missing kubectl throws: the test file fails. */
export function kubectlSkip(): string | false {
  const probe = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (probe.status === 0) return false;
  const reason = "kubectl is not installed (the stand-in's honesty tests need the real client)";
  if (process.env.CI === "true") throw new Error(`kubectl tests must run in CI, but: ${reason}`);
  return reason;
}
