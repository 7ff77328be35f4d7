import { ALL_PORTS, type ConnSet, formatPorts } from "../analysis/connset.js";
import type { Protocol } from "../model/ports.js";

/** UDP first: `UDP/TCP 53` is how DNS is written. */
const ORDER: readonly Protocol[] = ["UDP", "TCP", "SCTP"];

/**
 * A compact edge label: protocols with the same ports share one entry (`UDP/TCP 53`), entries are
 * joined by `; ` (`TCP 443; UDP 53`), a protocol on every port is `TCP all ports`, everything is `all`.
 */
export function connsLabel(conns: ConnSet): string {
  if (conns.isAll()) return "all";
  const byPorts = new Map<string, Protocol[]>();
  for (const p of ORDER) {
    const ports = conns.ports(p);
    if (ports.isEmpty()) continue;
    const text = ports.equals(ALL_PORTS) ? "all ports" : formatPorts(ports);
    byPorts.set(text, [...(byPorts.get(text) ?? []), p]);
  }
  return [...byPorts].map(([ports, protocols]) => `${protocols.join("/")} ${ports}`).join("; ");
}
