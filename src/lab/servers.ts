/**
 * The servers an agent runs: every declared TCP/UDP port answers with the identity, and a DNS
 * pod answers DNS on UDP and TCP 53. Runs inside a lab namespace.
 */
import { type Socket as UdpSocket, createSocket } from "node:dgram";
import { type Server, type Socket, createServer } from "node:net";
import { TcpFramer, concatBytes, withLength } from "../dns/message.js";
import { type DnsTransportKind, type DnsZone, dnsZone, respondFromZone } from "./dns-zone.js";
import { type AgentConfig, PROBE_PAYLOAD } from "./protocol.js";

export interface Servers {
  readonly listening: readonly string[];
  readonly skipped: readonly string[];
  /** Internet only: answer UDP on this exact address (a no-op for ports it does not serve). */
  listenUdp(ip: string, port: number): Promise<void>;
  close(): void;
}

type Closable = Server | UdpSocket | DnsServer;

function plainIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

function listenTcp(host: string, port: number, onConnection: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.resume(); // read whatever the client sends, so closing never resets
      socket.setTimeout(5000, () => socket.destroy());
      onConnection(socket);
    });
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host.includes(":") }, () => {
      server.off("error", reject);
      server.on("error", () => undefined);
      resolve(server);
    });
  });
}

function bindUdp(host: string, port: number, onMessage: (msg: Uint8Array, reply: (data: Uint8Array | string) => void) => void): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? { type: "udp6", ipv6Only: true } : { type: "udp4" });
    socket.on("message", (msg, rinfo) => onMessage(bytesOf(msg), (data) => socket.send(data, rinfo.port, rinfo.address)));
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      socket.on("error", () => undefined);
      resolve(socket);
    });
  });
}

/** A Buffer seen as the Uint8Array it is. */
export function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const PROBE = new TextEncoder().encode(PROBE_PAYLOAD);

/** Whether these bytes are (so far) the probe payload: `true`, `"partial"`, or `false`. */
export function isProbe(bytes: Uint8Array): boolean | "partial" {
  const n = Math.min(bytes.length, PROBE.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== PROBE[i]) return false;
  return bytes.length >= PROBE.length ? true : "partial";
}

/** DNS over TCP, except that a connection opening with the probe payload gets the identity. */
function serveDnsTcp(socket: Socket, identity: string, respond: (q: Uint8Array, over: DnsTransportKind) => Uint8Array | undefined): void {
  const framer = new TcpFramer();
  let head: Uint8Array | undefined = new Uint8Array(0);
  socket.on("data", (chunk: Buffer) => {
    let bytes = bytesOf(chunk);
    if (head !== undefined) {
      head = concatBytes(head, bytes);
      const probe = isProbe(head);
      if (probe === true) return void socket.end(`${identity}\n`);
      if (probe === "partial") return;
      bytes = head;
      head = undefined;
    }
    for (const msg of framer.push(bytes)) {
      const reply = respond(msg, "tcp");
      if (reply !== undefined) socket.write(withLength(reply));
    }
  });
}

export interface DnsServer {
  /** The port it serves on, UDP and TCP. */
  readonly port: number;
  close(): void;
}

/**
 * A DNS server answering from `zone` on `host:port`, UDP and TCP (port 0: one free port for both);
 * a TCP connection opening with the probe payload gets `identity`. A lab DNS pod runs one per
 * address on port 53; tests and benchmarks run one in-process as an upstream.
 */
export async function startDnsServer(zone: DnsZone, host: string, port: number, identity = "dns"): Promise<DnsServer> {
  const respond = (msg: Uint8Array, over: DnsTransportKind): Uint8Array | undefined => {
    if (isProbe(msg) === true) return new TextEncoder().encode(`${identity}\n`);
    return respondFromZone(zone, msg, over);
  };
  const udp = await bindUdp(host, port, (m, reply) => {
    const r = respond(m, "udp");
    if (r !== undefined) reply(r);
  });
  const tcp = await listenTcp(host, udp.address().port, (s) => serveDnsTcp(s, identity, respond)).catch((e: unknown) => {
    udp.close();
    throw e;
  });
  return {
    port: udp.address().port,
    close() {
      udp.close();
      tcp.close();
    },
  };
}

export async function startServers(cfg: AgentConfig): Promise<Servers> {
  const open: Closable[] = [];
  const listening: string[] = [];
  const skipped: string[] = [];
  const udpBound = new Set<string>();
  const udpPorts = new Set(cfg.ports.filter((p) => p.protocol === "UDP").map((p) => p.port));
  const greet = (s: Socket): void => void s.end(cfg.role === "pod" ? `${cfg.identity}\n` : `internet ${plainIp(s.localAddress ?? "")}\n`);
  const zone = cfg.dns === undefined ? undefined : dnsZone(cfg.dns);

  const hosts = cfg.role === "pod" ? cfg.ips : ["0.0.0.0", "::"];
  for (const { port, protocol } of cfg.ports) {
    if (zone !== undefined && port === 53 && protocol !== "SCTP") continue; // the DNS server has it
    if (protocol === "SCTP") {
      skipped.push(`${port}/SCTP`);
      continue;
    }
    if (protocol === "UDP" && cfg.role === "internet") continue; // bound per address on demand
    for (const host of hosts) {
      open.push(protocol === "TCP" ? await listenTcp(host, port, greet) : await bindUdp(host, port, (_m, reply) => reply(`${cfg.identity}\n`)));
      listening.push(`${host}:${port}/${protocol}`);
    }
  }
  if (zone !== undefined) {
    for (const host of cfg.ips) {
      open.push(await startDnsServer(zone, host, 53, cfg.identity));
      listening.push(`${host}:53/DNS`);
    }
  }

  return {
    listening,
    skipped,
    async listenUdp(ip, port) {
      const key = `${ip}:${port}`;
      if (cfg.role !== "internet" || !udpPorts.has(port) || udpBound.has(key)) return;
      udpBound.add(key);
      try {
        open.push(await bindUdp(ip, port, (_m, reply) => reply(`internet ${ip}\n`)));
      } catch (e) {
        udpBound.delete(key);
        throw e;
      }
    },
    close() {
      for (const c of open) c.close();
    },
  };
}
