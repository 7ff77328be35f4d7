/**
 * `portcullis scaffold`: a baseline of egress policies for one namespace, as YAML. Default deny;
 * optionally DNS to the cluster DNS pods; the allowances asked for, with the cloud metadata
 * addresses carved out of any ipBlock that contains them when asked to block metadata.
 */
import { dns1123LabelProblem } from "../k8s/validate.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr, hostCidr } from "../net/cidr.js";
import { DNS_LABELS, DNS_NAMESPACE, metadataAddresses } from "../model/well-known.js";
import { compareIps, type Ip, formatIp } from "../net/ip.js";
import { scaffoldCodes, scaffoldMessages } from "./messages.js";
import { type AllowPort, type AllowSpec, parseAllowSpec } from "./spec.js";
import { type YamlEntry, type YamlNode, emitDocument, entry, item, list, map } from "./yaml.js";

export interface ScaffoldOptions {
  readonly namespace: string;
  /** Allow DNS to the kube-dns pods in kube-system, 53/UDP and 53/TCP. */
  readonly allowDns: boolean;
  /** Except the cloud metadata addresses from every ipBlock allowance that contains one. */
  readonly blockMetadata: boolean;
  /** `--allow-to` specifications, as written (grammar in spec.ts). */
  readonly allowTo: readonly string[];
  /** Metadata addresses besides the defaults (`--metadata`). */
  readonly metadata?: readonly Ip[];
  /** The pods' DNS servers (`--dns`, e.g. NodeLocal DNSCache): DNS is allowed to them instead of the kube-dns pods. */
  readonly dns?: readonly Ip[];
}

export interface ScaffoldError {
  readonly code: string;
  readonly message: string;
  /** The option at fault: `namespace`, or `allow-to[1]` (0-based, in the order given). */
  readonly field: string;
}

export type ScaffoldResult = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly errors: readonly ScaffoldError[] };

/** The metadata addresses inside `cidr`, in address order. */
function metadataInside(metadata: readonly Ip[], cidr: Cidr): Ip[] {
  return metadata.filter((ip) => AddressSet.fromCidr(cidr).has(ip)).sort(compareIps);
}

function header(name: string, namespace: string): YamlEntry[] {
  return [
    entry("apiVersion", "networking.k8s.io/v1"),
    entry("kind", "NetworkPolicy"),
    entry("metadata", map(entry("name", name), entry("namespace", namespace))),
  ];
}

/** A policy for every pod of the namespace that declares Egress, with `rules` (none: deny all). */
function policy(name: string, namespace: string, rules: YamlNode | null): YamlNode {
  const spec = [entry("podSelector", map()), entry("policyTypes", list(item("Egress")))];
  if (rules !== null) spec.push(entry("egress", rules));
  return map(...header(name, namespace), entry("spec", map(...spec)));
}

function portItems(ports: readonly AllowPort[]): YamlNode {
  return list(
    ...ports.map((p) =>
      item(map(entry("protocol", p.protocol), entry("port", p.from), ...(p.to === p.from ? [] : [entry("endPort", p.to)]))),
    ),
  );
}

const matchLabels = (labels: readonly (readonly [string, string])[]): YamlNode =>
  labels.length === 0 ? map() : map(entry("matchLabels", map(...labels.map(([k, v]) => entry(k, v)))));

/** One peer naming pods of one namespace: both selectors in ONE peer, so they AND. */
function podsPeer(namespace: string, labels: readonly (readonly [string, string])[]): YamlNode {
  return map(
    entry("namespaceSelector", matchLabels([["kubernetes.io/metadata.name", namespace]])),
    entry("podSelector", matchLabels(labels)),
  );
}

const DNS_COMMENT = [
  "DNS: the cluster DNS pods (k8s-app=kube-dns in kube-system) on 53/UDP and 53/TCP; TCP carries",
  "large answers. Both selectors sit in ONE peer: kube-dns pods *in* kube-system. Written as two",
  "peers (a '-' before podSelector) they would allow all of kube-system, or kube-dns pods anywhere.",
];

const DNS_IPS_COMMENT = [
  "DNS: the addresses given with --dns (e.g. NodeLocal DNSCache) on 53/UDP and 53/TCP; TCP carries",
  "large answers.",
];

/** DNS to the cluster DNS (model/well-known.ts): the --dns addresses, else the kube-dns pods. */
function dnsPolicy(namespace: string, ips: readonly Ip[]): string {
  const peers = ips.length > 0 ? ips.map((ip) => item(map(entry("ipBlock", map(entry("cidr", formatCidr(hostCidr(ip)))))))) : [item(podsPeer(DNS_NAMESPACE, [...DNS_LABELS]))];
  const rule = map(entry("to", list(...peers)), entry("ports", portItems([{ protocol: "UDP", from: 53, to: 53 }, { protocol: "TCP", from: 53, to: 53 }])));
  return emitDocument(policy("allow-dns-egress", namespace, list(item(rule))), ips.length > 0 ? DNS_IPS_COMMENT : DNS_COMMENT);
}

interface Rule {
  readonly node: YamlNode;
  readonly comment: string[];
  /** Whether the rule lets pods reach a cloud metadata address. */
  readonly metadata: boolean;
}

function cidrRule(spec: AllowSpec, cidr: Cidr, metadata: Metadata): Rule | ScaffoldError {
  const blockMetadata = metadata.block;
  const inside = metadataInside(metadata.addresses, cidr);
  const comment = [`--allow-to ${spec.text}`];
  let except: Cidr[] = [];
  if (inside.length > 0 && blockMetadata) {
    // "except ... CIDRs that should not be included within the IPBlock"; it must lie strictly inside.
    if (inside.some((ip) => hostCidr(ip).prefix === cidr.prefix)) {
      return { code: scaffoldCodes.metadataConflict, message: scaffoldMessages.metadataConflict(formatCidr(cidr)), field: "" };
    }
    except = inside.map(hostCidr);
    comment.push(
      `Cloud metadata excepted (--block-metadata): ${except.map(formatCidr).join(", ")}.`,
      "A pod that reaches a metadata address can read the node's cloud credentials.",
    );
  } else if (inside.length > 0) {
    const addresses = inside.map((ip) => formatCidr(hostCidr(ip))).join(", ");
    comment.push(`Note: this includes the cloud metadata address ${addresses}; --block-metadata would except it.`);
  }
  const block = [entry("cidr", formatCidr(cidr)), ...(except.length === 0 ? [] : [entry("except", list(...except.map((c) => item(formatCidr(c)))))])];
  return { node: ruleNode(map(entry("ipBlock", map(...block))), spec), comment, metadata: inside.length > 0 && except.length === 0 };
}

function ruleNode(peer: YamlNode, spec: AllowSpec): YamlNode {
  return map(entry("to", list(item(peer))), ...(spec.ports === "all" ? [] : [entry("ports", portItems(spec.ports))]));
}

/** The metadata addresses (model/well-known.ts), and whether to except them. */
interface Metadata {
  readonly addresses: readonly Ip[];
  readonly block: boolean;
}

function allowRule(spec: AllowSpec, metadata: Metadata): Rule | ScaffoldError {
  const d = spec.destination;
  if (d.kind === "cidr") return cidrRule(spec, d.cidr, metadata);
  return { node: ruleNode(podsPeer(d.namespace, d.labels), spec), comment: [`--allow-to ${spec.text}`], metadata: false };
}

function isError(r: Rule | ScaffoldError): r is ScaffoldError {
  return "code" in r;
}

/** Builds the policies; every problem with the options is returned, nothing is thrown. */
export function scaffold(options: ScaffoldOptions): ScaffoldResult {
  const errors: ScaffoldError[] = [];
  const nsProblem = dns1123LabelProblem(options.namespace);
  if (nsProblem !== undefined) errors.push({ code: scaffoldCodes.namespace, message: scaffoldMessages.namespace(options.namespace, nsProblem), field: "namespace" });
  const dns = options.dns ?? [];
  if (dns.length > 0 && !options.allowDns) errors.push({ code: scaffoldCodes.dnsWithoutAllow, message: scaffoldMessages.dnsWithoutAllow(), field: "dns" });
  const rules: Rule[] = [];
  const metadata: Metadata = { addresses: metadataAddresses(options.metadata), block: options.blockMetadata };
  options.allowTo.forEach((text, index) => {
    const field = `allow-to[${index}]`;
    const spec = parseAllowSpec(text);
    if (!spec.ok) return errors.push({ code: scaffoldCodes.spec, message: spec.message, field });
    const rule = allowRule(spec.value, metadata);
    if (isError(rule)) return errors.push({ ...rule, field });
    return rules.push(rule);
  });
  if (errors.length > 0) return { ok: false, errors };
  const ns = options.namespace;
  const reachesMetadata = rules.some((r) => r.metadata);
  const docs = [emitDocument(policy("default-deny-egress", ns, null), headerComment(options, metadata.addresses, reachesMetadata))];
  if (options.allowDns) docs.push(dnsPolicy(ns, dns));
  if (rules.length > 0) {
    const egress = list(...rules.map((r) => item(r.node, r.comment)));
    docs.push(emitDocument(policy("allow-egress", ns, egress), ["The allowances asked for, one rule each."]));
  }
  return { ok: true, value: docs.join("---\n") };
}

function headerComment(options: ScaffoldOptions, metadata: readonly Ip[], reachesMetadata: boolean): string[] {
  const lines = [
    `Egress baseline for namespace ${options.namespace}, written by portcullis scaffold.`,
    "Policies add up: a pod may send what any policy selecting it allows, and nothing else.",
    "",
    "Default deny: every pod in the namespace is isolated for egress.",
  ];
  if (!options.allowDns) lines.push("DNS is denied too (no --allow-dns): name lookups will fail.");
  if (!reachesMetadata) lines.push(`Cloud metadata (${metadata.map(formatIp).join(", ")}) stays blocked: no allowance below reaches it.`);
  return lines;
}
