/** A DNS query over UDP or TCP from inside a namespace, bounded by a timeout. */
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { createConnection } from "node:net";
import { TYPE_A, TYPE_AAAA, TcpFramer, decodeMessage, encodeQuery, recordValue, withLength } from "../dns/message.js";
import { recordType } from "../dns/snapshot.js";
import { failureOf } from "./prober.js";
import { bytesOf } from "./servers.js";
import type { DnsLookup, DnsTransport, DnsType } from "./types.js";

/** A lookup to make: which server, name, type and transport, and how long to wait. */
export interface LookupRequest {
  readonly server: string;
  readonly name: string;
  readonly type: DnsType;
  readonly over: DnsTransport;
  readonly timeoutMs: number;
}

type Settle = (r: DnsLookup) => void;

function onceWithTimer(resolve: Settle, timeoutMs: number, cleanup: () => void): Settle {
  let done = false;
  const finish: Settle = (r) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    cleanup();
    resolve(r);
  };
  const timer = setTimeout(() => finish({ ok: false, outcome: "timeout" }), timeoutMs);
  return finish;
}

function fromResponse(bytes: Uint8Array, id: number): DnsLookup | undefined {
  const r = decodeMessage(bytes);
  if ("error" in r || !r.response || r.id !== id) return undefined;
  return {
    ok: true,
    rcode: r.rcode,
    answers: r.answers.flatMap((a) => (a.kind === "address" ? [recordValue(a)] : [])),
    records: r.answers.map((a) => ({ name: a.name, type: recordType(a), value: recordValue(a), ttl: a.ttl })),
    truncated: r.truncated,
    question: r.question?.name ?? null,
  };
}

function errorResult(e: NodeJS.ErrnoException): DnsLookup {
  const f = failureOf(e.code);
  return { ok: false, outcome: f.outcome, ...(f.detail === undefined ? {} : { detail: f.detail }) };
}

function overUdp(q: LookupRequest, id: number, query: Uint8Array): Promise<DnsLookup> {
  return new Promise((resolve) => {
    const socket = createSocket(q.server.includes(":") ? "udp6" : "udp4");
    let closed = false;
    const finish = onceWithTimer(resolve, q.timeoutMs, () => {
      closed = true;
      socket.close();
    });
    socket.on("error", (e) => finish(errorResult(e)));
    socket.on("message", (msg) => {
      const r = fromResponse(bytesOf(msg), id);
      if (r !== undefined) finish(r);
    });
    socket.connect(53, q.server, () => {
      if (!closed) socket.send(query);
    });
  });
}

function overTcp(q: LookupRequest, id: number, query: Uint8Array): Promise<DnsLookup> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: q.server, port: 53 });
    const framer = new TcpFramer();
    const finish = onceWithTimer(resolve, q.timeoutMs, () => socket.destroy());
    socket.on("error", (e) => finish(errorResult(e)));
    socket.on("connect", () => socket.write(withLength(query)));
    socket.on("data", (chunk: Buffer) => {
      const [msg] = framer.push(bytesOf(chunk));
      if (msg !== undefined) finish(fromResponse(msg, id) ?? { ok: false, outcome: "error", detail: "malformed response" });
    });
    socket.on("end", () => finish({ ok: false, outcome: "error", detail: "closed before a response" }));
  });
}

export function dnsLookup(q: LookupRequest): Promise<DnsLookup> {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, q.name, q.type === "A" ? TYPE_A : TYPE_AAAA);
  return q.over === "udp" ? overUdp(q, id, query) : overTcp(q, id, query);
}
