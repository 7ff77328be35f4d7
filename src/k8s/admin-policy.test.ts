/**
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy (v1alpha1, network-policy-api v0.1.x) decoded into one model and
 * validated as their CRDs do. Each case names the sentence or marker of the API types it implements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { type AdminEgressPeer, type AdminPolicy, type AdminRule, effectiveAction } from "../model/admin-policy.js";
import { formatCidr } from "../net/cidr.js";
import { formatLoaded } from "../render/diagnostics.js";
import { codes } from "./codes.js";
import { decodeYaml, markedLine, summary, yaml } from "./testing.js";

const indent = (text: string): string =>
  yaml(text)
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");

/** A ClusterNetworkPolicy `name` with this spec (spec from line 5). */
const cnp = (spec: string, name = "guardrail"): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}`;
const anp = (spec: string, name = "guardrail"): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}`;
const banp = (spec: string, name = "default"): string =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${indent(spec)}`;

/** The errors and warnings of a decode, without the `admin-policy-not-evaluated` note every admin policy gets. */
const problems = (text: string): string[] => summary(decodeYaml(text).diagnostics.filter((d) => d.code !== codes.adminPolicyNotEvaluated));

const only = (text: string): AdminPolicy => {
  const decoded = decodeYaml(text);
  assert.deepEqual(problems(text), []);
  const policies = decoded.value.adminPolicies ?? [];
  assert.equal(policies.length, 1);
  return policies[0] as AdminPolicy;
};

const firstEgress = (p: AdminPolicy): AdminRule<AdminEgressPeer> => p.egress[0] as AdminRule<AdminEgressPeer>;

/** The guardrail every egress guide ends on: no pod reaches the cloud metadata service. */
const METADATA_GUARDRAIL = cnp(`
  tier: Admin
  priority: 10
  subject:
    namespaces: {}
  egress:
  - name: block-imds #<
    action: Deny
    to:
    - networks: [169.254.169.254/32, fd00:ec2::254/128]
`, "deny-metadata");

/** DNS to kube-dns accepted for every pod, ahead of any namespace policy. */
const DNS_ACCEPT = cnp(`
  tier: Admin
  priority: 5
  subject:
    namespaces: {}
  egress:
  - name: kube-dns
    action: Accept
    to:
    - pods:
        namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: kube-system}
        podSelector:
          matchLabels: {k8s-app: kube-dns}
    protocols:
    - udp:
        destinationPort: {number: 53}
    - tcp:
        destinationPort: {number: 53} #<
`, "allow-dns");

/** The BANP of the network-policy-api examples: default-deny for every namespace, overridable by NetworkPolicy. */
const BANP_DEFAULT_DENY = banp(`
  subject:
    namespaces: {}
  ingress:
  - name: default-deny-ingress
    action: Deny
    from:
    - namespaces: {}
  egress:
  - name: default-deny-egress
    action: Deny
    to:
    - networks: [0.0.0.0/0, "::/0"]
`);

describe("admin policies: the API's examples decode into one model", () => {
  test("ClusterNetworkPolicy metadata guardrail: Admin tier, priority 10, Deny networks 169.254.169.254/32 for all pods; rule kept with its file:line", () => {
    const p = only(METADATA_GUARDRAIL);
    assert.equal(p.tier, "Admin");
    assert.equal(p.priority, 10);
    assert.deepEqual(p.source, { kind: "ClusterNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha2" });
    assert.deepEqual(p.subject.kind === "namespaces" ? p.subject.namespaces : undefined, { requirements: [] });
    const rule = firstEgress(p);
    assert.equal(rule.action, "Deny");
    assert.equal(rule.name, "block-imds");
    assert.equal(rule.at.line, markedLine(METADATA_GUARDRAIL));
    assert.equal(rule.at.path, "spec.egress[0]");
    assert.equal(rule.match.kind, "as-written");
    if (rule.match.kind !== "as-written") return;
    assert.equal(rule.match.protocols, "all");
    const peer = rule.match.peers[0];
    assert.equal(peer?.kind, "networks");
    if (peer?.kind !== "networks") return;
    assert.deepEqual(peer.networks.map(formatCidr), ["169.254.169.254/32", "fd00:ec2::254/128"]);
    assert.equal(peer.at.path, "spec.egress[0].to[0].networks");
  });

  test("ClusterNetworkPolicy DNS Accept to kube-dns: pods peer and udp/tcp destinationPort 53, each protocol with its file:line", () => {
    const p = only(DNS_ACCEPT);
    const rule = firstEgress(p);
    assert.equal(rule.action, "Accept");
    assert.equal(rule.match.kind, "as-written");
    if (rule.match.kind !== "as-written" || rule.match.protocols === "all") return assert.fail("protocols expected");
    assert.deepEqual(
      rule.match.protocols.map((m) => (m.kind === "protocol" ? `${m.protocol} ${m.port.kind === "number" ? m.port.port : `${m.port.start}-${m.port.end}`}` : m.name)),
      ["UDP 53", "TCP 53"],
    );
    assert.equal(rule.match.protocols[1]?.at.line, markedLine(DNS_ACCEPT) - 1);
    assert.equal(rule.match.protocols[1]?.at.path, "spec.egress[0].protocols[1].tcp");
    const peer = rule.match.peers[0];
    assert.equal(peer?.kind, "pods");
    if (peer?.kind !== "pods") return;
    assert.deepEqual(peer.namespaces, { requirements: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["kube-system"] }] });
    assert.deepEqual(peer.pods, { requirements: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] });
  });

  test("BaselineAdminNetworkPolicy default-deny: the Baseline tier, no priority (the singleton `default`), Deny both directions", () => {
    const p = only(BANP_DEFAULT_DENY);
    assert.equal(p.tier, "Baseline");
    assert.equal(p.priority, null);
    assert.equal(p.source.kind, "BaselineAdminNetworkPolicy");
    assert.deepEqual([p.ingress[0]?.action, p.egress[0]?.action], ["Deny", "Deny"]);
  });

  test("AdminNetworkPolicy (v1alpha1): Admin tier with its priority; `Allow` is `Accept`; ports portNumber (protocol defaults to TCP), portRange, namedPort", () => {
    const p = only(
      anp(`
        priority: 30
        subject:
          pods:
            namespaceSelector: {matchLabels: {env: prod}}
            podSelector: {matchLabels: {app: web}}
        egress:
        - name: allow-db
          action: Allow
          to:
          - pods:
              namespaceSelector: {}
              podSelector: {matchLabels: {app: db}}
          ports:
          - portNumber: {port: 5432}
          - portRange: {protocol: UDP, start: 30000, end: 32767}
          - namedPort: metrics
      `),
    );
    assert.equal(p.tier, "Admin");
    assert.equal(p.priority, 30);
    assert.equal(p.subject.kind, "pods");
    const rule = firstEgress(p);
    assert.equal(rule.action, "Accept");
    if (rule.match.kind !== "as-written" || rule.match.protocols === "all") return assert.fail("ports expected");
    assert.deepEqual(
      rule.match.protocols.map((m) => (m.kind === "namedPort" ? { named: m.name } : { protocol: m.protocol, port: m.port })),
      [{ protocol: "TCP", port: { kind: "number", port: 5432 } }, { protocol: "UDP", port: { kind: "range", start: 30000, end: 32767 } }, { named: "metrics" }],
    );
  });

  test("AdminNetworkPolicy from the OVN-Kubernetes docs: Deny egress to external DNS servers on UDP 53 (networks peer with portNumber)", () => {
    const p = only(
      anp(
        `
        priority: 70
        subject:
          namespaces: {}
        egress:
        - name: "deny-egress-to-external-dns-servers"
          action: "Deny"
          to:
          - networks:
            - 8.8.8.8/32
            - 8.8.4.4/32
            - 208.67.222.222/32
          ports:
            - portNumber:
                protocol: UDP
                port: 53
      `,
        "network-as-egress-peer",
      ),
    );
    const rule = firstEgress(p);
    assert.equal(rule.action, "Deny");
    assert.equal(rule.match.kind === "as-written" && rule.match.peers[0]?.kind, "networks");
  });

  test('v1alpha2 NamespacedPod: "NamespaceSelector follows standard label selector semantics; if empty, it selects all Namespaces." (+optional: absent is all namespaces)', () => {
    const p = only(cnp(`
      tier: Baseline
      priority: 0
      subject:
        pods:
          podSelector: {matchLabels: {app: web}}
      ingress:
      - action: Accept
        from:
        - pods:
            podSelector: {}
    `));
    assert.equal(p.tier, "Baseline");
    assert.equal(p.priority, 0);
    assert.deepEqual(p.subject.kind === "pods" ? p.subject.namespaces : undefined, { requirements: [] });
    assert.equal(p.ingress[0]?.name, undefined);
  });

  test('egress peers "nodes" (node labels) and "domainNames" ("*." matches subdomains only), with a trailing dot allowed by the pattern', () => {
    const p = only(cnp(`
      tier: Admin
      priority: 1
      subject: {namespaces: {}}
      egress:
      - action: Accept
        to:
        - domainNames: ["*.kubernetes.io", "example.com."]
      - action: Deny
        to:
        - nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}
    `));
    const [domains, nodes] = p.egress.map((r) => (r.match.kind === "as-written" ? r.match.peers[0] : undefined));
    assert.deepEqual(domains?.kind === "domainNames" ? domains.domainNames.map((d) => [d.text, d.pattern?.kind === "subdomains"]) : undefined, [["*.kubernetes.io", true], ["example.com.", false]]);
    assert.equal(nodes?.kind, "nodes");
  });

  test('-v counts them: "2 ClusterNetworkPolicies", then AdminNetworkPolicy and BaselineAdminNetworkPolicy', () => {
    const decoded = decodeYaml([METADATA_GUARDRAIL, DNS_ACCEPT, anp(`{priority: 3, subject: {namespaces: {}}}`), BANP_DEFAULT_DENY].join("---\n"));
    assert.deepEqual(problems([METADATA_GUARDRAIL, DNS_ACCEPT].join("---\n")), []);
    assert.equal(
      formatLoaded(1, decoded.value),
      "read 1 file: 0 namespaces, 0 endpoints, 0 services, 0 NetworkPolicies, 2 ClusterNetworkPolicies, 1 AdminNetworkPolicy, 1 BaselineAdminNetworkPolicy",
    );
  });

  test("decoded, not skipped; cluster-scoped (no namespace is referenced); a second object of the same kind and name is a duplicate", () => {
    const decoded = decodeYaml([METADATA_GUARDRAIL, METADATA_GUARDRAIL].join("---\n"));
    assert.deepEqual(decoded.skipped, []);
    assert.deepEqual([...decoded.value.namespaces.keys()], []);
    assert.deepEqual(summary(decoded.diagnostics.filter((d) => d.code !== codes.adminPolicyNotEvaluated)), ["error duplicate-object metadata.name"]);
  });

  test("another version of the API (v1beta1 ClusterNetworkPolicy) is not read: a warning at apiVersion, and skipped", () => {
    const text = METADATA_GUARDRAIL.replace("v1alpha2", "v1beta1");
    const decoded = decodeYaml(text);
    assert.deepEqual(summary(decoded.diagnostics), ["warning unsupported-api-version apiVersion"]);
    assert.deepEqual(decoded.skipped, [{ kind: "ClusterNetworkPolicy (policy.networking.k8s.io/v1beta1)", count: 1 }]);
    assert.equal(decoded.value.adminPolicies, undefined);
  });
});

describe("admin policies are read but not evaluated yet: each load says so (fail closed, never a silent drop)", () => {
  test("one admin-policy-not-evaluated warning per policy, naming it, at the object", () => {
    const decoded = decodeYaml([METADATA_GUARDRAIL, BANP_DEFAULT_DENY].join("---\n"));
    const notes = decoded.diagnostics.filter((d) => d.code === codes.adminPolicyNotEvaluated);
    assert.deepEqual(
      notes.map((d) => [d.severity, d.message, d.at?.line]),
      [
        ["warning", messages.adminPolicyNotEvaluated("ClusterNetworkPolicy deny-metadata"), 1],
        ["warning", messages.adminPolicyNotEvaluated("BaselineAdminNetworkPolicy default"), METADATA_GUARDRAIL.split("\n").length + 1],
      ],
    );
    assert.match(notes[0]?.message ?? "", /ClusterNetworkPolicy deny-metadata is read and validated but not yet evaluated: answers below ignore it/);
  });

  test("an object with an error is left out, so it gets no not-evaluated note (the error already fails the input)", () => {
    const decoded = decodeYaml(METADATA_GUARDRAIL.replace("priority: 10", "priority: 1001"));
    assert.deepEqual(summary(decoded.diagnostics), ["error priority-out-of-range spec.priority"]);
  });
});

/** One error (or warning) each, at its field path: what the CRD's validation rejects. */
const INVALID: readonly { readonly rule: string; readonly text: string; readonly expect: readonly string[] }[] = [
  // Spec
  { rule: 'Tier: "+kubebuilder:validation:Enum={"Admin", "Baseline"}"', text: cnp(`{tier: Platform, priority: 1, subject: {namespaces: {}}}`), expect: ["error unknown-tier spec.tier"] },
  { rule: "Tier is required", text: cnp(`{priority: 1, subject: {namespaces: {}}}`), expect: ["error missing-field spec.tier"] },
  { rule: 'Priority: "a value from 0 to 1000" (Maximum=1000)', text: cnp(`{tier: Admin, priority: 1001, subject: {namespaces: {}}}`), expect: ["error priority-out-of-range spec.priority"] },
  { rule: 'Priority: "a value from 0 to 1000" (Minimum=0)', text: anp(`{priority: -1, subject: {namespaces: {}}}`), expect: ["error priority-out-of-range spec.priority"] },
  { rule: "Priority is required (All fields in this package are required unless Explicitly marked optional)", text: anp(`{subject: {namespaces: {}}}`), expect: ["error missing-field spec.priority"] },
  { rule: "Priority is an integer", text: cnp(`{tier: Admin, priority: "10", subject: {namespaces: {}}}`), expect: ["error wrong-type spec.priority"] },
  { rule: "BaselineAdminNetworkPolicy has no priority field", text: banp(`{priority: 1, subject: {namespaces: {}}}`), expect: ["error unknown-field spec.priority"] },
  { rule: "Subject is required", text: cnp(`{tier: Admin, priority: 1}`), expect: ["error missing-field spec.subject"] },
  { rule: "spec is required", text: "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: x}\n", expect: ["error missing-field spec"] },
  { rule: 'Subject: "Exactly one field must be set" (MaxProperties=1)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}, pods: {podSelector: {}}}}`), expect: ["error one-of-fields spec.subject"] },
  { rule: 'Subject: "Exactly one field must be set" (MinProperties=1)', text: cnp(`{tier: Admin, priority: 1, subject: {}}`), expect: ["error one-of-fields spec.subject"] },
  { rule: "NamespacedPod: PodSelector +required", text: cnp(`{tier: Admin, priority: 1, subject: {pods: {namespaceSelector: {}}}}`), expect: ["error missing-field spec.subject.pods.podSelector"] },
  { rule: "v1alpha1 NamespacedPod: namespaceSelector is required (no +optional)", text: anp(`{priority: 1, subject: {pods: {podSelector: {}}}}`), expect: ["error missing-field spec.subject.pods.namespaceSelector"] },
  {
    rule: 'BaselineAdminNetworkPolicy: "Only one baseline admin network policy with metadata.name="default" can be created in the cluster"',
    text: banp(`{subject: {namespaces: {}}}`, "baseline"),
    expect: ["error baseline-not-default metadata.name"],
  },
  // Rules
  { rule: 'Action: "+kubebuilder:validation:Enum={"Accept", "Deny", "Pass"}" (v1alpha2 has no Allow)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{namespaces: {}}]}]}`), expect: ["error unknown-action spec.egress[0].action"] },
  { rule: 'v1alpha1 Action: "+kubebuilder:validation:Enum={"Allow", "Deny", "Pass"}"', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Accept, to: [{namespaces: {}}]}]}`), expect: ["error unknown-action spec.egress[0].action"] },
  { rule: 'BaselineAdminNetworkPolicy Action: "+kubebuilder:validation:Enum={"Allow", "Deny"}" (no Pass)', text: banp(`{subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {}}]}]}`), expect: ["error unknown-action spec.ingress[0].action"] },
  { rule: "Action is required", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{to: [{namespaces: {}}]}]}`), expect: ["error missing-field spec.egress[0].action"] },
  { rule: 'To: "This field must be defined and contain at least one item." (absent)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny}]}`), expect: ["error missing-field spec.egress[0].to"] },
  { rule: 'From: "This field must be defined and contain at least one item." (MinItems=1)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: []}]}`), expect: ["error empty-list spec.ingress[0].from"] },
  { rule: "Ingress peers are namespaces and pods only: networks is an unknown field beside namespaces", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}, networks: [10.0.0.0/8]}]}]}`), expect: ["error unknown-field spec.ingress[0].from[0].networks"] },
  { rule: 'Name: "may be no more than 100 characters in length" (MaxLength=100)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{name: ${"x".repeat(101)}, action: Deny, to: [{namespaces: {}}]}]}`), expect: ["error rule-name-too-long spec.egress[0].name"] },
  { rule: "an unknown rule field is rejected (v1alpha2 calls them protocols, not ports)", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {port: 53}}]}]}`), expect: ["error unknown-field spec.egress[0].ports"] },
  // Peers
  { rule: 'EgressPeer: "Exactly one of the fields must be set" (MaxProperties=1)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}, networks: [10.0.0.0/8]}]}]}`), expect: ["error one-of-fields spec.egress[0].to[0]"] },
  { rule: 'EgressPeer: "Exactly one of the fields must be set" (MinProperties=1: an empty peer)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{}]}]}`), expect: ["error one-of-fields spec.egress[0].to[0]"] },
  { rule: 'Networks: "isCIDR(self)" ("Invalid CIDR format provided")', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [169.254.169.254/33]}]}]}`), expect: ["error invalid-cidr spec.egress[0].to[0].networks[0]"] },
  { rule: "Networks: +listType=set (a CIDR listed twice)", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [10.0.0.0/8, 10.0.0.0/8]}]}]}`), expect: ["error duplicate-item spec.egress[0].to[0].networks[1]"] },
  { rule: "Networks: MinItems=1", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: []}]}]}`), expect: ["error empty-list spec.egress[0].to[0].networks"] },
  {
    rule: '"Networks can have up to 25 CIDRs specified." (MaxItems=25)',
    text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [${Array.from({ length: 26 }, (_, i) => `10.0.${i}.0/24`).join(", ")}]}]}]}`),
    expect: ["error too-many-items spec.egress[0].to[0].networks"],
  },
  {
    rule: '"DomainNames can have up to 25 domain names specified in one rule." (MaxItems=25)',
    text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: [${Array.from({ length: 26 }, (_, i) => `d${i}.example.com`).join(", ")}]}]}]}`),
    expect: ["error too-many-items spec.egress[0].to[0].domainNames"],
  },
  { rule: "DomainName pattern: \"'*' may only be specified as a prefix\"", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: ["www.*.example.com"]}]}]}`), expect: ["error invalid-domain-name spec.egress[0].to[0].domainNames[0]"] },
  { rule: "DomainName pattern: a single label is no domain name", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: [localhost]}]}]}`), expect: ["error invalid-domain-name spec.egress[0].to[0].domainNames[0]"] },
  { rule: "BaselineAdminNetworkPolicy egress peers have no domainNames", text: banp(`{subject: {namespaces: {}}, egress: [{action: Allow, to: [{namespaces: {}, domainNames: [example.com]}]}]}`), expect: ["error unknown-field spec.egress[0].to[0].domainNames"] },
  // Protocols (v1alpha2)
  { rule: 'Protocols: "+kubebuilder:validation:MinItems=1"', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: []}]}`), expect: ["error empty-list spec.egress[0].protocols"] },
  { rule: 'Protocol: "Exactly one field must be set" (tcp and udp)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 53}}, udp: {destinationPort: {number: 53}}}]}]}`), expect: ["error one-of-fields spec.egress[0].protocols[0]"] },
  { rule: "ClusterNetworkPolicyProtocolTCP: MinProperties=1 (`tcp: {}`)", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {}}]}]}`), expect: ["error empty-protocol spec.egress[0].protocols[0].tcp"] },
  { rule: 'Port: "You must specify either Port or Range." (both)', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 80, range: {start: 1, end: 2}}}}]}]}`), expect: ["error one-of-fields spec.egress[0].protocols[0].tcp.destinationPort"] },
  { rule: "Port number: Minimum=1", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{udp: {destinationPort: {number: 0}}}]}]}`), expect: ["error port-out-of-range spec.egress[0].protocols[0].udp.destinationPort.number"] },
  { rule: "Port number: Maximum=65535", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{sctp: {destinationPort: {number: 65536}}}]}]}`), expect: ["error port-out-of-range spec.egress[0].protocols[0].sctp.destinationPort.number"] },
  { rule: 'PortRange: "self.start < self.end" ("Start port must be less than End port"): equal is rejected', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 8080, end: 8080}}}}]}]}`), expect: ["error port-range-order spec.egress[0].protocols[0].tcp.destinationPort.range"] },
  { rule: "PortRange: end +required", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 8080}}}}]}]}`), expect: ["error missing-field spec.egress[0].protocols[0].tcp.destinationPort.range.end"] },
  {
    rule: 'CEL: "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames"',
    text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Accept, to: [{namespaces: {}}, {domainNames: [example.com]}], protocols: [{destinationNamedPort: http}]}]}`),
    expect: ["error named-port-without-pods spec.egress[0]"],
  },
  {
    rule: '"Protocols ... MaxItems=25" in v1alpha2',
    text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [${Array.from({ length: 26 }, (_, i) => `{tcp: {destinationPort: {number: ${i + 1}}}}`).join(", ")}]}]}`),
    expect: ["error too-many-items spec.egress[0].protocols"],
  },
  // Ports (v1alpha1)
  { rule: 'v1alpha1 CEL: "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes"', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{nodes: {}}], ports: [{namedPort: http}]}]}`), expect: ["error named-port-without-pods spec.egress[0]"] },
  { rule: 'AdminNetworkPolicyPort: exactly one of portNumber, portRange, namedPort', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], ports: [{namedPort: http, portNumber: {port: 80}}]}]}`), expect: ["error one-of-fields spec.egress[0].ports[0]"] },
  { rule: "v1alpha1 Port: port is required", text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {protocol: UDP}}]}]}`), expect: ["error missing-field spec.egress[0].ports[0].portNumber.port"] },
  { rule: 'v1alpha1 Port: "The protocol (TCP, UDP, or SCTP)"', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], ports: [{portNumber: {protocol: ICMP, port: 1}}]}]}`), expect: ["error unknown-protocol spec.egress[0].ports[0].portNumber.protocol"] },
  { rule: 'v1alpha1 PortRange: "self.start < self.end"', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], ports: [{portRange: {start: 9000, end: 8000}}]}]}`), expect: ["error port-range-order spec.egress[0].ports[0].portRange"] },
];

describe("admin policies: what the CRDs reject, each at its field path (the policy is left out)", () => {
  for (const c of INVALID) {
    test(c.rule, () => {
      const decoded = decodeYaml(c.text);
      assert.deepEqual(problems(c.text), c.expect);
      if (c.expect.some((e) => e.startsWith("error"))) assert.equal(decoded.value.adminPolicies, undefined);
    });
  }
});

/** `count` rules of one peer each, or one rule of `count` peers: the MaxItems of the version. */
const manyRules = (count: number): string => `[${Array.from({ length: count }, () => `{action: Deny, to: [{namespaces: {}}]}`).join(", ")}]`;
const manyPeers = (count: number): string => `[{action: Deny, to: [${Array.from({ length: count }, () => `{namespaces: {}}`).join(", ")}]}]`;

const LIMITS: readonly { readonly rule: string; readonly text: string; readonly expect: readonly string[] }[] = [
  { rule: 'v1alpha2: "A maximum of 25 rules is allowed in this block." 25 is accepted', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: ${manyRules(25)}}`), expect: [] },
  { rule: 'v1alpha2: "A maximum of 25 rules is allowed in this block." 26 is rejected', text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: ${manyRules(26)}}`), expect: ["error too-many-items spec.egress"] },
  { rule: "v1alpha2 To: MaxItems=25", text: cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: ${manyPeers(26)}}`), expect: ["error too-many-items spec.egress[0].to"] },
  { rule: 'v1alpha1: "A total of 100 rules will be allowed in each ANP instance." 100 is accepted', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: ${manyRules(100)}}`), expect: [] },
  { rule: 'v1alpha1: "A total of 100 rules will be allowed in each ANP instance." 101 is rejected', text: anp(`{priority: 1, subject: {namespaces: {}}, egress: ${manyRules(101)}}`), expect: ["error too-many-items spec.egress"] },
  { rule: "v1alpha1 To: MaxItems=100", text: banp(`{subject: {namespaces: {}}, egress: ${manyPeers(101).replace("Deny", "Allow")}}`), expect: ["error too-many-items spec.egress[0].to"] },
];

describe("admin policies: MaxItems per version (25 in v1alpha2, 100 in v1alpha1)", () => {
  for (const c of LIMITS) test(c.rule, () => assert.deepEqual(problems(c.text), c.expect));
});

/**
 * "If an implementation sees no fields are set then it can infer that the deployed CRD is of an
 * incompatible version with an unknown field. In that case it should fail closed. For "Accept"
 * rules, "fail closed" means: "treat the rule as matching no traffic". For "Deny" and "Pass" rules,
 * "fail closed" means: "treat the rule as a 'Deny all' rule"."
 */
describe("admin policies: a peer or protocol entry with no known field fails closed (a warning; the policy is kept)", () => {
  const withEntry = (action: string, entry: string): string =>
    cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: ${action}, to: [{namespaces: {}}, ${entry}]}]}`);
  const CASES: readonly [string, string, string, "matches-nothing" | "denies-all", string][] = [
    ['an Accept rule with a peer of a newer CRD ("treat the rule as matching no traffic")', "Accept", "{externalNetworkSet: {name: partners}}", "matches-nothing", "spec.egress[0].to[1]"],
    ["a Deny rule with a peer of a newer CRD (\"treat the rule as a 'Deny all' rule\")", "Deny", "{externalNetworkSet: {name: partners}}", "denies-all", "spec.egress[0].to[1]"],
    ["a Pass rule with a peer of a newer CRD (\"treat the rule as a 'Deny all' rule\": it denies, it does not pass)", "Pass", "{externalNetworkSet: {name: partners}}", "denies-all", "spec.egress[0].to[1]"],
  ];
  for (const [name, action, entry, effect, path] of CASES) {
    test(name, () => {
      const text = withEntry(action, entry);
      const decoded = decodeYaml(text);
      assert.deepEqual(problems(text), [`warning unknown-entry-fails-closed ${path}`]);
      const warning = decoded.diagnostics.find((d) => d.code === codes.unknownEntryFailsClosed);
      assert.equal(warning?.message, messages.unknownEntryFailsClosed(["externalNetworkSet"], "ClusterNetworkPolicy", effect));
      const rule = firstEgress(decoded.value.adminPolicies?.[0] as AdminPolicy);
      const match = rule.match;
      assert.deepEqual(match.kind === "as-written" ? [] : match.unknown.map((u) => u.at.path), [path]);
      assert.equal(match.kind, effect);
      assert.equal(effectiveAction(rule), effect === "denies-all" ? "Deny" : "Accept");
    });
  }

  test("a protocol entry of a newer CRD (icmp) in a Deny rule: the rule denies all", () => {
    const text = cnp(`{tier: Admin, priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}], protocols: [{icmp: {type: 8}}]}]}`);
    assert.deepEqual(problems(text), ["warning unknown-entry-fails-closed spec.egress[0].protocols[0]"]);
    assert.equal(firstEgress(decodeYaml(text).value.adminPolicies?.[0] as AdminPolicy).match.kind, "denies-all");
  });

  test("a v1alpha1 ports entry of a newer CRD in an Allow rule: the rule matches nothing", () => {
    const text = anp(`{priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{namespaces: {}}], ports: [{portSet: {name: web}}]}]}`);
    assert.deepEqual(problems(text), ["warning unknown-entry-fails-closed spec.egress[0].ports[0]"]);
    assert.equal(firstEgress(decodeYaml(text).value.adminPolicies?.[0] as AdminPolicy).match.kind, "matches-nothing");
  });

  test("an entry that sets nothing at all is no newer field: the CRD rejects it (MinProperties=1), an error", () => {
    assert.deepEqual(problems(withEntry("Deny", "{}")), ["error one-of-fields spec.egress[0].to[1]"]);
  });
});

test("kubectl get anp -o yaml (a List with server-set metadata and status.conditions, as OVN-Kubernetes reports them) decodes", () => {
  const text = yaml(`
    apiVersion: v1
    kind: List
    items:
    - apiVersion: policy.networking.k8s.io/v1alpha1
      kind: AdminNetworkPolicy
      metadata:
        name: cluster-control
        uid: 0c5f1a55-4e47-4e8b-9a40-9d0c8f2b7d11
        resourceVersion: "48211"
        generation: 1
        creationTimestamp: "2024-05-02T09:14:31Z"
      spec:
        priority: 34
        subject:
          namespaces: {}
        egress:
        - name: allow-to-kapi-server
          action: Allow
          to:
          - nodes:
              matchExpressions:
              - {key: node-role.kubernetes.io/control-plane, operator: Exists}
          ports:
          - portNumber: {port: 6443, protocol: TCP}
      status:
        conditions:
        - {type: Ready-In-Zone-ovn-worker, status: "True", reason: SetupSucceeded, message: Setting up OVN DB plumbing was successful, lastTransitionTime: "2024-05-02T09:14:32Z"}
  `);
  assert.deepEqual(problems(text), []);
  const p = decodeYaml(text).value.adminPolicies?.[0] as AdminPolicy;
  assert.equal(p.priority, 34);
  const match = firstEgress(p).match;
  assert.equal(match.kind === "as-written" ? match.peers[0]?.kind : match.kind, "nodes");
});

// Issue 9: "v1alpha1 and v1alpha2 objects in one input: order ANP within the Admin tier by priority and say so in a warning."
describe("v1alpha1 and v1alpha2 admin policies in one input", () => {
  test("a ClusterNetworkPolicy beside the BaselineAdminNetworkPolicy: one warning at the v1alpha1 policy, naming both and the order used", () => {
    const decoded = decodeYaml(`${METADATA_GUARDRAIL}\n---\n${BANP_DEFAULT_DENY}`);
    const mixed = decoded.diagnostics.filter((d) => d.code === codes.adminApiVersionsMixed);
    assert.equal(mixed.length, 1);
    assert.equal(mixed[0]?.severity, "warning");
    assert.equal(mixed[0]?.message, messages.adminApiVersionsMixed("BaselineAdminNetworkPolicy default", "ClusterNetworkPolicy deny-metadata"));
    assert.match(mixed[0]?.message ?? "", /ordered by priority \(ties by name\)/);
    assert.equal(decoded.value.adminPolicies?.length, 2, "both are read");
  });

  test("one version only (two ClusterNetworkPolicies; an ANP with the BANP): no such warning", () => {
    for (const text of [`${METADATA_GUARDRAIL}\n---\n${DNS_ACCEPT}`, `${anp("priority: 5\nsubject: {namespaces: {}}\negress: [{action: Deny, to: [{networks: [169.254.169.254/32]}]}]")}\n---\n${BANP_DEFAULT_DENY}`]) {
      const decoded = decodeYaml(text);
      assert.equal(decoded.value.adminPolicies?.length, 2, summary(decoded.diagnostics).join("; "));
      assert.deepEqual(decoded.diagnostics.filter((d) => d.code === codes.adminApiVersionsMixed), []);
    }
  });
});
