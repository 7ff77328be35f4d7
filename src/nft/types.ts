import type { AdminAction, AdminPolicyKind, AdminTier } from "../model/admin-policy.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import type { Cidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";
import type { DomainPattern } from "../dns/names.js";
import type { CompileCache } from "./cache.js";

/** The node the ruleset is compiled for. */
export interface NodeScope {
  /** Pods running on this node; default: every endpoint of the cluster with a known IP. */
  readonly localPods?: readonly Endpoint[];
  /**
   * The node's pod CIDRs (node.spec.podCIDRs). When given, the ruleset fails closed: an address in
   * them that is not a known local pod IP is dropped in both directions (see docs/enforcement.md).
   */
  readonly podCidrs?: readonly Cidr[];
}

/** The node agent's DNS proxy: where queries of pods some domain rule selects are sent (see dns-redirect.ts). */
export interface DnsProxyTarget {
  /** An address of the node the proxy listens on (the DNAT target: see docs/dns-names/enforcement.md). */
  readonly address: Ip;
  readonly port: number;
  /** The cluster DNS addresses pods query (the kube-dns Service's ClusterIPs, or `--dns`). */
  readonly servers: readonly Ip[];
}

export interface CompileOptions {
  /** Redirect the DNS queries of domain-rule subjects to the node agent's proxy (none when absent). */
  readonly dnsProxy?: DnsProxyTarget;
  /** Audit every policy: log what would be denied, accept it. */
  readonly audit?: boolean;
  /** Rule sets of the previous compile, reused where their inputs are unchanged (see CompileCache). */
  readonly cache?: CompileCache;
}

/** The annotation that puts one policy in audit mode. */
export const MODE_ANNOTATION = "portcullis.dev/mode";

export type Mode = "enforce" | "audit";

export interface PolicyKey {
  readonly namespace: string;
  readonly name: string;
}

/** How the ruleset names an admin policy (cluster-scoped: a kind and a name). */
export interface AdminPolicyRef {
  readonly kind: AdminPolicyKind;
  readonly name: string;
}

/** What a rule id (in log prefixes and rule comments) stands for. */
export type RuleIdEntry =
  | {
      readonly kind: "rule";
      readonly id: string;
      readonly direction: Direction;
      readonly policy: PolicyKey;
      /** Index into spec.egress / spec.ingress. */
      readonly rule: number;
      readonly mode: Mode;
    }
  | {
      /** The end of a group chain: nothing allowed the packet. */
      readonly kind: "default-deny";
      readonly id: string;
      readonly direction: Direction;
      /** The group's hash, as in its chain name (`eg_g<hash>`). */
      readonly group: string;
      readonly mode: Mode;
      /** The policies whose isolation is enforced here (in audit mode: the audited ones). */
      readonly policies: readonly PolicyKey[];
    }
  | {
      /** A rule of an admin policy (tier Admin or Baseline): it accepts, denies or passes what it matches. */
      readonly kind: "admin-rule";
      readonly id: string;
      readonly direction: Direction;
      readonly tier: AdminTier;
      readonly policy: AdminPolicyRef;
      /** The policy's priority; null for the BaselineAdminNetworkPolicy (it has none). */
      readonly priority: number | null;
      /** Index into spec.egress / spec.ingress. */
      readonly rule: number;
      /** The rule's `name`; null when not written. */
      readonly name: string | null;
      /** What the rule does in the kernel: a rule that fails closed (an entry of a newer CRD) denies all. */
      readonly action: AdminAction;
      readonly failClosed: boolean;
      /** `audit`: a Deny logs and lets the packet go on (`--audit`). */
      readonly mode: Mode;
    }
  | {
      /** Fail closed: an address in the node's pod CIDRs that is no known local pod. */
      readonly kind: "unknown-pod";
      readonly id: string;
      readonly direction: Direction;
    };

export interface RuleIdMap {
  readonly entries: ReadonlyMap<string, RuleIdEntry>;
  /** Every known pod IP of the cluster (canonical text) → endpoint id, to name both ends of a packet. */
  readonly endpoints: ReadonlyMap<string, string>;
}

/** A set or map element: `key`, or `key : value` in a verdict map. */
export interface NftElement {
  readonly key: string;
  readonly value?: string;
}

export interface NftSet {
  readonly name: string;
  readonly kind: "set" | "map";
  /** `ipv4_addr . inet_proto . inet_service`, or `ipv4_addr : verdict` for a map. */
  readonly type: string;
  readonly interval: boolean;
  readonly elements: readonly NftElement[];
  /**
   * A set of learned pairs (`pod address . destination address`, `flags timeout`): the node
   * agent's DNS proxy adds its elements, each with a timeout; the compiler declares it empty. Diffs
   * never compare, flush or delete its elements, and a whole-table replace carries them over
   * (see docs/dns-names/enforcement.md).
   */
  readonly learned?: true;
}

export interface NftChain {
  readonly name: string;
  /** `type filter hook forward priority filter; policy accept;` for a base chain. */
  readonly base?: string;
  /** Comment lines printed above the rules (no `#`); derived from policies only, never from pods. */
  readonly comments: readonly string[];
  readonly rules: readonly string[];
}

/** The table as data; `renderRuleset` prints it, `diffRulesets` compares two. */
export interface Ruleset {
  readonly family: "inet";
  readonly table: string;
  readonly sets: readonly NftSet[];
  readonly chains: readonly NftChain[];
}

export interface CompileStats {
  readonly sets: number;
  readonly elements: number;
  readonly rules: number;
  readonly chains: number;
}

/** Something the ruleset cannot enforce, or chose how to read. */
export type CompileIssue =
  | { readonly kind: "no-ip"; readonly endpoint: string }
  | { readonly kind: "host-network"; readonly endpoint: string }
  | { readonly kind: "unknown-mode"; readonly policy: PolicyKey; readonly value: string };

export interface CompileResult {
  /** A complete `nft -f` script that replaces the table in one transaction. */
  readonly text: string;
  readonly ruleset: Ruleset;
  readonly stats: CompileStats;
  readonly ruleIds: RuleIdMap;
  readonly issues: readonly CompileIssue[];
  /** The Accept rules with `domainNames` peers and their learned sets, with the local pods each selects (what the DNS proxy learns for). */
  readonly domainRules: readonly DomainRuleSets[];
}

/** One Admin/Baseline Accept egress rule with `domainNames` peers, as the kernel holds it. */
export interface DomainRuleSets {
  /** The rule id (`pc:e:<hash>`). */
  readonly id: string;
  readonly patterns: readonly DomainPattern[];
  /** Its learned set per address family the cluster has (`e_<hash>_dns_v4`). */
  readonly sets: Readonly<Partial<Record<4 | 6, string>>>;
  /** The addresses of the local pods its policy's subject selects. */
  readonly subjects: readonly Ip[];
}

export const TABLE = "portcullis";
