import { podNetworkOrigin } from "./diagnostics.js";
import type { ConnSetJson } from "../analysis/connset.js";
import { cidrSet, compactAddresses } from "./addresses.js";
import { adminRuleLine } from "./admin-rules.js";
import { formatConns } from "./conns.js";
import type { AddressConnsJson, DomainDestinationJson, EgressJson, NamespaceEgressJson, PeerConnsJson, ServiceReachJson, WorkloadEgressJson } from "./egress-view.js";
import { formatAdminRule } from "../model/admin-policy.js";
import { viaText } from "./egress-domains.js";
import { formatAddresses } from "./json.js";
import { columns } from "./table.js";

function conns(c: ConnSetJson): string {
  return c === "All Connections" ? "all connections" : formatConns(c);
}

function region(r: AddressConnsJson): [string, string] {
  return [compactAddresses(cidrSet(r.to)), conns(r.conns)];
}

function peer(p: PeerConnsJson): [string, string] {
  return [p.to, conns(p.conns)];
}

function governance(w: WorkloadEgressJson): string {
  const g = w.governance;
  switch (g.kind) {
    case "isolated":
      return `egress limited by ${g.policies.map((p) => p.name).join(", ")}`;
    case "host-network":
      return "host network: NetworkPolicy does not apply, egress is not restricted";
    default:
      return guarded(w) ? "egress not limited by NetworkPolicy: the guardrails decide, the rest is allowed" : "egress not restricted: no policy selects it for egress";
  }
}

/** Whether some admin policy's egress rules apply to the workload. */
function guarded(w: WorkloadEgressJson): boolean {
  return w.guardrails.length > 0;
}

/** `guardrails: Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds" Deny to networks 169.254.169.254/32`, one rule a line. */
function guardrailLines(w: WorkloadEgressJson): string[] {
  const [first, ...rest] = w.guardrails.map(adminRuleLine);
  if (first === undefined) return [];
  return [`    guardrails: ${first}`, ...rest.map((line) => `                ${line}`)];
}

/** The three destinations egress control is mostly about: access, then what exactly. */
function notable(w: WorkloadEgressJson, a: EgressJson["assumptions"]): string[][] {
  const inet = w.internet;
  const md = w.cloudMetadata;
  const d = w.dns;
  const everywhere = (r: AddressConnsJson): string => (r.to.join(",") === a.internet.join(",") ? `any public address: ${conns(r.conns)}` : region(r).join(": "));
  const server = `${a.dns.server}${a.dns.assumed ? " (assumed)" : ""}`;
  return [
    ["internet", inet.access === "allowed" ? "open" : inet.access, inet.access === "limited" ? inet.allowed.map(everywhere).join("; ") : ""],
    ["cloud metadata", md.access === "allowed" ? "open" : md.access, metadataDetail(md)],
    ["DNS", d.access, d.conns === null ? server : `${server}: ${conns(d.conns)}`],
  ];
}

/** Blocked: every address; else the open ones, grouped by what they allow. */
function metadataDetail(md: WorkloadEgressJson["cloudMetadata"]): string {
  const open = new Map<string, string[]>();
  for (const a of md.addresses) if (a.conns !== null) open.set(conns(a.conns), [...(open.get(conns(a.conns)) ?? []), a.address]);
  if (open.size === 0) return md.addresses.map((a) => a.address).join(", ");
  return [...open].map(([allowed, addresses]) => `${addresses.join(", ")}: ${allowed}`).join("; ");
}

/** `Service kube-system/kube-dns 10.96.0.10`, `UDP 53, TCP 53 (1 of 2 backends)`. */
function serviceRow(s: ServiceReachJson): [string, string] {
  const ports = s.ports.map((p) => `${p.protocol} ${p.port}${p.allowed < p.backends ? ` (${p.allowed} of ${p.backends} backends)` : ""}`);
  return [`Service ${s.service}${s.clusterIps.length === 0 ? "" : ` ${s.clusterIps.join(", ")}`}`, ports.join(", ")];
}

function reachLines(w: WorkloadEgressJson): string[] {
  if (w.governance.kind !== "isolated" && !guarded(w)) return ["    can reach: any pod whose ingress allows it, and any address"];
  const rows = [...w.endpoints.map(peer), ...w.services.map(serviceRow), ...w.addresses.map(region)];
  const lines = rows.length === 0 ? ["    can reach: nothing"] : ["    can reach:", ...columns(rows, "      ")];
  if (w.endpointsDependingOnAddress.length > 0) lines.push("    for some of their addresses only:", ...columns(w.endpointsDependingOnAddress.map(peer), "      "));
  if (w.refusedByIngress.length > 0) lines.push("    allowed by its egress, refused by the destination's ingress:", ...columns(w.refusedByIngress.map(peer), "      "));
  return lines;
}

/**
 * `domains:`, one row per entry (pattern, connections, the rule), then under each the addresses a
 * resolution snapshot gives it; without one, a line saying whose addresses they are.
 */
function domainLines(w: WorkloadEgressJson, a: EgressJson["assumptions"]): string[] {
  if (w.domains.length === 0) return [];
  const rows = columns(w.domains.map((d) => [d.pattern, conns(d.conns), `${d.action} by ${formatAdminRule(d.rule)}`]), "      ");
  const lines = ["    domains:"];
  w.domains.forEach((d, i) => lines.push(rows[i] ?? "", ...addressLines(d)));
  if (!a.resolution) lines.push("      (each pod reaches the addresses it resolves for these names; a resolution snapshot shows them)");
  return lines;
}

function addressLines(d: DomainDestinationJson): string[] {
  if (d.addresses === null) return [];
  if (d.addresses.length === 0) return ["        no address in the resolution snapshot"];
  return d.addresses.map((r) => `        ${r.address}${viaText(r, d.pattern)}, TTL ${r.ttl} s${r.clusterIpOf === undefined ? "" : `: the ClusterIP of Service ${r.clusterIpOf}, which no connection has after Service translation`}`);
}

function workloadLines(w: WorkloadEgressJson, a: EgressJson["assumptions"]): string[] {
  const ips = w.ips.length === 0 ? "" : `  ${formatAddresses(w.ips)}`;
  const of = w.owner === undefined ? "" : ` (of ${w.owner.kind} ${w.owner.name}, unlike its other pods)`;
  return [`  ${w.kind} ${w.name}${of}${ips}`, `    ${governance(w)}`, ...guardrailLines(w), ...reachLines(w), ...domainLines(w, a), ...columns(notable(w, a), "    ")];
}

function namespaceLines(n: NamespaceEgressJson, a: EgressJson["assumptions"]): string[] {
  const egress = n.policies.filter((p) => p.affects.includes("egress")).map((p) => p.name);
  const head = `Namespace ${n.namespace}: ${egress.length === 0 ? "no egress policies" : `egress policies ${egress.join(", ")}`}`;
  const body = n.workloads.length === 0 ? ["  no workloads in the manifests"] : n.workloads.flatMap((w) => ["", ...workloadLines(w, a)]);
  return [head, ...body];
}

export function renderEgressText(v: EgressJson): string {
  const lines: string[] = [];
  if (v.namespaces.length === 0) lines.push("No NetworkPolicy in the manifests: every pod may reach every address.");
  for (const n of v.namespaces) lines.push(...namespaceLines(n, v.assumptions), "");
  if (v.unrestricted.length > 0) {
    lines.push("No policies (all egress allowed):");
    lines.push(...columns(v.unrestricted.map((u) => [u.namespace, u.endpoints.join(", ")]), "  "), "");
  }
  const a = v.assumptions;
  if (a.dns.assumed) lines.push(`No kube-system/kube-dns pods in the manifests: DNS is checked against an assumed ${a.dns.server} pod.`);
  lines.push(
    `Pods without a known IP are taken to be in ${formatAddresses(a.podNetwork)} (${podNetworkOrigin(a.podNetworkFrom)}); ipBlocks ${a.ipBlockMatchesPods ? "match" : "do not match"} pod IPs (--ipblock-matches-pods).`,
    "Why is something blocked? portcullis check -f ... --from NAMESPACE/NAME --to ADDRESS --port N",
  );
  return lines.join("\n") + "\n";
}
