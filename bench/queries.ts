/** Random connections to check: pod to pod, pod to the internet, the internet to a pod. */
import type { Cluster } from "../src/model/cluster.js";
import type { Protocol } from "../src/model/ports.js";
import { AddressSet } from "../src/net/address-set.js";
import { parseIp } from "../src/net/ip.js";
import type { Connection, Target } from "../src/engine/types.js";
import type { Prng } from "./prng.js";

const PORTS = [53, 80, 443, 3868, 5432, 6379, 8000, 8080, 8443, 8470, 9090, 31000, 50051];
const EXTERNAL = ["8.8.8.8", "192.168.5.5", "192.168.100.7", "172.20.1.1", "2001:db8::1", "2001:db8:1::1"].map((text) => {
  const ip = parseIp(text);
  if (ip === undefined) throw new Error(`bad address ${text}`);
  return { kind: "external", addresses: AddressSet.fromIp(ip) } as const satisfies Target;
});

export function randomConnections(cluster: Cluster, r: Prng, count: number): Connection[] {
  const endpoint = (): Target => ({ kind: "endpoint", endpoint: r.pick(cluster.endpoints) });
  const out: Connection[] = [];
  for (let i = 0; i < count; i++) {
    const roll = r.next();
    const from = roll < 0.1 ? r.pick(EXTERNAL) : endpoint();
    const to = roll >= 0.1 && roll < 0.2 ? r.pick(EXTERNAL) : endpoint();
    const protocol: Protocol = r.chance(0.85) ? "TCP" : r.chance(0.8) ? "UDP" : "SCTP";
    const port = r.chance(0.9) ? r.pick(PORTS) : 1 + r.int(65535);
    out.push({ from, to, port, protocol });
  }
  return out;
}
