/** The egress picture as data: the renderers (Mermaid, DOT) draw this same object. */
import type { Ip } from "../net/ip.js";

/**
 * - `endpoint`: a workload, grouped under its namespace.
 * - `addresses`: a region of the IP space some source may reach.
 * - `internet`, `metadata`: the notable destinations drawn when they are blocked.
 * - `anywhere`: stands for everything, for sources no egress policy restricts.
 * - `domain`: a `domainNames` pattern of a rule that decides some source's egress (issue 12), its
 *   label the pattern; with a resolution snapshot (the engine's, `--dns-records`/`--resolve`), `resolves` edges lead from it to `addresses`
 *   nodes of the addresses it admits.
 */
export type NodeKind = "endpoint" | "addresses" | "internet" | "metadata" | "anywhere" | "domain";

export interface GraphNode {
  /** A syntax-safe identifier (letters, digits, `_`), unique in the graph, stable for the same input. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** The namespace that groups an endpoint; null for the other kinds. */
  readonly namespace: string | null;
  /** An endpoint node's endpoint id (`ns/name[Kind]`, what `check` and `explain` take); null for the other kinds. */
  readonly endpoint: string | null;
}

/**
 * `allowed`: labelled with the ports; `blocked`: a notable destination the source may not reach.
 * Guardrails (the admin tiers): `guardrail-accepted`, allowed, and the first admin rule the
 * destination meets accepts (labelled with the ports and the rule); `guardrail-denied`, a notable
 * destination blocked where admin rules deny it (labelled with them). Domains: `domain-accepted`
 * (an Accept of the pattern: the addresses the source resolves, on the ports of the label),
 * `domain-denied` (a Deny or Pass of it); `resolves`, from a domain node to an address the
 * resolution snapshot gives it (labelled with the name, the CNAME chain and the TTL).
 */
export type EdgeStyle = "allowed" | "blocked" | "unrestricted" | "guardrail-accepted" | "guardrail-denied" | "domain-accepted" | "domain-denied" | "resolves";

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly style: EdgeStyle;
  /** `TCP 5432`, `UDP/TCP 53`, `all`, `blocked`, `no egress policy`, `UDP/TCP 53 (Admin allow-dns "kube-dns")`, `denied by Admin deny-metadata "block-imds"`. */
  readonly label: string;
}

export interface EgressGraph {
  /** Namespaces in name order, each with a syntax-safe id and its endpoint node ids in label order. */
  readonly groups: readonly { readonly id: string; readonly namespace: string; readonly nodes: readonly string[] }[];
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export interface GraphOptions {
  /** Draw only sources in this namespace (destinations anywhere); null: every namespace. */
  readonly namespace: string | null;
  /** Metadata addresses besides the defaults (`--metadata`). */
  readonly metadata?: readonly Ip[];
}
