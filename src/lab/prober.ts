/**
 * Probes from inside a namespace: TCP connects and reads the identity; UDP sends one datagram
 * and waits for the identity to come back. Every probe ends within its timeouts.
 */
import { createSocket } from "node:dgram";
import { createConnection } from "node:net";
import { performance } from "node:perf_hooks";
import { mapLimit } from "./limit.js";
import { PROBE_CONCURRENCY, PROBE_PAYLOAD, type WireProbeResult, type WireTarget } from "./protocol.js";
import type { ProbeOutcome } from "./types.js";

type Failure = { readonly outcome: Exclude<ProbeOutcome, "answered">; readonly detail?: string };

export function failureOf(code: string | undefined): Failure {
  switch (code) {
    case "ECONNREFUSED":
      return { outcome: "refused" };
    case "ECONNRESET":
    case "EPIPE":
      return { outcome: "reset" };
    case "ETIMEDOUT":
      return { outcome: "timeout" };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EHOSTDOWN":
    case "ENETDOWN":
    case "EACCES":
    case "EPERM":
      return { outcome: "unreachable", detail: code };
    default:
      return { outcome: "error", detail: code ?? "unknown" };
  }
}

interface Finisher {
  (outcome: ProbeOutcome, detail?: string): void;
}

/** One settle-once result with a clock; `cleanup` runs once when it settles. */
function settle(resolve: (r: WireProbeResult) => void, data: () => string, cleanup: () => void): Finisher {
  const start = performance.now();
  let done = false;
  return (outcome, detail) => {
    if (done) return;
    done = true;
    cleanup();
    resolve({
      identity: outcome === "answered" ? data().trim() : null,
      outcome,
      ...(detail === undefined ? {} : { detail }),
      ms: Math.round(performance.now() - start),
    });
  };
}

export function probeTcp(t: WireTarget, timeoutMs: number, sourceIp?: string): Promise<WireProbeResult> {
  return new Promise((resolve) => {
    let data = "";
    const socket = createConnection({ host: t.ip, port: t.port, ...(sourceIp === undefined ? {} : { localAddress: sourceIp }) });
    let timer = setTimeout(() => finish("timeout"), timeoutMs);
    const finish = settle(resolve, () => data, () => {
      clearTimeout(timer);
      socket.destroy();
    });
    socket.on("connect", () => {
      socket.write(PROBE_PAYLOAD);
      clearTimeout(timer);
      timer = setTimeout(() => finish("silent"), timeoutMs);
    });
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes("\n")) finish("answered");
    });
    socket.on("end", () => finish(data === "" ? "silent" : "answered"));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const f = failureOf(e.code);
      finish(f.outcome, f.detail);
    });
  });
}

export function probeUdp(t: WireTarget, timeoutMs: number, sourceIp?: string): Promise<WireProbeResult> {
  return new Promise((resolve) => {
    let data = "";
    let closed = false;
    const socket = createSocket(t.ip.includes(":") ? "udp6" : "udp4");
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    const finish = settle(resolve, () => data, () => {
      clearTimeout(timer);
      closed = true;
      socket.close();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const f = failureOf(e.code);
      finish(f.outcome, f.detail);
    });
    socket.on("message", (msg) => {
      data = msg.toString();
      finish("answered");
    });
    // dgram hands a failed connect to the callback, not to the 'error' event.
    const send = (): void =>
      socket.connect(t.port, t.ip, (err?: NodeJS.ErrnoException) => {
        if (err instanceof Error) {
          const f = failureOf(err.code);
          return finish(f.outcome, f.detail);
        }
        if (!closed) socket.send(PROBE_PAYLOAD);
      });
    if (sourceIp === undefined) send();
    else socket.bind(0, sourceIp, send);
  });
}

export async function probeOne(t: WireTarget, timeoutMs: number, sourceIp?: string): Promise<WireProbeResult> {
  switch (t.protocol) {
    case "TCP":
      return probeTcp(t, timeoutMs, sourceIp);
    case "UDP":
      return probeUdp(t, timeoutMs, sourceIp);
    case "SCTP":
      return { identity: null, outcome: "unsupported", detail: "SCTP probes are not implemented", ms: 0 };
  }
}

export function probeAll(targets: readonly WireTarget[], timeoutMs: number, sourceIp?: string): Promise<WireProbeResult[]> {
  return mapLimit(targets, PROBE_CONCURRENCY, (t) => probeOne(t, timeoutMs, sourceIp));
}
