/**
 * The page's HTTP server (node:http): listens on 127.0.0.1 only, serves the page's files
 * (assets.ts) and the analysis as JSON (the routes the caller gives). Requests whose Host is not
 * this server's (DNS rebinding) and writes from another origin are refused.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { appModule, type Asset, assetTable } from "./assets.js";

export const UI_HOST = "127.0.0.1";

/** The most a request body may hold (a pasted set of policies). */
const MAX_BODY = 8 * 1024 * 1024;

export interface ApiRequest {
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST; undefined for GET. */
  readonly body: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly json: unknown;
}

/** `GET /api/view`, `POST /api/check` …: the handler of each API route. */
export type Routes = ReadonlyMap<string, (request: ApiRequest) => Promise<ApiResponse> | ApiResponse>;

export interface UiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** Starts listening on 127.0.0.1:port (0: a free port); rejects when the port is taken (EADDRINUSE). */
export function startUiServer(port: number, routes: Routes): Promise<UiServer> {
  const assets = assetTable();
  let origin = "";
  const server = createServer((req, res) => {
    handle(req, res, { origin, assets, routes }).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, "application/json", JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, UI_HOST, () => {
      server.off("error", reject);
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      origin = `http://${UI_HOST}:${bound}`;
      resolve({
        url: `${origin}/`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

interface Context {
  readonly origin: string;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly routes: Routes;
}

async function handle(req: IncomingMessage, res: ServerResponse, context: Context): Promise<void> {
  const host = req.headers.host ?? "";
  const port = new URL(context.origin).port;
  if (host !== `${UI_HOST}:${port}` && host !== `localhost:${port}`) return send(res, 421, "text/plain", "this server answers only to http://127.0.0.1 (or localhost) on its own port\n");
  const url = new URL(req.url ?? "/", context.origin);
  if (url.pathname.startsWith("/api/")) return api(req, res, url, context);
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
  const asset = context.assets.get(url.pathname) ?? appModule(url.pathname);
  if (asset === null) return send(res, 404, "text/plain", "not found\n");
  const body = await readFile(asset.path).catch(() => null);
  if (body === null) return send(res, 500, "text/plain", `the package is incomplete: ${asset.path} is missing (was the build run?)\n`);
  send(res, 200, asset.type, body);
}

async function api(req: IncomingMessage, res: ServerResponse, url: URL, context: Context): Promise<void> {
  const method = req.method ?? "GET";
  const route = context.routes.get(`${method} ${url.pathname}`);
  if (route === undefined) {
    const other = [...context.routes.keys()].some((k) => k.endsWith(` ${url.pathname}`));
    return json(res, other ? 405 : 404, { error: other ? `${method} is not allowed on ${url.pathname}` : `no API ${url.pathname}` });
  }
  let body: unknown = undefined;
  if (method === "POST") {
    // A page of another origin may not change what this one shows (CSRF): same origin, JSON only.
    const from = req.headers.origin;
    if (from !== undefined && from !== context.origin && from !== context.origin.replace(UI_HOST, "localhost")) return json(res, 403, { error: "cross-origin request refused" });
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return json(res, 415, { error: "the body must be application/json" });
    const text = await readBody(req);
    if (text === null) {
      // The rest of the body is not read: answer, then close the connection.
      res.on("finish", () => req.destroy());
      return send(res, 413, "application/json; charset=utf-8", JSON.stringify({ error: `the body is larger than ${MAX_BODY} bytes` }), { connection: "close" });
    }
    try {
      body = JSON.parse(text);
    } catch (error) {
      return json(res, 400, { error: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const answer = await route({ query: url.searchParams, body });
  json(res, answer.status, answer.json);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.pause();
      resolve(null);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
