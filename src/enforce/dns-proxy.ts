/**
 * The node agent's transparent DNS proxy: pods' DNS queries (UDP and TCP, redirected here by the
 * ruleset) go on to the cluster's DNS unchanged; each answer is held until `beforeRelease` (the
 * agent committing the addresses it admits to the kernel) resolves, then relayed byte for byte, so
 * a pod never holds an address its connection would be dropped for.
 *
 * - Never rewritten: the answer's bytes are the upstream's (case, TTLs, EDNS, TC all kept). Queries
 *   go upstream with a proxy-chosen id (no two clients' queries share one on a socket) which is put
 *   back before the answer is released: the client sees its own id.
 * - UDP queries go upstream over UDP, TCP queries over TCP (a TC answer is released as it is; the
 *   client retries over TCP). A TCP connection carries several queries; their answers are written
 *   in the order the queries came.
 * - Bounded: `maxInflight` queries at once (past it: SERVFAIL, counted `refused`); an upstream
 *   silent for `upstreamTimeoutMs` gets the client a SERVFAIL (counted `upstreamErrors`); an answer
 *   waits `holdMaxMs` at most for the hook (then released, counted `lateReleases`); a TCP
 *   connection idle, or sending a message too slowly, for `tcpIdleMs` is closed; at most
 *   `maxTcpConnections` at once. Bytes that are no query are dropped (counted `malformed`).
 *   Nothing a client or the upstream sends throws out of a handler.
 */
import { type Socket as UdpSocket, createSocket } from "node:dgram";
import { type Server, type Socket, createConnection, createServer } from "node:net";
import {
  type DnsMessage,
  type DnsQuestion,
  FLAG_QR,
  HEADER_LENGTH,
  RCODE_NOERROR,
  RCODE_SERVFAIL,
  TcpFramer,
  decodeMessage,
  errorReply,
  questionBytes,
  withLength,
} from "../dns/message.js";
import { type Ip, parseIp } from "../net/ip.js";

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface DnsProxyOptions {
  /** UDP and TCP on this address; port 0: one free port for both. */
  readonly listen: Endpoint;
  /** Where queries go (the cluster's DNS). */
  readonly upstream: Endpoint;
  /** Default 5000. */
  readonly upstreamTimeoutMs?: number;
  /** The longest an answer waits for `beforeRelease`; past it: released anyway, counted late. Default 1000. */
  readonly holdMaxMs?: number;
  /** Queries in flight at once (received, not yet released); past it: SERVFAIL, counted refused. Default 2048. */
  readonly maxInflight?: number;
  /** A TCP connection with nothing in flight and nothing received, or a message arriving slower than this, is closed. Default 10000. */
  readonly tcpIdleMs?: number;
  /** TCP connections at once; past it a new one is closed at once. Default 256. */
  readonly maxTcpConnections?: number;
  /** Called with each answer's hold (response in → released), seconds, and whether it was released late: a histogram sink. */
  readonly onHold?: (seconds: number, late: boolean) => void;
}

/** Called with every upstream response before it is released to `client`; the answer waits for it. */
export type BeforeRelease = (client: Ip, question: DnsQuestion | null, response: DnsMessage) => Promise<void>;

export interface DnsProxyStats {
  /** Queries received (UDP datagrams and TCP messages with a query header). */
  queries: number;
  /** Upstream answers released to clients. */
  answers: number;
  /** Answers released because `holdMaxMs` passed before the hook resolved. */
  lateReleases: number;
  /** Queries answered SERVFAIL because `maxInflight` were in flight. */
  refused: number;
  /** Queries answered SERVFAIL because the upstream did not answer in time or its connection failed. */
  upstreamErrors: number;
  /** Client bytes that are no query, and upstream answers that do not decode (those are released without the hook). */
  malformed: number;
  /** Hooks that threw or rejected (the answer is released then). */
  hookErrors: number;
  /** Answers held for the hook, and their hold summed (seconds). */
  holds: number;
  holdSecondsSum: number;
  /** Now: queries in flight, TCP connections open. */
  inflight: number;
  tcpConnections: number;
}

export interface DnsProxy {
  readonly address: Endpoint;
  stats(): DnsProxyStats;
  close(): Promise<void>;
}

const DEFAULTS = { upstreamTimeoutMs: 5000, holdMaxMs: 1000, maxInflight: 2048, tcpIdleMs: 10_000, maxTcpConnections: 256 };
/** Upstream UDP sockets: each has its own 65536 ids. */
const UDP_UPSTREAM_SOCKETS = 4;
/** Queries of one TCP connection in flight before the proxy stops reading from it. */
const TCP_PIPELINE = 64;

/** A client address as the hook gets it (an IPv4-mapped IPv6 address as the IPv4 one). */
function clientIp(address: string): Ip | undefined {
  return parseIp(address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address);
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function withId(bytes: Uint8Array, id: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  return out;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** A query forwarded upstream, waiting for its answer. */
interface Pending {
  /** The client's id, put back into the answer. */
  readonly clientId: number;
  /** The question section as the client sent it: the answer must carry the same bytes (case included). */
  readonly question: Uint8Array | null;
  readonly timer: NodeJS.Timeout;
  /** Called once: with the upstream's answer (client id restored), or with null (timeout, upstream failure). */
  readonly settle: (answer: Uint8Array | null) => void;
}

/**
 * Whether `answer` (an upstream's, with the proxy's id) answers `pending`: the same question
 * bytes, or (an error reply) none.
 */
function answers(pending: Pending, answer: Uint8Array): boolean {
  if (answer.length < HEADER_LENGTH || (u16(answer, 2) & FLAG_QR) === 0) return false;
  const q = u16(answer, 4) === 0 ? null : questionBytes(answer);
  return q === null ? (u16(answer, 2) & 0xf) !== RCODE_NOERROR : sameBytes(q, pending.question);
}

/** Ids in use on one upstream channel; a free one picked at random. */
class IdTable {
  private readonly pending = new Map<number, Pending>();

  get size(): number {
    return this.pending.size;
  }

  add(make: (id: number) => Pending): number | undefined {
    if (this.pending.size >= 0x10000) return undefined;
    let id = Math.floor(Math.random() * 0x10000);
    while (this.pending.has(id)) id = (id + 1) & 0xffff;
    this.pending.set(id, make(id));
    return id;
  }

  take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** The entry for `answer`'s id if the answer is its; the entry stays otherwise (a stray or spoofed datagram). */
  match(answer: Uint8Array): Pending | undefined {
    const p = this.pending.get(u16(answer, 0));
    if (p === undefined || !answers(p, answer)) return undefined;
    this.pending.delete(u16(answer, 0));
    return p;
  }

  drain(): Pending[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    return all;
  }
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(":") ? { type: "udp6", ipv6Only: true } : { type: "udp4" });
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port, ipv6Only: host.includes(":") }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function connectUdp(socket: UdpSocket, upstream: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.connect(upstream.port, upstream.host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

class ProxyServer implements DnsProxy {
  readonly address: Endpoint;
  private readonly counts: DnsProxyStats = {
    queries: 0,
    answers: 0,
    lateReleases: 0,
    refused: 0,
    upstreamErrors: 0,
    malformed: 0,
    hookErrors: 0,
    holds: 0,
    holdSecondsSum: 0,
    inflight: 0,
    tcpConnections: 0,
  };
  private readonly upstreamTables: IdTable[];
  private next = 0;
  private readonly connections = new Set<Socket>();
  private closed = false;

  constructor(
    private readonly opts: Required<Omit<DnsProxyOptions, "onHold">> & Pick<DnsProxyOptions, "onHold">,
    private readonly hook: BeforeRelease,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    private readonly upstreamUdp: UdpSocket[],
  ) {
    this.address = { host: opts.listen.host, port: udp.address().port };
    this.upstreamTables = upstreamUdp.map(() => new IdTable());
    udp.on("message", (msg, rinfo) => this.onUdpQuery(asBytes(msg), rinfo.address, rinfo.port));
    udp.on("error", () => undefined);
    upstreamUdp.forEach((s, i) => {
      s.on("message", (msg) => this.onUpstreamUdp(this.upstreamTables[i] as IdTable, asBytes(msg)));
      s.on("error", () => undefined);
    });
    tcp.on("connection", (socket) => this.onTcpConnection(socket));
    tcp.on("error", () => undefined);
  }

  stats(): DnsProxyStats {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) c.destroy();
    for (const t of this.upstreamTables) for (const p of t.drain()) clearTimeout(p.timer);
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
      ...this.upstreamUdp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
  }

  /** A query header (12 bytes, QR clear) or nothing to forward. */
  private isQuery(bytes: Uint8Array): boolean {
    if (bytes.length >= HEADER_LENGTH && (u16(bytes, 2) & FLAG_QR) === 0) return true;
    this.counts.malformed++;
    return false;
  }

  /** Whether one more query may be in flight; if not, it is counted refused. */
  private admit(): boolean {
    if (this.counts.inflight >= this.opts.maxInflight) {
      this.counts.refused++;
      return false;
    }
    this.counts.inflight++;
    return true;
  }

  /**
   * Holds an upstream answer (client id already restored) until the hook resolves or
   * `holdMaxMs` passes; resolves with the bytes to release, the same bytes.
   */
  private async hold(client: Ip | undefined, answer: Uint8Array): Promise<Uint8Array> {
    const message = decodeMessage(answer);
    if ("error" in message || client === undefined) {
      this.counts.malformed++;
      return answer;
    }
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), this.opts.holdMaxMs)));
    const hooked = (async (): Promise<"done"> => {
      try {
        await this.hook(client, message.question, message);
      } catch {
        this.counts.hookErrors++;
      }
      return "done";
    })();
    const outcome = await Promise.race([hooked, late]);
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1000;
    if (outcome === "late") this.counts.lateReleases++;
    this.counts.holds++;
    this.counts.holdSecondsSum += seconds;
    try {
      this.opts.onHold?.(seconds, outcome === "late");
    } catch {
      // a sink that throws loses the sample, never the answer
    }
    return answer;
  }

  /** Sends `query` upstream over UDP; `settle` gets the answer (client id restored) or null. */
  private forwardUdp(query: Uint8Array, settle: (answer: Uint8Array | null) => void): void {
    const i = this.next++ % this.upstreamUdp.length;
    const table = this.upstreamTables[i] as IdTable;
    const clientId = u16(query, 0);
    const question = questionBytes(query);
    const id = table.add((proxyId) => ({
      clientId,
      question: question === null ? null : question.slice(),
      timer: setTimeout(() => {
        table.take(proxyId);
        settle(null);
      }, this.opts.upstreamTimeoutMs),
      settle,
    }));
    if (id === undefined) return settle(null);
    (this.upstreamUdp[i] as UdpSocket).send(withId(query, id), (err) => {
      if (err === null || err === undefined) return;
      const p = table.take(id);
      if (p !== undefined) {
        clearTimeout(p.timer);
        settle(null);
      }
    });
  }

  private onUpstreamUdp(table: IdTable, answer: Uint8Array): void {
    const p = table.match(answer);
    if (p === undefined) return;
    clearTimeout(p.timer);
    p.settle(withId(answer, p.clientId));
  }

  private onUdpQuery(query: Uint8Array, address: string, port: number): void {
    if (this.closed || !this.isQuery(query)) return;
    this.counts.queries++;
    const reply = (bytes: Uint8Array | undefined): void => {
      if (bytes !== undefined && !this.closed) this.udp.send(bytes, port, address, () => undefined);
    };
    if (!this.admit()) return reply(errorReply(query, RCODE_SERVFAIL));
    const client = clientIp(address);
    this.forwardUdp(query, (answer) => {
      if (answer === null) {
        this.counts.upstreamErrors++;
        this.counts.inflight--;
        return reply(errorReply(query, RCODE_SERVFAIL));
      }
      void this.hold(client, answer).then((bytes) => {
        this.counts.inflight--;
        this.counts.answers++;
        reply(bytes);
      });
    });
  }

  private onTcpConnection(socket: Socket): void {
    socket.on("error", () => undefined);
    if (this.closed || this.connections.size >= this.opts.maxTcpConnections) return void socket.destroy();
    this.connections.add(socket);
    this.counts.tcpConnections = this.connections.size;
    new TcpClient(socket, this, this.opts).start(() => {
      this.connections.delete(socket);
      this.counts.tcpConnections = this.connections.size;
    });
  }

  /** What TcpClient needs of the proxy. */
  readonly forTcp = {
    query: (bytes: Uint8Array): boolean => {
      if (!this.isQuery(bytes)) return false;
      this.counts.queries++;
      return true;
    },
    admit: (): boolean => this.admit(),
    done: (outcome: "answer" | "upstream-error"): void => {
      this.counts.inflight--;
      if (outcome === "answer") this.counts.answers++;
      else this.counts.upstreamErrors++;
    },
    hold: (client: Ip | undefined, answer: Uint8Array): Promise<Uint8Array> => this.hold(client, answer),
  };
}

/** One client TCP connection: its queries in order, over one upstream TCP connection of its own. */
class TcpClient {
  private readonly framer = new TcpFramer();
  /** Answers in query order; null while still waiting. */
  private readonly queue: { bytes: Uint8Array | null }[] = [];
  /** The upstream connection and the ids of the queries sent on it; a new one after it fails or closes. */
  private upstream: { readonly socket: Socket; readonly table: IdTable } | undefined;
  private slow: NodeJS.Timeout | undefined;
  private gone = false;
  private readonly client: Ip | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly proxy: ProxyServer,
    private readonly opts: { readonly upstream: Endpoint; readonly upstreamTimeoutMs: number; readonly tcpIdleMs: number },
  ) {
    this.client = clientIp(socket.remoteAddress ?? "");
  }

  start(onClose: () => void): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.setTimeout(this.opts.tcpIdleMs, () => {
      if (this.queue.length === 0) s.destroy();
      else s.setTimeout(this.opts.tcpIdleMs);
    });
    s.on("data", (chunk: Buffer) => this.onData(asBytes(chunk)));
    s.on("end", () => (this.queue.length === 0 ? s.end() : undefined));
    s.on("close", () => {
      this.gone = true;
      clearTimeout(this.slow);
      this.upstream?.socket.destroy();
      for (const p of this.upstream?.table.drain() ?? []) clearTimeout(p.timer);
      onClose();
    });
  }

  private onData(chunk: Uint8Array): void {
    if (this.gone) return;
    for (const msg of this.framer.push(chunk)) this.onQuery(msg);
    // A message begun must arrive whole within tcpIdleMs (a client trickling bytes is closed).
    if (this.framer.pending === 0) {
      clearTimeout(this.slow);
      this.slow = undefined;
    } else if (this.slow === undefined) {
      this.slow = setTimeout(() => this.socket.destroy(), this.opts.tcpIdleMs);
    }
    if (this.queue.length >= TCP_PIPELINE) this.socket.pause();
  }

  private onQuery(query: Uint8Array): void {
    if (!this.proxy.forTcp.query(query)) return void this.socket.destroy();
    const slot: { bytes: Uint8Array | null } = { bytes: null };
    this.queue.push(slot);
    if (!this.proxy.forTcp.admit()) {
      slot.bytes = errorReply(query, RCODE_SERVFAIL) ?? new Uint8Array(0);
      return this.flush();
    }
    this.forward(query, (answer) => {
      if (answer === null) {
        this.proxy.forTcp.done("upstream-error");
        slot.bytes = errorReply(query, RCODE_SERVFAIL) ?? new Uint8Array(0);
        return this.flush();
      }
      void this.proxy.forTcp.hold(this.client, answer).then((bytes) => {
        this.proxy.forTcp.done("answer");
        slot.bytes = bytes;
        this.flush();
      });
    });
  }

  /** Writes the answers at the head of the queue that are ready, in order. */
  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]?.bytes !== null) {
      const { bytes } = this.queue.shift() as { bytes: Uint8Array };
      if (!this.gone && bytes.length > 0) this.socket.write(withLength(bytes));
    }
    if (this.queue.length < TCP_PIPELINE && !this.gone) this.socket.resume();
    if (this.queue.length === 0 && !this.gone && this.socket.readableEnded) this.socket.end();
  }

  private upstreamConnection(): { readonly socket: Socket; readonly table: IdTable } {
    if (this.upstream !== undefined && !this.upstream.socket.destroyed) return this.upstream;
    const socket = createConnection({ host: this.opts.upstream.host, port: this.opts.upstream.port });
    const up = { socket, table: new IdTable() };
    socket.setNoDelay(true);
    const framer = new TcpFramer();
    socket.on("data", (chunk: Buffer) => {
      for (const answer of framer.push(asBytes(chunk))) {
        const p = up.table.match(answer);
        if (p === undefined) continue;
        clearTimeout(p.timer);
        p.settle(withId(answer, p.clientId));
      }
    });
    // Its queries get SERVFAIL; the next query opens a new connection.
    const fail = (): void => {
      if (this.upstream === up) this.upstream = undefined;
      socket.destroy();
      for (const p of up.table.drain()) {
        clearTimeout(p.timer);
        p.settle(null);
      }
    };
    socket.on("error", fail);
    socket.on("close", fail);
    this.upstream = up;
    return up;
  }

  private forward(query: Uint8Array, settle: (answer: Uint8Array | null) => void): void {
    const up = this.upstreamConnection();
    const clientId = u16(query, 0);
    const question = questionBytes(query);
    const id = up.table.add((proxyId) => ({
      clientId,
      question: question === null ? null : question.slice(),
      timer: setTimeout(() => {
        up.table.take(proxyId);
        settle(null);
      }, this.opts.upstreamTimeoutMs),
      settle,
    }));
    if (id === undefined) return settle(null);
    up.socket.write(withLength(withId(query, id)));
  }
}

/** Starts the proxy: UDP and TCP bound on `listen` before it resolves. Rejects when either cannot bind. */
export async function startDnsProxy(options: DnsProxyOptions, beforeRelease: BeforeRelease): Promise<DnsProxy> {
  const opts = { ...DEFAULTS, ...options };
  const upstreamUdp: UdpSocket[] = [];
  try {
    for (let i = 0; i < UDP_UPSTREAM_SOCKETS; i++) {
      const s = await bindUdp(opts.upstream.host.includes(":") ? "::" : "0.0.0.0", 0);
      upstreamUdp.push(s);
      await connectUdp(s, opts.upstream);
    }
    // Port 0: the kernel picks the UDP port; TCP takes the same one (another try if it is taken).
    for (let attempt = 0; ; attempt++) {
      const udp = await bindUdp(opts.listen.host, opts.listen.port);
      const tcp = createServer({ allowHalfOpen: true });
      try {
        await listenTcp(tcp, opts.listen.host, udp.address().port);
        return new ProxyServer(opts, beforeRelease, udp, tcp, upstreamUdp);
      } catch (e) {
        udp.close();
        if (opts.listen.port !== 0 || attempt >= 4) throw e;
      }
    }
  } catch (e) {
    for (const s of upstreamUdp) s.close();
    throw e;
  }
}
