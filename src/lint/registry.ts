import { adminSamePriorityConflict } from "./rules/admin-same-priority-conflict.js";
import { baselineRuleUnreachable } from "./rules/baseline-rule-unreachable.js";
import { adminNetworksCoverCluster } from "./rules/admin-networks-cover-cluster.js";
import { domainNamesNotAdminAccept } from "./rules/domain-names-not-admin-accept.js";
import { domainNamesClusterService } from "./rules/domain-names-cluster-service.js";
import { domainPatternAmbiguous } from "./rules/domain-pattern-ambiguous.js";
import { domainRuleAddsNothing } from "./rules/domain-rule-adds-nothing.js";
import { domainRuleDnsBlocked } from "./rules/domain-rule-dns-blocked.js";
import { domainWildcardTooWide } from "./rules/domain-wildcard-too-wide.js";
import { adminRuleShadowed } from "./rules/admin-rule-shadowed.js";
import { dnsEgressBlocked } from "./rules/dns-egress-blocked.js";
import { dnsTcpMissing } from "./rules/dns-tcp-missing.js";
import { egressInternetOpen } from "./rules/egress-internet-open.js";
import { egressListWithoutPolicyTypes } from "./rules/egress-list-without-policytypes.js";
import { egressNotIsolated } from "./rules/egress-not-isolated.js";
import { egressRulesIgnored } from "./rules/egress-rules-ignored.js";
import { hostNetworkSelected } from "./rules/hostnetwork-selected.js";
import { ipBlockInCluster } from "./rules/ipblock-in-cluster.js";
import { kindNearMiss } from "./rules/kind-near-miss.js";
import { metadataReachable } from "./rules/metadata-reachable.js";
import { namedPortUnresolved } from "./rules/named-port-unresolved.js";
import { peerAndOrConfusion } from "./rules/peer-and-or-confusion.js";
import { peerSelectsNothing } from "./rules/peer-selects-nothing.js";
import { policyAddsNothing } from "./rules/policy-adds-nothing.js";
import { policySelectsNothing } from "./rules/policy-selects-nothing.js";
import { redundantRule } from "./rules/redundant-rule.js";
import { feedOutdated } from "./rules/feed-outdated.js";
import { feedSelectionTooBroad } from "./rules/feed-selection-too-broad.js";
import type { LintRule } from "./types.js";

/** Every lint rule, in the order the docs list them. */
export const RULES: readonly LintRule[] = [
  dnsEgressBlocked,
  dnsTcpMissing,
  metadataReachable,
  egressNotIsolated,
  egressInternetOpen,
  policySelectsNothing,
  peerSelectsNothing,
  peerAndOrConfusion,
  egressListWithoutPolicyTypes,
  egressRulesIgnored,
  ipBlockInCluster,
  namedPortUnresolved,
  redundantRule,
  policyAddsNothing,
  hostNetworkSelected,
  kindNearMiss,
  adminSamePriorityConflict,
  adminRuleShadowed,
  baselineRuleUnreachable,
  adminNetworksCoverCluster,
  domainNamesNotAdminAccept,
  domainRuleDnsBlocked,
  domainWildcardTooWide,
  domainNamesClusterService,
  domainPatternAmbiguous,
  domainRuleAddsNothing,
  feedOutdated,
  feedSelectionTooBroad,
];

export function ruleById(id: string): LintRule | undefined {
  return RULES.find((r) => r.id === id);
}

/** The ids among `ids` that name no rule: the CLI refuses them with a usage error. */
export function unknownRuleIds(ids: readonly string[]): string[] {
  return ids.filter((id) => ruleById(id) === undefined);
}
