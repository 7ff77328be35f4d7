/**
 * Test support for the API: `portcullis ui` run in-process on a free port (the CLI's own main,
 * stopped by the test), and raw HTTP requests over loopback whose headers the test chooses (Host,
 * Origin, Content-Type: what fetch would not let a test set).
 */
import { request } from "node:http";
import type { ClusterReader } from "../cli/live.js";
import { main } from "../cli/main.js";

/** The longest a test waits for one answer. */
const TIMEOUT_MS = 20_000;

export interface RunningApi {
  readonly url: string;
  readonly output: () => string;
  /** Stops the server; resolves to the command's exit code. */
  stop(): Promise<number>;
}

/** `portcullis ui ARGS --port 0` in-process; `readCluster` answers a live read (tests give the objects). */
export async function startApi(args: readonly string[], readCluster?: ClusterReader): Promise<RunningApi> {
  let out = "";
  let release: () => void = () => undefined;
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const exit = main(["ui", ...args, "--port", "0"], {
    stdout: (text) => (out += text),
    stderr: (text) => (out += text),
    ...(readCluster === undefined ? {} : { readCluster }),
    stopped: (server) => {
      listening(server.url);
      return new Promise<void>((resolve) => (release = resolve));
    },
  });
  const first = await Promise.race([url, exit.then((code) => `exit ${code}`)]);
  if (!first.startsWith("http")) throw new Error(`portcullis ui ended before serving (${first}): ${out}`);
  return {
    url: first,
    output: () => out,
    stop: () => {
      release();
      return exit;
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Call {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

/** One request to the server at `base` (http://127.0.0.1:PORT/), headers as given (Host defaults to the server's). */
export function call(base: string, c: Call): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: url.port, method: c.method ?? "GET", path: c.path, headers: { host: url.host, ...c.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    // The server may answer (413) and close before the whole body is sent: the answer still comes.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" ? undefined : reject(error)));
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer to ${c.method ?? "GET"} ${c.path} within ${TIMEOUT_MS} ms`)));
    req.end(c.body);
  });
}

/** A JSON POST from the page's own origin. */
export function post(base: string, path: string, body: unknown): Promise<Answer> {
  return call(base, { method: "POST", path, headers: { "content-type": "application/json", origin: new URL(base).origin }, body: JSON.stringify(body) });
}
