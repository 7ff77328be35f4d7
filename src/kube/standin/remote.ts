/**
 * A stand-in in a child process (serve.ts), e.g. inside a lab's network namespace:
 *
 *   const api = await spawnStandIn({ bookmarkIntervalMs: 100 }, ["ip", "netns", "exec", "node1"]);
 *   await api.call("apply", pod);                       // any StandIn method, by name (serve.ts lists them)
 *   await api.call("faults.closeWatchAfter", 2, { path: "/api/v1/pods" });
 *   writeFileSync(path, await api.call<string>("kubeconfig", "admin"));
 *   await api.close();
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StandInOptions } from "./standin.js";

export interface RemoteStandIn {
  readonly url: string;
  readonly port: number;
  readonly caPem: string;
  readonly pid: number;
  /** Calls a method in the child; rejects with its error message. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

const SERVE = fileURLToPath(new URL("./serve.js", import.meta.url));

/** Starts serve.js under `wrap` (a command prefix such as `ip netns exec NS`), resolving once it listens. */
export function spawnStandIn(opts: StandInOptions = {}, wrap: readonly string[] = []): Promise<RemoteStandIn> {
  const [command, ...prefix] = [...wrap, process.execPath];
  const child: ChildProcessWithoutNullStreams = spawn(command as string, [...prefix, SERVE, JSON.stringify(opts)], { stdio: ["pipe", "pipe", "pipe"] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolveReady, rejectReady) => {
    child.once("exit", (code) => {
      const error = new Error(`stand-in process exited (${String(code)}): ${stderr}`);
      rejectReady(error);
      for (const p of pending.values()) p.reject(error);
    });
    createInterface({ input: child.stdout }).on("line", (line) => {
      const msg = JSON.parse(line) as { ready?: { url: string; port: number; caPem: string }; id?: number; result?: unknown; error?: string };
      if (msg.ready !== undefined) {
        const { url, port, caPem } = msg.ready;
        resolveReady({
          url,
          port,
          caPem,
          pid: child.pid ?? 0,
          call<T>(method: string, ...args: unknown[]): Promise<T> {
            const id = nextId++;
            return new Promise<T>((resolve, reject) => {
              pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
              child.stdin.write(`${JSON.stringify({ id, method, args })}\n`);
            });
          },
          async close() {
            if (child.exitCode === null) {
              child.stdin.end();
              await exited;
            }
          },
        });
        return;
      }
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (p === undefined || msg.id === undefined) return;
      pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
  });
}
