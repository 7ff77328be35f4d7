/**
 * `feeds policy --name N (-n NS | --cluster) [--select LABELS] [--port P]... --feed F SELECTOR...`: a
 * NetworkPolicy (or, with --cluster, a ClusterNetworkPolicy / AdminNetworkPolicy) allowing egress to
 * the selected published ranges, YAML (scaffold's writer) or JSON. docs/feeds/policy.md.
 *
 * Refusals are usage errors (exit 3), as scaffold's "options that make no policy" are: selectors of
 * two providers, a selection with no range on the internet, more CIDRs than one admin rule holds.
 * Ranges left out because they are not the internet are named in a warning on stderr (the policy
 * does not record them: feeds/policy.ts policyYaml says why).
 */
import { feedPolicy, policyYaml } from "../../feeds/policy.js";
import { selectRanges } from "../../feeds/select.js";
import { formatSelector } from "../../feeds/selector.js";
import type { Selection } from "../../feeds/types.js";
import { readFeeds } from "../../feeds-io/read-feeds.js";
import { dns1123LabelProblem, dns1123SubdomainProblem } from "../../k8s/validate.js";
import { labelSelectorOf } from "../../k8s/label-query.js";
import type { LabelSelector } from "../../model/selector.js";
import { formatCidr } from "../../net/cidr.js";
import type { FeedsOptions } from "../feeds-options.js";
import { type CommandResult, done, usage } from "./result.js";

type PolicyOptions = Extract<FeedsOptions, { action: "policy" }>;

/** `--select` in kubectl's label-selector syntax (`app=x`, `tier in (a,b)`, `!legacy` ...: k8s/label-query.ts). */
export function podSelectorOf(text: string): { ok: true; selector: LabelSelector } | { ok: false; message: string } {
  const r = labelSelectorOf(text);
  return r.ok ? { ok: true, selector: r.value } : { ok: false, message: `invalid --select "${text}": ${r.message}` };
}

function namesProblem(o: PolicyOptions): string | null {
  const name = dns1123SubdomainProblem(o.policyName);
  if (name !== undefined) return `invalid --name "${o.policyName}": ${name}`;
  const ns = o.namespace === null ? undefined : dns1123LabelProblem(o.namespace);
  return ns === undefined ? null : `invalid -n "${o.namespace ?? ""}": ${ns}`;
}

export async function runFeedsPolicy(o: PolicyOptions): Promise<CommandResult> {
  const problem = namesProblem(o);
  if (problem !== null) return usage(problem);
  const pods = podSelectorOf(o.podSelector);
  if (!pods.ok) return usage(pods.message);
  const providers = [...new Set(o.selectors.map((s) => s.provider))];
  if (providers.length > 1) return usage(`selectors of ${providers.join(" and ")}: one policy holds one provider's ranges (feeds update refreshes it from that provider's feed); write a policy per provider`);
  const read = await readFeeds(o.feeds);
  if (!read.ok) return done("invalid-input", "", read.messages.map((m) => `portcullis: ${m}\n`).join(""));
  const provider = providers[0];
  const feed = provider === undefined ? undefined : read.feeds.get(provider);
  if (provider === undefined || feed === undefined) return usage(`no ${provider ?? ""} feed given: add --feed ${provider ?? "PROVIDER"}=FILE`);
  const selections: Selection[] = [];
  for (const selector of o.selectors) {
    const r = selectRanges(feed, selector);
    if (!r.ok) return usage(`${formatSelector(selector)}: ${r.message}`);
    selections.push(r.selection);
  }
  const r = feedPolicy(selections, feed, {
    name: o.policyName,
    namespace: o.namespace,
    podSelector: pods.selector,
    ports: o.ports,
    cluster: o.cluster ? { priority: o.priority, api: o.api } : null,
    metadata: o.wellKnown.metadata,
  });
  if (!r.ok) return usage(r.message);
  const { leftOut } = r.value;
  const warning =
    leftOut.length === 0
      ? ""
      : `portcullis: warning: left out ${leftOut.length} range${leftOut.length === 1 ? "" : "s"} that ${leftOut.length === 1 ? "is" : "are"} not the internet (private, link-local, reserved or cloud metadata): ${leftOut.map(formatCidr).join(", ")}\n`;
  const text = o.output === "json" ? `${JSON.stringify(r.value.policy, null, 2)}\n` : policyYaml(r.value);
  return done("ok", text, warning);
}
