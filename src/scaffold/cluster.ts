/**
 * `portcullis scaffold --cluster`: the guardrail set a platform team starts from, as admin
 * policies (ClusterNetworkPolicy v1alpha2; AdminNetworkPolicy/BaselineAdminNetworkPolicy v1alpha1
 * with `--api v1alpha1`):
 *
 * - Admin tier: Deny the cloud metadata addresses (IPv4 and IPv6) for every pod, whatever the
 *   namespaces' NetworkPolicies allow; Accept DNS (UDP and TCP 53) to the cluster DNS, whatever
 *   they deny.
 * - Baseline tier: default-deny egress for the namespaces that have no NetworkPolicy (computed from
 *   the manifests given; selected by `kubernetes.io/metadata.name` In the list). Baseline rules
 *   apply only to pods that no NetworkPolicy isolates for egress, so a namespace's own policies
 *   always win; DNS stays open because the Admin Accept is decided before it.
 *
 * The addresses and the cluster DNS come from model/well-known.ts.
 */
import { DEFAULT_SYSTEM_NAMESPACES } from "../lint/index.js";
import type { Cluster } from "../model/cluster.js";
import { DNS_LABELS, DNS_NAMESPACE, DNS_PORTS, metadataAddresses } from "../model/well-known.js";
import { formatCidr, hostCidr } from "../net/cidr.js";
import { type Ip, formatIp } from "../net/ip.js";
import { type YamlEntry, type YamlNode, emitDocument, entry, item, list, map } from "./yaml.js";

export type AdminApi = "v1alpha2" | "v1alpha1";

export interface ClusterScaffoldOptions {
  /** v1alpha2 ClusterNetworkPolicy (default), or v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy. */
  readonly api: AdminApi;
  /** Metadata addresses besides the defaults (`--metadata`). */
  readonly metadata?: readonly Ip[];
  /** The pods' DNS servers (`--dns`, e.g. NodeLocal DNSCache): DNS is accepted to them instead of the kube-dns pods. */
  readonly dns?: readonly Ip[];
  /** The manifests given (`-f`); null: none, the Baseline policy is described, not written. */
  readonly cluster: Cluster | null;
}

/** The namespaces the Baseline default-deny selects, and those left out. */
export interface Unguarded {
  /** Namespaces of the input with no NetworkPolicy, in name order. */
  readonly namespaces: readonly string[];
  /** Namespaces with no NetworkPolicy left out: Kubernetes' own (the cluster DNS lives in kube-system). */
  readonly system: readonly string[];
  /** How many namespaces have NetworkPolicies of their own. */
  readonly withPolicies: number;
}

const NAME_LABEL = "kubernetes.io/metadata.name";

/** The namespaces of `cluster` (declared, or holding objects) that have no NetworkPolicy, Kubernetes' own left out. */
export function unguardedNamespaces(cluster: Cluster): Unguarded {
  const withPolicies = new Set(cluster.policies.map((p) => p.namespace));
  const names = [...new Set([...cluster.namespaces.keys(), ...cluster.endpoints.map((e) => e.namespace)])].sort();
  const without = names.filter((n) => !withPolicies.has(n));
  return {
    namespaces: without.filter((n) => !DEFAULT_SYSTEM_NAMESPACES.includes(n)),
    system: without.filter((n) => DEFAULT_SYSTEM_NAMESPACES.includes(n)),
    withPolicies: names.filter((n) => withPolicies.has(n)).length,
  };
}

/** One way of writing the admin kinds: v1alpha2 ClusterNetworkPolicy, or the v1alpha1 pair. */
interface Dialect {
  readonly api: AdminApi;
  readonly accept: string;
  /** apiVersion, kind, metadata; and the spec's first fields (tier, priority). */
  header(tier: "Admin" | "Baseline", name: string, priority: number): { readonly top: YamlEntry[]; readonly spec: YamlEntry[] };
  /** UDP and TCP 53: `protocols` (v1alpha2) or `ports` (v1alpha1). */
  readonly dnsPorts: YamlEntry;
}

const API_GROUP = "policy.networking.k8s.io";

const V1ALPHA2: Dialect = {
  api: "v1alpha2",
  accept: "Accept",
  header: (tier, name, priority) => ({
    top: [entry("apiVersion", `${API_GROUP}/v1alpha2`), entry("kind", "ClusterNetworkPolicy"), entry("metadata", map(entry("name", name)))],
    spec: [entry("tier", tier), entry("priority", priority)],
  }),
  dnsPorts: entry("protocols", list(...DNS_PORTS.map((p) => item(map(entry(p.protocol.toLowerCase(), map(entry("destinationPort", map(entry("number", p.port)))))))))),
};

const V1ALPHA1: Dialect = {
  api: "v1alpha1",
  accept: "Allow",
  header: (tier, name, priority) => ({
    top: [
      entry("apiVersion", `${API_GROUP}/v1alpha1`),
      entry("kind", tier === "Admin" ? "AdminNetworkPolicy" : "BaselineAdminNetworkPolicy"),
      // "Only one baseline admin network policy with metadata.name="default" can be created in the cluster".
      entry("metadata", map(entry("name", tier === "Admin" ? name : "default"))),
    ],
    spec: tier === "Admin" ? [entry("priority", priority)] : [],
  }),
  dnsPorts: entry("ports", list(...DNS_PORTS.map((p) => item(map(entry("portNumber", map(entry("protocol", p.protocol), entry("port", p.port)))))))),
};

/** A policy document: the header's spec (tier, priority) with the subject and rules after it. */
function policyNode(d: Dialect, tier: "Admin" | "Baseline", name: string, priority: number, spec: readonly YamlEntry[]): YamlNode {
  const head = d.header(tier, name, priority);
  return map(...head.top, entry("spec", map(...head.spec, ...spec)));
}

const everyNamespace = entry("subject", map(entry("namespaces", map())));
const networks = (ips: readonly Ip[]): YamlNode => map(entry("networks", list(...ips.map((ip) => item(formatCidr(hostCidr(ip)))))));

/** Metadata first by family (IPv4, then IPv6), in the order well-known.ts lists them. */
function byFamily(ips: readonly Ip[]): Ip[] {
  return [...ips.filter((ip) => ip.family === 4), ...ips.filter((ip) => ip.family === 6)];
}

const METADATA_PRIORITY = 10;
const DNS_PRIORITY = 20;
const BASELINE_PRIORITY = 100;

function metadataDocument(d: Dialect, metadata: readonly Ip[]): string {
  const rule = map(entry("name", "deny-cloud-metadata"), entry("action", "Deny"), entry("to", list(item(networks(byFamily(metadata))))));
  return emitDocument(policyNode(d, "Admin", "guardrail-deny-cloud-metadata", METADATA_PRIORITY, [everyNamespace, entry("egress", list(item(rule)))]), [
    "Admin tier: no pod may reach the cloud metadata addresses (IPv4 and IPv6; --metadata adds",
    "more): a pod that reaches one can read the node's cloud credentials. Admin rules are decided",
    "before any NetworkPolicy, so no namespace can open them again. Host-network pods are not",
    "subjects of admin policies: this does not cover them.",
  ]);
}

function dnsDocument(d: Dialect, dns: readonly Ip[]): string {
  const peer =
    dns.length > 0
      ? networks(dns)
      : map(
          entry(
            "pods",
            map(
              entry("namespaceSelector", map(entry("matchLabels", map(entry(NAME_LABEL, DNS_NAMESPACE))))),
              entry("podSelector", map(entry("matchLabels", map(...[...DNS_LABELS].map(([k, v]) => entry(k, v)))))),
            ),
          ),
        );
  const rule = map(entry("name", "accept-cluster-dns"), entry("action", d.accept), entry("to", list(item(peer))), d.dnsPorts);
  const where = dns.length > 0 ? `the DNS servers given with --dns (${dns.map(formatIp).join(", ")})` : `the cluster DNS pods (${[...DNS_LABELS].map(([k, v]) => `${k}=${v}`).join(",")} in ${DNS_NAMESPACE})`;
  return emitDocument(policyNode(d, "Admin", "guardrail-accept-cluster-dns", DNS_PRIORITY, [everyNamespace, entry("egress", list(item(rule)))]), [
    `Admin tier: every pod may query ${where}`,
    "on 53/UDP and 53/TCP (TCP carries large answers), whatever its NetworkPolicies or the",
    `Baseline below deny. ${d.accept} is final for egress only: the DNS pods' own ingress policies`,
    "still apply.",
  ]);
}

function baselineDocument(d: Dialect, unguarded: Unguarded): string {
  const subject = entry(
    "subject",
    map(entry("namespaces", map(entry("matchExpressions", list(item(map(entry("key", NAME_LABEL), entry("operator", "In"), entry("values", list(...unguarded.namespaces.map((n) => item(n))))))))))),
  );
  const rule = map(entry("name", "default-deny-egress"), entry("action", "Deny"), entry("to", list(item(map(entry("networks", list(item("0.0.0.0/0"), item("::/0"))))))));
  const comment = [
    `Baseline tier: default-deny egress for the ${unguarded.namespaces.length} namespace${unguarded.namespaces.length === 1 ? "" : "s"} of the input with no NetworkPolicy.`,
    "Their pods may send only DNS (the Admin Accept above) and what a NetworkPolicy added later",
    "allows: Baseline rules apply only to pods no NetworkPolicy isolates for egress. 0.0.0.0/0 and",
    "::/0 hold pod, Service and node addresses too: other pods, the API server, the internet are",
    "all denied. The list is a snapshot of the input: namespaces created later are not in it.",
    ...(unguarded.system.length > 0
      ? [`Left out: ${unguarded.system.join(", ")} (Kubernetes' own; the cluster DNS forwards from kube-system to upstream resolvers).`]
      : []),
    ...(d.api === "v1alpha1" ? ["The BaselineAdminNetworkPolicy is a singleton named default: this replaces the cluster's."] : []),
  ];
  return emitDocument(policyNode(d, "Baseline", "guardrail-baseline-default-deny-egress", BASELINE_PRIORITY, [subject, entry("egress", list(item(rule)))]), comment);
}

/** Why no Baseline document is written: no input, or every namespace has policies. */
function baselineNote(unguarded: Unguarded | null): string {
  const lines =
    unguarded === null
      ? [
          "Baseline tier: not written, no manifests given. With -f, portcullis writes a Baseline",
          "default-deny egress for the namespaces of the input that have no NetworkPolicy (selected",
          `by ${NAME_LABEL} In the list; kube-system, kube-public and kube-node-lease left out).`,
        ]
      : [
          `Baseline tier: not written: every namespace of the input has NetworkPolicies of its own (${unguarded.withPolicies})${unguarded.system.length > 0 ? `, or is Kubernetes' own (${unguarded.system.join(", ")})` : ""}.`,
        ];
  return lines.map((l) => `# ${l}\n`).join("");
}

/** The guardrail documents, YAML text. */
export function scaffoldCluster(options: ClusterScaffoldOptions): string {
  const d = options.api === "v1alpha1" ? V1ALPHA1 : V1ALPHA2;
  const metadata = metadataAddresses(options.metadata);
  const unguarded = options.cluster === null ? null : unguardedNamespaces(options.cluster);
  const head = [
    `Cluster guardrails, written by portcullis scaffold --cluster (${d === V1ALPHA2 ? "ClusterNetworkPolicy v1alpha2" : "AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1"}).`,
    "Policy tiers are evaluated in order: Admin, then the namespaces' NetworkPolicies, then Baseline.",
    "",
  ];
  const docs = [metadataDocument(d, metadata), dnsDocument(d, options.dns ?? [])];
  const first = docs[0] as string;
  docs[0] = `${head.map((l) => (l === "" ? "#\n" : `# ${l}\n`)).join("")}${first}`;
  if (unguarded !== null && unguarded.namespaces.length > 0) docs.push(baselineDocument(d, unguarded));
  const text = docs.join("---\n");
  return unguarded === null || unguarded.namespaces.length === 0 ? `${text}${baselineNote(unguarded)}` : text;
}
