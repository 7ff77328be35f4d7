/** The lab's side of one agent: start it in a namespace, send requests, stop it. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { AgentConfig, Ready, Reply, Request } from "./protocol.js";

const AGENT = fileURLToPath(new URL("./agent.js", import.meta.url));

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;
export type RequestBody = Distribute<Request>;

export class AgentHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = "";
  private readonly exited: Promise<void>;
  private alive = true;

  private constructor(
    readonly ns: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly pids: Set<number>,
  ) {
    this.exited = new Promise((resolve) => child.once("close", () => resolve()));
    void this.exited.then(() => this.onExit());
    child.stderr.on("data", (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-2000)));
    child.stdin.on("error", () => undefined);
  }

  /** Starts the agent and waits for its servers to listen. */
  static async start(ns: string, config: AgentConfig, pids: Set<number>, timeoutMs: number): Promise<AgentHandle> {
    // A clean environment: NODE_OPTIONS (--inspect, …) or test-runner variables must not reach agents.
    const env = { PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin" };
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, AGENT], { stdio: ["pipe", "pipe", "pipe"], env });
    if (child.pid !== undefined) pids.add(child.pid);
    const agent = new AgentHandle(ns, child, pids);
    const lines = createInterface({ input: child.stdout });
    const ready = new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent in ${ns} not ready after ${timeoutMs} ms`)), timeoutMs);
      lines.once("line", (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Ready);
        } catch {
          reject(new Error(`agent in ${ns} said: ${line.slice(0, 200)}`));
        }
      });
      void agent.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`agent in ${ns} exited: ${agent.stderr.trim()}`));
      });
    });
    lines.on("line", (line) => agent.onLine(line));
    child.stdin.write(`${JSON.stringify(config)}\n`);
    try {
      const r = await ready;
      if (!r.ready) throw new Error(`agent in ${ns}: ${r.error}`);
      return agent;
    } catch (e) {
      await agent.stop();
      throw e;
    }
  }

  private onLine(line: string): void {
    let reply: Reply | Ready;
    try {
      reply = JSON.parse(line) as Reply | Ready;
    } catch {
      return;
    }
    if (!("id" in reply)) return;
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(`agent in ${this.ns}: ${reply.error}`));
  }

  private onExit(): void {
    this.alive = false;
    if (this.child.pid !== undefined) this.pids.delete(this.child.pid);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`agent in ${this.ns} exited: ${this.stderr.trim()}`));
    }
    this.pending.clear();
  }

  request<T>(body: RequestBody, timeoutMs: number): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`agent in ${this.ns} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`agent in ${this.ns}: no reply to ${body.op} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  /** Closes its stdin (it exits on that), then kills it if it lingers. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.stdin.end();
    const waited = (ms: number): Promise<boolean> =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    if (await waited(1000)) return;
    this.child.kill("SIGKILL");
    await waited(2000);
  }
}
