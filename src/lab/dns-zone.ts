/**
 * The records a lab DNS server (a lab DNS pod, the stand-in cluster's DNS pod) answers from, and
 * how it answers a query: A/AAAA, CNAME chains, per-name TTLs, truncation over UDP. Pure: the
 * servers (servers.ts, kube/standin/dns-serve.ts) only move bytes.
 */
import {
  CLASS_IN,
  type DnsMessage,
  type DnsQuestion,
  RCODE_FORMERR,
  RCODE_NOERROR,
  RCODE_NOTIMP,
  RCODE_NXDOMAIN,
  TYPE_A,
  TYPE_AAAA,
  TYPE_CNAME,
  UDP_MAX,
  type WireRecord,
  decodeMessage,
  encodeResponse,
  errorReply,
} from "../dns/message.js";
import { type DnsName, dnsName } from "../dns/names.js";
import { MAX_CNAME_HOPS } from "../dns/snapshot.js";
import { type Ip, parseIp } from "../net/ip.js";
import type { LabDns } from "./types.js";

/** The TTL of a record whose name has none configured. */
export const DEFAULT_TTL = 5;

export interface DnsZone {
  readonly addresses: ReadonlyMap<DnsName, readonly Ip[]>;
  readonly cnames: ReadonlyMap<DnsName, DnsName>;
  readonly ttls: ReadonlyMap<DnsName, number>;
  readonly truncate: ReadonlySet<DnsName>;
}

function byName<T>(entries: Readonly<Record<string, T>> | undefined): [DnsName, T][] {
  return Object.entries(entries ?? {}).flatMap(([name, value]): [DnsName, T][] => {
    const n = dnsName(name);
    return n === null ? [] : [[n, value]];
  });
}

/** The zone of a lab DNS spec; names that are no DNS name, and addresses that are none, are dropped (plan.ts reports them). */
export function dnsZone(spec: LabDns): DnsZone {
  const addresses = new Map<DnsName, Ip[]>();
  for (const [name, texts] of byName(spec.names)) {
    const ips = texts.map(parseIp).filter((ip): ip is Ip => ip !== undefined);
    addresses.set(name, [...(addresses.get(name) ?? []), ...ips]);
  }
  const cnames = new Map<DnsName, DnsName>();
  for (const [name, target] of byName(spec.cnames)) {
    const t = dnsName(target);
    if (t !== null) cnames.set(name, t);
  }
  const ttls = new Map(byName(spec.ttls));
  const truncate = new Set((spec.truncate ?? []).map(dnsName).filter((n): n is DnsName => n !== null));
  return { addresses, cnames, ttls, truncate };
}

export type DnsTransportKind = "udp" | "tcp";

/**
 * The records answering `type` for the question's name: the CNAME chain from it (the first owner
 * written as asked), then the address records of the chain's last name. `exists`: whether that
 * last name exists (NXDOMAIN otherwise, the CNAMEs still given, RFC 6604).
 */
function lookup(zone: DnsZone, asked: string, name: DnsName, type: number): { records: WireRecord[]; exists: boolean } {
  const records: WireRecord[] = [];
  const ttl = (n: DnsName): number => zone.ttls.get(n) ?? DEFAULT_TTL;
  let owner = asked;
  let at = name;
  const seen = new Set<DnsName>([name]);
  for (let hops = 0; hops < MAX_CNAME_HOPS; hops++) {
    const target = zone.cnames.get(at);
    if (target === undefined) break;
    records.push({ kind: "cname", name: owner, target, ttl: ttl(at) });
    if (type === TYPE_CNAME || seen.has(target)) return { records, exists: true };
    seen.add(target);
    owner = target;
    at = target;
  }
  const ips = zone.addresses.get(at);
  const family = type === TYPE_A ? 4 : type === TYPE_AAAA ? 6 : undefined;
  for (const address of ips ?? []) if (address.family === family) records.push({ kind: "address", name: owner, address, ttl: ttl(at) });
  return { records, exists: ips !== undefined || zone.cnames.has(at) };
}

/** The answer to a query with a question, from the zone. */
function answerFromZone(zone: DnsZone, query: DnsMessage, q: DnsQuestion, queryBytes: Uint8Array, over: DnsTransportKind): Uint8Array {
  if (q.qclass !== CLASS_IN) return encodeResponse(query, queryBytes, { rcode: RCODE_NOTIMP, answers: [] });
  const name = dnsName(q.name);
  if (name === null) return encodeResponse(query, queryBytes, { rcode: RCODE_NXDOMAIN, answers: [] });
  if (over === "udp" && zone.truncate.has(name)) return encodeResponse(query, queryBytes, { rcode: RCODE_NOERROR, answers: [], truncated: true });
  const { records, exists } = lookup(zone, q.name, name, q.type);
  return encodeResponse(query, queryBytes, { rcode: exists ? RCODE_NOERROR : RCODE_NXDOMAIN, answers: records, ...(over === "udp" ? { maxBytes: UDP_MAX } : {}) });
}

/** What a lab DNS server sends back for `bytes`: an answer, FORMERR for what is no query, nothing for what has no id. */
export function respondFromZone(zone: DnsZone, bytes: Uint8Array, over: DnsTransportKind): Uint8Array | undefined {
  const query = decodeMessage(bytes);
  if ("error" in query || query.response || query.question === null) return errorReply(bytes, RCODE_FORMERR);
  return answerFromZone(zone, query, query.question, bytes, over);
}
