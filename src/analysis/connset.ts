import { PROTOCOLS, type Protocol } from "../model/ports.js";
import { IntervalSet } from "../net/interval-set.js";

export const ALL_PORTS = IntervalSet.range(1n, 65535n);

/** The JSON form: `"All Connections"`, or ports per protocol like `{"TCP":"80,8080-8090","UDP":"53"}`. */
export type ConnSetJson = "All Connections" | Partial<Record<Protocol, string>>;

/** A set of (protocol, port) pairs: one port interval set per protocol, ports 1-65535. */
export class ConnSet {
  private constructor(private readonly byProtocol: Readonly<Record<Protocol, IntervalSet>>) {}

  static readonly EMPTY = new ConnSet({ TCP: IntervalSet.EMPTY, UDP: IntervalSet.EMPTY, SCTP: IntervalSet.EMPTY });
  static readonly ALL = new ConnSet({ TCP: ALL_PORTS, UDP: ALL_PORTS, SCTP: ALL_PORTS });

  static of(protocol: Protocol, ports: IntervalSet): ConnSet {
    const clipped = ports.intersect(ALL_PORTS);
    return ConnSet.EMPTY.with(protocol, clipped);
  }

  static port(protocol: Protocol, port: number): ConnSet {
    return ConnSet.of(protocol, IntervalSet.point(BigInt(port)));
  }

  private with(protocol: Protocol, ports: IntervalSet): ConnSet {
    return new ConnSet({ ...this.byProtocol, [protocol]: ports });
  }

  ports(protocol: Protocol): IntervalSet {
    return this.byProtocol[protocol];
  }

  has(protocol: Protocol, port: number): boolean {
    return this.byProtocol[protocol].has(BigInt(port));
  }

  private zip(o: ConnSet, f: (a: IntervalSet, b: IntervalSet) => IntervalSet): ConnSet {
    return new ConnSet({ TCP: f(this.byProtocol.TCP, o.byProtocol.TCP), UDP: f(this.byProtocol.UDP, o.byProtocol.UDP), SCTP: f(this.byProtocol.SCTP, o.byProtocol.SCTP) });
  }

  union(o: ConnSet): ConnSet {
    return o.isEmpty() ? this : this.isEmpty() ? o : this.zip(o, (a, b) => a.union(b));
  }

  intersect(o: ConnSet): ConnSet {
    return this.zip(o, (a, b) => a.intersect(b));
  }

  subtract(o: ConnSet): ConnSet {
    return this.zip(o, (a, b) => a.subtract(b));
  }

  isEmpty(): boolean {
    return PROTOCOLS.every((p) => this.byProtocol[p].isEmpty());
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => this.byProtocol[p].equals(ALL_PORTS));
  }

  contains(o: ConnSet): boolean {
    return PROTOCOLS.every((p) => this.byProtocol[p].contains(o.byProtocol[p]));
  }

  equals(o: ConnSet): boolean {
    return PROTOCOLS.every((p) => this.byProtocol[p].equals(o.byProtocol[p]));
  }

  key(): string {
    return PROTOCOLS.map((p) => this.byProtocol[p].key()).join("/");
  }

  toJSON(): ConnSetJson {
    if (this.isAll()) return "All Connections";
    const out: Partial<Record<Protocol, string>> = {};
    for (const p of PROTOCOLS) if (!this.byProtocol[p].isEmpty()) out[p] = formatPorts(this.byProtocol[p]);
    return out;
  }

  /** `All Connections`, `TCP 80,8080-8090; UDP 53`, or `none`. */
  toString(): string {
    const json = this.toJSON();
    if (typeof json === "string") return json;
    const parts = PROTOCOLS.flatMap((p) => (json[p] === undefined ? [] : [`${p} ${json[p] === "1-65535" ? "all ports" : json[p]}`]));
    return parts.length === 0 ? "none" : parts.join("; ");
  }
}

export function formatPorts(set: IntervalSet): string {
  return set.intervals.map((i) => (i.lo === i.hi ? `${i.lo}` : `${i.lo}-${i.hi}`)).join(",");
}
