/**
 * The stand-in as its own process, driven over stdin/stdout: for a server in another network
 * namespace (`ip netns exec NODE node serve.js`: 127.0.0.1 there is the namespace's own loopback)
 * or outside the measured process (a benchmark's RSS). Spawn it with `spawnStandIn` (remote.ts).
 *
 * Protocol, one JSON object per line. Argument: the StandInOptions as JSON (optional). Out, first:
 * `{"ready":{"url","port","caPem"}}`. In: `{"id":1,"method":"apply","args":[obj]}`; out:
 * `{"id":1,"result":…}` or `{"id":1,"error":"message"}`. Methods: the StandIn's (apply, remove, get,
 * list, compact, kubeconfig, token, rotateToken, revokeToken, setRules, addUser, writeServiceAccount),
 * `applyMany(objects)`, `resourceVersion()`, `requests(from)` (the log from an index), and
 * `faults.closeWatchAfter|stallWatch|fail|throttle|slowBodies|clear` (a scope's path is a string; a
 * RegExp as `{"pathPattern": "…"}`). `close` ends the process.
 */
import { createInterface } from "node:readline";
import type { PathMatch } from "./faults.js";
import { type KubeObject, type StandIn, type StandInOptions, startStandIn } from "./standin.js";

type Scope = { path?: string; pathPattern?: string; every?: boolean };

const scope = (s: Scope | undefined): { path?: PathMatch; every?: boolean } => ({
  ...(s?.path !== undefined ? { path: s.path } : s?.pathPattern !== undefined ? { path: new RegExp(s.pathPattern) } : {}),
  ...(s?.every === undefined ? {} : { every: s.every }),
});

/** Arguments arrive as JSON and go to the StandIn untyped: it checks what it needs. */
function dispatch(api: StandIn, method: string, args: unknown[]): unknown {
  const a = args as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  switch (method) {
    case "apply":
      return api.apply(a[0]);
    case "applyMany":
      for (const o of a[0] as KubeObject[]) api.apply(o);
      return api.resourceVersion;
    case "remove":
      return api.remove(a[0], a[1], a[2]);
    case "get":
      return api.get(a[0], a[1], a[2]) ?? null;
    case "list":
      return api.list(a[0]);
    case "compact":
      return api.compact();
    case "resourceVersion":
      return api.resourceVersion;
    case "kubeconfig":
      return api.kubeconfig(a[0], a[1]);
    case "token":
      return api.token(a[0]);
    case "rotateToken":
      return api.rotateToken(a[0]);
    case "revokeToken":
      return api.revokeToken(a[0], a[1]);
    case "setRules":
      return api.setRules(a[0], a[1]);
    case "addUser":
      return api.addUser(a[0]);
    case "writeServiceAccount":
      return api.writeServiceAccount(a[0], a[1], a[2]);
    case "requests":
      return api.requests.slice(Number(a[0] ?? 0));
    case "faults.closeWatchAfter":
      return api.faults.closeWatchAfter(a[0], scope(a[1]));
    case "faults.stallWatch":
      return api.faults.stallWatch(scope(a[0]));
    case "faults.fail":
      return api.faults.fail(a[0], scope(a[1]));
    case "faults.throttle":
      return api.faults.throttle(a[0], a[1], scope(a[2]));
    case "faults.slowBodies":
      return api.faults.slowBodies(a[0], a[1]);
    case "faults.clear":
      return api.faults.clear();
    default:
      throw new Error(`stand-in: no method ${method}`);
  }
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? "{}") as StandInOptions;
  const api = await startStandIn(opts);
  const out = (o: unknown): void => {
    process.stdout.write(`${JSON.stringify(o)}\n`);
  };
  out({ ready: { url: api.url, port: api.port, caPem: api.caPem } });
  const close = async (): Promise<void> => {
    await api.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void close());
  const lines = createInterface({ input: process.stdin });
  lines.on("close", () => void close());
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const { id, method, args } = JSON.parse(line) as { id: number; method: string; args?: unknown[] };
    if (method === "close") {
      out({ id, result: null });
      await close();
    }
    try {
      out({ id, result: dispatch(api, method, args ?? []) ?? null });
    } catch (e) {
      out({ id, error: (e as Error).message });
    }
  }
}

await main();
