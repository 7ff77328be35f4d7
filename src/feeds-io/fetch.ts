/**
 * Fetching a feed over HTTP(S), bounded: a deadline for the whole download (connection, headers and
 * body), a size cap checked while the body streams (a `Content-Length` above it is refused before the
 * body is read), at most `MAX_REDIRECTS` redirects of which none may go from https to http, a 2xx status,
 * and a content type a feed can have (a proxy's or captive portal's HTML page is refused). The body is
 * returned whole or not at all.
 */
import { createHash } from "node:crypto";

export interface FetchLimits {
  readonly maxBytes: number;
  /** The whole download's deadline (default 30 s). */
  readonly timeoutMs?: number;
}

export type Fetched =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      /** The address the body came from (after redirects). */
      readonly url: string;
      /** The response's `Content-MD5` (RFC 1864), checked against the body: hex, or null when not sent. */
      readonly md5: string | null;
    }
  | { readonly ok: false; readonly message: string };

export const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Types a feed is published with: JSON (AWS, Google, GitHub, Azure), text lists (Cloudflare ips-v4),
 * and the generic binary types object stores answer with. Anything else (text/html above all) is a page,
 * not a feed. No content type at all is accepted: the parser decides.
 */
const FEED_TYPES = /^(application\/([a-z.+-]*\+)?json|text\/json|text\/plain|application\/octet-stream|binary\/octet-stream)$/;

function contentTypeProblem(header: string | null): string | null {
  if (header === null || header.trim() === "") return null;
  const type = (header.split(";")[0] ?? "").trim().toLowerCase();
  return FEED_TYPES.test(type) ? null : `the server answered with ${type}, not a feed (JSON or text): a proxy's or login page?`;
}

/** Content-MD5 is base64 of the 16 digest bytes. */
function md5Header(header: string | null): string | null {
  if (header === null) return null;
  const bytes = Buffer.from(header.trim(), "base64");
  return bytes.length === 16 ? bytes.toString("hex") : null;
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      return { ok: false, message: `the body is larger than the size cap (--max-size ${maxBytes} bytes): stopped after ${total} bytes` };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

function failure(e: unknown, url: string, timeoutMs: number): string {
  const name = e instanceof Error ? e.name : "";
  if (name === "TimeoutError" || name === "AbortError") return `no complete answer from ${url} within ${timeoutMs} ms (--timeout)`;
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${url}: ${e instanceof Error ? e.message : String(e)}${cause}`;
}

/** A redirect fetch will not follow: from https to anything else (a downgrade), or to a scheme other than http(s). */
export function redirectProblem(from: URL, to: URL): string | null {
  if (to.protocol !== "https:" && to.protocol !== "http:") return `${from.href} redirects to ${to.href}: only http and https are fetched`;
  if (from.protocol === "https:" && to.protocol !== "https:") return `${from.href} redirects to ${to.href}: a redirect from https to http is refused`;
  return null;
}

async function attempt(url: string, limits: FetchLimits, signal: AbortSignal): Promise<Fetched> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== "https:" && current.protocol !== "http:") return { ok: false, message: `${current.href}: only http and https are fetched` };
    const response = await fetch(current, { redirect: "manual", signal, headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1" } });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (location === null) return { ok: false, message: `${current.href}: HTTP ${response.status} without a Location` };
      if (hop >= MAX_REDIRECTS) return { ok: false, message: `${url}: more than ${MAX_REDIRECTS} redirects (a redirect loop?)` };
      const next = new URL(location, current);
      const problem = redirectProblem(current, next);
      if (problem !== null) return { ok: false, message: problem };
      current = next;
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel();
      return { ok: false, message: `${current.href}: HTTP ${response.status}${response.statusText === "" ? "" : ` ${response.statusText}`}` };
    }
    const typeProblem = contentTypeProblem(response.headers.get("content-type"));
    if (typeProblem !== null) {
      await response.body?.cancel();
      return { ok: false, message: `${current.href}: ${typeProblem}` };
    }
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (length > limits.maxBytes) {
      await response.body?.cancel();
      return { ok: false, message: `${current.href}: Content-Length ${length} is above the size cap (--max-size ${limits.maxBytes} bytes)` };
    }
    const body = response.body === null ? { ok: true as const, bytes: new Uint8Array() } : await readCapped(response.body, limits.maxBytes);
    if (!body.ok) return { ok: false, message: `${current.href}: ${body.message}` };
    const md5 = md5Header(response.headers.get("content-md5"));
    if (md5 !== null && createHash("md5").update(body.bytes).digest("hex") !== md5) return { ok: false, message: `${current.href}: the body does not match its Content-MD5 (a truncated or altered download)` };
    return { ok: true, bytes: body.bytes, url: current.href, md5 };
  }
}

/** The body at `url`, or why not (one message naming the address). Never throws. */
export async function fetchFeedBytes(url: string, limits: FetchLimits): Promise<Fetched> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await attempt(url, limits, signal);
  } catch (e) {
    return { ok: false, message: failure(e, url, timeoutMs) };
  }
}
