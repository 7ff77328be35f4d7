import { messages } from "../diag/catalogue.js";
import {
  type AdminAction,
  type AdminEgressPeer,
  type AdminIngressPeer,
  type AdminPolicy,
  type AdminPolicyKind,
  type AdminPolicySource,
  type AdminPortMatch,
  type AdminProtocolMatch,
  type AdminRule,
  type AdminSubject,
  type AdminTier,
  type DomainName,
  type UnknownEntry,
  ADMIN_POLICY_SOURCES,
} from "../model/admin-policy.js";
import type { Protocol } from "../model/ports.js";
import { type LabelSelector, MATCH_ALL } from "../model/selector.js";
import type { Cidr } from "../net/cidr.js";
import { codes } from "./codes.js";
import type { ObjectHeader } from "./header.js";
import { readCidr } from "./policy-peer.js";
import { readPortNumber, readProtocol } from "./policy-port.js";
import { type Field, type Reader, checkFields, child, isAbsent, missing, readInteger, readItemMap, readItemString, readList, readMap, readString, requireString } from "./reader.js";
import { readSelector } from "./selector.js";
import { domainPattern } from "../dns/names.js";

/**
 * What differs between the kinds: field names, enums and limits, as each CRD states them
 * (network-policy-api v0.1.x for v1alpha1, the v1alpha2 ClusterNetworkPolicy types).
 */
interface Dialect {
  readonly source: AdminPolicySource;
  /** `spec` fields. */
  readonly specFields: readonly string[];
  /** Action as written → the model's action (`Allow` = `Accept`). */
  readonly actions: ReadonlyMap<string, AdminAction>;
  /** `protocols` (v1alpha2) or `ports` (v1alpha1). */
  readonly protocolsKey: "protocols" | "ports";
  /** "+kubebuilder:validation:MaxItems": rules, peers and protocols (25 in v1alpha2, 100 in v1alpha1). */
  readonly maxItems: number;
  readonly egressPeerFields: readonly string[];
  /** Peers whose rules may not use named ports (the egress rule's CEL validation). */
  readonly noNamedPortPeers: readonly string[];
  /** v1alpha1's NamespacedPod requires namespaceSelector; v1alpha2's makes it optional. */
  readonly namespaceSelectorRequired: boolean;
}

const V1ALPHA2_ACTIONS = new Map<string, AdminAction>([["Accept", "Accept"], ["Deny", "Deny"], ["Pass", "Pass"]]);
const ANP_ACTIONS = new Map<string, AdminAction>([["Allow", "Accept"], ["Deny", "Deny"], ["Pass", "Pass"]]);
/** "+kubebuilder:validation:Enum={"Allow", "Deny"}": a BaselineAdminNetworkPolicy cannot Pass (there is no tier after it). */
const BANP_ACTIONS = new Map<string, AdminAction>([["Allow", "Accept"], ["Deny", "Deny"]]);

/** "Networks can have up to 25 CIDRs specified." "DomainNames can have up to 25 domain names specified in one rule." (both versions) */
const MAX_NETWORKS = 25;
/** "Name is an identifier for this rule, that may be no more than 100 characters in length." */
const MAX_RULE_NAME = 100;

const sourceOf = (kind: AdminPolicyKind): AdminPolicySource => ADMIN_POLICY_SOURCES.find((s) => s.kind === kind) as AdminPolicySource;

const DIALECTS: Readonly<Record<AdminPolicyKind, Dialect>> = {
  ClusterNetworkPolicy: {
    source: sourceOf("ClusterNetworkPolicy"),
    specFields: ["tier", "priority", "subject", "ingress", "egress"],
    actions: V1ALPHA2_ACTIONS,
    protocolsKey: "protocols",
    maxItems: 25,
    egressPeerFields: ["namespaces", "pods", "nodes", "networks", "domainNames"],
    noNamedPortPeers: ["networks", "nodes", "domainNames"],
    namespaceSelectorRequired: false,
  },
  AdminNetworkPolicy: {
    source: sourceOf("AdminNetworkPolicy"),
    specFields: ["priority", "subject", "ingress", "egress"],
    actions: ANP_ACTIONS,
    protocolsKey: "ports",
    maxItems: 100,
    egressPeerFields: ["namespaces", "pods", "nodes", "networks", "domainNames"],
    noNamedPortPeers: ["networks", "nodes"],
    namespaceSelectorRequired: true,
  },
  BaselineAdminNetworkPolicy: {
    source: sourceOf("BaselineAdminNetworkPolicy"),
    specFields: ["subject", "ingress", "egress"],
    actions: BANP_ACTIONS,
    protocolsKey: "ports",
    maxItems: 100,
    egressPeerFields: ["namespaces", "pods", "nodes", "networks"],
    noNamedPortPeers: ["networks", "nodes"],
    namespaceSelectorRequired: true,
  },
};

/** The kinds this decoder reads, by name. */
export function isAdminPolicyKind(kind: string): kind is AdminPolicyKind {
  return Object.hasOwn(DIALECTS, kind);
}

/** The API version a kind is read at (`policy.networking.k8s.io/v1alpha2` for ClusterNetworkPolicy). */
export function adminPolicyApiVersion(kind: AdminPolicyKind): string {
  return DIALECTS[kind].source.apiVersion;
}

/** A ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy; undefined when the API server would reject it (all problems reported). */
export function readAdminPolicy(r: Reader, kind: AdminPolicyKind, header: ObjectHeader): AdminPolicy | undefined {
  const d = DIALECTS[kind];
  if (kind === "BaselineAdminNetworkPolicy" && header.ref.name !== "default") {
    // The CRD: "Only one baseline admin network policy with metadata.name="default" can be created in the cluster".
    r.error(codes.baselineNotDefault, messages.baselineNotDefault(header.ref.name), ["metadata", "name"]);
  }
  const specField = child(r.root(), "spec");
  const spec = readMap(r, specField);
  if (spec === undefined) {
    if (isAbsent(specField)) missing(r, specField);
    return undefined;
  }
  checkFields(r, specField, spec, d.specFields);
  const tier = kind === "ClusterNetworkPolicy" ? readTier(r, child(specField, "tier")) : kind === "AdminNetworkPolicy" ? "Admin" : "Baseline";
  const priority = kind === "BaselineAdminNetworkPolicy" ? null : readPriority(r, child(specField, "priority"));
  const subject = readSubject(r, d, child(specField, "subject"));
  const ingress = readRules(r, d, child(specField, "ingress"), "ingress");
  const egress = readRules(r, d, child(specField, "egress"), "egress");
  if (r.failed || tier === undefined || priority === undefined || subject === undefined) return undefined;
  // metadata.annotations, when it has some (lint reads domain lists from them).
  const annotations = header.annotations.size === 0 ? {} : { annotations: header.annotations };
  const base = { name: header.ref.name, source: d.source, subject, ingress, egress, ...annotations, at: r.at([]) };
  if (tier === "Admin") return priority === null ? undefined : { ...base, tier, priority };
  return { ...base, tier, priority };
}

/** A required string of an enum ("+kubebuilder:validation:Enum"); `code` names the enum in diagnostics. */
function readEnum<T extends string>(r: Reader, field: Field, code: string, what: string, allowed: ReadonlyMap<string, T>): T | undefined {
  const text = requireString(r, field);
  if (text === undefined) return undefined;
  const value = allowed.get(text);
  if (value === undefined) r.error(code, messages.unknownEnum(what, text, [...allowed.keys()]), field.path);
  return value;
}

const TIERS = new Map<string, AdminTier>([["Admin", "Admin"], ["Baseline", "Baseline"]]);

/** "+kubebuilder:validation:Enum={"Admin", "Baseline"}" */
function readTier(r: Reader, field: Field): AdminTier | undefined {
  return readEnum(r, field, codes.unknownTier, "tier", TIERS);
}

/** "Priority is a value from 0 to 1000" (+kubebuilder:validation:Minimum=0, Maximum=1000); required. */
function readPriority(r: Reader, field: Field): number | undefined {
  if (isAbsent(field)) {
    missing(r, field);
    return undefined;
  }
  const priority = readInteger(r, field);
  if (priority === undefined) return undefined;
  if (priority < 0 || priority > 1000) {
    r.error(codes.priorityOutOfRange, messages.priorityOutOfRange(priority), field.path);
    return undefined;
  }
  return priority;
}

/**
 * The field set in a one-of ("Exactly one field must be set": MinProperties=1, MaxProperties=1);
 * `null` counts as absent. `unknown`: only fields this version does not know are set.
 */
type OneOf = { readonly kind: "field"; readonly key: string } | { readonly kind: "unknown"; readonly fields: readonly string[] } | { readonly kind: "invalid" };

function readOneOf(r: Reader, field: Field, known: readonly string[], record: Record<string, unknown>): OneOf {
  const set = Object.keys(record).filter((k) => record[k] !== null && record[k] !== undefined);
  const knownSet = set.filter((k) => known.includes(k));
  if (knownSet.length === 0 && set.length > 0) return { kind: "unknown", fields: set };
  checkFields(r, field, record, known);
  if (knownSet.length === 0) {
    r.error(codes.oneOfFields, messages.oneOfNone(known), field.path);
    return { kind: "invalid" };
  }
  if (knownSet.length > 1) {
    r.error(codes.oneOfFields, messages.oneOfMany(knownSet), field.path);
    return { kind: "invalid" };
  }
  return { kind: "field", key: knownSet[0] as string };
}

/** v1alpha2 names the subject's fields as the peer's; v1alpha1 too (`namespaces`, `pods`). */
const SUBJECT_FIELDS = ["namespaces", "pods"];

function readSubject(r: Reader, d: Dialect, field: Field): AdminSubject | undefined {
  if (isAbsent(field)) {
    missing(r, field);
    return undefined;
  }
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  const one = readOneOf(r, field, SUBJECT_FIELDS, record);
  if (one.kind === "unknown") {
    // No fail-closed rule is written for the subject: a field this version does not know is an error.
    checkFields(r, field, record, SUBJECT_FIELDS);
    return undefined;
  }
  if (one.kind === "invalid") return undefined;
  return readPodsPeer(r, d, child(field, one.key));
}

/** `namespaces: <selector>` or `pods: {namespaceSelector, podSelector}` (a subject or a peer of either direction). */
function readPodsPeer(r: Reader, d: Dialect, field: Field): AdminSubject | undefined {
  const key = field.path[field.path.length - 1];
  const at = r.at(field.path);
  if (key === "namespaces") return { kind: "namespaces", namespaces: readSelector(r, field), at };
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  checkFields(r, field, record, ["namespaceSelector", "podSelector"]);
  const nsField = child(field, "namespaceSelector");
  const podField = child(field, "podSelector");
  if (isAbsent(podField)) missing(r, podField);
  if (isAbsent(nsField) && d.namespaceSelectorRequired) missing(r, nsField);
  // v1alpha2: "NamespaceSelector follows standard label selector semantics; if empty, it selects all Namespaces." (optional)
  const namespaces: LabelSelector = isAbsent(nsField) ? MATCH_ALL : readSelector(r, nsField);
  if (isAbsent(podField)) return undefined;
  return { kind: "pods", namespaces, pods: readSelector(r, podField), at };
}

/** A list with the CRD's MinItems=1 and MaxItems; undefined when absent. */
function readBoundedList(r: Reader, field: Field, max: number, minOne: boolean): Field[] | undefined {
  const items = readList(r, field);
  if (items === undefined) return undefined;
  if (minOne && items.length === 0) r.error(codes.emptyList, messages.emptyList(), field.path);
  if (items.length > max) r.error(codes.tooManyItems, messages.tooManyItems(items.length, max), field.path);
  return items;
}

function readRules(r: Reader, d: Dialect, field: Field, direction: "ingress"): AdminRule<AdminIngressPeer>[];
function readRules(r: Reader, d: Dialect, field: Field, direction: "egress"): AdminRule<AdminEgressPeer>[];
function readRules(r: Reader, d: Dialect, field: Field, direction: "ingress" | "egress"): AdminRule<AdminEgressPeer>[] {
  const items = readBoundedList(r, field, d.maxItems, false) ?? [];
  const rules: AdminRule<AdminEgressPeer>[] = [];
  items.forEach((item, index) => {
    const rule = readRule(r, d, item, index, direction);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

/** A peer or protocol entry, or one that sets no field this version knows. */
type Entry<T> = { readonly kind: "known"; readonly value: T } | { readonly kind: "unknown"; readonly entry: UnknownEntry; readonly path: Field["path"] };

function unknownEntry(r: Reader, field: Field, fields: readonly string[]): Entry<never> {
  return { kind: "unknown", entry: { fields, at: r.at(field.path) }, path: field.path };
}

function readRule(r: Reader, d: Dialect, field: Field, index: number, direction: "ingress" | "egress"): AdminRule<AdminEgressPeer> | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const before = r.errorCount;
  const peersKey = direction === "ingress" ? "from" : "to";
  checkFields(r, field, record, ["name", "action", peersKey, d.protocolsKey]);
  const nameField = child(field, "name");
  const name = readString(r, nameField);
  if (name !== undefined && name.length > MAX_RULE_NAME) r.error(codes.ruleNameTooLong, messages.ruleNameTooLong(name.length), nameField.path);
  const action = readEnum(r, child(field, "action"), codes.unknownAction, "action", d.actions);
  // "This field must be defined and contain at least one item." (MinItems=1, MaxItems)
  const peersField = child(field, peersKey);
  if (isAbsent(peersField)) missing(r, peersField);
  const peerFields = direction === "ingress" ? SUBJECT_FIELDS : d.egressPeerFields;
  const peers = (readBoundedList(r, peersField, d.maxItems, true) ?? []).map((item) => readPeer(r, d, item, peerFields));
  // v1alpha2 `protocols`: MinItems=1; v1alpha1 `ports` has no minimum.
  const protocolsField = child(field, d.protocolsKey);
  const protocols = readBoundedList(r, protocolsField, d.maxItems, d.protocolsKey === "protocols");
  const matches = (protocols ?? []).map((item) => (d.protocolsKey === "protocols" ? readProtocolEntry(r, item) : readPortEntry(r, item)));
  checkNamedPortPeers(r, d, field, peers, matches);
  if (action === undefined || r.errorCount > before) return undefined;
  const unknownEntries = [...peers, ...matches].flatMap((e) => (e?.kind === "unknown" ? [e] : []));
  for (const e of unknownEntries) {
    r.report("warning", codes.unknownEntryFailsClosed, messages.unknownEntryFailsClosed(e.entry.fields, d.source.kind, action === "Accept" ? "matches-nothing" : "denies-all"), e.path);
  }
  const unknown = unknownEntries.map((e) => e.entry);
  const base = { index, ...(name === undefined || name === "" ? {} : { name }), at: r.at(field.path) };
  const asWritten = {
    kind: "as-written" as const,
    peers: peers.flatMap((p) => (p?.kind === "known" ? [p.value] : [])),
    // "If unspecified, protocol-specific attributes will not be used to match traffic." (v1alpha1:
    // "If Ports is not set then the rule does not filter traffic via port.")
    protocols: protocols === undefined || protocols.length === 0 ? ("all" as const) : matches.flatMap((m) => (m?.kind === "known" ? [m.value] : [])),
  };
  if (action === "Accept") return { ...base, action, match: unknown.length > 0 ? { kind: "matches-nothing", unknown } : asWritten };
  return { ...base, action, match: unknown.length > 0 ? { kind: "denies-all", unknown } : asWritten };
}

/**
 * The egress rule's CEL validation: "networks/nodes/domainNames peer cannot be set with namedPorts
 * since there are no namedPorts for networks/nodes/domainNames" (v1alpha1: networks/nodes).
 */
function checkNamedPortPeers(r: Reader, d: Dialect, rule: Field, peers: readonly (Entry<AdminEgressPeer> | undefined)[], matches: readonly (Entry<AdminProtocolMatch> | undefined)[]): void {
  const named = matches.some((m) => m?.kind === "known" && m.value.kind === "namedPort");
  const offending = peers.some((p) => p?.kind === "known" && d.noNamedPortPeers.includes(p.value.kind));
  if (named && offending) r.error(codes.namedPortWithoutPods, messages.namedPortWithoutPods(d.noNamedPortPeers.join("/")), rule.path);
}

function readPeer(r: Reader, d: Dialect, field: Field, known: readonly string[]): Entry<AdminEgressPeer> | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const one = readOneOf(r, field, known, record);
  if (one.kind === "unknown") return unknownEntry(r, field, one.fields);
  if (one.kind === "invalid") return undefined;
  const value = child(field, one.key);
  const at = r.at(value.path);
  let peer: AdminEgressPeer | undefined;
  if (one.key === "namespaces" || one.key === "pods") peer = readPodsPeer(r, d, value);
  else if (one.key === "nodes") peer = { kind: "nodes", nodes: readSelector(r, value), at };
  else if (one.key === "networks") peer = readNetworks(r, value);
  else peer = readDomainNames(r, value);
  return peer === undefined ? undefined : { kind: "known", value: peer };
}

/** A `+listType=set` list of strings with MinItems=1, MaxItems=25: each item read by `read`. */
function readStringSet<T>(r: Reader, field: Field, read: (text: string, item: Field) => T | undefined): T[] | undefined {
  const items = readBoundedList(r, field, MAX_NETWORKS, true);
  if (items === undefined) return undefined;
  const first = new Map<string, number>();
  const out: T[] = [];
  items.forEach((item, i) => {
    const text = readItemString(r, item);
    if (text === undefined) return;
    const seen = first.get(text);
    if (seen !== undefined) r.error(codes.duplicateItem, messages.duplicateItem(text, seen), item.path);
    else first.set(text, i);
    const value = read(text, item);
    if (value !== undefined) out.push(value);
  });
  return out;
}

/** "Each item in Networks should be provided in the CIDR format and should be IPv4 or IPv6" (`isCIDR(self)`). */
function readNetworks(r: Reader, field: Field): AdminEgressPeer | undefined {
  const networks = readStringSet<Cidr>(r, field, (text, item) => readCidr(r, text, item));
  return networks === undefined ? undefined : { kind: "networks", networks, at: r.at(field.path) };
}

/** The CRD's DomainName pattern: a DNS name, optionally prefixed by `*.`, optionally ending in `.`. */
const DOMAIN_NAME = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

function readDomainNames(r: Reader, field: Field): AdminEgressPeer | undefined {
  const domainNames = readStringSet<DomainName>(r, field, (text, item) => {
    if (!DOMAIN_NAME.test(text)) {
      r.error(codes.invalidDomainName, messages.invalidDomainName(text), item.path);
      return undefined;
    }
    return { text, pattern: domainPattern(text), at: r.at(item.path) };
  });
  return domainNames === undefined ? undefined : { kind: "domainNames", domainNames, at: r.at(field.path) };
}

const PROTOCOL_FIELDS: readonly [string, Protocol][] = [["tcp", "TCP"], ["udp", "UDP"], ["sctp", "SCTP"]];

/** v1alpha2 `protocols` entry: `tcp`/`udp`/`sctp: {destinationPort}` or `destinationNamedPort`. */
function readProtocolEntry(r: Reader, field: Field): Entry<AdminProtocolMatch> | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const one = readOneOf(r, field, [...PROTOCOL_FIELDS.map(([k]) => k), "destinationNamedPort"], record);
  if (one.kind === "unknown") return unknownEntry(r, field, one.fields);
  if (one.kind === "invalid") return undefined;
  const value = child(field, one.key);
  const at = r.at(value.path);
  if (one.key === "destinationNamedPort") {
    // "DestinationNamedPort selects a destination port on a pod based on the ContainerPort name."
    const name = requireString(r, value);
    return name === undefined ? undefined : { kind: "known", value: { kind: "namedPort", name, at } };
  }
  const protocol = (PROTOCOL_FIELDS.find(([k]) => k === one.key) as [string, Protocol])[1];
  const body = readMap(r, value);
  if (body === undefined) return undefined;
  checkFields(r, value, body, ["destinationPort"]);
  const portField = child(value, "destinationPort");
  if (isAbsent(portField)) {
    // ClusterNetworkPolicyProtocolTCP/UDP/SCTP: "+kubebuilder:validation:MinProperties=1".
    r.error(codes.emptyProtocol, messages.emptyProtocol(one.key), value.path);
    return undefined;
  }
  const port = readDestinationPort(r, portField);
  return port === undefined ? undefined : { kind: "known", value: { kind: "protocol", protocol, port, at } };
}

/** "Port matches on port number. You must specify either Port or Range." */
function readDestinationPort(r: Reader, field: Field): AdminPortMatch | undefined {
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  const one = readOneOf(r, field, ["number", "range"], record);
  if (one.kind === "unknown") {
    checkFields(r, field, record, ["number", "range"]);
    return undefined;
  }
  if (one.kind === "invalid") return undefined;
  if (one.key === "number") {
    const port = readPortNumber(r, child(field, "number"));
    return port === undefined ? undefined : { kind: "number", port };
  }
  return readRange(r, child(field, "range"), ["start", "end"]);
}

/** "PortRange defines an inclusive range of ports" with `self.start < self.end` ("Start port must be less than End port"). */
function readRange(r: Reader, field: Field, allowed: readonly string[]): AdminPortMatch | undefined {
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  checkFields(r, field, record, allowed);
  const startField = child(field, "start");
  const endField = child(field, "end");
  if (isAbsent(startField)) missing(r, startField);
  if (isAbsent(endField)) missing(r, endField);
  const start = isAbsent(startField) ? undefined : readPortNumber(r, startField);
  const end = isAbsent(endField) ? undefined : readPortNumber(r, endField);
  if (start === undefined || end === undefined) return undefined;
  if (start >= end) {
    r.error(codes.portRangeOrder, messages.portRangeOrder(start, end), field.path);
    return undefined;
  }
  return { kind: "range", start, end };
}

/**
 * v1alpha1 `ports` entry: `portNumber{protocol, port}`, `portRange{protocol, start, end}` or
 * `namedPort`. "The protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this
 * field defaults to TCP."
 */
function readPortEntry(r: Reader, field: Field): Entry<AdminProtocolMatch> | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const one = readOneOf(r, field, ["portNumber", "portRange", "namedPort"], record);
  if (one.kind === "unknown") return unknownEntry(r, field, one.fields);
  if (one.kind === "invalid") return undefined;
  const value = child(field, one.key);
  const at = r.at(value.path);
  if (one.key === "namedPort") {
    const name = requireString(r, value);
    return name === undefined ? undefined : { kind: "known", value: { kind: "namedPort", name, at } };
  }
  const body = readMap(r, value);
  if (body === undefined) return undefined;
  const protocol = readProtocol(r, child(value, "protocol"));
  let port: AdminPortMatch | undefined;
  if (one.key === "portRange") port = readRange(r, value, ["protocol", "start", "end"]);
  else {
    checkFields(r, value, body, ["protocol", "port"]);
    const portField = child(value, "port");
    if (isAbsent(portField)) missing(r, portField);
    const number = isAbsent(portField) ? undefined : readPortNumber(r, portField);
    port = number === undefined ? undefined : { kind: "number", port: number };
  }
  return protocol === undefined || port === undefined ? undefined : { kind: "known", value: { kind: "protocol", protocol, port, at } };
}
