import type { Severity } from "../diag/diagnostic.js";
import type { Location, LocationJson } from "../diag/location.js";
import type { EngineOptions } from "../engine/types.js";
import type { ObjectRef } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { DnsConfig } from "../model/well-known.js";
import type { Feed, FeedProvider } from "../feeds/types.js";
import type { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";
import type { LintContext } from "./context.js";

export type { Severity };

/**
 * Where a finding points: the field of the object, by file, 1-based line and column, and field path
 * (like `spec.egress[0].to[1]`; empty for the object itself); for a live object, the object and path.
 */
export type FindingLocation = LocationJson;

/** One lint finding. Text, JSON and SARIF are renderings of this one object. */
export interface Finding {
  /** The rule's stable id, e.g. `dns-egress-blocked`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  /** The object the finding is about, e.g. `NetworkPolicy production/app-egress`. */
  readonly object: string;
  readonly location: FindingLocation;
  /** The workloads concerned (`namespace/name`), sorted; empty when the finding is about an object alone. */
  readonly endpoints: readonly string[];
  /** What to change. */
  readonly hint: string;
}

/** Where the cluster DNS is (model/well-known.ts): `--dns` addresses, else the kube-dns pods, else a synthetic one. */
export type DnsOptions = DnsConfig;

export interface LintOptions {
  readonly engine: EngineOptions;
  readonly dns?: DnsOptions;
  /** Metadata addresses besides the defaults (`--metadata`). */
  readonly metadata?: readonly Ip[];
  /** The Service CIDR (default 10.96.0.0/12); Service clusterIPs in the input count too. */
  readonly serviceCidr?: AddressSet;
  /** Only these rules (default: all). Unknown ids must be refused by the caller (`unknownRuleIds`). */
  readonly enable?: readonly string[];
  /** Not these rules. */
  readonly disable?: readonly string[];
  /** Only findings about objects in this namespace (`-n`); default: every namespace. */
  readonly namespace?: string;
  /**
   * Namespaces the cluster runs itself, which egress-not-isolated does not report (unless `-n`
   * names one); default DEFAULT_SYSTEM_NAMESPACES (kube-system, kube-public, kube-node-lease).
   */
  readonly systemNamespaces?: readonly string[];
  /** The feeds given with `--feed`, by provider: feed-outdated compares bound policies with them (absent or empty: it does not run). */
  readonly feeds?: ReadonlyMap<FeedProvider, Feed>;
}

/** What a rule returns for one finding; `lintCluster` adds the rule id and severity. */
export interface Draft {
  readonly message: string;
  /** The object the finding is about. */
  readonly object: ObjectRef;
  readonly at: Location;
  readonly endpoints: readonly string[];
  readonly hint: string;
  /** Annotations of the object that may silence it (`portcullis.dev/ignore`). */
  readonly annotations?: Labels;
  /** This finding's severity when it differs from the rule's (its docs page says when). */
  readonly severity?: Severity;
}

/** A lint rule: one file each, registered in `registry.ts`, documented in `docs/rules/<id>.md`. */
export interface LintRule {
  readonly id: string;
  /** The severity of its findings, unless a finding says otherwise (`Draft.severity`): the highest it reports. */
  readonly severity: Severity;
  /** One line: SARIF shortDescription. */
  readonly summary: string;
  /** A paragraph: SARIF fullDescription and help text. */
  readonly description: string;
  /** The docs page, relative to the repository root. */
  readonly docs: string;
  check(context: LintContext): Draft[];
}
