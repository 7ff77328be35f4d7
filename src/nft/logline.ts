import { type Ip, parseIp } from "../net/ip.js";
import { RULE_ID_PATTERN } from "./ids.js";

/** A packet a deny rule logged: the rule id of its prefix and the packet's addresses and port. */
export interface LoggedPacket {
  readonly id: string;
  readonly source: Ip;
  readonly destination: Ip;
  /** `TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPV6`, or what the kernel printed. */
  readonly protocol: string;
  /** The destination port, for protocols that have one. */
  readonly port?: number;
}

const field = (line: string, re: RegExp): string | undefined => re.exec(line)?.[1];

/**
 * A kernel log line of `log prefix "pc:e:g2 "` (dmesg, /dev/kmsg, journal):
 * `pc:e:g2 IN=ra OUT=rb ... SRC=10.244.1.10 DST=203.0.113.9 ... PROTO=TCP SPT=40000 DPT=80 ...`.
 */
export function parseKernelLogLine(line: string): LoggedPacket | null {
  const id = field(line, new RegExp(`(${RULE_ID_PATTERN.source}) `));
  const source = parseIp(field(line, /\bSRC=(\S+)/) ?? "");
  const destination = parseIp(field(line, /\bDST=(\S+)/) ?? "");
  const protocol = field(line, /\bPROTO=(\S+)/);
  if (id === undefined || source === undefined || destination === undefined || protocol === undefined) return null;
  const port = field(line, /\bDPT=(\d+)/);
  return { id, source, destination, protocol: protocol.toUpperCase(), ...(port === undefined ? {} : { port: Number(port) }) };
}

type TracedPacket = Omit<LoggedPacket, "id">;

/** The packet line of `nft monitor trace`: `trace id 96.. inet portcullis eg_g1 packet: ... ip saddr A ip daddr B ... tcp dport 81 ...`. */
function parseTracePacket(rest: string): TracedPacket | null {
  const source = parseIp(field(rest, /\bip6? saddr (\S+)/) ?? "");
  const destination = parseIp(field(rest, /\bip6? daddr (\S+)/) ?? "");
  if (source === undefined || destination === undefined) return null;
  const l4 = /\b(tcp|udp|sctp) dport (\d+)/.exec(rest);
  if (l4 !== null) return { source, destination, protocol: (l4[1] as string).toUpperCase(), port: Number(l4[2]) };
  const other = field(rest, /\bip protocol (\S+)/) ?? field(rest, /\bip6 nexthdr (\S+)/) ?? "unknown";
  return { source, destination, protocol: other.replace("ipv6-icmp", "icmpv6").toUpperCase() };
}

const TRACE = /^trace id ([0-9a-f]+) \S+ \S+ \S+ (packet|rule): (.*)$/;
const TRACE_RULE = /^trace id ([0-9a-f]+) \S+ \S+ \S+ rule (.*)$/;

/**
 * Reassembles `nft monitor trace` output. The deny rules set `nftrace`, so a denied packet yields a
 * `packet:` line, then `rule` lines carrying the rule id comment; the first such rule line completes
 * the packet. At most `capacity` unfinished traces are kept.
 */
export class TraceAssembler {
  private readonly pending = new Map<string, TracedPacket>();

  constructor(private readonly capacity = 256) {}

  feed(line: string): LoggedPacket | null {
    const packet = TRACE.exec(line);
    if (packet !== null && packet[2] === "packet") {
      const parsed = parseTracePacket(packet[3] as string);
      if (parsed !== null) this.remember(packet[1] as string, parsed);
      return null;
    }
    const rule = TRACE_RULE.exec(line);
    if (rule === null) return null;
    const traced = this.pending.get(rule[1] as string);
    const id = RULE_ID_PATTERN.exec(rule[2] as string)?.[0];
    if (traced === undefined || id === undefined) return null;
    this.pending.delete(rule[1] as string);
    return { id, ...traced };
  }

  private remember(traceId: string, packet: TracedPacket): void {
    this.pending.set(traceId, packet);
    if (this.pending.size > this.capacity) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
  }
}
