import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { formatLocation } from "../diag/location.js";
import { type AdminEgressPeer, type AdminPolicy, type AdminRule, formatAdminPolicy } from "../model/admin-policy.js";
import { type Cluster, type KindNearMiss, type Namespace, type Node, type ObjectRef, type Policy, type Service, formatObjectRef } from "../model/cluster.js";
import { adminPolicyApiVersion, isAdminPolicyKind, readAdminPolicy } from "./admin-policy.js";
import { codes } from "./codes.js";
import { type GroupingNotes, groupEndpoints, podLabelKeysRead } from "./endpoints.js";
import { type ObjectHeader, isClusterScoped, readHeader } from "./header.js";
import { namespacesOf } from "./namespaces.js";
import { readNode } from "./node.js";
import type { RawDocument } from "./parse.js";
import { kindNearMiss, MODELLED_KINDS } from "./kinds.js";
import { readPolicy } from "./policy.js";
import { Reader, child, requireString } from "./reader.js";
import { readService } from "./service.js";
import { dns1123LabelProblem } from "./validate.js";
import { describeValue, isRecord } from "./values.js";
import { isWorkloadKind, readWorkload, type WorkloadObject } from "./workload.js";

export interface DecodeResult {
  readonly value: Cluster;
  readonly diagnostics: Diagnostic[];
  /** Objects of kinds Portcullis does not model, counted by kind, in order of appearance. */
  readonly skipped: { kind: string; count: number }[];
  /** Pods that are endpoints of their own, and pods that are no endpoints (what `-v` reports). */
  readonly pods: GroupingNotes;
}

const NETWORK_POLICY_API = "networking.k8s.io/v1";

export interface DecodeOptions {
  /**
   * What to say of admin policies: nothing when the command evaluates them (`evaluate`), `warn`
   * (a warning per policy: the command's answers ignore it), or `enforce` (`enforce` compiles them
   * into the kernel: an error per Deny or Pass rule with `domainNames` peers, which the kernel
   * cannot match, and a warning per such Accept rule, which fails closed there).
   * `enforce-with-dns-proxy` (the node agent with `--dns-proxy`): Accept rules with `domainNames`
   * are enforced (the proxy learns each pod's answers into the rule's sets), Deny and Pass stay errors.
   * `evaluate-without-dns`: evaluated, but `domainNames` peers match no address in the answers (a
   * warning per rule that has them); `evaluate` says when a verdict depends on DNS (`check`).
   */
  readonly adminPolicies?: "evaluate" | "evaluate-without-dns" | "warn" | "enforce" | "enforce-with-dns-proxy";
}

/**
 * Decodes objects into a Cluster. Every problem is reported; an object with an error (one the API
 * server would reject) is left out, the rest is decoded.
 */
export function decodeCluster(documents: readonly RawDocument[], options: DecodeOptions = {}): DecodeResult {
  const diagnostics: Diagnostic[] = [];
  const skipped = new Map<string, number>();
  /** The first document of each kind, namespace and name. */
  const seen = new Map<string, RawDocument>();
  const declared: { header: ObjectHeader; at: Namespace["at"] }[] = [];
  const referenced = new Set<string>();
  const workloads: WorkloadObject[] = [];
  const services: Service[] = [];
  const policies: Policy[] = [];
  const nodes: Node[] = [];
  const adminPolicies: AdminPolicy[] = [];
  const kindNearMisses: KindNearMiss[] = [];

  for (const doc of documents) {
    const d = decodeDocument(doc);
    for (const x of d.headerDiagnostics) diagnostics.push(x);
    if (d.skipped !== undefined) skipped.set(d.skipped, (skipped.get(d.skipped) ?? 0) + 1);
    if (d.nearMiss !== undefined) kindNearMisses.push(d.nearMiss);
    if (d.kind === undefined || d.header === undefined) continue;
    const identity = identityOf(doc) ?? "";
    const first = seen.get(identity);
    if (first !== undefined) {
      // One object per kind, namespace and name: a second one is reported and left out.
      const r = new Reader(doc);
      r.object = d.label;
      const firstAt = formatLocation(first.locate(["metadata", "name"]));
      r.error(codes.duplicateObject, messages.duplicateObject(d.label ?? d.header.ref.name, firstAt), ["metadata", "name"]);
      for (const x of r.diagnostics) diagnostics.push(x);
      continue;
    }
    seen.set(identity, doc);
    // The namespace an object lives in exists, declared or not (a malformed name does not).
    if (d.kind !== "Namespace" && dns1123LabelProblem(d.header.ref.namespace) === undefined) referenced.add(d.header.ref.namespace);
    for (const x of d.objectDiagnostics) diagnostics.push(x);
    const o = d.object;
    if (o?.kind === "namespace") declared.push(o.value);
    else if (o?.kind === "service") services.push(o.value);
    else if (o?.kind === "policy") policies.push(o.value);
    else if (o?.kind === "workload") workloads.push(o.value);
    else if (o?.kind === "node") nodes.push(o.value);
    else if (o?.kind === "admin-policy") {
      adminPolicies.push(o.value);
      for (const x of adminPolicyDiagnostics(o.value, options)) diagnostics.push(x);
    }
  }
  const mixed = mixedApiVersions(adminPolicies);
  if (mixed !== null) diagnostics.push(mixed);
  const grouped = groupEndpoints(workloads, podLabelKeysRead(policies, services));
  return {
    value: { namespaces: namespacesOf(declared, referenced), endpoints: grouped.endpoints, services, policies, ...(nodes.length > 0 ? { nodes } : {}), ...(adminPolicies.length > 0 ? { adminPolicies } : {}), ...(kindNearMisses.length === 0 ? {} : { kindNearMisses }) },
    diagnostics,
    skipped: [...skipped].map(([kind, count]) => ({ kind, count })),
    pods: grouped.notes,
  };
}

/** What `options.adminPolicies` says of an admin policy (see DecodeOptions). */
function adminPolicyDiagnostics(policy: AdminPolicy, options: DecodeOptions): Diagnostic[] {
  const mode = options.adminPolicies ?? "warn";
  if (mode === "warn") return [notEvaluated(policy)];
  if (mode === "enforce" || mode === "enforce-with-dns-proxy") return notEnforceable(policy, mode === "enforce-with-dns-proxy");
  if (mode === "evaluate-without-dns") return domainsNotEvaluated(policy);
  return [];
}

/** One object, decoded as decodeCluster decodes each: its model value (absent when it has an error or is not modelled) and its problems. */
export interface ObjectDecode {
  readonly object: Decoded | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Decodes one object on its own, for a caller that keeps objects one by one and assembles the
 * Cluster itself (the node agent, from its watches): the same decoding as decodeCluster's, with
 * what `options` says of admin policies. What depends on other objects (duplicates, namespaces,
 * grouping pods into endpoints, mixed admin API versions) is the caller's.
 */
export function decodeObject(doc: RawDocument, options: DecodeOptions = {}): ObjectDecode {
  const d = decodeDocument(doc);
  const diagnostics = [...d.headerDiagnostics, ...d.objectDiagnostics];
  if (d.object?.kind === "admin-policy") diagnostics.push(...adminPolicyDiagnostics(d.object.value, options));
  return { object: d.object, diagnostics };
}

/**
 * `over` applied to `base`: every object of `over` replaces the object of `base` with the same
 * kind, namespace and name (as decoding identifies them: a namespaced object without a namespace
 * is in `default`); objects of `base` not replaced are kept. Documents without an identity (not
 * objects, kinds not modelled) are kept from both, and reported or counted as usual.
 */
export function overlay(base: readonly RawDocument[], over: readonly RawDocument[]): RawDocument[] {
  const replaced = new Set<string>();
  for (const doc of over) {
    const key = identityOf(doc);
    if (key !== undefined) replaced.add(key);
  }
  const kept = base.filter((doc) => {
    const key = identityOf(doc);
    return key === undefined || !replaced.has(key);
  });
  return [...kept, ...over];
}

function identityOf(doc: RawDocument): string | undefined {
  const d = decodeDocument(doc);
  return d.kind === undefined || d.header === undefined ? undefined : `${d.kind}\u0000${d.header.ref.namespace}\u0000${d.header.ref.name}`;
}

/**
 * Never a silent drop: every command that loads admin policies without evaluating them says that
 * its answers ignore them.
 */
function notEvaluated(policy: AdminPolicy): Diagnostic {
  // The message names the policy itself (no `object` prefix to repeat it).
  return { severity: "warning", code: codes.adminPolicyNotEvaluated, message: messages.adminPolicyNotEvaluated(formatAdminPolicy(policy)), at: policy.at };
}

/** The rules of an admin policy that have `domainNames` peers, each with how messages name it. */
function domainRules(policy: AdminPolicy): { readonly rule: AdminRule<AdminEgressPeer>; readonly text: string; readonly domain: AdminEgressPeer }[] {
  const out: { rule: AdminRule<AdminEgressPeer>; text: string; domain: AdminEgressPeer }[] = [];
  for (const direction of ["egress", "ingress"] as const) {
    for (const rule of policy[direction] as readonly AdminRule<AdminEgressPeer>[]) {
      if (rule.match.kind !== "as-written") continue;
      const domain = rule.match.peers.find((p) => p.kind === "domainNames");
      if (domain !== undefined) out.push({ rule, domain, text: `${direction} rule ${rule.index}${rule.name === undefined ? "" : ` "${rule.name}"`}` });
    }
  }
  return out;
}

/**
 * Never a silent drop: the answers of the pair analysis (every port and address at once) take a
 * `domainNames` peer as matching nothing, as nobody knows offline what a name resolves to.
 */
function domainsNotEvaluated(policy: AdminPolicy): Diagnostic[] {
  const name = formatAdminPolicy(policy);
  return domainRules(policy).map(({ rule, text, domain }) => ({
    severity: "warning",
    code: codes.adminDomainNotEvaluated,
    message: messages.adminDomainNotEvaluated(name, text, rule.action),
    at: domain.at,
  }));
}

/**
 * What the kernel cannot enforce of `domainNames` peers (what a name resolves to is known only from
 * the DNS answers each pod receives). An Accept rule's peers are learned sets: with the node
 * agent's DNS proxy (`withDnsProxy`) they are filled from each pod's answers, so the rule is
 * enforced; without it nothing fills them and the rule accepts no traffic to those names, fail
 * closed (a warning). A Deny or Pass rule would leave traffic to those names to the rules after it
 * until a pod resolves them, more open than written: an error, so nothing is applied.
 */
function notEnforceable(policy: AdminPolicy, withDnsProxy: boolean): Diagnostic[] {
  const name = formatAdminPolicy(policy);
  return domainRules(policy).flatMap(({ rule, text, domain }): Diagnostic[] => {
    if (rule.action !== "Accept") return [{ severity: "error", code: codes.adminPolicyNotEnforced, message: messages.adminPolicyNotEnforced(name, text, rule.action), at: domain.at }];
    return withDnsProxy ? [] : [{ severity: "warning", code: codes.adminDomainNotEnforced, message: messages.adminDomainNotEnforced(name, text), at: domain.at }];
  });
}

/**
 * ClusterNetworkPolicy (v1alpha2) beside AdminNetworkPolicy/BaselineAdminNetworkPolicy (v1alpha1):
 * the issue's rule "order ANP within the Admin tier by priority and say so in a warning", at the
 * first v1alpha1 policy. A cluster serves one version; mixed input is usually two sources merged.
 */
function mixedApiVersions(adminPolicies: readonly AdminPolicy[]): Diagnostic | null {
  const older = adminPolicies.find((p) => p.source.apiVersion === "policy.networking.k8s.io/v1alpha1");
  const newer = adminPolicies.find((p) => p.source.apiVersion === "policy.networking.k8s.io/v1alpha2");
  if (older === undefined || newer === undefined) return null;
  return { severity: "warning", code: codes.adminApiVersionsMixed, message: messages.adminApiVersionsMixed(formatAdminPolicy(older), formatAdminPolicy(newer)), at: older.at };
}

export type Decoded =
  | { readonly kind: "namespace"; readonly value: { header: ObjectHeader; at: Namespace["at"] } }
  | { readonly kind: "service"; readonly value: Service }
  | { readonly kind: "policy"; readonly value: Policy }
  | { readonly kind: "workload"; readonly value: WorkloadObject }
  | { readonly kind: "node"; readonly value: Node }
  | { readonly kind: "admin-policy"; readonly value: AdminPolicy };

/** What one document decodes to, whatever the others are: its header, and its object with their problems. */
interface DocumentDecode {
  readonly kind: string | undefined;
  readonly header: ObjectHeader | undefined;
  /** `Kind namespace/name`, as messages name the object. */
  readonly label: string | undefined;
  /** The kind counted as skipped (not modelled, or another API group). */
  readonly skipped: string | undefined;
  /** A skipped kind that is a typo of a modelled one. */
  readonly nearMiss: KindNearMiss | undefined;
  readonly headerDiagnostics: readonly Diagnostic[];
  /** The object, when it decoded without error; reported only if it is not a duplicate. */
  readonly object: Decoded | undefined;
  readonly objectDiagnostics: readonly Diagnostic[];
}

/**
 * Documents are immutable values, so each is decoded once and the result kept with it (weakly): a
 * caller that loads the same parsed files again (the enforcer, through its parse cache) decodes
 * only the documents of the files that changed.
 */
const decoded = new WeakMap<RawDocument, DocumentDecode>();

function decodeDocument(doc: RawDocument): DocumentDecode {
  const known = decoded.get(doc);
  if (known !== undefined) return known;
  const r = new Reader(doc);
  const kind = readKind(r);
  const { header, skipped, nearMiss } = kind === undefined ? {} : readHeaderIfModelled(r, kind);
  const headerDiagnostics = r.diagnostics.splice(0);
  const label = r.object;
  const object = kind !== undefined && header !== undefined ? decodeModelled(r, kind, header) : undefined;
  const result: DocumentDecode = { kind, header, label, skipped, nearMiss, headerDiagnostics, object, objectDiagnostics: r.diagnostics };
  decoded.set(doc, result);
  return result;
}

function decodeModelled(r: Reader, kind: string, header: ObjectHeader): Decoded | undefined {
  if (kind === "Namespace") {
    return r.failed ? undefined : { kind: "namespace", value: { header, at: r.at([]) } };
  } else if (kind === "Service") {
    const service = readService(r, header);
    return service === undefined ? undefined : { kind: "service", value: service };
  } else if (kind === "NetworkPolicy") {
    const policy = readPolicy(r, { namespace: header.ref.namespace, name: header.ref.name, annotations: header.annotations });
    return policy === undefined ? undefined : { kind: "policy", value: policy };
  } else if (kind === "Node") {
    const node = readNode(r, header);
    return node === undefined ? undefined : { kind: "node", value: node };
  } else if (isAdminPolicyKind(kind)) {
    const policy = readAdminPolicy(r, kind, header);
    return policy === undefined ? undefined : { kind: "admin-policy", value: policy };
  } else if (isWorkloadKind(kind)) {
    const workload = readWorkload(r, kind, header);
    return workload === undefined ? undefined : { kind: "workload", value: workload };
  }
  return undefined;
}

function readKind(r: Reader): string | undefined {
  if (!isRecord(r.doc.value)) {
    r.error(codes.notAnObject, messages.notAnObject(describeValue(r.doc.value)), []);
    return undefined;
  }
  return requireString(r, child(r.root(), "kind"));
}

/** The header of an object Portcullis models, or the name under which another is counted as skipped. */
function readHeaderIfModelled(r: Reader, kind: string): { readonly header?: ObjectHeader; readonly skipped?: string; readonly nearMiss?: KindNearMiss } {
  if (!MODELLED_KINDS.has(kind)) return { skipped: kind, ...nearMissOf(r, kind) };
  const apiField = child(r.root(), "apiVersion");
  const apiVersion = requireString(r, apiField);
  if (apiVersion === undefined) return {};
  if (kind === "NetworkPolicy" && apiVersion !== NETWORK_POLICY_API) {
    // Calico's projectcalico.org/v3 NetworkPolicy, for one, shares the kind but not the semantics.
    r.report("warning", codes.unsupportedApiVersion, messages.unsupportedApiVersion(kind, apiVersion, NETWORK_POLICY_API), apiField.path);
    return { skipped: `${kind} (${apiVersion})` };
  }
  if (isAdminPolicyKind(kind) && apiVersion !== adminPolicyApiVersion(kind)) {
    // Another version of the admin policy API (v1beta1 ClusterNetworkPolicy, say) is not read: said, never silent.
    r.report("warning", codes.unsupportedApiVersion, messages.otherAdminApiVersion(kind, apiVersion, adminPolicyApiVersion(kind)), apiField.path);
    return { skipped: `${kind} (${apiVersion})` };
  }
  const header = readHeader(r, kind);
  return header === undefined ? {} : { header };
}

/** A skipped kind that is a typo of a modelled one: a warning (always printed) at the kind field, and kept for lint. */
function nearMissOf(r: Reader, kind: string): { readonly nearMiss?: KindNearMiss } {
  const suggestion = kindNearMiss(kind);
  if (suggestion === undefined) return {};
  const meta = child(r.root(), "metadata");
  const name = child(meta, "name").value;
  const namespace = child(meta, "namespace").value;
  const ref: ObjectRef = {
    kind,
    namespace: isClusterScoped(suggestion) ? "" : typeof namespace === "string" && namespace !== "" ? namespace : "default",
    name: typeof name === "string" ? name : "",
  };
  r.object = formatObjectRef(ref);
  r.report("warning", codes.kindNearMiss, messages.kindNearMiss(kind, suggestion), ["kind"]);
  return { nearMiss: { kind, suggestion, ref, at: r.at(["kind"]) } };
}
