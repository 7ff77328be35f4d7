import type { Node } from "../model/cluster.js";
import type { Cidr } from "../net/cidr.js";
import type { ObjectHeader } from "./header.js";
import { readCidr } from "./policy-peer.js";
import { type Reader, child, isAbsent, readList, readString } from "./reader.js";

/**
 * A Node, read for its pod ranges only. "podCIDRs represents the IP ranges assigned to the node
 * for usage by Pods on that node. If this field is specified, the 0th entry must match the podCIDR
 * field." So `spec.podCIDRs` when present, else `spec.podCIDR`; a Node without either has none.
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
  if (r.failed) return undefined;
  return { name: header.ref.name, podCidrs, at: r.at([]) };
}
