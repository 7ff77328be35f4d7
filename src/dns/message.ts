/**
 * DNS messages on the wire (RFC 1035 section 4, RFC 3596 for AAAA): decoding any message a peer
 * sends (hostile bytes included: every read is bounds-checked, compression pointers only point
 * backwards, so decoding never throws and never loops), and encoding the queries and responses the
 * lab's DNS server and client need. Pure: bytes in, values out.
 */
import { type Ip, formatIp } from "../net/ip.js";
import { dnsName } from "./names.js";
import type { DnsRecord } from "./snapshot.js";

export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_AAAA = 28;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;

/** RFC 1035 4.1.1: "QR A one bit field that specifies whether this message is a query (0), or a response (1)." */
export const FLAG_QR = 0x8000;
/** "AA Authoritative Answer". */
export const FLAG_AA = 0x0400;
/** "TC TrunCation - specifies that this message was truncated due to length greater than that permitted on the transmission channel." */
export const FLAG_TC = 0x0200;
/** "RD Recursion Desired". */
export const FLAG_RD = 0x0100;
/** The opcode's four bits. */
const OPCODE_MASK = 0x7800;

/** RFC 1035 2.3.4: "Messages carried by UDP are restricted to 512 bytes (not counting the IP or UDP headers)." */
export const UDP_MAX = 512;
export const HEADER_LENGTH = 12;
/** RFC 1035 2.3.4: "names 255 octets or less" (in wire form, length octets included). */
const MAX_NAME_OCTETS = 255;
const MAX_LABEL = 63;
/** A name has at most 127 labels: more pointers than that go round a loop. */
const MAX_POINTERS = 127;
/** RFC 2181 8: "a TTL value ... with the most significant bit set ... should be treated as ... zero." */
const MAX_TTL = 0x7fffffff;

export interface DnsQuestion {
  /** As sent: case kept (0x20 randomisation), no trailing dot; `""` is the root. */
  readonly name: string;
  readonly type: number;
  readonly qclass: number;
}

export interface DnsMessage {
  readonly id: number;
  /** The whole flags word (QR, opcode, AA, TC, RD, RA, Z, rcode). */
  readonly flags: number;
  readonly rcode: number;
  readonly response: boolean;
  readonly truncated: boolean;
  /** The first question (DNS has one in practice); null when the message carries none. */
  readonly question: DnsQuestion | null;
  /**
   * The A, AAAA and CNAME records (class IN) of the answer section, names lower-cased as
   * `DnsName`s; other types, and records whose names are no `DnsName` (the root), are skipped. A
   * truncated message (TC) keeps the records that arrived whole.
   */
  readonly answers: readonly DnsRecord[];
}

/** Why bytes are no DNS message. */
export interface DecodeError {
  readonly error: string;
}

type Read<T> = { readonly value: T; readonly end: number } | DecodeError;

function u16(buf: Uint8Array, at: number): number | undefined {
  const hi = buf[at];
  const lo = buf[at + 1];
  return hi === undefined || lo === undefined ? undefined : (hi << 8) | lo;
}

function u32(buf: Uint8Array, at: number): number | undefined {
  const hi = u16(buf, at);
  const lo = u16(buf, at + 2);
  return hi === undefined || lo === undefined ? undefined : hi * 0x10000 + lo;
}

/** A label's octets as text, one character per octet (so no two labels read the same). */
function labelText(buf: Uint8Array, from: number, to: number): string {
  let out = "";
  for (let i = from; i < to; i++) out += String.fromCharCode(buf[i] as number);
  return out;
}

/**
 * RFC 1035 4.1.4: "a domain name is represented as either a sequence of labels ending in a zero
 * octet; a pointer; or a sequence of labels ending with a pointer". The RFC has pointers point to
 * a "prior occurance"; stub resolvers (glibc, musl) follow any pointer inside the message, so this
 * does too (the names a pod reads are the names learned), at most MAX_POINTERS of them: a loop ends.
 * A label holding a dot has no text form here and is refused.
 */
function readName(buf: Uint8Array, start: number): Read<string> {
  const labels: string[] = [];
  let at = start;
  let end: number | undefined;
  let octets = 1;
  let pointers = 0;
  for (;;) {
    const len = buf[at];
    if (len === undefined) return { error: `name at ${start} runs past the end` };
    if (len === 0) return { value: labels.join("."), end: end ?? at + 1 };
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      const low = buf[at + 1];
      if (low === undefined) return { error: `pointer at ${at} runs past the end` };
      if (++pointers > MAX_POINTERS) return { error: `name at ${start} follows more than ${MAX_POINTERS} compression pointers (a loop)` };
      end ??= at + 2;
      at = ((len & 0x3f) << 8) | low;
      continue;
    }
    if (kind !== 0) return { error: `label type ${kind >> 6} at ${at} is not supported` };
    if (at + 1 + len > buf.length) return { error: `label at ${at} runs past the end` };
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) return { error: `name at ${start} is longer than ${MAX_NAME_OCTETS} octets` };
    const label = labelText(buf, at + 1, at + 1 + len);
    if (label.includes(".")) return { error: `label at ${at} holds a dot` };
    labels.push(label);
    at += 1 + len;
  }
}

function readQuestion(buf: Uint8Array, at: number): Read<DnsQuestion> {
  const name = readName(buf, at);
  if ("error" in name) return name;
  const type = u16(buf, name.end);
  const qclass = u16(buf, name.end + 2);
  if (type === undefined || qclass === undefined) return { error: `question at ${at} runs past the end` };
  return { value: { name: name.value, type, qclass }, end: name.end + 4 };
}

function addressOf(data: Uint8Array, family: 4 | 6): Ip {
  let value = 0n;
  for (const b of data) value = (value << 8n) | BigInt(b);
  return { family, value };
}

/** One resource record; `value` null when it is of a type (or class) not kept. */
function readRecord(buf: Uint8Array, at: number): Read<DnsRecord | null> {
  const owner = readName(buf, at);
  if ("error" in owner) return owner;
  const type = u16(buf, owner.end);
  const rclass = u16(buf, owner.end + 2);
  const ttlRaw = u32(buf, owner.end + 4);
  const length = u16(buf, owner.end + 8);
  if (type === undefined || rclass === undefined || ttlRaw === undefined || length === undefined) return { error: `record at ${at} runs past the end` };
  const dataAt = owner.end + 10;
  const end = dataAt + length;
  if (end > buf.length) return { error: `record data at ${dataAt} runs past the end` };
  const name = dnsName(owner.value);
  const ttl = ttlRaw > MAX_TTL ? 0 : ttlRaw;
  if (rclass !== CLASS_IN || name === null) return { value: null, end };
  if (type === TYPE_A || type === TYPE_AAAA) {
    const size = type === TYPE_A ? 4 : 16;
    if (length !== size) return { error: `${type === TYPE_A ? "A" : "AAAA"} record at ${at} has ${length} octets of data, not ${size}` };
    return { value: { kind: "address", name, address: addressOf(buf.subarray(dataAt, end), size === 4 ? 4 : 6), ttl }, end };
  }
  if (type === TYPE_CNAME) {
    const target = readName(buf, dataAt);
    if ("error" in target) return target;
    if (target.end !== end) return { error: `CNAME record at ${at}: the name does not fill the data` };
    const targetName = dnsName(target.value);
    return { value: targetName === null ? null : { kind: "cname", name, target: targetName, ttl }, end };
  }
  return { value: null, end };
}

/** Decodes a DNS message; an error (never a throw) when the bytes are none. */
export function decodeMessage(bytes: Uint8Array): DnsMessage | DecodeError {
  if (bytes.length < HEADER_LENGTH) return { error: `${bytes.length} bytes: shorter than a DNS header` };
  const id = u16(bytes, 0) as number;
  const flags = u16(bytes, 2) as number;
  const qdcount = u16(bytes, 4) as number;
  const ancount = u16(bytes, 6) as number;
  const truncated = (flags & FLAG_TC) !== 0;
  let at = HEADER_LENGTH;
  let question: DnsQuestion | null = null;
  for (let i = 0; i < qdcount; i++) {
    const q = readQuestion(bytes, at);
    if ("error" in q) return q;
    question ??= q.value;
    at = q.end;
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < ancount; i++) {
    const r = readRecord(bytes, at);
    if ("error" in r) {
      // A truncated message keeps what arrived whole (RFC 2181 9: TC set, the rest did not fit).
      if (truncated) break;
      return r;
    }
    if (r.value !== null) answers.push(r.value);
    at = r.end;
  }
  return { id, flags, rcode: flags & 0x000f, response: (flags & FLAG_QR) !== 0, truncated, question, answers };
}

/** The question section's bytes of a message (the first question), as sent; null when it has none. */
export function questionBytes(bytes: Uint8Array): Uint8Array | null {
  if ((u16(bytes, 4) ?? 0) === 0) return null;
  const q = readQuestion(bytes, HEADER_LENGTH);
  return "error" in q ? null : bytes.subarray(HEADER_LENGTH, q.end);
}

/** The text of a record's value: the address, or the CNAME's target. */
export function recordValue(record: DnsRecord): string {
  return record.kind === "address" ? formatIp(record.address) : record.target;
}

// ---- encoding -------------------------------------------------------------------------------

/**
 * A record as written: `name` keeps the case it is given (a response echoes the question's case,
 * 0x20). A `DnsRecord` is one.
 */
export type WireRecord =
  | { readonly kind: "address"; readonly name: string; readonly address: Ip; readonly ttl: number }
  | { readonly kind: "cname"; readonly name: string; readonly target: string; readonly ttl: number };

/** A growing message with name compression (RFC 1035 4.1.4), suffixes matched case-exactly. */
class Writer {
  private readonly bytes: number[] = [];
  private readonly suffixes = new Map<string, number>();

  get length(): number {
    return this.bytes.length;
  }

  u8(...values: number[]): void {
    for (const v of values) this.bytes.push(v & 0xff);
  }

  u16(v: number): void {
    this.u8(v >> 8, v);
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000));
    this.u16(v % 0x10000);
  }

  raw(data: Uint8Array): void {
    for (const b of data) this.bytes.push(b);
  }

  /** A name, pointing at an earlier copy of its longest known suffix. Throws on a label past 63 octets (a programming error). */
  name(text: string): void {
    const labels = text.replace(/\.$/, "").split(".").filter((l) => l !== "");
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".");
      const known = this.suffixes.get(suffix);
      if (known !== undefined) return this.u16(0xc000 | known);
      if (this.bytes.length < 0x4000) this.suffixes.set(suffix, this.bytes.length);
      const label = labels[i] as string;
      if (label.length > MAX_LABEL) throw new Error(`DNS label longer than ${MAX_LABEL} octets: ${label}`);
      this.u8(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
    }
    this.u8(0);
  }

  /** Drops everything written from `length` on (and the suffixes it made known). */
  rewind(length: number): void {
    this.bytes.length = length;
    for (const [suffix, at] of this.suffixes) if (at >= length) this.suffixes.delete(suffix);
  }

  set16(at: number, v: number): void {
    this.bytes[at] = (v >> 8) & 0xff;
    this.bytes[at + 1] = v & 0xff;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function writeRecord(w: Writer, r: WireRecord): void {
  w.name(r.name);
  if (r.kind === "cname") {
    w.u16(TYPE_CNAME);
    w.u16(CLASS_IN);
    w.u32(Math.min(Math.max(0, Math.floor(r.ttl)), MAX_TTL));
    const lengthAt = w.length;
    w.u16(0);
    const start = w.length;
    w.name(r.target);
    w.set16(lengthAt, w.length - start);
    return;
  }
  const size = r.address.family === 4 ? 4 : 16;
  w.u16(size === 4 ? TYPE_A : TYPE_AAAA);
  w.u16(CLASS_IN);
  w.u32(Math.min(Math.max(0, Math.floor(r.ttl)), MAX_TTL));
  w.u16(size);
  for (let i = size - 1; i >= 0; i--) w.u8(Number((r.address.value >> BigInt(8 * i)) & 0xffn));
}

export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  const w = new Writer();
  w.u16(id);
  w.u16(FLAG_RD);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.name(name);
  w.u16(type);
  w.u16(CLASS_IN);
  return w.done();
}

export interface ResponseSpec {
  readonly rcode: number;
  readonly answers: readonly WireRecord[];
  readonly authoritative?: boolean;
  /**
   * The most bytes the response may take (UDP: 512 unless EDNS says more): past it, the answers
   * that fit whole are kept and TC is set, as CoreDNS does. Absent: no limit (TCP).
   */
  readonly maxBytes?: number;
  /** Set TC whatever the size (a server that always sends its UDP answers truncated). */
  readonly truncated?: boolean;
}

/**
 * A response to `query` (its decoded form and bytes): the id, opcode and RD copied (RFC 1035
 * 4.1.1: the id "is copied the corresponding reply"), the question echoed as sent (case kept).
 */
export function encodeResponse(query: DnsMessage, queryBytes: Uint8Array, spec: ResponseSpec): Uint8Array {
  const question = questionBytes(queryBytes);
  const w = new Writer();
  w.u16(query.id);
  const flagsAt = w.length;
  w.u16(0);
  w.u16(question === null ? 0 : 1);
  const countAt = w.length;
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (question !== null && query.question !== null) {
    // Written through the compressor so answers can point at the question's name.
    w.name(query.question.name);
    w.raw(question.subarray(question.length - 4));
  }
  let count = 0;
  let truncated = spec.truncated === true;
  for (const r of spec.answers) {
    const before = w.length;
    writeRecord(w, r);
    if (spec.maxBytes !== undefined && w.length > spec.maxBytes) {
      w.rewind(before);
      truncated = true;
      break;
    }
    count++;
  }
  return finish(w.done(), count);

  function finish(bytes: Uint8Array, answers: number): Uint8Array {
    const flags = FLAG_QR | (query.flags & (OPCODE_MASK | FLAG_RD)) | (spec.authoritative === false ? 0 : FLAG_AA) | (truncated ? FLAG_TC : 0) | (spec.rcode & 0xf);
    bytes[flagsAt] = flags >> 8;
    bytes[flagsAt + 1] = flags & 0xff;
    bytes[countAt] = answers >> 8;
    bytes[countAt + 1] = answers & 0xff;
    return bytes;
  }
}

/**
 * A bare reply to whatever `bytes` asked (id kept, the question echoed when it decodes), with
 * `rcode` and no answers: FORMERR for bytes that are no query, SERVFAIL when no answer can be had.
 * Undefined when `bytes` has no id to answer.
 */
export function errorReply(bytes: Uint8Array, rcode: number): Uint8Array | undefined {
  const id = u16(bytes, 0);
  const flags = u16(bytes, 2);
  if (id === undefined || flags === undefined) return undefined;
  const question = bytes.length >= HEADER_LENGTH ? questionBytes(bytes) : null;
  const replyFlags = FLAG_QR | (flags & (OPCODE_MASK | FLAG_RD)) | (rcode & 0xf);
  const out = new Uint8Array(HEADER_LENGTH + (question?.length ?? 0));
  out.set([id >> 8, id & 0xff, replyFlags >> 8, replyFlags & 0xff, 0, question === null ? 0 : 1], 0);
  if (question !== null) out.set(question, HEADER_LENGTH);
  return out;
}

// ---- TCP framing (RFC 1035 4.2.2) -----------------------------------------------------------

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** "The message is prefixed with a two byte length field which gives the message length, excluding the two byte length field." */
export function withLength(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(msg.length + 2);
  out[0] = msg.length >> 8;
  out[1] = msg.length & 0xff;
  out.set(msg, 2);
  return out;
}

/** Splits a TCP byte stream into length-prefixed DNS messages. Holds at most one partial message (< 64 KiB + 2). */
export class TcpFramer {
  private buf: Uint8Array = new Uint8Array(0);

  /** Bytes received and not yet part of a whole message. */
  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length === 0 ? chunk : concatBytes(this.buf, chunk);
    const out: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const len = u16(this.buf, at);
      if (len === undefined || this.buf.length < at + 2 + len) break;
      out.push(this.buf.slice(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.buf = at === 0 ? this.buf : this.buf.slice(at);
    if (this.buf.length > 0 && this.buf === chunk) this.buf = chunk.slice();
    return out;
  }
}
