/**
 * The process the lab starts in each pod namespace and in the internet namespace
 * (`ip netns exec <ns> node agent.js`, its config as the first line on stdin): it runs the servers, then answers probe and
 * DNS requests, one JSON line each way (see protocol.ts). It exits when its stdin closes, so it
 * never outlives the lab that started it.
 */
import { createInterface } from "node:readline";
import { dnsLookup } from "./dns-client.js";
import { probeAll } from "./prober.js";
import type { AgentConfig, Ready, Reply, Request } from "./protocol.js";
import { type Servers, startServers } from "./servers.js";

function send(line: Ready | Reply): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function handle(req: Request, servers: Servers): Promise<unknown> {
  switch (req.op) {
    case "probe":
      return probeAll(req.targets, req.timeoutMs, req.sourceIp);
    case "dns":
      return dnsLookup(req);
    case "listen-udp":
      await servers.listenUdp(req.ip, req.port);
      return null;
  }
}

function fail(e: unknown): never {
  send({ ready: false, error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

function main(): void {
  process.on("uncaughtException", (e) => process.stderr.write(`agent: ${e.stack ?? String(e)}\n`));
  const lines = createInterface({ input: process.stdin });
  let servers: Servers | undefined;
  let starting = false;
  lines.on("line", (line) => {
    if (servers === undefined) {
      if (starting) return;
      starting = true;
      Promise.resolve(line)
        .then((text) => startServers(JSON.parse(text) as AgentConfig))
        .then((s) => {
        servers = s;
        send({ ready: true, listening: s.listening, skipped: s.skipped });
      }, fail);
      return;
    }
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch {
      return;
    }
    handle(req, servers).then(
      (result) => send({ id: req.id, ok: true, result }),
      (e: unknown) => send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  lines.on("close", () => {
    servers?.close();
    process.exit(0);
  });
}

main();
