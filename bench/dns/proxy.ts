/**
 * DNS proxy benchmark (not a test): answers/s through the proxy and the latency it adds.
 *   npm run bench:dns-proxy -- [--quick] [--seconds=N]
 * Three processes on 127.0.0.1: the upstream (the lab DNS server, src/lab/servers.ts), the proxy
 * (src/enforce/dns-proxy.ts, alone in its process: "one core" is its CPU time), and this one, the
 * clients (closed loops over UDP: each of `concurrency` clients sends its next query when its
 * answer is in). Hooks: `noop` (resolves at once) and `timer` (awaits a 1 ms timer, as a commit
 * to the kernel might). Needs no root; touches no network configuration.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { TYPE_A, encodeQuery } from "../../src/dns/message.js";
import { startDnsProxy } from "../../src/enforce/dns-proxy.js";
import { dnsZone } from "../../src/lab/dns-zone.js";
import { startDnsServer } from "../../src/lab/servers.js";
import { quantile } from "../enforce/events.js";
import { table } from "../report.js";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = args.includes("--quick");
const SECONDS = Number(arg("seconds") ?? (QUICK ? 1 : 3));
const NAMES = 1000;
const name = (i: number): string => `api-${i % NAMES}.example.com`;

type Hook = "noop" | "timer";

/** Child roles: the upstream DNS server, or the proxy; each prints `{"port": N}` when ready and answers `stats` lines on stdin. */
async function child(role: string): Promise<void> {
  const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
  if (role === "upstream") {
    const names: Record<string, string[]> = {};
    const cnames: Record<string, string> = {};
    for (let i = 0; i < NAMES; i++) {
      names[`edge-${i}.cdn.example.net`] = [`10.${i >> 8}.${i & 0xff}.1`, `10.${i >> 8}.${i & 0xff}.2`];
      cnames[name(i)] = `edge-${i}.cdn.example.net`;
    }
    const server = await startDnsServer(dnsZone({ names, cnames, ttls: {} }), "127.0.0.1", 0);
    say({ port: server.port });
  } else {
    const hook = arg("hook") as Hook;
    const proxy = await startDnsProxy(
      { listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: Number(arg("upstream")) }, maxInflight: 100_000 },
      hook === "noop" ? () => Promise.resolve() : () => new Promise((r) => setTimeout(r, 1)),
    );
    say({ port: proxy.address.port });
    createInterface({ input: process.stdin }).on("line", () => {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      say({ cpuSeconds: (cpu.user + cpu.system) / 1e6, rss: mem.rss, heapUsed: mem.heapUsed, stats: proxy.stats() });
    });
  }
  process.stdin.on("end", () => process.exit(0));
}

interface Child {
  readonly port: number;
  ask(): Promise<{ cpuSeconds: number; rss: number; heapUsed: number; stats: { answers: number; lateReleases: number; upstreamErrors: number } }>;
  stop(): void;
}

async function startChild(role: string, extra: string[] = []): Promise<Child> {
  const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), `--role=${role}`, ...extra], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout });
  const waiting: ((l: string) => void)[] = [];
  lines.on("line", (l) => waiting.shift()?.(l));
  const nextLine = (): Promise<string> => new Promise((r) => waiting.push(r));
  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    port,
    ask: async () => {
      const line = nextLine();
      proc.stdin.write("stats\n");
      return JSON.parse(await line) as Awaited<ReturnType<Child["ask"]>>;
    },
    stop: () => proc.stdin.end(),
  };
}

/** `concurrency` closed-loop UDP clients against `port` for `seconds`: answers, and each lookup's ms. */
async function load(port: number, concurrency: number, seconds: number): Promise<{ answers: number; wallSeconds: number; ms: number[]; lost: number }> {
  const ms: number[] = [];
  let answers = 0;
  let lost = 0;
  const until = performance.now() + seconds * 1000;
  const client = (k: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = createSocket("udp4");
      let id = 0;
      let sentAt = 0;
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        if (performance.now() >= until) {
          socket.close();
          return resolve();
        }
        id = (id + 1) & 0xffff;
        sentAt = performance.now();
        clearTimeout(timer);
        timer = setTimeout(() => {
          lost++;
          send();
        }, 2000);
        socket.send(encodeQuery(id, name(k * 7919 + id), TYPE_A), port, "127.0.0.1");
      };
      socket.on("message", (m) => {
        if (((m[0] ?? 0) << 8 | (m[1] ?? 0)) !== id) return;
        clearTimeout(timer);
        ms.push(performance.now() - sentAt);
        answers++;
        send();
      });
      socket.bind(0, "127.0.0.1", send);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, k) => client(k)));
  return { answers, wallSeconds: (performance.now() - started) / 1000, ms, lost };
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const upstream = await startChild("upstream");
  const out: string[] = [`DNS proxy benchmark: ${SECONDS} s per figure, ${NAMES} names (each a CNAME to a name with 2 A records), UDP, 127.0.0.1`];
  try {
    // Throughput: 100 clients in closed loops saturate the proxy; per core = answers / the proxy's CPU seconds.
    const rows: string[][] = [];
    const latency: string[][] = [];
    for (const hook of ["noop", "timer"] as const) {
      const proxy = await startChild("proxy", [`--hook=${hook}`, `--upstream=${upstream.port}`]);
      const idle = await proxy.ask();
      await load(proxy.port, 10, 0.3); // warm up
      const before = await proxy.ask();
      const run = await load(proxy.port, 100, SECONDS);
      const afterRun = await proxy.ask();
      const cpu = afterRun.cpuSeconds - before.cpuSeconds;
      rows.push([
        hook === "noop" ? "no-op hook" : "hook awaits a 1 ms timer",
        f1(run.answers / run.wallSeconds),
        f1(cpu),
        f1((afterRun.stats.answers - before.stats.answers) / cpu),
        mib(idle.rss),
        mib(afterRun.rss),
        mib(afterRun.heapUsed),
        `${afterRun.stats.lateReleases} late, ${afterRun.stats.upstreamErrors} upstream errors, ${run.lost} lost`,
      ]);
      // Latency added: the same closed loops against the upstream directly and through the proxy.
      for (const concurrency of [1, 10, 100]) {
        const direct = await load(upstream.port, concurrency, SECONDS);
        const through = await load(proxy.port, concurrency, SECONDS);
        const q = (xs: number[], p: number): number => quantile(xs, p);
        latency.push([
          hook,
          String(concurrency),
          `${f2(q(direct.ms, 0.5))} / ${f2(q(direct.ms, 0.99))}`,
          `${f2(q(through.ms, 0.5))} / ${f2(q(through.ms, 0.99))}`,
          `${f2(q(through.ms, 0.5) - q(direct.ms, 0.5))} / ${f2(q(through.ms, 0.99) - q(direct.ms, 0.99))}`,
          f1(through.answers / through.wallSeconds),
        ]);
      }
      proxy.stop();
    }
    out.push(
      "",
      "Throughput (100 concurrent clients; 'per proxy core' = answers / the proxy process's CPU seconds):",
      table(["hook", "answers/s (wall)", "proxy CPU s", "answers per proxy core-second", "proxy RSS idle", "proxy RSS after", "heap after", "notes"], rows),
      "",
      "Latency (ms, p50 / p99) of a lookup direct to the upstream and through the proxy; added = through − direct:",
      table(["hook", "concurrent", "direct", "through the proxy", "added", "answers/s"], latency),
    );
  } finally {
    upstream.stop();
  }
  console.log(out.join("\n"));
}

const role = arg("role");
if (role === undefined) await main();
else await child(role);
