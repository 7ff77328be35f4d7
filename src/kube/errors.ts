/**
 * What can go wrong talking to a cluster, as values. Each error carries a message that can be
 * printed as is: it names the file and key (configuration), the command (exec plugins), the server
 * and the resource (HTTP).
 */
export type KubeError =
  /** The kubeconfig or in-cluster configuration is missing, unreadable or asks for something unsupported. */
  | { readonly kind: "config"; readonly message: string }
  /** Credentials could not be obtained (exec plugin failed, token file unreadable). */
  | { readonly kind: "credentials"; readonly message: string }
  /** No connection: refused, DNS, reset, request timeout. */
  | { readonly kind: "unreachable"; readonly message: string }
  /** The TLS handshake failed (certificate verification, bad client certificate). */
  | { readonly kind: "tls"; readonly message: string }
  /** An HTTP status from the API server, with its Status message. */
  | { readonly kind: "http"; readonly status: HttpFailure; readonly code: number; readonly message: string; readonly retryAfterSeconds?: number }
  /** A body that is not the JSON it should be. */
  | { readonly kind: "decode"; readonly message: string }
  /** The caller's AbortSignal fired. */
  | { readonly kind: "aborted"; readonly message: string };

/** HTTP failures by what the caller does about them. */
export type HttpFailure = "unauthorized" | "forbidden" | "not-found" | "expired" | "too-many-requests" | "server" | "other";

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: KubeError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: KubeError): Result<T> => ({ ok: false, error });

export function httpFailure(code: number): HttpFailure {
  if (code === 401) return "unauthorized";
  if (code === 403) return "forbidden";
  if (code === 404) return "not-found";
  if (code === 410) return "expired";
  if (code === 429) return "too-many-requests";
  if (code >= 500) return "server";
  return "other";
}

export const isHttp = (error: KubeError, status: HttpFailure): boolean => error.kind === "http" && error.status === status;

/** "200 ms", "30 s": how messages say a timeout. */
export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
