/** What the command line asks for, as typed options: the result of parsing (args.ts). */
import type { Protocol } from "../model/ports.js";
import type { AddressSet } from "../net/address-set.js";
import type { ExternalTarget } from "../labrun/types.js";
import type { Cidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";
import type { PodNetworkFrom } from "../model/pod-network.js";
import type { AdminApi } from "../scaffold/cluster.js";
import type { Unseen } from "../k8s/live.js";
import type { CommandName, OutputFormat } from "./spec.js";
import type { DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import type { FeedSource, FeedsOptions } from "./feeds-options.js";

/** How every command that reads objects (from files or a cluster) reads and writes them. */
export interface ReadingOptions {
  readonly output: OutputFormat;
  readonly verbose: boolean;
  /** `--strict`: a file found in a directory that is not a manifest is an error, not skipped (enforce reads strictly always). */
  readonly strict: boolean;
  readonly podNetwork: AddressSet;
  /** `flag`: `--pod-cidr` given; `default`: not given; `nodes`: taken from the Nodes after loading (choosePodNetwork). */
  readonly podNetworkFrom: PodNetworkFrom;
  readonly ipBlockMatchesPods: boolean;
  /** Set after a live read: what the answer did not see, which it says (output.ts). Absent for files. */
  readonly live?: LiveNotes;
  /** Set after loading, when `--dns-records`/`--resolve` were given: the resolution snapshot, the cluster's Service names added (load.ts). */
  readonly dns?: DnsSnapshot;
}

/** `--dns-records FILE` and `--resolve NAME=IP[,IP]` as given: what the resolution snapshot is made from. */
export interface SnapshotFlags {
  /** The records file (YAML/JSON); null: only --resolve. */
  readonly file: string | null;
  /** The records of every --resolve, in order. */
  readonly resolve: readonly DnsRecord[];
}

/** What an answer from a live read says about the read: what could not be seen (RBAC), and the namespace read. */
export interface LiveNotes {
  readonly unseen: readonly Unseen[];
  /** The one namespace read (-n, or the context's); null: every namespace. */
  readonly namespace: string | null;
}

/** Options of the commands that read files only (diff's versions, enforce, lab). */
export interface CommonOptions extends ReadingOptions {
  readonly files: readonly string[];
}

/** kubectl's flags for reaching a cluster: `--kubeconfig PATH` (else KUBECONFIG, else ~/.kube/config, else in-cluster), `--context NAME`. */
export interface ClusterFlags {
  readonly kubeconfig: string | null;
  readonly context: string | null;
}

/**
 * Which namespaces a live read reads: -n's, every one (-A), or the context's namespace (kubectl's
 * default; `default` when the context names none).
 */
export type LiveScope = { readonly kind: "namespace"; readonly name: string } | { readonly kind: "all" } | { readonly kind: "context" };

/** Where a read command's objects come from. */
export type Input =
  | { readonly kind: "files"; readonly files: readonly string[] }
  /**
   * A live cluster. `asked`: --kubeconfig or --context was given, so a cluster must be configured;
   * otherwise (no -f) the configured cluster is read when there is one, else it is "no input".
   */
  | { readonly kind: "cluster"; readonly flags: ClusterFlags; readonly scope: LiveScope; readonly asked: boolean };

/** Options of the commands that read files or a live cluster. */
export interface ReadOptions extends ReadingOptions {
  readonly input: Input;
  /** `--dns-records`/`--resolve`; absent: neither given (domainNames verdicts depend on DNS). */
  readonly snapshot?: SnapshotFlags;
}

/**
 * Where `diff` finds the new version (`--against`), or the old one (`--base`: git, the -f paths
 * then being the new; `--against-cluster`: the live cluster, the new one being it with the -f
 * files applied).
 */
export type DiffVersions =
  | { readonly kind: "against"; readonly paths: readonly string[] }
  | { readonly kind: "base"; readonly ref: string }
  | { readonly kind: "against-cluster"; readonly flags: ClusterFlags; readonly scope: LiveScope };

/** `enforce --kubernetes`: the node agent's own flags. */
export interface AgentFlags {
  readonly node: string;
  readonly onExit: "keep" | "remove";
  readonly listen: { readonly host: string; readonly port: number };
  readonly logFormat: "json" | "text";
  /** `--log-level`: `debug` adds the debug records (each idle garbage collection). */
  readonly logLevel: "info" | "debug";
  /** `--idle-gc`: full garbage collections while the agent is idle (src/enforce/idle-gc.ts), or none. */
  readonly idleGc: "auto" | "off";
  readonly cluster: ClusterFlags;
  /** `--dns-proxy` and its `--dns-*` flags: the DNS proxy for `domainNames` rules; absent without `--dns-proxy`. */
  readonly dns?: AgentDnsFlags;
}

/** `--dns-proxy ADDR:PORT` and the flags that tune it (docs/dns-names/enforcement.md). */
export interface AgentDnsFlags {
  readonly listen: { readonly host: string; readonly port: number };
  /** `--dns-upstream`; null: the cluster DNS (the kube-dns Service's ClusterIP, port 53). */
  readonly upstream: { readonly host: string; readonly port: number } | null;
  /** Seconds. */
  readonly minTtl: number;
  readonly grace: number;
  readonly holdMaxMs: number;
  readonly caps: { readonly perName: number; readonly perPod: number; readonly total: number };
  /** `--dns-writer`: what writes the learned elements: the netlink helper, nft, or the helper when it is found (auto). */
  readonly writer: "netlink" | "nft" | "auto";
}

/** Where `enforce` applies the ruleset: nowhere (print it), a named network namespace, or the process's own. */
export type EnforceTarget = { readonly kind: "dry-run" } | { readonly kind: "netns"; readonly name: string } | { readonly kind: "host" };

/** `--metadata` and `--dns`: additions to the well-known facts (model/well-known.ts). */
export interface WellKnownFlags {
  /** Metadata addresses besides the defaults. */
  readonly metadata: readonly Ip[];
  /** The pods' DNS servers; empty: the kube-dns pods. */
  readonly dns: readonly Ip[];
}

export type LintFailOn = "error" | "warning" | "info" | "never";

export type CommandOptions =
  | FeedsOptions
  /** `namespace`: -n, what the command limits its rows to (sources there); null: every namespace (-A). */
  | { readonly name: "egress"; readonly common: ReadOptions; readonly namespace: string | null; readonly wellKnown: WellKnownFlags }
  | {
      readonly name: "check";
      readonly common: ReadOptions;
      readonly from: string;
      readonly to: string;
      /**
       * A number, or a port name resolved against the destination's container ports (a Service's:
       * its port number or name). Null: not given, which only a Service with one port allows.
       */
      readonly port: number | string | null;
      /** Null: TCP for a number, the named port's own protocol for a name. */
      readonly protocol: Protocol | null;
      /** -n: where bare names in --from/--to are looked up; null: every namespace (-A). */
      readonly namespace: string | null;
    }
  | { readonly name: "explain"; readonly common: ReadOptions; readonly namespace: string | null; readonly target: string | null }
  | {
      readonly name: "matrix";
      readonly common: ReadOptions;
      readonly namespace: string | null;
      readonly ports: readonly number[] | null;
      readonly protocols: readonly Protocol[] | null;
    }
  | { readonly name: "connlist"; readonly common: ReadOptions; readonly namespace: string | null }
  | { readonly name: "diff"; readonly common: CommonOptions; readonly versions: DiffVersions; readonly failOn: "widened" | "never"; readonly wellKnown: WellKnownFlags }
  | { readonly name: "graph"; readonly common: ReadOptions; readonly namespace: string | null; readonly metadata: readonly Ip[] }
  | {
      /** `ui`: the page's server (src/ui-server). `compare`: the new version (--against) or the old one from git (--base); null: none. */
      readonly name: "ui";
      readonly common: ReadOptions;
      readonly compare: Extract<DiffVersions, { kind: "against" | "base" }> | null;
      readonly port: number;
      readonly open: boolean;
      readonly namespace: string | null;
      readonly wellKnown: WellKnownFlags;
    }
  | {
      readonly name: "scaffold";
      readonly namespace: string;
      readonly allowDns: boolean;
      readonly blockMetadata: boolean;
      readonly allowTo: readonly string[];
      readonly metadata: readonly Ip[];
      readonly dns: readonly Ip[];
    }
  | {
      /** `scaffold --cluster`: the cluster's guardrails as admin policies (src/scaffold/cluster.ts). */
      readonly name: "scaffold";
      readonly cluster: {
        /** `-f`: the cluster's manifests (none: the Baseline policy is described, not written). */
        readonly files: readonly string[];
        readonly api: AdminApi;
      };
      readonly metadata: readonly Ip[];
      readonly dns: readonly Ip[];
    }
  | {
      readonly name: "enforce";
      readonly common: CommonOptions;
      readonly target: EnforceTarget;
      readonly watch: boolean;
      readonly audit: boolean;
      readonly log: boolean;
      /** Apply nothing: read the applied table's counters and name each rule id. */
      readonly counters: boolean;
      /** `ns/name` (or any endpoint form `check` takes) of the pods on this node; null: every pod with an IP. */
      readonly nodePods: readonly string[] | null;
      /** This node's pod ranges (`--node-pod-cidr`): unknown addresses in them are dropped (fail closed); empty: none. */
      readonly nodePodCidrs: readonly Cidr[];
      /** Apply input that drops every enforced policy, or more than `maxShrinkPercent` of them (`--allow-shrink`). */
      readonly allowShrink: boolean;
      /** `--max-shrink`: the share of the enforced rule ids a new state may drop; default 50. */
      readonly maxShrinkPercent: number;
      /** `--kubernetes`: the node agent (no files: the cluster's API is the input); null: enforce files. */
      readonly agent: AgentFlags | null;
    }
  | {
      readonly name: "lint";
      readonly common: ReadOptions;
      readonly failOn: LintFailOn;
      readonly enable: readonly string[] | null;
      readonly disable: readonly string[];
      readonly wellKnown: WellKnownFlags;
      readonly serviceCidr: AddressSet | null;
      /** -n: only findings about objects in this namespace; null: every namespace. */
      readonly namespace: string | null;
      /** `--system-namespaces`: the namespaces egress-not-isolated leaves out; null: the default (lint's DEFAULT_SYSTEM_NAMESPACES). */
      readonly systemNamespaces: readonly string[] | null;
      /** `--feed`: the feeds feed-outdated compares bound policies with; empty: that rule does not run. */
      readonly feeds: readonly FeedSource[];
    }
  | {
      readonly name: "lab";
      readonly action: "run" | "up";
      readonly common: CommonOptions;
      /** `--pod-cidr` as CIDRs: lab pods without a known IP take addresses from the first. */
      readonly podCidrs: readonly Cidr[];
      readonly to: readonly ExternalTarget[] | null;
      readonly metadata: readonly Ip[];
      /** `lab run --clean`: remove labs orphaned by killed runs first (without it, they are reported). */
      readonly clean: boolean;
      /** `--topology`: how the lab wires its pods; default routed. */
      readonly topology: "routed" | "bridge";
    }
  | { readonly name: "lab"; readonly action: "probe" | "down"; readonly output: OutputFormat; readonly prefix: string }
  | {
      /** `verify`: twins of the workloads in scope probe each other; every verdict compared with the engine's. */
      readonly name: "verify";
      readonly action: "run";
      readonly common: ReadOptions;
      /** `--from`, as written (resolved against the live cluster); null: every workload in scope. */
      readonly from: readonly string[] | null;
      readonly to: readonly ExternalTarget[] | null;
      readonly noTwins: boolean;
      readonly metadata: readonly Ip[];
      readonly probing: ProbingFlags;
    }
  | { readonly name: "verify"; readonly action: "smoke"; readonly output: OutputFormat; readonly cluster: ClusterFlags; readonly probing: ProbingFlags }
  /** `verify --cleanup`: leftovers of killed runs, by label; in one namespace (-n) or every one (null). */
  | { readonly name: "verify"; readonly action: "cleanup"; readonly output: OutputFormat; readonly cluster: ClusterFlags; readonly namespace: string | null }
  | { readonly name: "lab"; readonly action: "list"; readonly output: OutputFormat };

/** How `verify` probes: the probe pods' image, each probe's timeout, how long pods may take to run. */
export interface ProbingFlags {
  readonly image: string;
  readonly timeoutMs: number;
  readonly podStartTimeoutMs: number;
}

export type Invocation =
  | { readonly kind: "help"; readonly topic: CommandName | null }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly debug: boolean; readonly command: CommandOptions };
