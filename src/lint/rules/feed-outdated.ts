import type { Location } from "../../diag/location.js";
import { FEED_VERSION_ANNOTATION } from "../../feeds/annotations.js";
import { compareVersions } from "../../feeds/parsers.js";
import { type BoundPolicy, type RefreshError, adminPolicyBinding, bindingCidrs, isBound, managedAdminCidrs, managedNetworkPolicyCidrs, networkPolicyBinding } from "../../feeds/refresh-model.js";
import { formatSelector } from "../../feeds/selector.js";
import type { Feed } from "../../feeds/types.js";
import type { Labels } from "../../model/labels.js";
import { AddressSet } from "../../net/address-set.js";
import { type Cidr, formatCidr } from "../../net/cidr.js";
import type { LintContext } from "../context.js";
import type { Draft, LintRule } from "../types.js";

/** CIDRs named in a message; past this many, "and N more". */
const LISTED = 8;

function cidrList(cidrs: readonly Cidr[]): string {
  const shown = cidrs.slice(0, LISTED).map(formatCidr).join(", ");
  return cidrs.length > LISTED ? `${shown} and ${cidrs.length - LISTED} more` : shown;
}

/** Whether the recorded version is older than the feed's (both present, ordered as the feed orders). */
function older(recorded: string | null, feed: Feed): boolean {
  if (recorded === null || feed.version === null) return false;
  return compareVersions({ text: recorded, order: feed.version.order }, feed.version) < 0;
}

interface Subject {
  readonly read: BoundPolicy | RefreshError | null;
  readonly held: readonly Cidr[];
  readonly annotations: Labels | undefined;
}

function judge(ctx: LintContext, s: Subject): Draft[] {
  if (s.read === null) return [];
  const hint = "refresh the ranges: portcullis feeds update -f FILE --feed FEED (feeds diff OLD NEW -f FILE shows what that changes)";
  const base = (at: Location): Pick<Draft, "at" | "endpoints" | "annotations"> => ({ at, endpoints: [], ...(s.annotations === undefined ? {} : { annotations: s.annotations }) });
  if (!isBound(s.read)) return [{ ...base(s.read.at), object: s.read.object, message: `${s.read.message}: whether its ranges are current cannot be told`, hint: "fix the annotation (feeds policy writes it)" }];
  const b = s.read;
  const feed = ctx.options.feeds?.get(b.binding.provider);
  if (feed === undefined) return [];
  const selectors = b.binding.selectors.map(formatSelector).join(" ");
  const want = bindingCidrs(b.binding, feed);
  if (!want.ok) return [{ ...base(b.at), object: b.ref, message: `its selector ${want.message}`, hint: "correct portcullis.dev/feed-selector (feeds show SELECTOR --feed FEED tries one)" }];
  const held = AddressSet.fromCidrs(s.held);
  const current = AddressSet.fromCidrs(want.cidrs);
  const added = current.subtract(held).toCidrs();
  const removed = held.subtract(current).toCidrs();
  const version = feed.version === null ? "no version token" : `version ${feed.version.text}`;
  const isOlder = older(b.binding.version, feed);
  const changes = [...(added.length > 0 ? [`the feed adds ${cidrList(added)}`] : []), ...(removed.length > 0 ? [`it no longer lists ${cidrList(removed)}`] : [])];
  if (changes.length > 0) {
    const stale = isOlder ? `; it records ${b.binding.version ?? ""}` : "";
    return [{ ...base(b.at), object: b.ref, message: `its ranges no longer equal ${selectors} in the ${b.binding.provider} feed given (${version}${stale}): ${changes.join("; ")}`, hint }];
  }
  if (isOlder) {
    return [{ ...base(b.at), object: b.ref, severity: "info", message: `it records ${FEED_VERSION_ANNOTATION} ${b.binding.version ?? ""}, older than the ${b.binding.provider} feed given (${version}); its ranges still equal ${selectors}`, hint }];
  }
  return [];
}

export const feedOutdated: LintRule = {
  id: "feed-outdated",
  severity: "warning",
  summary: "A feed-bound policy's ranges differ from the feed given with --feed, or it records an older feed version.",
  description:
    "Runs only when lint is given --feed. For every policy bound to a feed selection (portcullis.dev/feed-selector), its managed peers (a NetworkPolicy's egress ipBlocks, an admin policy's egress networks) are compared with the union of its selections in the given feed: the CIDRs the feed adds and those it no longer lists are named (warning). A policy whose ranges are equal but whose portcullis.dev/feed-version is older than the feed's is reported as info.",
  docs: "docs/rules/feed-outdated.md",
  check: (ctx) => {
    if (ctx.options.feeds === undefined || ctx.options.feeds.size === 0) return [];
    return [
      ...ctx.cluster.policies.flatMap((p) => judge(ctx, { read: networkPolicyBinding(p), held: managedNetworkPolicyCidrs(p), annotations: p.annotations })),
      ...(ctx.cluster.adminPolicies ?? []).flatMap((p) => judge(ctx, { read: adminPolicyBinding(p), held: managedAdminCidrs(p), annotations: p.annotations })),
    ];
  },
};
