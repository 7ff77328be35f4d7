/**
 * The few DNS messages the lab needs (RFC 1035): one-question queries, and responses with
 * A/AAAA answers. Pure: bytes in, bytes out.
 */
import { type Ip, formatIp, parseIp } from "../net/ip.js";

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const CLASS_IN = 1;
export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
const MAX_LABELS = 128;

export interface Question {
  readonly id: number;
  /** The query's flags word; the response copies opcode and RD from it. */
  readonly flags: number;
  /** Lower case, no trailing dot. */
  readonly name: string;
  readonly type: number;
  readonly qclass: number;
  /** The question section's bytes, echoed in the response. */
  readonly raw: Uint8Array;
}

export interface Response {
  readonly id: number;
  readonly rcode: number;
  readonly answers: readonly string[];
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of normalizeName(name).split(".").filter((l) => l !== "")) {
    const bytes = new TextEncoder().encode(label);
    if (bytes.length > 63) throw new Error(`DNS label too long: ${label}`);
    out.push(bytes.length, ...bytes);
  }
  return [...out, 0];
}

/** Reads a (possibly compressed) name; returns it and the offset after it in place. */
function readName(buf: Uint8Array, start: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let at = start;
  let end: number | undefined;
  for (let hops = 0; hops < MAX_LABELS; hops++) {
    const len = buf[at];
    if (len === undefined) return undefined;
    if (len === 0) return { name: labels.join("."), end: end ?? at + 1 };
    if ((len & 0xc0) === 0xc0) {
      const low = buf[at + 1];
      if (low === undefined) return undefined;
      end ??= at + 2;
      at = ((len & 0x3f) << 8) | low;
      continue;
    }
    if (at + 1 + len > buf.length) return undefined;
    labels.push(new TextDecoder().decode(buf.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return undefined;
}

function u16(buf: Uint8Array, at: number): number | undefined {
  const hi = buf[at];
  const lo = buf[at + 1];
  return hi === undefined || lo === undefined ? undefined : (hi << 8) | lo;
}

function header(id: number, flags: number, qd: number, an: number): number[] {
  return [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, an >> 8, an & 0xff, 0, 0, 0, 0];
}

export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  const flags = 0x0100; // RD
  return Uint8Array.from([...header(id, flags, 1, 0), ...encodeName(name), type >> 8, type & 0xff, 0, CLASS_IN]);
}

export function decodeQuery(buf: Uint8Array): Question | undefined {
  const id = u16(buf, 0);
  const flags = u16(buf, 2);
  if (id === undefined || flags === undefined || (flags & 0x8000) !== 0 || u16(buf, 4) !== 1) return undefined;
  const q = readName(buf, 12);
  if (q === undefined) return undefined;
  const type = u16(buf, q.end);
  const qclass = u16(buf, q.end + 2);
  if (type === undefined || qclass === undefined) return undefined;
  return { id, flags, name: normalizeName(q.name), type, qclass, raw: buf.slice(12, q.end + 4) };
}

function ipBytes(ip: Ip): number[] {
  const n = ip.family === 4 ? 4 : 16;
  return Array.from({ length: n }, (_, i) => Number((ip.value >> BigInt(8 * (n - 1 - i))) & 0xffn));
}

/**
 * Answers a question from a name → addresses map: A/AAAA records of the name, NODATA when the
 * name exists without that type, NXDOMAIN when it does not exist.
 */
export function answer(q: Question, names: ReadonlyMap<string, readonly Ip[]>): Uint8Array {
  const ips = names.get(q.name);
  const family = q.type === TYPE_A ? 4 : q.type === TYPE_AAAA ? 6 : undefined;
  const matching = family === undefined ? [] : (ips ?? []).filter((ip) => ip.family === family);
  const rcode = q.qclass !== CLASS_IN ? RCODE_NOTIMP : ips === undefined ? RCODE_NXDOMAIN : RCODE_NOERROR;
  const flags = 0x8000 | (q.flags & 0x7900) | 0x0400 | rcode; // QR, opcode+RD copied, AA
  const records = matching.flatMap((ip) => {
    const data = ipBytes(ip);
    return [0xc0, 12, 0, q.type, 0, CLASS_IN, 0, 0, 0, 5, 0, data.length, ...data];
  });
  return Uint8Array.from([...header(q.id, flags, 1, matching.length), ...q.raw, ...records]);
}

export function formErr(buf: Uint8Array): Uint8Array | undefined {
  const id = u16(buf, 0);
  return id === undefined ? undefined : Uint8Array.from(header(id, 0x8000 | RCODE_FORMERR, 0, 0));
}

/** Decodes a response; answers are the A and AAAA records, as text. */
export function decodeResponse(buf: Uint8Array): Response | undefined {
  const id = u16(buf, 0);
  const flags = u16(buf, 2);
  const qd = u16(buf, 4);
  const an = u16(buf, 6);
  if (id === undefined || flags === undefined || qd === undefined || an === undefined || (flags & 0x8000) === 0) return undefined;
  let at = 12;
  for (let i = 0; i < qd; i++) {
    const q = readName(buf, at);
    if (q === undefined) return undefined;
    at = q.end + 4;
  }
  const answers: string[] = [];
  for (let i = 0; i < an; i++) {
    const rr = readName(buf, at);
    const type = rr === undefined ? undefined : u16(buf, rr.end);
    const len = rr === undefined ? undefined : u16(buf, rr.end + 8);
    if (rr === undefined || type === undefined || len === undefined || rr.end + 10 + len > buf.length) return undefined;
    const data = buf.subarray(rr.end + 10, rr.end + 10 + len);
    const value = data.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
    if (type === TYPE_A && len === 4) answers.push(formatIp({ family: 4, value }));
    if (type === TYPE_AAAA && len === 16) answers.push(formatIp({ family: 6, value }));
    at = rr.end + 10 + len;
  }
  return { id, rcode: flags & 0x000f, answers };
}

/** The names map a DNS pod serves, keyed by normalized name; invalid addresses are dropped. */
export function namesMap(names: Readonly<Record<string, readonly string[]>>): Map<string, Ip[]> {
  const out = new Map<string, Ip[]>();
  for (const [name, addrs] of Object.entries(names)) {
    const ips = addrs.map(parseIp).filter((ip): ip is Ip => ip !== undefined);
    out.set(normalizeName(name), [...(out.get(normalizeName(name)) ?? []), ...ips]);
  }
  return out;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** DNS over TCP: each message prefixed with its 2-byte length. */
export function withLength(msg: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(msg.length >> 8, msg.length & 0xff), msg);
}

/** Splits a TCP byte stream into length-prefixed DNS messages. */
export class TcpFramer {
  private buf: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = concatBytes(this.buf, chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const len = u16(this.buf, 0);
      if (len === undefined || this.buf.length < 2 + len) return out;
      out.push(this.buf.slice(2, 2 + len));
      this.buf = this.buf.slice(2 + len);
    }
  }
}
