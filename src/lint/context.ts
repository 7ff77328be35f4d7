import type { AdminPolicy } from "../model/admin-policy.js";
import type { Cluster, Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import { selectorMatches } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { IntervalSet } from "../net/interval-set.js";
import { podFamilies } from "../model/well-known.js";
import { tierDeniesRest } from "./admin-cover.js";
import { Engine } from "../engine/engine.js";
import { AdminTiers, type SelectingAdmin } from "../engine/admin-tiers.js";
import { namespaceLabels } from "../engine/classes.js";
import { labelsKey } from "../model/labels.js";
import { type DnsReach, type NamespaceAssumption, dnsReach } from "./dns-reach.js";
import { type DnsResolution, resolveDns } from "./dns.js";
import { type Redundancy, analyseRedundancy } from "./redundancy.js";
import type { Draft, LintOptions } from "./types.js";
import { type Universe, buildUniverse } from "./universe.js";

const DEFAULT_SERVICE_CIDR = (() => {
  const parsed = parseCidr("10.96.0.0/12");
  if (!parsed.ok) throw new Error("unreachable: default service CIDR");
  return AddressSet.fromCidr(parsed.cidr);
})();

/** Every address of the given families (0.0.0.0/0, ::/0). */
function everyAddressOf(families: ReadonlySet<4 | 6>): AddressSet {
  return AddressSet.of(families.has(4) ? AddressSet.ALL.family(4) : IntervalSet.EMPTY, families.has(6) ? AddressSet.ALL.family(6) : IntervalSet.EMPTY);
}

const NO_ADMIN: SelectingAdmin = { Admin: [], Baseline: [] };

const byId = (a: Endpoint, b: Endpoint): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What every rule may ask: the input, the options, and the engine compiled over the input and its witnesses. */
export class LintContext {
  readonly dns: DnsResolution;
  readonly universe: Universe;
  /** The engine over the input plus witnesses (see universe.ts); the input's answers are unchanged by them. */
  readonly engine: Engine;
  readonly serviceCidr: AddressSet;
  private redundancyResult: Redundancy | undefined;
  private admin: AdminTiers | null | undefined;
  private readonly assuming = new Map<string, Engine>();
  private readonly reaches = new Map<string, DnsReach>();

  constructor(
    readonly cluster: Cluster,
    readonly options: LintOptions,
  ) {
    this.dns = resolveDns(cluster, options.dns);
    this.universe = buildUniverse(cluster, this.dns);
    this.engine = Engine.compile(this.universe.cluster, options.engine);
    this.serviceCidr = options.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  }

  /** The admin tiers over the universe (the engine's classes), or null when the input has no admin policies. */
  adminTiers(): AdminTiers | null {
    if (this.admin === undefined) {
      const policies = this.cluster.adminPolicies ?? [];
      this.admin = policies.length === 0 ? null : new AdminTiers(this.universe.cluster, this.engine.classes, policies);
    }
    return this.admin;
  }

  /** The admin policies of each tier whose subject selects `e` and that have rules for `direction`, in precedence order. */
  adminSelecting(e: Endpoint, direction: Direction): SelectingAdmin {
    const admin = this.adminTiers();
    return admin === null ? NO_ADMIN : admin.selectingClass(this.engine.classes.classOf(e), direction);
  }

  /** The workloads of the input (not host-network) an admin policy's subject selects, sorted by id; `direction`: one it has rules for. */
  adminSubjects(policy: AdminPolicy, direction: Direction): Endpoint[] {
    return this.cluster.endpoints.filter((e) => !e.hostNetwork && this.adminSelecting(e, direction)[policy.tier].includes(policy)).sort(byId);
  }

  /**
   * Whether some policy decides `e`'s traffic in `direction`: a NetworkPolicy isolates it, or an
   * admin policy with rules for that direction selects it (its tiers are walked).
   */
  governed(e: Endpoint, direction: Direction): boolean {
    if (this.engine.policiesSelecting(e, direction).length > 0) return true;
    const admin = this.adminSelecting(e, direction);
    return admin.Admin.length > 0 || admin.Baseline.length > 0;
  }

  /**
   * Whether an admin tier closes `e`'s egress: the Admin tier (`tiers` Admin), or the Baseline tier
   * too for a pod no NetworkPolicy isolates, has a rule denying every address of the pods' families
   * with no Pass before it (tierDeniesRest).
   */
  adminClosesEgress(e: Endpoint, tiers: readonly ("Admin" | "Baseline")[]): boolean {
    const selecting = this.adminSelecting(e, "egress");
    return tiers.some((tier) => tierDeniesRest(selecting[tier], this.everyAddress()));
  }

  /** Every address of the pods' families (0.0.0.0/0, and ::/0 when some pod may use IPv6). */
  everyAddress(): AddressSet {
    return everyAddressOf(podFamilies(this.options.engine.podNetwork, this.cluster.endpoints));
  }

  /** The workloads of the input in `namespace`. */
  endpointsIn(namespace: string): Endpoint[] {
    return this.cluster.endpoints.filter((e) => e.namespace === namespace);
  }

  /** The workloads of the input a policy's podSelector matches, host-network ones included. */
  matchedBy(policy: Policy): Endpoint[] {
    return this.endpointsIn(policy.namespace).filter((e) => selectorMatches(policy.podSelector, e.labels)).sort(byId);
  }

  /**
   * The pods whose own traffic the endpoint-centric rules check: the workloads of the input (not
   * host-network, not the DNS pods themselves) and the policy witnesses, sorted by id.
   */
  subjects(): Endpoint[] {
    const dnsPods = new Set(this.dns.targets.flatMap((t) => (t.target.kind === "endpoint" ? [t.target.endpoint] : [])));
    const real = this.cluster.endpoints.filter((e) => !e.hostNetwork && !dnsPods.has(e));
    return [...real, ...this.universe.policyWitnesses].sort(byId);
  }

  isWitness(e: Endpoint): boolean {
    return this.universe.witnesses.has(e);
  }

  policy(ref: { readonly namespace: string; readonly name: string }): Policy | undefined {
    return this.cluster.policies.find((p) => p.namespace === ref.namespace && p.name === ref.name);
  }

  /**
   * The engine over the universe with a namespace that the input does not declare carrying
   * `assumption.labels` besides those it is known to carry (compiled once per assumption).
   */
  engineAssuming(assumption: NamespaceAssumption): Engine {
    const key = `${assumption.namespace}\u0000${labelsKey(assumption.labels)}`;
    let engine = this.assuming.get(key);
    if (engine === undefined) {
      const namespaces = new Map(this.universe.cluster.namespaces);
      const labels = new Map([...namespaceLabels(namespaces, assumption.namespace), ...assumption.labels]);
      namespaces.set(assumption.namespace, { name: assumption.namespace, labels, declared: false });
      engine = Engine.compile({ ...this.universe.cluster, namespaces }, this.options.engine);
      this.assuming.set(key, engine);
    }
    return engine;
  }

  /** `dnsReach` of `subject` over `protocol`, computed once (both DNS rules and peer-selects-nothing ask). */
  dnsReachOf(subject: Endpoint, protocol: "UDP" | "TCP"): DnsReach {
    const key = `${subject.id}\u0000${protocol}`;
    let reach = this.reaches.get(key);
    if (reach === undefined) {
      reach = dnsReach(this, subject, protocol);
      this.reaches.set(key, reach);
    }
    return reach;
  }

  /** Which rules and policies add nothing (computed once, shared by redundant-rule and policy-adds-nothing). */
  redundancy(): Redundancy {
    this.redundancyResult ??= analyseRedundancy(this);
    return this.redundancyResult;
  }
}

/** Runs `check` on every ingress and egress rule of every policy, in cluster order. */
export function perRule(ctx: LintContext, check: (ctx: LintContext, policy: Policy, direction: Direction, rule: Rule) => Draft[]): Draft[] {
  return ctx.cluster.policies.flatMap((policy) => (["ingress", "egress"] as const).flatMap((direction) => policy[direction].flatMap((rule) => check(ctx, policy, direction, rule))));
}
