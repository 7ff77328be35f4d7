/**
 * Datapath probe run inside lab pod namespaces (`ip netns exec NS node dp.js ...`); never run in
 * the root namespace by the benchmark.
 *   node dp.js server IP PORT MAX_MS          echo server on IP:PORT, exits after MAX_MS
 *   node dp.js client IP PORT N MAX_MS        prints one JSON line of figures
 * Every loop is bounded by a count and by MAX_MS.
 */
import { type Socket, connect, createServer } from "node:net";

const [mode = "", host = "", portText = "", a = "", b = ""] = process.argv.slice(2);
const port = Number(portText);

function server(maxMs: number): void {
  const s = createServer((sock) => {
    sock.setNoDelay(true);
    sock.on("error", () => undefined);
    sock.on("data", (d) => sock.write(d));
  });
  s.listen(port, host, () => process.stdout.write("listening\n"));
  setTimeout(() => process.exit(0), maxMs).unref();
  // keep alive until the timer; unref'd timer above must not end us early
  setInterval(() => undefined, 1000);
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function open(timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, noDelay: true });
    const t = setTimeout(() => {
      sock.destroy();
      reject(new Error("connect timeout"));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(t);
      resolve(sock);
    });
    sock.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

function roundTrip(sock: Socket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("reply timeout")), timeoutMs);
    sock.once("data", () => {
      clearTimeout(t);
      resolve();
    });
    sock.write("x");
  });
}

const pct = (sorted: readonly number[], p: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN) * 1000) / 1000;

async function client(n: number, maxMs: number): Promise<void> {
  const deadline = now() + maxMs;
  // Wait (bounded) for the server to listen.
  for (let k = 0; k < 100; k++) {
    try {
      (await open(200)).destroy();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // 1. Connection rate: N sequential connects (SYN/SYN-ACK/ACK through the node), each closed at once.
  let connects = 0;
  let failures = 0;
  const start = now();
  while (connects + failures < n && now() < deadline) {
    try {
      const s = await open(1000);
      s.destroy();
      connects++;
    } catch {
      failures++;
    }
  }
  const connectMs = now() - start;
  // 2. Request latency on a new connection: connect, 1-byte request, 1-byte reply, close.
  const fresh: number[] = [];
  for (let k = 0; k < n && now() < deadline; k++) {
    const t0 = now();
    try {
      const s = await open(1000);
      await roundTrip(s, 1000);
      fresh.push(now() - t0);
      s.destroy();
    } catch {
      failures++;
    }
  }
  // 3. Request latency on one established connection (conntrack fast path).
  const kept: number[] = [];
  try {
    const s = await open(1000);
    for (let k = 0; k < n && now() < deadline; k++) {
      const t0 = now();
      await roundTrip(s, 1000);
      kept.push(now() - t0);
    }
    s.destroy();
  } catch {
    failures++;
  }
  fresh.sort((x, y) => x - y);
  kept.sort((x, y) => x - y);
  process.stdout.write(
    `${JSON.stringify({
      connects,
      failures,
      connectMs: Math.round(connectMs),
      connectsPerS: Math.round((connects / connectMs) * 1000),
      fresh: { n: fresh.length, p50: pct(fresh, 0.5), p99: pct(fresh, 0.99) },
      kept: { n: kept.length, p50: pct(kept, 0.5), p99: pct(kept, 0.99) },
    })}\n`,
  );
}

if (mode === "server") server(Number(a));
else if (mode === "client") await client(Number(a), Number(b));
else {
  process.stderr.write("usage: dp.js server|client ...\n");
  process.exitCode = 2;
}
