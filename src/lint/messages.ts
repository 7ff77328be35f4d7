/**
 * Every sentence the lint rules produce, in one place that tests import. Functions take the
 * facts and return the sentence.
 */
import { listText, plural } from "./describe.js";

export const lintMessages = {
  // dns-egress-blocked
  dnsBlocked: (policies: readonly string[], dns: string, why: string) =>
    `pods isolated for egress by ${listText(policies)} cannot send DNS queries (UDP 53) to ${dns}, so every name lookup fails${why === "" ? "" : `: ${why}`}`,
  dnsBlockedHintPods: () =>
    `add an egress rule allowing UDP and TCP port 53 to the DNS pods: to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`,
  dnsBlockedHintIps: (cidrs: readonly string[]) =>
    `add an egress rule allowing UDP and TCP port 53 to ${cidrs.join(", ")}: to: [${cidrs.map((c) => `{ipBlock: {cidr: ${c}}}`).join(", ")}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`,
  dnsBaselineAlone: (namespace: string, policies: readonly string[], dns: string) =>
    `no policy in the input allows the pods of namespace ${namespace} to send DNS queries (UDP 53) to ${dns}: ${listText(policies)} ${policies.length === 1 ? "isolates" : "isolate"} them for egress and ${policies.length === 1 ? "allows" : "allow"} nothing. A baseline like this is meant to be paired with a policy allowing DNS; unless one outside the input does, every name lookup fails`,
  dnsBaselineAloneHint: (rule: string) =>
    `lint the allow-DNS policy together with the baseline (-f policies/ -f that-policy.yaml), or ${rule}; if a policy kept elsewhere allows DNS, say so with the annotation portcullis.dev/ignore: dns-egress-blocked on the baseline`,
  dnsAssumed: (policies: readonly string[], dns: string, namespace: string, labels: string) =>
    `pods isolated for egress by ${listText(policies)} may send DNS queries (UDP 53) to ${dns} only if namespace ${namespace} carries ${labels}, and the input holds no Namespace ${namespace} to tell (the API server sets only kubernetes.io/metadata.name): if ${namespace} carries ${labels}, DNS is allowed; if not, every name lookup fails`,
  dnsAssumedHint: (namespace: string, labels: string) =>
    `select the namespace by the label the API server sets, namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${namespace}}}, or make sure ${namespace} carries ${labels} (kubectl label namespace ${namespace} ${labels.replace(/, /g, " ")}) and add the Namespace object to the input`,
  dnsAdminDenied: (rule: string, tier: "Admin" | "Baseline", protocols: readonly string[], dns: string) =>
    `${rule} denies DNS queries (${protocols.join(" and ")} 53) to ${dns}: ${
      tier === "Admin" ? "a Deny in the Admin tier is final, no NetworkPolicy can allow them again" : "the Baseline tier decides for pods that no NetworkPolicy isolates for egress, and its Deny is final"
    }, so ${protocols.includes("UDP") ? "every name lookup fails" : "answers too large for UDP (truncated, then retried over TCP) fail"}`,
  dnsAdminDeniedHint: (tier: "Admin" | "Baseline") =>
    `accept UDP and TCP port 53 to the DNS pods before this rule: a rule earlier in this policy, or a policy of higher precedence in the ${tier} tier, action: Accept, to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}], protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]${
      tier === "Baseline" ? "; or isolate the pods with a NetworkPolicy that allows DNS" : ""
    }`,
  // dns-tcp-missing
  dnsTcpMissing: (dns: string, udpCondition: string) =>
    `this rule lets pods send DNS queries to ${dns} over UDP 53${udpCondition}, but no rule allows TCP 53: answers too large for UDP (truncated, then retried over TCP) fail`,
  dnsTcpAssumed: (dns: string, udpCondition: string, namespace: string, labels: string) =>
    `this rule lets pods send DNS queries to ${dns} over UDP 53${udpCondition}; TCP 53 is allowed only if namespace ${namespace} carries ${labels}, and the input holds no Namespace ${namespace} to tell: if it does not, answers too large for UDP (truncated, then retried over TCP) fail`,
  dnsTcpMissingHint: () => `add {protocol: TCP, port: 53} to this rule's ports, next to {protocol: UDP, port: 53}`,
  dnsTcpMissingHintAdmin: () => `add {tcp: {destinationPort: {number: 53}}} to this rule's protocols, next to {udp: {destinationPort: {number: 53}}}`,
  // metadata-reachable
  metadataReachable: (addresses: readonly string[]) =>
    `this rule lets pods reach the cloud metadata service at ${addresses.join(" and ")} (TCP 80): a compromised pod can read the node's cloud credentials`,
  metadataHintIpBlock: (cidrs: readonly string[]) => `add ${cidrs.join(" and ")} to this ipBlock's except list`,
  metadataHintOther: (cidrs: readonly string[]) =>
    `narrow the rule's destinations to what the pods need, or use an ipBlock that excepts ${cidrs.join(" and ")}`,
  metadataHintAdmin: (cidrs: readonly string[]) =>
    `an Accept is final in its tier: put a Deny of networks [${cidrs.join(", ")}] before this rule (in the Admin tier, for every pod: no policy after it can open the address again), or narrow this rule's networks`,
  // egress-not-isolated
  egressNotIsolated: (namespace: string, open: number, total: number) =>
    `${open} of ${plural(total, "workload")} in namespace ${namespace} ${open === 1 ? "is selected by no egress policy: its" : "are selected by no egress policy: their"} egress is not restricted`,
  egressNotIsolatedHint: (namespace: string) =>
    `add a default-deny egress policy to ${namespace} (podSelector: {}, policyTypes: [Egress]) and allow what each workload needs`,
  // egress-internet-open
  internetOpenAll: () => `this rule has no destinations (to), so it allows every destination, the internet included, on every port`,
  internetOpenCidr: (cidr: string, except: readonly string[]) =>
    `this rule allows ${cidr}${except.length === 0 ? "" : ` (except ${except.join(", ")})`} on every port: the pods may connect anywhere on the internet`,
  internetOpenHint: () => `list the ports the pods need (e.g. {protocol: TCP, port: 443}) and narrow the CIDRs to the services they talk to`,
  // policy-selects-nothing
  policySelectsNothing: (selector: string, namespace: string, count: number) =>
    `podSelector ${selector} matches none of the ${plural(count, "workload")} in namespace ${namespace}: this policy applies to no pod`,
  // peer-selects-nothing
  peerNoNamespace: (selector: string) => `namespaceSelector ${selector} matches no namespace in the input: this peer selects no pod`,
  peerOnlyHostNetwork: (pods: readonly string[]) =>
    `the pods it matches (${listText(pods)}) use the host network, and pod selectors never select host-network pods: allow the nodes' addresses with an ipBlock instead`,
  peerNoPod: (selector: string, namespaces: readonly string[]) =>
    `podSelector ${selector} matches no pod in ${namespaces.length === 1 ? "namespace" : "namespaces"} ${listText(namespaces)}: this peer selects no pod`,
  peerOtherNamespaceHint: (selector: string, own: string, elsewhere: readonly string[]) =>
    `pods matching ${selector} run in ${elsewhere.length === 1 ? "namespace" : "namespaces"} ${listText(elsewhere)}, but a podSelector alone looks only in the policy's namespace (${own}): add a namespaceSelector to this same peer, e.g. namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${elsewhere[0] ?? ""}}}`,
  // shared by both selects-nothing rules
  nearMissHint: (requirement: string, suggestion: string) => `no object carries ${requirement}; did you mean ${suggestion}?`,
  noNearMissHint: (requirement: string, existing: readonly string[]) =>
    existing.length === 0 ? `no object carries ${requirement}; fix the selector or the labels` : `no object carries ${requirement}; they carry ${listText(existing, 8)}`,
  combinationHint: () => `each label is carried by some object, but no object carries all of them; fix the selector or the labels`,
  // peer-and-or-confusion
  andOrConfusion: (nsPeer: string, podPeer: string, asWritten: string, together: string) =>
    `${nsPeer} and ${podPeer} are two peers, which are ORed: as written they select ${asWritten}; one peer with both selectors would select only ${together}`,
  andOrUndecided: (message: string) =>
    `${message}. The input cannot tell which was meant: an OR is deliberate when each peer selects pods the other does not, and one peer with both selectors would select none`,
  andOrHint: () =>
    `if both conditions were meant to hold together, write one peer: remove the "-" before podSelector so it sits in the same list item as namespaceSelector`,
  // egress-list-without-policytypes
  egressListWithoutTypes: (hasIngressRules: boolean) =>
    `this policy has no egress rules and no policyTypes, so Kubernetes takes policyTypes to be [Ingress]: it isolates nothing for egress, and ${hasIngressRules ? "it restricts the selected pods' ingress to its ingress rules" : "it denies all ingress to the pods it selects"}`,
  egressListWithoutTypesHint: () => `add policyTypes: [Egress] (or [Ingress, Egress] to keep it isolating ingress too)`,
  // egress-rules-ignored
  egressRulesIgnored: (count: number) =>
    `policyTypes does not list Egress, so the ${plural(count, "egress rule")} of this policy ${count === 1 ? "is" : "are"} ignored`,
  egressRulesIgnoredHint: () => `add Egress to policyTypes, or delete the egress rules`,
  // kind-near-miss
  kindNearMiss: (kind: string, suggestion: string) =>
    `kind "${kind}" is not a kind Portcullis reads, so this object is skipped (did you mean ${suggestion}?): nothing it says is checked or enforced`,
  kindNearMissHint: (suggestion: string) => `write kind: ${suggestion}`,
  // ipblock-in-cluster
  ipBlockPods: (cidr: string, network: string, pods: readonly string[]) =>
    `ipBlock ${cidr} covers pod addresses (pod network ${network})${pods.length === 0 ? "" : `, among them those of ${listText(pods)}`}: pod IPs change whenever pods are recreated`,
  ipBlockServices: (cidr: string, services: readonly string[], serviceCidr: string, direction: "ingress" | "egress") =>
    `ipBlock ${cidr} covers ${services.length === 0 ? `Service addresses (service CIDR ${serviceCidr})` : `the ClusterIP of ${listText(services)}`}: ${
      direction === "egress"
        ? "traffic to a ClusterIP is translated to a pod IP before policy applies, so it never matches"
        : "no traffic comes from a ClusterIP (it is an address to reach pods by), so it never matches"
    }`,
  ipBlockHint: () => `select the pods themselves (the Service's pods) with podSelector and namespaceSelector instead of their addresses`,
  // named-port-unresolved
  namedPortUnresolved: (name: string, protocol: string, destinations: readonly string[]) =>
    `named port "${name}" (${protocol}) is declared by none of the pods it applies to (${listText(destinations)}): it matches no traffic`,
  namedPortNotPods: (name: string, cidrs: readonly string[]) =>
    `named port "${name}" can only match a pod's container port, so it matches no traffic to the addresses of ipBlock ${cidrs.join(", ")} outside the pods`,
  namedPortHint: (name: string) => `use the port number, or name a container port "${name}" in the pod template`,
  // redundant-rule
  redundantRule: () => `this rule allows nothing that other rules do not already allow to the pods it applies to`,
  redundantRuleHint: () => `remove it, or fix it if it was meant to allow something else`,
  // policy-adds-nothing
  policyAddsNothing: (given: readonly string[]) =>
    given.length === 0
      ? `removing this policy would change no connection: without it the pods it selects are not isolated, which allows them as much`
      : `removing this policy would change no connection: ${listText(given)} already ${given.length === 1 ? "allows" : "allow"} the pods it selects at least as much`,
  policyAddsNothingAdmin: (admin: readonly string[]) =>
    `removing this policy would change no connection: the Admin tier (${listText(admin)}) decides all the traffic its rules would allow before NetworkPolicy is reached`,
  baselineAddsNothing: (given: readonly string[]) =>
    `this default-deny baseline isolates its pods in no direction that ${listText(given)} (also selecting every pod, with no rules) does not: removing it would change no connection`,
  policiesMutuallyRedundant: (set: readonly string[]) =>
    `${listText(set)} each add nothing given the ${set.length === 2 ? "other" : "others"}: removing one of them changes no connection, removing all of them would; keep one`,
  policiesMutuallyRedundantHint: () => `keep one of them and remove the others, or fix the one that was meant to allow or deny something else`,
  policyAddsNothingHint: () => `remove it, or fix it if it was meant to allow or deny something else`,
  // admin-rule-shadowed
  adminRuleShadowed: (action: string, deciders: readonly string[], others: readonly string[]) =>
    `this ${action} rule never applies: for every pod its policy selects, ${listText(deciders)} ${deciders.length === 1 ? "decides" : "decide"} every connection it matches first${
      others.length === 0 ? "" : ` (${others.join(" and ")} wins: this ${action} never takes effect)`
    }`,
  adminRuleShadowedHint: () =>
    `move this rule above the rule that decides first (or give its policy a lower priority value, which comes first), or narrow that rule; if it is meant to change nothing, remove it`,
  // admin-same-priority-conflict
  adminSamePriorityConflict: (a: string, b: string, tier: string, priority: number, first: string, second: string, connection: string) =>
    `${a} and ${b} are both ${tier} tier policies of priority ${priority} and decide a connection differently: ${first} and ${second} both match ${connection}. "If two (or more) policies in the same tier with the same priority could match a connection, then the implementation can apply any of the matching policies": which one wins depends on the implementation`,
  adminSamePriorityConflictHint: (priority: number) =>
    `give the policy that should win a lower priority value than ${priority} (it then comes first), or make the two policies' rules not overlap`,
  // baseline-rule-unreachable
  baselineRuleUnreachable: (direction: string, rules: number, policies: readonly string[]) =>
    `no pod reaches the ${plural(rules, `${direction} rule`)} of this Baseline policy: every pod it selects is isolated for ${direction} by ${listText(policies)}, and "v1.NetworkPolicy always makes a final decision for selected pods. Further evaluation only happens for Pods not selected by a v1.NetworkPolicy."`,
  baselineRuleUnreachableHint: (policy: string, direction: string) =>
    `to decide for these pods whatever their NetworkPolicies say, move the rules to the Admin tier (tier: Admin, or an AdminNetworkPolicy); otherwise the NetworkPolicies decide and ${policy}'s ${direction} rules can go`,
  // admin-networks-cover-cluster
  adminNetworksServices: (cidrs: readonly string[], services: readonly string[], serviceCidr: string) =>
    `networks ${cidrs.join(", ")} ${services.length === 0 ? `covers Service addresses (service CIDR ${serviceCidr})` : `covers the ClusterIP of ${listText(services)}`}: policies see the addresses after Service translation (a pod's), so a ClusterIP never matches`,
  adminNetworksServicesHint: () => `select the Service's pods with a pods peer (namespaceSelector and podSelector) instead of its address`,
  adminNetworksPods: (cidrs: readonly string[], podRange: string, action: string) =>
    `networks ${cidrs.join(", ")} covers pod addresses (${podRange}): "cluster-internal traffic will be checked against the rule as well", so this ${action} applies to pod-to-pod traffic too`,
  adminNetworksPodsHint: () =>
    `if only destinations outside the cluster are meant, "add a rule that Passes all pod traffic before the Networks rule": action: Pass, to: [{namespaces: {}}]`,
  // domain-names-not-admin-accept
  domainNamesNotAccept: (names: readonly string[], action: string, tier: "Admin" | "Baseline") =>
    `domainNames ${listText(names)} in a ${action} rule: "DomainNames is only supported for Accept rules", so an implementation need not honour it, and a name's addresses change under the rule${
      action === "Deny"
        ? `; a Deny of names fails open: an address the enforcer did not see in a DNS answer (a lookup through another resolver, DNS over HTTPS, an address known in advance) is not denied`
        : ""
    }${tier === "Baseline" ? `; in the Baseline tier it decides only for pods no NetworkPolicy isolates for egress` : ""}`,
  domainNamesNotAcceptHint: () =>
    `allowlist instead: an Admin Accept of these domainNames, with a Deny of the rest after it ("DomainNames Accept rules should be used with a lower precedence egress deny"); to block a known service, Deny its networks`,
  domainNamesBaselineAccept: (names: readonly string[]) =>
    `domainNames ${listText(names)} in a Baseline Accept: the Baseline tier decides only for pods no NetworkPolicy isolates for egress, and the BaselineAdminNetworkPolicy (v1alpha1) has no domainNames`,
  domainNamesBaselineAcceptHint: () => `move the allowlist to the Admin tier: an Admin Accept of these domainNames, with a lower precedence egress Deny`,
  // domain-rule-dns-blocked
  domainRuleDnsBlocked: (rule: string, missing: readonly string[], dns: string) =>
    `${rule} allows domain names, but the pods it applies to cannot send DNS queries over ${missing.join(" or ")} 53 to ${dns}: a domain rule matches only addresses the pod received in a DNS answer and "grants no DNS access itself", so ${
      missing.includes("UDP") ? "no name ever resolves and the rule matches nothing" : "answers too large for UDP (truncated, then retried over TCP) never arrive, and the rule misses the addresses they carry"
    }`,
  domainRuleDnsBlockedHint: (tier: "Admin" | "Baseline", missing: readonly string[]) =>
    `accept ${missing.join(" and ")} port 53 to the DNS pods before this rule, in the ${tier} tier: action: Accept, to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}], protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]`,
  // domain-wildcard-too-wide
  domainWildcardTooWide: (text: string, parent: string, kind: "icann" | "private") =>
    `${text} matches every name under ${parent}, ${
      kind === "icann"
        ? `a public suffix (Public Suffix List, ICANN section): anyone can register a domain under it`
        : `a public suffix (Public Suffix List, private section): every name under it belongs to a different customer of ${parent}`
    }, so it allows whatever a pod resolves there, including names an attacker registers`,
  domainWildcardTooWideHint: (parent: string) => `name the registrable domains themselves (example.${parent} and *.example.${parent}), not everything under ${parent}`,
  // domain-names-cluster-service
  domainNameClusterIp: (text: string, service: string, clusterIps: readonly string[]) =>
    `${text} is the name of ClusterIP Service ${service}, which resolves to ${clusterIps.length === 0 ? "its ClusterIP" : `its ClusterIP ${clusterIps.join(", ")}`}: policies see a connection after Service translation (its destination is a pod IP), so this name never matches`,
  domainNameClusterIpHint: (namespace: string, selector: string) =>
    `select the Service's pods instead: to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${namespace}}}, podSelector: {matchLabels: ${selector}}}}]`,
  domainNameClusterWildcard: (text: string, domain: string, clusterIpServices: readonly string[]) =>
    `${text} matches names of the cluster domain ${domain}: a ClusterIP Service's name never matches (policies see the pod IP after Service translation)${
      clusterIpServices.length === 0 ? "" : `, as for ${listText(clusterIpServices)}`
    }, and a headless Service's name matches its pods only while they are the answer`,
  domainNameClusterWildcardHint: () => `select the cluster's pods with a pods or namespaces peer (namespaceSelector, podSelector) instead of their names`,
  // domain-pattern-ambiguous
  domainPatternAmbiguous: (text: string, where: string, readings: readonly string[]) => `${text} in ${where} means different things to different implementations: ${readings.join("; ")}`,
  domainPatternAmbiguousHint: (suggestion: string) => `write what is meant in the form every implementation reads alike: ${suggestion}`,
  // domain-rule-adds-nothing
  domainRuleAddsNothing: (rule: string, ports: string, by: readonly string[]) =>
    `${rule} allows domain names, but its pods may already connect to every address on ${ports}${by.length === 0 ? "" : ` (allowed by ${listText(by)})`}: removing the domain rule would change no connection`,
  domainRuleAddsNothingHint: () =>
    `if the domain list is meant as an allowlist, narrow the broader rule (its networks or ipBlock 0.0.0.0/0 and ::/0) or deny the rest after the domain rule; otherwise remove the domain rule`,
  // hostnetwork-selected
  hostNetworkSelected: (pods: readonly string[]) =>
    `the podSelector matches host-network pods (${listText(pods)}): NetworkPolicy does not apply to pods that use the node's network`,
  hostNetworkHint: () => `protect host-network pods with node firewall rules, and narrow the podSelector so it does not suggest otherwise`,
} as const;
