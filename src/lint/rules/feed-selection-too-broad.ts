import { type BoundPolicy, type RefreshError, adminPolicyBinding, isBound, networkPolicyBinding } from "../../feeds/refresh-model.js";
import { selectRanges } from "../../feeds/select.js";
import { formatSelector } from "../../feeds/selector.js";
import type { Feed, FeedSelector } from "../../feeds/types.js";
import type { Labels } from "../../model/labels.js";
import { AddressSet } from "../../net/address-set.js";
import type { LintContext } from "../context.js";
import type { Draft, LintRule } from "../types.js";

/**
 * AWS's list of every Amazon range: "AMAZON" — the documented superset that also holds the ranges
 * listed under each service (https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-syntax.html).
 */
const AWS_ALL_SERVICES = "amazon";

/** Why a selector is too broad, or null. The exact trigger docs/rules/feed-selection-too-broad.md states. */
function tooBroad(s: FeedSelector): string | null {
  if (s.filters.size === 0) return `selects every range of the ${s.provider} feed`;
  if (s.provider !== "aws") return null;
  const services = s.filters.get("service");
  if (services === undefined) return "has no service filter: it holds the ranges of every AWS service (EC2, CloudFront, S3, ...) in what it selects";
  if (services.some((v) => v.toLowerCase() === AWS_ALL_SERVICES)) return "selects service=AMAZON, AWS's list of every Amazon range (it contains every service's ranges), not one service's";
  return null;
}

/** A selection's size: its IPv4 addresses and IPv6 CIDRs (IPv6 address counts say little); null when it cannot be made. */
interface Size {
  readonly v4: bigint;
  readonly v6: bigint;
  readonly v6Cidrs: number;
}

function sizeOf(feed: Feed, s: FeedSelector): Size | null {
  const r = selectRanges(feed, s);
  if (!r.ok) return null;
  const set = AddressSet.fromCidrs([...r.selection.v4, ...r.selection.v6]);
  return { v4: set.v4.size(), v6: set.v6.size(), v6Cidrs: r.selection.v6.length };
}

function formatSize(n: Size): string {
  return `${n.v4} IPv4 address${n.v4 === 1n ? "" : "es"}, ${n.v6Cidrs} IPv6 CIDR${n.v6Cidrs === 1 ? "" : "s"}`;
}

/** The selector with its service filter set to `service` (added last when it has none). */
function withService(s: FeedSelector, service: string): FeedSelector {
  const filters = s.filters.has("service") ? new Map([...s.filters].map(([f, v]) => [f, f === "service" ? [service] : v])) : new Map([...s.filters, ["service", [service]]]);
  return { provider: s.provider, filters };
}

/** The feed's services named by a word of the policy's name or annotation values (AMAZON excepted), as narrower selectors. */
function narrower(feed: Feed, s: FeedSelector, name: string, annotations: Labels | undefined): FeedSelector[] {
  const text = [name, ...(annotations === undefined ? [] : [...annotations.values()])].join(" ").toLowerCase();
  const words = new Set(text.split(/[^a-z0-9_]+/).filter((w) => w !== ""));
  const services = new Set(feed.records.flatMap((r) => r.attributes["service"] ?? []));
  const named = [...services].filter((v) => v.toLowerCase() !== AWS_ALL_SERVICES && (words.has(v.toLowerCase()) || text.includes(v.toLowerCase().replace(/_/g, "-")))).sort();
  const broad = sizeOf(feed, s);
  const smaller = (n: Size | null): boolean => n !== null && broad !== null && n.v4 <= broad.v4 && n.v6 <= broad.v6 && (n.v4 < broad.v4 || n.v6 < broad.v6);
  return named.map((service) => withService(s, service)).filter((sel) => smaller(sizeOf(feed, sel)));
}

interface Subject {
  readonly read: BoundPolicy | RefreshError | null;
  readonly name: string;
  readonly annotations: Labels | undefined;
}

function judge(ctx: LintContext, s: Subject): Draft[] {
  if (s.read === null || !isBound(s.read)) return [];
  const b = s.read;
  const feed = ctx.options.feeds?.get(b.binding.provider);
  return b.binding.selectors.flatMap((selector): Draft[] => {
    const why = tooBroad(selector);
    if (why === null) return [];
    const size = feed === undefined ? null : sizeOf(feed, selector);
    const better = feed === undefined ? [] : narrower(feed, selector, s.name, s.annotations);
    const sized = (sel: FeedSelector): string => {
      const n = feed === undefined ? null : sizeOf(feed, sel);
      return n === null ? formatSelector(sel) : `${formatSelector(sel)} (${formatSize(n)})`;
    };
    const hint =
      better.length > 0
        ? `select only the service the policy is for: ${better.map(sized).join(" or ")}`
        : `name the service the workload talks to: ${selector.provider === "aws" ? formatSelector(withService(selector, "SERVICE")) : `${selector.provider}:FIELD=VALUE`} (feeds show SELECTOR --feed FEED prints a selection's size)`;
    const count = size === null ? "" : ` (${formatSize(size)} in the feed given)`;
    return [{ object: b.ref, at: b.at, endpoints: [], hint, ...(s.annotations === undefined ? {} : { annotations: s.annotations }), message: `its selector ${formatSelector(selector)} ${why}${count}` }];
  });
}

export const feedSelectionTooBroad: LintRule = {
  id: "feed-selection-too-broad",
  severity: "warning",
  summary: "A feed-bound policy selects a whole feed, or AWS ranges without a service or with service=AMAZON.",
  description:
    "A policy bound to a feed selection (portcullis.dev/feed-selector) whose selector has no filter (every range of the feed), or, for AWS, has no service filter or accepts service AMAZON (AWS's list of every Amazon range, a superset of each service's). Such a policy allows far more addresses than the service the workload uses; anyone can rent an address in EC2's ranges. With --feed, the finding counts the selection's addresses and proposes a service the policy's name or annotations mention whose selection is smaller.",
  docs: "docs/rules/feed-selection-too-broad.md",
  check: (ctx) => [
    ...ctx.cluster.policies.flatMap((p) => judge(ctx, { read: networkPolicyBinding(p), name: p.name, annotations: p.annotations })),
    ...(ctx.cluster.adminPolicies ?? []).flatMap((p) => judge(ctx, { read: adminPolicyBinding(p), name: p.name, annotations: p.annotations })),
  ],
};
