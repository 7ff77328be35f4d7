/**
 * Writing responses as kube-apiserver does: JSON bodies, Status objects for errors (kind Status,
 * status Failure, message, reason, details, code), and bodies trickled when a fault says so.
 */
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

export type Reason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError"
  | "Timeout";

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (plural), as the apiserver fills it: `{"name":"web","kind":"pods"}`. */
  readonly kind?: string;
  readonly retryAfterSeconds?: number;
  readonly causes?: readonly { readonly reason?: string; readonly message: string; readonly field?: string }[];
}

export interface Status {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: { readonly continue?: string };
  readonly status: "Failure";
  readonly message: string;
  readonly reason: Reason;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** An error as the apiserver writes it; details only when given (a 401 has none). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: Reason,
    message: string,
    readonly details?: StatusDetails,
    readonly continueToken?: string,
  ) {
    super(message);
  }

  get status(): Status {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: this.continueToken === undefined ? {} : { continue: this.continueToken },
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }),
      code: this.code,
    };
  }
}

/** `pods "web" not found`: details name the object and its resource (and group outside the core). */
export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${resource}${group === "" ? "" : `.${group}`} "${name}" not found`, { name, ...(group === "" ? {} : { group }), kind: resource });
}

/** How a body is written: at once, or `bytes` at a time `delayMs` apart. */
export type Pace = { readonly bytes: number; readonly delayMs: number } | undefined;

/** Writes text on a response, trickled when paced; false when the client went away. */
export async function writePaced(res: ServerResponse, text: string, pace: Pace): Promise<boolean> {
  if (pace === undefined) return !res.destroyed && res.write(text) !== undefined;
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += pace.bytes) {
    if (res.destroyed) return false;
    res.write(bytes.subarray(at, at + pace.bytes));
    await sleep(pace.delayMs);
  }
  return !res.destroyed;
}

/** A whole JSON response. */
export async function sendJson(res: ServerResponse, code: number, body: unknown, pace: Pace, headers: Record<string, string> = {}): Promise<void> {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", ...(pace === undefined ? { "Content-Length": String(Buffer.byteLength(text)) } : {}), ...headers });
  await writePaced(res, text, pace);
  res.end();
}

export async function sendError(res: ServerResponse, e: ApiError, pace: Pace): Promise<void> {
  const headers: Record<string, string> = e.details?.retryAfterSeconds === undefined ? {} : { "Retry-After": String(e.details.retryAfterSeconds) };
  await sendJson(res, e.code, e.status, pace, headers);
}
