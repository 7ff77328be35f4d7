/**
 * `feeds policy`: a selection of published ranges as a policy allowing egress to them. Pure: the
 * selections, the feed and the options in; the policy as a plain object (what `-o json` prints and
 * the YAML writer prints in scaffold's style) and what was left out.
 *
 * - NetworkPolicy (networking.k8s.io/v1): `policyTypes: [Egress]`, the pods of `--select`, one egress
 *   rule whose `to` holds one `ipBlock` per CIDR (IPv4 first, then IPv6, each in address order) and
 *   whose `ports` are `--port`'s ("If this field is empty or missing, this rule matches all ports").
 * - ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2; AdminNetworkPolicy v1alpha1 with
 *   `--api v1alpha1`): tier Admin, the priority given, the subject's namespace (by its
 *   `kubernetes.io/metadata.name` label) and pods, one egress rule, action Accept (v1alpha1: Allow),
 *   whose `to` holds `networks` peers of at most 25 CIDRs each ("Networks can have up to 25 CIDRs
 *   specified"), same order.
 *
 * Both carry the annotations binding them to the selection (annotations.ts), so `feeds update`
 * replaces those peers from a newer feed (the feed-managed peers: src/feeds/managed.ts's rule).
 * Several selectors of one provider: their union, aggregated. Ranges that are not the internet
 * (model/well-known.ts: private, link-local, reserved, and the cloud metadata addresses) are left out
 * and returned, for the caller to warn about; a selection left with nothing is refused: a policy
 * allowing nothing is never written silently.
 */
import type { LabelSelector, Requirement } from "../model/selector.js";
import { internetAddresses, metadataAddresses } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";
import { FEED_SELECTOR_ANNOTATION, bindingAnnotations } from "./annotations.js";
import { emitDocument, fromPlain } from "../scaffold/yaml.js";
import { formatSelector } from "./selector.js";
import { MAX_NETWORKS_PER_PEER, networksChunks } from "./managed.js";
import type { Feed, FeedPort, Selection } from "./types.js";


/** "+kubebuilder:validation:MaxItems": peers and protocols of one rule (25 in v1alpha2, 100 in v1alpha1). */
const MAX_ITEMS = { v1alpha2: 25, v1alpha1: 100 } as const;

/** The label every namespace carries with its name ("kubernetes.io/metadata.name", set by the API server). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface PolicyRequest {
  /** `--name`: the policy's name (and, in an admin policy, its rule's). */
  readonly name: string;
  /** `-n`: the NetworkPolicy's namespace; for an admin policy, the subject's namespace (null: every namespace). */
  readonly namespace: string | null;
  /** `--select`: the pods; no requirement selects every pod. */
  readonly podSelector: LabelSelector;
  /** `--port`: none allows every port. */
  readonly ports: readonly FeedPort[];
  /** `--cluster`: an admin policy at this priority and API version; null: a NetworkPolicy. */
  readonly cluster: { readonly priority: number; readonly api: "v1alpha2" | "v1alpha1" } | null;
  /** `--metadata`: addresses left out besides the defaults. */
  readonly metadata: readonly Ip[];
}

/** A JSON-like value in key order: what a policy object is made of. */
export type Plain = string | number | readonly Plain[] | { readonly [key: string]: Plain };

export interface FeedPolicy {
  /** The policy object, as the API server would store it (fields in kubectl's order). */
  readonly policy: { readonly [key: string]: Plain };
  /** The CIDRs it allows, IPv4 then IPv6, each in address order. */
  readonly cidrs: readonly Cidr[];
  /** Parts of the selection left out because they are not the internet (or are metadata addresses), in address order. */
  readonly leftOut: readonly Cidr[];
}

export type FeedPolicyResult = { readonly ok: true; readonly value: FeedPolicy } | { readonly ok: false; readonly message: string };

/** The internet less the metadata addresses: what a feed's ranges may allow (one definition: well-known.ts). */
function allowable(metadata: readonly Ip[]): AddressSet {
  return internetAddresses(new Set([4, 6])).subtract(AddressSet.fromIps(metadataAddresses(metadata)));
}

/** The union of the selections, IPv4 then IPv6, with what is not the internet split off. */
export function policyCidrs(selections: readonly Selection[], metadata: readonly Ip[]): { readonly cidrs: readonly Cidr[]; readonly leftOut: readonly Cidr[] } {
  const all = AddressSet.fromCidrs(selections.flatMap((s) => [...s.v4, ...s.v6]));
  const kept = all.intersect(allowable(metadata));
  const byFamily = (set: AddressSet): Cidr[] => {
    const cidrs = set.toCidrs();
    return [...cidrs.filter((c) => c.family === 4), ...cidrs.filter((c) => c.family === 6)];
  };
  return { cidrs: byFamily(kept), leftOut: byFamily(all.subtract(kept)) };
}

/** A label selector as the API writes it: `In` of one value in matchLabels, the rest in matchExpressions; `{}` for every pod. */
function labelSelectorObject(selector: LabelSelector): { readonly [key: string]: Plain } {
  const isLabel = (r: Requirement): boolean => r.operator === "In" && r.values.length === 1;
  const labels = selector.requirements.flatMap((r) => (isLabel(r) && "values" in r ? [[r.key, r.values[0] as string] as const] : []));
  const expressions = selector.requirements.filter((r) => !isLabel(r));
  const out: { [key: string]: Plain } = {};
  if (labels.length > 0) out["matchLabels"] = Object.fromEntries(labels);
  if (expressions.length > 0) out["matchExpressions"] = expressions.map((r) => ("values" in r ? { key: r.key, operator: r.operator, values: [...r.values] } : { key: r.key, operator: r.operator }));
  return out;
}

/** The metadata: name, namespace (NetworkPolicy only), the binding annotations. */
function metadataObject(request: PolicyRequest, selections: readonly Selection[], feed: Feed, namespaced: boolean): { readonly [key: string]: Plain } {
  return {
    name: request.name,
    ...(namespaced && request.namespace !== null ? { namespace: request.namespace } : {}),
    annotations: Object.fromEntries(bindingAnnotations(selections.map((s) => s.selector), feed)),
  };
}

/** `ports` of a NetworkPolicy rule: "endPort indicates that the range of ports from port to endPort if set, inclusive". */
function networkPolicyPorts(ports: readonly FeedPort[]): Plain[] {
  return ports.map((p) => ({ protocol: p.protocol, port: p.port, ...(p.endPort === null ? {} : { endPort: p.endPort }) }));
}

function networkPolicy(request: PolicyRequest, selections: readonly Selection[], feed: Feed, cidrs: readonly Cidr[]): { readonly [key: string]: Plain } {
  const rule = { to: cidrs.map((c) => ({ ipBlock: { cidr: formatCidr(c) } })), ...(request.ports.length === 0 ? {} : { ports: networkPolicyPorts(request.ports) }) };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadataObject(request, selections, feed, true),
    spec: { podSelector: labelSelectorObject(request.podSelector), policyTypes: ["Egress"], egress: [rule] },
  };
}

/** CIDRs in peers of at most 25, in order. */
export function networksPeers(cidrs: readonly Cidr[]): Plain[] {
  return networksChunks(cidrs).map((run) => ({ networks: run.map(formatCidr) }));
}

/** v1alpha2 `protocols` (`tcp: {destinationPort: {number}|{range: {start, end}}}`) or v1alpha1 `ports` (`portNumber` / `portRange`). */
function adminPorts(api: "v1alpha2" | "v1alpha1", ports: readonly FeedPort[]): Plain[] {
  return ports.map((p) => {
    if (api === "v1alpha2") {
      const destinationPort = p.endPort === null ? { number: p.port } : { range: { start: p.port, end: p.endPort } };
      return { [p.protocol.toLowerCase()]: { destinationPort } };
    }
    return p.endPort === null ? { portNumber: { protocol: p.protocol, port: p.port } } : { portRange: { protocol: p.protocol, start: p.port, end: p.endPort } };
  });
}

/** The subject: the namespace (by name label; every namespace when none), and the pods when --select narrows them. */
function subject(request: PolicyRequest): Plain {
  const namespaces = request.namespace === null ? {} : { matchLabels: { [NAMESPACE_NAME_LABEL]: request.namespace } };
  if (request.podSelector.requirements.length === 0) return { namespaces };
  return { pods: { namespaceSelector: namespaces, podSelector: labelSelectorObject(request.podSelector) } };
}

function adminPolicy(request: PolicyRequest, cluster: NonNullable<PolicyRequest["cluster"]>, selections: readonly Selection[], feed: Feed, cidrs: readonly Cidr[]): FeedPolicyResult {
  const peers = networksPeers(cidrs);
  const max = MAX_ITEMS[cluster.api];
  if (peers.length > max) return { ok: false, message: `${cidrs.length} CIDRs need ${peers.length} networks peers of ${MAX_NETWORKS_PER_PEER}, but one ${cluster.api} rule holds at most ${max} peers: narrow the selection, or use a NetworkPolicy (without --cluster)` };
  if (request.ports.length > max) return { ok: false, message: `${request.ports.length} --port values, but one ${cluster.api} rule holds at most ${max}` };
  const v2 = cluster.api === "v1alpha2";
  const rule = {
    name: request.name,
    action: v2 ? "Accept" : "Allow",
    to: peers,
    ...(request.ports.length === 0 ? {} : { [v2 ? "protocols" : "ports"]: adminPorts(cluster.api, request.ports) }),
  };
  const policy = {
    apiVersion: `policy.networking.k8s.io/${cluster.api}`,
    kind: v2 ? "ClusterNetworkPolicy" : "AdminNetworkPolicy",
    metadata: metadataObject(request, selections, feed, false),
    spec: { ...(v2 ? { tier: "Admin" } : {}), priority: cluster.priority, subject: subject(request), egress: [rule] },
  };
  return { ok: true, value: { policy, cidrs, leftOut: [] } };
}

/**
 * The policy allowing egress to the union of `selections` (all of `feed`'s provider), or why none:
 * selectors of several providers, nothing left once what is not the internet is left out, or more
 * CIDRs than one admin rule holds.
 */
export function feedPolicy(selections: readonly Selection[], feed: Feed, request: PolicyRequest): FeedPolicyResult {
  const others = selections.filter((s) => s.selector.provider !== feed.provider);
  if (others.length > 0) return { ok: false, message: `${others.map((s) => formatSelector(s.selector)).join(", ")}: one policy holds one provider's ranges (${feed.provider}); write a policy per provider` };
  const { cidrs, leftOut } = policyCidrs(selections, request.metadata);
  const what = selections.map((s) => formatSelector(s.selector)).join(" ");
  if (cidrs.length === 0) {
    const why = leftOut.length === 0 ? "selects no range" : `selects only ranges that are not the internet (${leftOut.map(formatCidr).join(", ")})`;
    return { ok: false, message: `${what} ${why} in the ${feed.provider} feed${feed.version === null ? "" : ` version ${feed.version.text}`}: a policy allowing nothing is not written` };
  }
  if (request.cluster === null) return { ok: true, value: { policy: networkPolicy(request, selections, feed, cidrs), cidrs, leftOut } };
  const r = adminPolicy(request, request.cluster, selections, feed, cidrs);
  return r.ok ? { ok: true, value: { ...r.value, leftOut } } : r;
}

/**
 * The policy as YAML in scaffold's style, with a head comment saying where its CIDRs come from (the
 * JSON form carries the same object without it). What was left out is not recorded in the policy:
 * `feeds update` rewrites the CIDRs and keeps comments, so a note would go stale; the annotations
 * (selectors, feed version and sha256) say how to compute it again.
 */
export function policyYaml(fp: FeedPolicy): string {
  const annotations = (fp.policy["metadata"] as { readonly annotations: { readonly [key: string]: Plain } }).annotations;
  const comment = [
    `Egress to ${String(annotations[FEED_SELECTOR_ANNOTATION])}, written by portcullis feeds policy.`,
    "portcullis feeds update rewrites the CIDRs from a newer feed, as the annotations say.",
  ];
  return emitDocument(fromPlain(fp.policy), comment);
}
