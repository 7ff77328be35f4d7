/**
 * The node agent's view of the cluster: the objects its watches deliver, each decoded once (by the
 * file decoders: one decoding path), assembled into a Cluster on demand. Between two Clusters,
 * every model object whose inputs did not change (Policy, Endpoint, Namespace, Service, Node,
 * AdminPolicy) is the same JS object: a version the API server sends again with no change the
 * model reads (a pod's status heartbeat, a relist) is interned to the value it had, and pods are
 * grouped into endpoints per owner, so one pod's change regroups only its owner's pods.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { type Decoded, type DecodeOptions, decodeObject } from "../k8s/decode.js";
import { groupEndpoints, podLabelKeysRead, podOwnerUnit } from "../k8s/endpoints.js";
import type { ObjectHeader } from "../k8s/header.js";
import { namespacesOf } from "../k8s/namespaces.js";
import { isAdminPolicyKind } from "../k8s/admin-policy.js";
import { dns1123LabelProblem } from "../k8s/validate.js";
import type { WorkloadObject } from "../k8s/workload.js";
import type { LiveObject } from "../kube/live.js";
import type { AdminPolicy } from "../model/admin-policy.js";
import type { Labels } from "../model/labels.js";
import type { ContainerPort } from "../model/ports.js";
import type { Cluster, Endpoint, Namespace, Node, Policy, Service } from "../model/cluster.js";
import type { Location } from "../diag/location.js";
import type { NodeScope } from "../nft/types.js";
import { liveDocument, liveRef } from "../k8s/live.js";
import { formatLiveObject } from "../diag/location.js";
import { formatDiagnostic } from "../render/diagnostics.js";
import { PolicyPool, StringPool, WeakPool } from "./pool.js";
import { sameValue } from "./same.js";

/** Who an object is: what messages, counts, placing and Events read (the decoded value holds the rest; the object itself is not kept). */
export type LiveRef = Pick<LiveObject, "apiVersion" | "kind" | "metadata">;

/**
 * What the view keeps of an object: one object per object, with who the object is only when its
 * latest version has errors (the messages, counts and Events that name it are about those; 60k
 * objects held as identity, metadata and entry were 180k objects for the garbage collector to mark).
 */
interface Entry {
  readonly kind: string;
  /** The latest version that decoded without error; kept when a later one has errors (fail closed). */
  readonly good: Decoded | undefined;
  /** The latest version's errors (never empty), with who the object is: `good` is then an older version, or absent. */
  readonly rejected: Rejection | undefined;
  /** Pods: spec.nodeName, when scheduled. */
  readonly nodeName: string | undefined;
  /** `good` is this version with the rules that have errors left out (a NetworkPolicy: rulesDropped). */
  readonly rulesDropped: boolean;
}

interface Rejection {
  readonly live: LiveRef;
  readonly errors: readonly Diagnostic[];
}

/**
 * What the view does with a version that has errors (docs/enforcement.md "The node agent"):
 * - `rules-dropped`: a NetworkPolicy whose errors all lie in rules: taken without those rules
 *   (its selection and policy types as written; NetworkPolicy rules only allow, so it allows less);
 * - `older-kept`: the last version taken stays in force;
 * - `not-taken`: none ever decoded; the object is left out, or holds the node (`holds`).
 */
export type Outcome = "rules-dropped" | "older-kept" | "not-taken";

/** An object that never decoded and whose absence could open traffic: nothing new is applied while it stands. */
export interface Held {
  readonly object: LiveRef;
  /** Why its absence could open traffic. */
  readonly why: string;
  readonly errors: readonly Diagnostic[];
}

/** What one watch event did to the view. */
export interface ObjectChange {
  /** The model changed: the next Cluster differs. */
  readonly changed: boolean;
  /** A pod whose addresses this version gives first (none before, or not seen before). */
  readonly firstIp: boolean;
  /** The object's problems in this version: warnings, and the errors for which it was not taken. */
  readonly diagnostics: readonly Diagnostic[];
  /** When this version has errors: what the view took instead. */
  readonly outcome?: Outcome;
}

/** An object whose latest version was not taken (errors): what the view keeps instead, and why. */
export interface Rejected {
  /** `Pod production/web-7d9f`. */
  readonly object: string;
  /** `Pod`, `NetworkPolicy`, … */
  readonly kind: string;
  /** Whether an older version stands in for it (else it is left out). */
  readonly keptOlder: boolean;
  /** What stands in: the version without its bad rules, an older version, nothing (left out), or nothing and the node held. */
  readonly outcome: "rules-dropped" | "older-kept" | "left-out" | "held";
  readonly errors: readonly Diagnostic[];
}

/**
 * Field paths held at most: the located paths of a policy are bounded by its rules, peers and ports
 * and recur in every policy (the 50k/10k bench's 60k objects: 21 distinct); the bound keeps a
 * cluster of unusual policies from holding more than ~1 MiB of them.
 */
const PATHS_HELD = 20_000;
const NO_ENDPOINTS: readonly Endpoint[] = Object.freeze([]);

/**
 * An owner's pods by key, grouped into endpoints. Most units hold one pod (a bare pod is its own
 * unit: 50k of them at 50k pods), kept inline; a Map only from the second (a Map with its table
 * is ~350 bytes and two objects more per unit).
 */
class Unit {
  /** Its endpoints: one held inline (a bare pod's), a list only from two (an array is two objects). */
  private oneEndpoint: Endpoint | undefined = undefined;
  private moreEndpoints: readonly Endpoint[] = NO_ENDPOINTS;
  private oneKey: string | undefined = undefined;
  private onePod: WorkloadObject | undefined = undefined;
  private more: Map<string, WorkloadObject> | undefined = undefined;

  /** `key`: the unit's own key, shared by its pods' entries in `unitOfPod`. */
  constructor(readonly key: string) {}

  get size(): number {
    return this.more?.size ?? (this.oneKey === undefined ? 0 : 1);
  }

  get(key: string): WorkloadObject | undefined {
    return this.more !== undefined ? this.more.get(key) : key === this.oneKey ? this.onePod : undefined;
  }

  set(key: string, pod: WorkloadObject): void {
    if (this.more !== undefined) this.more.set(key, pod);
    else if (this.oneKey === undefined || this.oneKey === key) [this.oneKey, this.onePod] = [key, pod];
    else {
      this.more = new Map([[this.oneKey, this.onePod as WorkloadObject], [key, pod]]);
      [this.oneKey, this.onePod] = [undefined, undefined];
    }
  }

  delete(key: string): void {
    if (this.more !== undefined) this.more.delete(key);
    else if (key === this.oneKey) [this.oneKey, this.onePod] = [undefined, undefined];
  }

  /** Its endpoints (a list made for the call when it has one: `forEachEndpoint` on a hot path). */
  endpoints(): readonly Endpoint[] {
    return this.oneEndpoint !== undefined ? [this.oneEndpoint] : this.moreEndpoints;
  }

  forEachEndpoint(f: (e: Endpoint) => void): void {
    if (this.oneEndpoint !== undefined) f(this.oneEndpoint);
    else for (const e of this.moreEndpoints) f(e);
  }

  setEndpoints(list: readonly Endpoint[]): void {
    this.oneEndpoint = list.length === 1 ? list[0] : undefined;
    this.moreEndpoints = list.length === 1 ? NO_ENDPOINTS : list;
  }

  /** The pods in the order they came. */
  pods(): WorkloadObject[] {
    return this.more !== undefined ? [...this.more.values()] : this.onePod === undefined ? [] : [this.onePod];
  }
}

const NOTHING_CHANGED: ObjectChange = { changed: false, firstIp: false, diagnostics: [] };

/** How messages name a live object: `Pod production/web-7d9f`, `Node worker-1`. */
export function liveName(o: LiveRef): string {
  return formatLiveObject(liveRef(o));
}

/** Joined once: one flat string (a template literal builds a tree of up to four strings, kept as long as the key is). */
const keyOf = (kind: string, namespace: string, name: string): string => [kind, namespace, name].join("\u0000");
/** An object's identity, kept instead of the object: its Events name it by apiVersion, kind, name and uid. */
function refOf(o: LiveObject): LiveRef {
  const { name, namespace, uid } = o.metadata;
  const metadata = { name, ...(namespace === undefined ? {} : { namespace }), ...(typeof uid === "string" ? { uid } : {}) };
  return { apiVersion: o.apiVersion, kind: o.kind, metadata };
}

const liveKey = (o: LiveObject): string => keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name);

function nodeNameOf(o: LiveObject): string | undefined {
  const spec = o["spec"];
  const name = typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>)["nodeName"] : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** A value equal to the old one is the old one. */
const intern = <T>(previous: T | undefined, next: T): T => (previous !== undefined && sameValue(previous, next) ? previous : next);

/** Where a NetworkPolicy rule's errors are: `spec.egress[2]…`. */
const RULE_PATH = /^spec\.(ingress|egress)\[(\d+)\]/;

/**
 * A NetworkPolicy whose errors all lie inside rules, decoded without those rules: each is written
 * as `{}` (so the other rules keep their index and field paths, and the policy types default as
 * written: the API server defaults on how many rules there are) and then left out. Undefined when
 * an error lies elsewhere (podSelector, policyTypes, the spec, metadata): what the policy selects
 * is not known.
 */
function withoutBadRules(o: LiveObject, errors: readonly Diagnostic[], options: DecodeOptions): Decoded | undefined {
  const bad = { ingress: new Set<number>(), egress: new Set<number>() };
  for (const d of errors) {
    const m = d.at === undefined ? null : RULE_PATH.exec(d.at.path);
    if (m === null) return undefined;
    bad[m[1] as "ingress" | "egress"].add(Number(m[2]));
  }
  const spec = o["spec"] as Record<string, unknown>;
  const blank = (direction: "ingress" | "egress"): unknown[] | undefined => {
    const rules = spec[direction];
    return Array.isArray(rules) ? rules.map((rule, i) => (bad[direction].has(i) ? {} : rule)) : undefined;
  };
  const ingress = blank("ingress");
  const egress = blank("egress");
  const fixed: LiveObject = { ...o, spec: { ...spec, ...(ingress === undefined ? {} : { ingress }), ...(egress === undefined ? {} : { egress }) } };
  const decoded = decodeObject(liveDocument(fixed), options);
  if (decoded.object?.kind !== "policy" || decoded.diagnostics.some((d) => d.severity === "error")) return undefined;
  const p = decoded.object.value;
  return { kind: "policy", value: { ...p, ingress: p.ingress.filter((r) => !bad.ingress.has(r.index)), egress: p.egress.filter((r) => !bad.egress.has(r.index)) } };
}

function internDecoded(previous: Decoded | undefined, next: Decoded | undefined): Decoded | undefined {
  if (previous === undefined || next === undefined || previous.kind !== next.kind) return next;
  return sameValue(previous.value, next.value) ? previous : next;
}

/**
 * Equal label maps as one Map: the pods of one owner carry the same labels, and each decoded pod's
 * Map with its strings weighs ~800 bytes (50k pods: 40 MiB). Held weakly: a Map that no object
 * holds any more is let go, and its entry with it.
 */
export class LabelsPool {
  private readonly pool = new WeakPool<Labels>();

  /** The Map held for these entries in this order, or `labels` itself (then held). */
  intern(labels: Labels): Labels {
    return this.pool.intern(JSON.stringify([...labels]), labels);
  }

  /** Label maps held now (tests). */
  get size(): number {
    return this.pool.size;
  }
}

/** Keyed collections in arrival order, with the array handed out rebuilt only after a change. */
class Collection<T> {
  private readonly items = new Map<string, T>();
  private list: readonly T[] = [];
  private dirty = false;

  set(key: string, value: T | undefined): void {
    if (value === undefined) this.dirty = this.items.delete(key) || this.dirty;
    else if (this.items.get(key) !== value) {
      this.items.set(key, value);
      this.dirty = true;
    }
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  values(): readonly T[] {
    if (this.dirty) {
      this.list = [...this.items.values()];
      this.dirty = false;
    }
    return this.list;
  }
}

function outcomeOf(e: Entry): Outcome {
  return e.rulesDropped ? "rules-dropped" : e.good !== undefined ? "older-kept" : "not-taken";
}

/** Why an object that never decoded holds the node, or undefined: left out is closed. */
function holdReason(e: Entry, at: { readonly admin: boolean; readonly local: boolean; readonly failClosed: boolean }): string | undefined {
  const kind = e.kind;
  if (kind === "NetworkPolicy") return "the pods it selects would not be isolated by it (its podSelector or policyTypes cannot be read)";
  if (isAdminPolicyKind(kind)) return "its Deny and Pass rules would not close what they close";
  if (kind === "Pod" && at.local && !at.failClosed) return "its traffic would pass unfiltered (a local pod, and this Node has no spec.podCIDRs: fail closed is off)";
  // A namespace left out still exists through its objects, with no labels: `matchExpressions`
  // NotIn and DoesNotExist would match it, and a NetworkPolicy peer allow more than written.
  if (kind === "Namespace") return "it would stand with no labels, and a namespaceSelector with NotIn or DoesNotExist would match it";
  if ((kind === "Pod" || kind === "Node") && at.admin) return `an admin policy could select it (by its labels or addresses), and a Deny rule would not reach it`;
  return undefined;
}

export class ClusterView {
  /** Every object, by kind, namespace and name. */
  private readonly entries = new Map<string, Entry>();
  /** The keys of the objects that never decoded (errors, nothing taken). */
  private readonly untaken = new Set<string>();
  private holding: { readonly version: number; readonly value: readonly Held[] } | null = null;
  private readonly declared = new Collection<{ header: ObjectHeader; at: Location | undefined }>();
  /** How many objects live in each namespace (a namespace exists while an object does). */
  private readonly referenced = new Map<string, number>();
  private namespacesDirty = false;
  private readonly services = new Collection<Service>();
  private readonly policies = new Collection<Policy>();
  private readonly nodes = new Collection<Node>();
  private readonly adminPolicies = new Collection<AdminPolicy>();
  private readonly units = new Map<string, Unit>();
  private readonly unitOfPod = new Map<string, string>();
  private unitsDirty = false;
  /** The units whose pods changed since the last Cluster: only they are grouped again. */
  private readonly dirtyUnits = new Set<string>();
  private labelKeys: ReadonlySet<string> = new Set();
  /**
   * How many policies and services read each pod label key (podLabelKeysRead of each one), kept as
   * they come and go, so a policy event does not walk every policy; `keysDirty`: a key came or went.
   */
  private readonly keyCounts = new Map<string, number>();
  private keysDirty = false;
  private readonly localPods = new Set<string>();
  private readonly splitIds = new WeakMap<Endpoint, Endpoint>();
  private readonly idCounts = new Map<string, number>();
  private readonly shared = new Set<string>();
  private scope: { readonly version: number; readonly value: NodeScope | string } | null = null;
  /** The endpoints of the units whose id the Cluster tells apart by kind, and what it holds instead. */
  private renamed = new Map<Endpoint, Endpoint>();
  private readonly localOnly = new WeakMap<Endpoint, { readonly key: string; readonly endpoint: Endpoint }>();
  private last: Cluster = { namespaces: new Map(), endpoints: [], services: [], policies: [] };
  /** The pods' labels and annotations, one Map per distinct content. */
  readonly labels = new LabelsPool();
  /** The pods' container port lists, one per distinct content (the pods of one app declare the same). */
  readonly ports = new WeakPool<readonly ContainerPort[]>();
  /** The NetworkPolicies' selectors, port matches and CIDRs, one value per distinct content. */
  readonly policyValues = new PolicyPool();
  /** Field paths of locations, each held once (bounded: a policy's paths repeat in every policy). */
  private readonly paths = new StringPool(PATHS_HELD);
  private endpointsList: readonly Endpoint[] = [];
  /** Counts model changes: a Cluster built at version v holds every change up to v. */
  version = 0;
  private builtAt = 0;

  /** `node`: the node this agent enforces for (its pods are local; its Node gives the pod CIDRs). */
  constructor(
    readonly node: string,
    private readonly decodeOptions: DecodeOptions = { adminPolicies: "enforce" },
  ) {}

  /** An object added or modified. */
  upsert(o: LiveObject): ObjectChange {
    const key = liveKey(o);
    const before = this.entries.get(key);
    const decoded = decodeObject(liveDocument(o, (path) => this.paths.intern(path)), this.decodeOptions);
    const errors = decoded.diagnostics.filter((d) => d.severity === "error");
    const partial = errors.length > 0 && o.kind === "NetworkPolicy" ? withoutBadRules(o, errors, this.decodeOptions) : undefined;
    const taken = errors.length > 0 ? partial : decoded.object;
    const good = taken === undefined ? before?.good : internDecoded(before?.good, this.pooled(taken));
    const nodeName = nodeNameOf(o);
    const entry: Entry = { kind: o.kind, good, rejected: errors.length > 0 ? { live: refOf(o), errors } : undefined, nodeName, rulesDropped: partial !== undefined };
    this.entries.set(key, entry);
    if (errors.length > 0 && good === undefined) this.untaken.add(key);
    else this.untaken.delete(key);
    if (before === undefined && o.kind !== "Namespace") this.reference(o.metadata.namespace ?? "", 1);
    const changed = before === undefined || before.good !== good || before.nodeName !== nodeName;
    if (changed) this.place(key, o.kind, entry);
    const ips = (d: Decoded | undefined): number => (d?.kind === "workload" ? d.value.ips.length : 0);
    const outcome = errors.length === 0 ? undefined : outcomeOf(entry);
    return { changed, firstIp: ips(before?.good) === 0 && ips(good) > 0, diagnostics: decoded.diagnostics, ...(outcome === undefined ? {} : { outcome }) };
  }

  /** A pod's labels, annotations and container ports, a NetworkPolicy's selectors, port matches and CIDRs, as the values the pools hold for them. */
  private pooled(d: Decoded): Decoded {
    if (d.kind === "policy") return { kind: "policy", value: this.policyValues.intern(d.value, (a) => this.labels.intern(a)) };
    if (d.kind !== "workload") return d;
    const { podLabels, annotations, ports } = d.value;
    return { kind: "workload", value: { ...d.value, podLabels: this.labels.intern(podLabels), annotations: this.labels.intern(annotations), ports: this.ports.intern(JSON.stringify(ports), ports) } };
  }

  /** An object deleted (the object as last seen, or just its kind, namespace and name). */
  remove(o: Pick<LiveObject, "kind" | "metadata">): ObjectChange {
    const key = keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name);
    const before = this.entries.get(key);
    if (before === undefined) return NOTHING_CHANGED;
    this.entries.delete(key);
    this.untaken.delete(key);
    if (o.kind !== "Namespace") this.reference(o.metadata.namespace ?? "", -1);
    this.place(key, before.kind, undefined);
    return { changed: true, firstIp: false, diagnostics: [] };
  }

  /** The objects whose latest version has errors (what the view keeps for them instead). */
  rejected(): Rejected[] {
    const held = new Set<LiveRef>(this.holds().map((h) => h.object));
    return [...this.entries.values()].flatMap((e) => {
      if (e.rejected === undefined) return [];
      const outcome = outcomeOf(e);
      const { live, errors } = e.rejected;
      return [{ object: liveName(live), kind: e.kind, keptOlder: e.good !== undefined, outcome: outcome !== "not-taken" ? outcome : held.has(live) ? "held" : "left-out", errors }];
    });
  }

  /**
   * The objects that never decoded and whose absence could open traffic (docs/enforcement.md "The
   * node agent"): while any stands, nodeScope says why and nothing new is applied (the kernel keeps
   * the last ruleset; new pods' addresses stay dropped by fail closed).
   */
  holds(): readonly Held[] {
    if (this.holding?.version === this.version) return this.holding.value;
    const cluster = this.cluster();
    const admin = (cluster.adminPolicies?.length ?? 0) > 0 || [...this.untaken].some((k) => isAdminPolicyKind(this.entries.get(k)?.kind ?? ""));
    const failClosed = (cluster.nodes?.find((n) => n.name === this.node)?.podCidrs.length ?? 0) > 0;
    const value: Held[] = [];
    for (const key of this.untaken) {
      const e = this.entries.get(key);
      if (e?.rejected === undefined) continue;
      const why = holdReason(e, { admin, local: e.nodeName === this.node, failClosed });
      if (why !== undefined) value.push({ object: e.rejected.live, why, errors: e.rejected.errors });
    }
    this.holding = { version: this.version, value };
    return value;
  }

  /** How many objects of each kind the view holds. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.entries.values()) out.set(e.kind, (out.get(e.kind) ?? 0) + 1);
    return out;
  }

  private reference(namespace: string, by: 1 | -1): void {
    if (dns1123LabelProblem(namespace) !== undefined) return;
    const n = (this.referenced.get(namespace) ?? 0) + by;
    if (n <= 0) this.referenced.delete(namespace);
    else this.referenced.set(namespace, n);
    if (n === 0 || (by === 1 && n === 1)) this.namespacesDirty = true;
  }

  /** Puts the object's model value (or its absence) where the Cluster reads it. */
  private place(key: string, kind: string, after: Entry | undefined): void {
    this.version++;
    const d = after?.good;
    switch (kind) {
      case "Namespace":
        this.declared.set(key, d?.kind === "namespace" ? d.value : undefined);
        this.namespacesDirty = true;
        return;
      case "Service": {
        const service = d?.kind === "service" ? d.value : undefined;
        this.countKeys(this.services.get(key), service, (x) => podLabelKeysRead([], [x]));
        return this.services.set(key, service);
      }
      case "NetworkPolicy": {
        const policy = d?.kind === "policy" ? d.value : undefined;
        this.countKeys(this.policies.get(key), policy, (x) => podLabelKeysRead([x], []));
        return this.policies.set(key, policy);
      }
      case "Node":
        return this.nodes.set(key, d?.kind === "node" ? d.value : undefined);
      case "Pod":
        return this.placePod(key, after);
      default:
        return this.adminPolicies.set(key, d?.kind === "admin-policy" ? d.value : undefined);
    }
  }

  /** Counts the label keys `before` read out and those `after` reads in (`keyCounts`). */
  private countKeys<T>(before: T | undefined, after: T | undefined, keysOf: (x: T) => ReadonlySet<string>): void {
    if (before === after) return;
    const count = (x: T | undefined, by: 1 | -1): void => {
      if (x === undefined) return;
      for (const k of keysOf(x)) {
        const n = (this.keyCounts.get(k) ?? 0) + by;
        if (n <= 0) this.keyCounts.delete(k);
        else this.keyCounts.set(k, n);
        if (n === 0 || (by === 1 && n === 1)) this.keysDirty = true;
      }
    };
    count(before, -1);
    count(after, 1);
  }

  private placePod(key: string, after: Entry | undefined): void {
    const pod = after?.good?.kind === "workload" ? after.good.value : undefined;
    if (after?.nodeName === this.node) this.localPods.add(key);
    else this.localPods.delete(key);
    const oldUnit = this.unitOfPod.get(key);
    const owner = pod === undefined ? undefined : podOwnerUnit(pod);
    const newUnit = pod === undefined || owner === undefined ? undefined : this.unitKey(key, keyOf(owner.kind, pod.namespace, owner.name));
    if (oldUnit !== undefined && oldUnit !== newUnit) {
      const unit = this.units.get(oldUnit);
      unit?.delete(key);
      if (unit !== undefined) this.dirtyUnits.add(oldUnit);
      this.unitOfPod.delete(key);
    }
    if (pod !== undefined && newUnit !== undefined) {
      let unit = this.units.get(newUnit);
      if (unit === undefined) {
        unit = new Unit(newUnit);
        this.units.set(newUnit, unit);
        this.dirtyUnits.add(newUnit);
      }
      if (unit.get(key) !== pod) this.dirtyUnits.add(newUnit);
      unit.set(key, pod);
      this.unitOfPod.set(key, newUnit);
    }
    this.unitsDirty = true;
  }

  /** A unit's key as one string held once: the pod's own key for a bare pod, else the unit's. */
  private unitKey(podKey: string, key: string): string {
    return key === podKey ? podKey : (this.units.get(key)?.key ?? key);
  }

  /** The Cluster as the view holds it now; the same object while nothing changed. */
  cluster(): Cluster {
    if (this.builtAt === this.version) return this.last;
    const policies = this.policies.values();
    const services = this.services.values();
    if (this.keysDirty) {
      this.keysDirty = false;
      const keys = new Set(this.keyCounts.keys());
      if (!sameValue(keys, this.labelKeys)) {
        // Which controller labels tell pods apart depends on what the selectors read: regroup all.
        this.labelKeys = keys;
        for (const key of this.units.keys()) this.dirtyUnits.add(key);
        this.unitsDirty = true;
      }
    }
    const namespaces = this.namespacesDirty ? this.namespaceMap() : this.last.namespaces;
    this.namespacesDirty = false;
    const endpoints = this.unitsDirty ? this.endpoints() : this.endpointsList;
    const nodes = this.nodes.values();
    const adminPolicies = this.adminPolicies.values();
    this.last = { namespaces, endpoints, services, policies, ...(nodes.length > 0 ? { nodes } : {}), ...(adminPolicies.length > 0 ? { adminPolicies } : {}) };
    this.builtAt = this.version;
    return this.last;
  }

  private namespaceMap(): ReadonlyMap<string, Namespace> {
    const fresh = namespacesOf(this.declared.values(), new Set(this.referenced.keys()));
    const previous = this.last.namespaces;
    return new Map([...fresh].map(([name, ns]) => [name, intern(previous.get(name), ns)]));
  }

  private endpoints(): readonly Endpoint[] {
    for (const key of this.dirtyUnits) {
      const unit = this.units.get(key);
      if (unit === undefined) continue;
      unit.forEachEndpoint((e) => this.countId(e, -1));
      if (unit.size === 0) {
        unit.setEndpoints(NO_ENDPOINTS);
        this.units.delete(key);
        continue;
      }
      const old = new Map(unit.endpoints().map((e) => [e.id, e]));
      unit.setEndpoints(groupEndpoints(unit.pods(), this.labelKeys).endpoints.map((e) => intern(old.get(e.id), e)));
      unit.forEachEndpoint((e) => this.countId(e, 1));
    }
    this.dirtyUnits.clear();
    this.unitsDirty = false;
    const all: Endpoint[] = [];
    this.renamed = new Map();
    const add = (e: Endpoint): void => {
      // Ids are told apart by kind when two owners share a name (withIds in k8s/endpoints.ts).
      if (this.shared.has(e.id)) {
        const renamed = this.withKindId(e);
        this.renamed.set(e, renamed);
        all.push(renamed);
      } else all.push(e);
    };
    for (const unit of this.units.values()) unit.forEachEndpoint(add);
    this.endpointsList = all;
    return all;
  }

  /** Counts the endpoints named by each plain id (`ns/name`); those with more than one are `shared`. */
  private countId(e: Endpoint, by: 1 | -1): void {
    if (e.id !== `${e.namespace}/${e.name}`) return;
    const n = (this.idCounts.get(e.id) ?? 0) + by;
    if (n <= 0) this.idCounts.delete(e.id);
    else this.idCounts.set(e.id, n);
    if (n > 1) this.shared.add(e.id);
    else this.shared.delete(e.id);
  }

  private withKindId(e: Endpoint): Endpoint {
    let out = this.splitIds.get(e);
    if (out === undefined) {
      out = { ...e, id: `${e.id}[${e.kind}]` };
      this.splitIds.set(e, out);
    }
    return out;
  }

  /**
   * This node's scope: its pods (spec.nodeName), as endpoints holding only their local pods' addresses
   * (an owner's endpoint with pods elsewhere keeps the rest of its pods to the other nodes), and its
   * Node's pod CIDRs (fail closed); or why there is none: no Node object of that name.
   */
  nodeScope(): NodeScope | string {
    const cluster = this.cluster();
    if (this.scope?.version === this.version) return this.scope.value;
    const value = this.computeScope(cluster);
    this.scope = { version: this.version, value };
    return value;
  }

  private computeScope(cluster: Cluster): NodeScope | string {
    const node = cluster.nodes?.find((n) => n.name === this.node);
    if (node === undefined) {
      const held = this.entries.get(keyOf("Node", "", this.node));
      return held === undefined
        ? `no Node "${this.node}" in the cluster: the agent needs its Node object (spec.podCIDRs) and applies nothing until it is seen (is --node the node's name, spec.nodeName of its pods?)`
        : `Node "${this.node}" has errors and no earlier version to keep: ${(held.rejected?.errors ?? []).map((d) => d.message).join("; ")}`;
    }
    const held = this.holds();
    if (held.length > 0) return `held: ${held.map((h) => `${liveName(h.object)} has errors (${h.errors.map(formatDiagnostic).join("; ")}) and no earlier version to keep; left out, ${h.why}`).join("; ")}; nothing new is applied until it is fixed or deleted (the table stays as last applied)`;
    const byEndpoint = new Map<Endpoint, WorkloadObject[]>();
    for (const key of this.localPods) {
      const unitKey = this.unitOfPod.get(key);
      const unit = unitKey === undefined ? undefined : this.units.get(unitKey);
      const pod = unit?.get(key);
      if (unit === undefined || pod === undefined) continue;
      const own = unit.endpoints().find((e) => e.pods.includes(pod.name));
      if (own === undefined) continue; // gone (Succeeded, Failed, deleted): no endpoint
      const final = this.renamed.get(own) ?? own;
      const list = byEndpoint.get(final);
      if (list === undefined) byEndpoint.set(final, [pod]);
      else list.push(pod);
    }
    const localPods = [...byEndpoint].map(([e, pods]) => this.localPart(e, pods));
    return { localPods, ...(node.podCidrs.length > 0 ? { podCidrs: node.podCidrs } : {}) };
  }

  /** The endpoint itself when all its pods are local, else a copy with only the local pods and their addresses (kept while they are the same). */
  private localPart(e: Endpoint, pods: readonly WorkloadObject[]): Endpoint {
    if (pods.length === e.pods.length) return e;
    const key = pods.map((p) => p.name).sort().join("\u0000");
    const known = this.localOnly.get(e);
    if (known !== undefined && known.key === key) return known.endpoint;
    const names = new Set(pods.map((p) => p.name));
    const ips = pods.flatMap((p) => p.ips);
    const endpoint: Endpoint = { ...e, ips, pods: e.pods.filter((n) => names.has(n)) };
    this.localOnly.set(e, { key, endpoint });
    return endpoint;
  }
}
