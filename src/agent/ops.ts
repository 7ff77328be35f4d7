import { type Server, createServer } from "node:http";

/** What /readyz answers: ready, or why not. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface OpsHandlers {
  readonly readiness: () => Readiness;
  /** The Prometheus text of /metrics (may read the kernel's counters first). */
  readonly metrics: () => Promise<string>;
}

export interface OpsServer {
  /** The address it listens on (the port chosen when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const TEXT = "text/plain; charset=utf-8";
/** The Prometheus text exposition format, version 0.0.4. */
const PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The agent's operations endpoints: /healthz (the process answers: 200), /readyz (200 when ready,
 * else 503 with the reason), /metrics. GET and HEAD only; anything else is 404 or 405.
 */
export async function startOps(listen: { readonly host: string; readonly port: number }, handlers: OpsHandlers): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (path !== "/healthz" && path !== "/readyz" && path !== "/metrics") return send(404, TEXT, "not found: try /healthz, /readyz or /metrics\n");
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, TEXT, "method not allowed\n");
    if (path === "/healthz") return send(200, TEXT, "ok\n");
    if (path === "/readyz") {
      const r = handlers.readiness();
      return r.ready ? send(200, TEXT, "ok\n") : send(503, TEXT, `not ready: ${r.reason}\n`);
    }
    handlers.metrics().then(
      (text) => send(200, PROMETHEUS, text),
      (e: unknown) => send(500, TEXT, `cannot render metrics: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : listen.port;
  return {
    host: listen.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
