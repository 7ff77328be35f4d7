import { messages } from "../diag/catalogue.js";
import type { Node, NodeAddress } from "../model/cluster.js";
import type { Cidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { codes } from "./codes.js";
import type { ObjectHeader } from "./header.js";
import { readCidr } from "./policy-peer.js";
import { type Reader, checkFields, child, isAbsent, readItemMap, readList, readString, requireString } from "./reader.js";

/** The address types whose address is an IP by definition (kubelet and cloud providers set them). */
const IP_TYPES = new Set(["InternalIP", "ExternalIP"]);

/**
 * A Node: its labels, pod ranges and addresses. "podCIDRs represents the IP ranges assigned to the
 * node for usage by Pods on that node. If this field is specified, the 0th entry must match the
 * podCIDR field." So `spec.podCIDRs` when present, else `spec.podCIDR`; a Node without either has none.
 */
export function readNode(r: Reader, header: ObjectHeader): Node | undefined {
  const spec = child(r.root(), "spec");
  const list = child(spec, "podCIDRs");
  const fields = isAbsent(list) ? [child(spec, "podCIDR")] : (readList(r, list) ?? []);
  const podCidrs: Cidr[] = [];
  for (const field of fields) {
    if (isAbsent(field)) continue;
    const text = readString(r, field);
    const cidr = text === undefined ? undefined : readCidr(r, text, field);
    if (cidr !== undefined) podCidrs.push(cidr);
  }
  const addresses = readAddresses(r);
  if (r.failed) return undefined;
  return { name: header.ref.name, labels: header.labels, podCidrs, addresses, at: r.at([]) };
}

/**
 * `status.addresses`: "List of addresses reachable to the node." An `InternalIP` or `ExternalIP`
 * that is no IP is an error; another type (`Hostname`, `InternalDNS`, `ExternalDNS`) is kept only
 * when its address is an IP, as a `nodes` peer matches "the IPs present in" this list.
 */
function readAddresses(r: Reader): NodeAddress[] {
  const field = child(child(r.root(), "status"), "addresses");
  const out: NodeAddress[] = [];
  for (const item of readList(r, field) ?? []) {
    const record = readItemMap(r, item);
    if (record === undefined) continue;
    checkFields(r, item, record, ["type", "address"]);
    const type = requireString(r, child(item, "type"));
    const addressField = child(item, "address");
    const text = requireString(r, addressField);
    if (type === undefined || text === undefined) continue;
    const ip = parseIp(text);
    if (ip !== undefined) out.push({ type, ip, at: r.at(item.path) });
    else if (IP_TYPES.has(type)) r.error(codes.invalidIp, messages.invalidIp(text), addressField.path);
  }
  return out;
}
