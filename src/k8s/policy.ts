import { messages } from "../diag/catalogue.js";
import type { Direction, Peer, Policy, PolicyPort, Rule } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import { type LabelSelector, MATCH_ALL } from "../model/selector.js";
import { codes } from "./codes.js";
import { readPeer } from "./policy-peer.js";
import { readPolicyPort } from "./policy-port.js";
import { type Field, type Reader, checkFields, child, missing, readItemMap, readItemString, readList, readMap } from "./reader.js";
import { readSelector } from "./selector.js";
import { exact } from "./values.js";

export interface PolicyHeader {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Labels;
}

/** A networking.k8s.io/v1 NetworkPolicy; undefined when the API server would reject it (all problems reported). */
export function readPolicy(r: Reader, header: PolicyHeader): Policy | undefined {
  const specField = child(r.root(), "spec");
  const spec = readMap(r, specField);
  if (spec === undefined) {
    if (specField.value === undefined || specField.value === null) missing(r, specField);
    return undefined;
  }
  checkFields(r, specField, spec, ["podSelector", "policyTypes", "ingress", "egress"]);
  const podSelector = readPodSelector(r, child(specField, "podSelector"));
  const ingress = readRules(r, child(specField, "ingress"), "ingress");
  const egress = readRules(r, child(specField, "egress"), "egress");
  const types = readPolicyTypes(r, child(specField, "policyTypes"));
  if (r.failed || podSelector === undefined || types === undefined) return undefined;
  const written = Array.isArray(spec["egress"]) ? spec["egress"].length : 0;
  return {
    id: `${header.namespace}/${header.name}`,
    namespace: header.namespace,
    name: header.name,
    podSelector,
    podSelectorAt: r.at(["spec", "podSelector"]),
    affects: affects(types, written > 0),
    // `policyTypes: []` is defaulted exactly like an absent field, so it does not count as written.
    policyTypesDeclared: types.length > 0,
    egressWritten: spec["egress"] !== undefined && spec["egress"] !== null,
    ingress,
    egress,
    annotations: header.annotations,
    at: r.at([]),
  };
}

/**
 * "policyTypes ... If this field is not specified, it will default based on the existence of
 * ingress or egress rules; policies that contain an egress section are assumed to affect egress,
 * and all policies (whether or not they contain an ingress section) are assumed to affect
 * ingress." The API server defaults on `len(spec.Egress) != 0`, so `egress: []` does not count.
 */
export function affects(types: readonly Direction[], hasEgressRules: boolean): { ingress: boolean; egress: boolean } {
  if (types.length === 0) return { ingress: true, egress: hasEgressRules };
  return { ingress: types.includes("ingress"), egress: types.includes("egress") };
}

/** "podSelector selects the pods to which this NetworkPolicy object applies. ... An empty podSelector selects all pods in this namespace." */
function readPodSelector(r: Reader, field: Field): LabelSelector | undefined {
  if (field.value === undefined) {
    // Required by the API (kubectl: `missing required field "podSelector"`).
    missing(r, field);
    return undefined;
  }
  if (field.value === null) {
    // A non-pointer struct in the API: Go decodes null as its zero value, the empty selector.
    r.report("warning", codes.nullPodSelector, messages.nullPodSelector(), field.path);
    return MATCH_ALL;
  }
  return readSelector(r, field);
}

function readPolicyTypes(r: Reader, field: Field): Direction[] | undefined {
  const items = readList(r, field);
  if (items === undefined) return [];
  const before = r.errorCount;
  const types: Direction[] = [];
  for (const item of items) {
    const text = readItemString(r, item);
    if (text === undefined) continue;
    if (text === "Ingress") types.push("ingress");
    else if (text === "Egress") types.push("egress");
    else r.error(codes.unknownPolicyType, messages.unknownPolicyType(text), item.path);
  }
  if (items.length > 2) r.error(codes.tooManyPolicyTypes, messages.tooManyPolicyTypes(), field.path);
  return r.errorCount > before ? undefined : types;
}

function readRules(r: Reader, field: Field, direction: Direction): Rule[] {
  const items = readList(r, field) ?? [];
  const rules: Rule[] = [];
  items.forEach((item, index) => {
    const rule = readRule(r, item, index, direction);
    if (rule !== undefined) rules.push(rule);
  });
  return exact(rules);
}

function readRule(r: Reader, field: Field, index: number, direction: Direction): Rule | undefined {
  // `null` reads as `{}`: a rule that allows everything, as Go decodes it.
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const peersKey = direction === "ingress" ? "from" : "to";
  checkFields(r, field, record, [peersKey, "ports"]);
  const peerItems = readList(r, child(field, peersKey));
  const portItems = readList(r, child(field, "ports"));
  const peers: Peer[] = [];
  for (const item of peerItems ?? []) {
    const peer = readPeer(r, item);
    if (peer !== undefined) peers.push(peer);
  }
  const ports: PolicyPort[] = [];
  for (const item of portItems ?? []) {
    const port = readPolicyPort(r, item);
    if (port !== undefined) ports.push(port);
  }
  return {
    index,
    // from: "If this field is empty or missing, this rule matches all sources (traffic not
    // restricted by source). If this field is present and contains at least one item, this rule
    // allows traffic only if the traffic matches at least one item in the from list."
    // to: "If this field is empty or missing, this rule matches all destinations (traffic not
    // restricted by destination). If this field is present and contains at least one item, this
    // rule allows traffic only if the traffic matches at least one item in the to list."
    peers: peerItems === undefined || peerItems.length === 0 ? "all" : exact(peers),
    // ports: "If this field is empty or missing, this rule matches all ports (traffic not
    // restricted by port). If this field is present and contains at least one item, then this
    // rule allows traffic only if the traffic matches at least one port in the list."
    ports: portItems === undefined || portItems.length === 0 ? "all" : exact(ports),
    at: r.at(field.path),
  };
}
