/**
 * How answers show the resolution snapshot: the assumption it makes (every pod resolved every name
 * of it), and why a domain rule admitted an address (the pattern, the name it matched, the records
 * from that name to the address, the chain's TTL, where each record was written).
 */
import { type Admission, type DnsRecord, type DnsSnapshot, type Resolution, recordType } from "../dns/snapshot.js";
import { formatPattern } from "../dns/names.js";
import { formatLocationJson } from "../diag/location.js";
import { formatIp } from "../net/ip.js";
import { type LocationJson, locationJson } from "./json.js";

export interface DnsRecordJson {
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  /** The address (A, AAAA) or the target name (CNAME). */
  readonly value: string;
  readonly ttl: number;
  /** Where it was written: the records file's item, or the Service it was made from; null for `--resolve`. */
  readonly at: LocationJson | null;
}

/** Why a domain rule's pattern admitted one address: the pattern, the name it matched (the head of `chain`), and how that name resolves to `address`. */
export interface AdmissionJson extends ResolutionJson {
  /** The pattern of the rule, canonical (`*.stripe.com`). */
  readonly pattern: string;
  readonly name: string;
  /** `explain`: the address is this Service's ClusterIP (`ns/name`): after kube-proxy's DNAT no connection goes to it. */
  readonly clusterIpOf?: string;
}

/** The assumption an answer from a snapshot makes (present whenever --dns-records/--resolve were given). */
export interface DnsAssumptionJson {
  readonly assumption: "every pod resolved every name of the snapshot";
  /** How many records the snapshot holds (the cluster's Service names included) and how many names own one. */
  readonly records: number;
  readonly names: number;
}

export function dnsRecordJson(r: DnsRecord): DnsRecordJson {
  return { name: r.name, type: recordType(r), value: r.kind === "cname" ? r.target : formatIp(r.address), ttl: r.ttl, at: r.at === undefined ? null : locationJson(r.at) };
}

/** One address a name resolves to: the names from it to the address record, the smallest TTL, the records followed. */
export interface ResolutionJson {
  readonly address: string;
  readonly chain: readonly string[];
  readonly ttl: number;
  readonly records: readonly DnsRecordJson[];
}

export function resolutionJson(r: Resolution): ResolutionJson {
  return { address: formatIp(r.address), chain: [...r.chain], ttl: r.ttl, records: r.records.map(dnsRecordJson) };
}

export function admissionJson(a: Admission): AdmissionJson {
  return { pattern: formatPattern(a.pattern), name: a.name, ...resolutionJson(a.resolution) };
}

/** `*.stripe.com admits 54.187.174.169: api.stripe.com A 54.187.174.169 (records.yaml:2:3); ttl 60`; a chain's records joined by `→`. */
export function admissionLine(a: AdmissionJson): string {
  const records = a.records.map((r) => `${r.name} ${r.type} ${r.value} (${r.at === null ? "--resolve" : formatLocationJson(r.at)})`);
  const clusterIp = a.clusterIpOf === undefined ? "" : ` (the ClusterIP of Service ${a.clusterIpOf}: kube-proxy sends the connection to a backend's pod IP, so it never meets this address)`;
  return `${a.pattern} admits ${a.address}: ${records.join(" → ")}; ttl ${a.ttl}${clusterIp}`;
}

/** The key answers carry when a snapshot was given; absent (undefined) without one. */
export function dnsAssumptionJson(dns: DnsSnapshot | undefined): DnsAssumptionJson | undefined {
  if (dns === undefined) return undefined;
  return { assumption: "every pod resolved every name of the snapshot", records: dns.records.length, names: dns.names().length };
}

/** The text answers end with when a snapshot was given. */
export function dnsAssumedLines(dns: DnsAssumptionJson | undefined): string[] {
  if (dns === undefined) return [];
  return [
    `Assumed: every pod resolved every name of the DNS snapshot (${dns.records} record${dns.records === 1 ? "" : "s"}, ${dns.names} name${dns.names === 1 ? "" : "s"}, the cluster's Services included): a domainNames rule matches the addresses the snapshot gives its names, for every pod.`,
  ];
}
