import { messages } from "../diag/catalogue.js";
import type { Peer } from "../model/cluster.js";
import { MATCH_ALL } from "../model/selector.js";
import { type Cidr, formatCidr, isStrictSubset, parseCidr } from "../net/cidr.js";
import { codes } from "./codes.js";
import { type Field, type Reader, checkFields, child, isAbsent, readItemMap, readItemString, readList, readMap, requireString } from "./reader.js";
import { readSelector } from "./selector.js";

/** A NetworkPolicyPeer (`null` reads as `{}`, which is reported as an empty peer). */
export function readPeer(r: Reader, field: Field): Peer | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const before = r.errorCount;
  checkFields(r, field, record, ["podSelector", "namespaceSelector", "ipBlock"]);
  // The selectors and ipBlock are pointers in the API: `null` is the same as absent.
  const podField = child(field, "podSelector");
  const nsField = child(field, "namespaceSelector");
  const ipField = child(field, "ipBlock");
  const pods = isAbsent(podField) ? undefined : readSelector(r, podField);
  const namespaces = isAbsent(nsField) ? undefined : readSelector(r, nsField);
  const ipBlock = isAbsent(ipField) ? undefined : readIpBlock(r, ipField);
  if (!isAbsent(ipField) && (pods !== undefined || namespaces !== undefined)) {
    // "ipBlock defines policy on a particular IPBlock. If this field is set then neither of the other fields can be."
    r.error(codes.ipBlockWithSelector, messages.ipBlockWithSelector(), field.path);
  }
  if (isAbsent(ipField) && pods === undefined && namespaces === undefined) {
    // The API server: "must specify a peer".
    r.error(codes.emptyPeer, messages.emptyPeer(), field.path);
  }
  if (r.errorCount > before) return undefined;
  const at = r.at(field.path);
  if (ipBlock !== undefined) return { kind: "ipBlock", cidr: ipBlock.cidr, except: ipBlock.except, at };
  if (namespaces === undefined) {
    // "podSelector ... Otherwise it selects the pods matching podSelector in the policy's own namespace."
    return { kind: "pods", namespaces: { kind: "own" }, pods: pods ?? MATCH_ALL, at };
  }
  // "namespaceSelector ... If podSelector is also set, then the NetworkPolicyPeer as a whole selects
  // the pods matching podSelector in the namespaces selected by namespaceSelector. Otherwise it
  // selects all pods in the namespaces selected by namespaceSelector."
  return { kind: "pods", namespaces: { kind: "selected", selector: namespaces }, pods: pods ?? MATCH_ALL, at };
}

interface IpBlock {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
}

export function readCidr(r: Reader, text: string, field: Field): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    r.error(codes.invalidCidr, messages.invalidCidr(text, parsed.reason), field.path);
    return undefined;
  }
  // The API server parses with net.ParseCIDR, which accepts host bits and masks them off.
  if (parsed.hostBitsSet) r.report("info", codes.cidrHostBits, messages.cidrHostBits(text, formatCidr(parsed.cidr)), field.path);
  return parsed.cidr;
}

function readIpBlock(r: Reader, field: Field): IpBlock | undefined {
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  checkFields(r, field, record, ["cidr", "except"]);
  const cidrField = child(field, "cidr");
  const cidrText = requireString(r, cidrField);
  const cidr = cidrText === undefined ? undefined : readCidr(r, cidrText, cidrField);
  const except: Cidr[] = [];
  for (const item of readList(r, child(field, "except")) ?? []) {
    const text = readItemString(r, item);
    if (text === undefined) continue;
    const inner = readCidr(r, text, item);
    if (inner === undefined || cidr === undefined || cidrText === undefined) continue;
    // "except is a slice of CIDRs that should not be included within an IPBlock ... Except values
    // will be rejected if they are outside the cidr range" (the API server: "must be a strict subset of `cidr`").
    if (inner.family !== cidr.family) r.error(codes.exceptNotSubset, messages.exceptFamilyMismatch(text, cidrText), item.path);
    else if (!isStrictSubset(inner, cidr)) r.error(codes.exceptNotSubset, messages.exceptNotSubset(text, cidrText), item.path);
    else except.push(inner);
  }
  return cidr === undefined ? undefined : { cidr, except };
}
