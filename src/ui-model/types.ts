/**
 * The page's data (`portcullis ui`, docs/ui.md): what GET /api/view answers. A stable JSON contract:
 * keys are added, never renamed. Built by the pure functions of this folder from an engine, the
 * lint findings and (with --against/--base or an edit in the page) the semantic diff.
 */
import type { EdgeStyle, NodeKind } from "../graph/types.js";
import type { ChangeClass, ChangeKind, DiffSummary } from "../diff/types.js";
import type { FindingsJson } from "../lint/render-json.js";

export const UI_VIEW_VERSION = 1;

/** One node of the picture: a workload (endpoint) or a destination outside the namespaces. */
export interface UiNode {
  /** Unique in the view, stable for the same input: the graph's node id. */
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  /** The namespace box an endpoint sits in; null for the other kinds. */
  readonly namespace: string | null;
  /** What `check --from/--to` and `explain` take for this node: an endpoint's id (`ns/name[Kind]`), an address node's first CIDR, a domain's pattern; null: none (the internet, anywhere). */
  readonly target: string | null;
  /** With a diff: an endpoint present only in the new version (`added`) or only in the old (`removed`); null otherwise. */
  readonly change: "added" | "removed" | null;
}

/** A diff's mark on an edge: how the connections it stands for changed, and the diff's classes. */
export interface UiEdgeChange {
  readonly kind: ChangeKind;
  readonly classes: readonly ChangeClass[];
  /** The connections allowed in the new version only (`TCP 443`), and in the old only. */
  readonly added: string;
  readonly removed: string;
}

export interface UiEdge {
  /** Unique in the view: `from->to` with the style when two edges join the same nodes. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly style: EdgeStyle;
  /** Ports (`TCP 5432`), `blocked`, or the admin rule; as `graph` draws it. */
  readonly label: string;
  /** With a diff: the change on this edge; null: unchanged or no diff. An edge of the old version only is kept with style `blocked`-free `removed` kind. */
  readonly change: UiEdgeChange | null;
}

export interface UiGroup {
  readonly id: string;
  readonly namespace: string;
  readonly nodes: readonly string[];
}

/** A lint finding with the nodes and edges it concerns (its endpoints, as node ids; the edges from them it speaks of). */
export type UiFinding = FindingsJson["findings"][number] & { readonly id: string; readonly nodes: readonly string[]; readonly edges: readonly string[] };

export interface UiDiff {
  /** What was compared: `old/ (--against)` … */
  readonly old: string;
  readonly new: string;
  readonly summary: DiffSummary;
}

export interface UiView {
  readonly version: typeof UI_VIEW_VERSION;
  /** What was read (`2 files`, `the live cluster …`), and whether the view holds edits made in the page. */
  readonly source: { readonly label: string; readonly edited: boolean };
  readonly groups: readonly UiGroup[];
  readonly nodes: readonly UiNode[];
  readonly edges: readonly UiEdge[];
  readonly findings: readonly UiFinding[];
  /** null: no comparison (no --against/--base and no edit). */
  readonly diff: UiDiff | null;
  /** The assumptions the answers make (the pod network, namespaces without labels …), one sentence each. */
  readonly assumptions: readonly string[];
  readonly counts: { readonly namespaces: number; readonly workloads: number; readonly edges: number; readonly findings: number };
}

/**
 * GET /api/explain?node=ID: what the node's workload may send to and receive from, per rule, with the
 * isolating policies and their file:line. `text` is what `portcullis explain TARGET` prints, `json`
 * what `-o json` prints (unknown: the page reads the keys it knows). A node that is no workload
 * (an address range, the internet …) gets `text` saying what it stands for and which sources reach it, `json` null.
 */
export interface ExplainAnswer {
  readonly node: string;
  readonly title: string;
  readonly text: string;
  readonly json: unknown;
}

/**
 * GET /api/edge?id=EDGE_ID: which rules allow (or block) the connections an edge stands for: one
 * `check` per port of the edge (`checks`), each with the text and JSON `check` prints.
 */
export interface EdgeAnswer {
  readonly edge: string;
  readonly title: string;
  readonly checks: readonly CheckAnswer[];
}

/**
 * POST /api/check {from, to, port, protocol?}: the what-if. Answered by `portcullis check` itself
 * (the same parsing, the same explanation): `status` is its exit status (`ok`: allowed; `negative`:
 * denied or depends), `text` and `json` what it prints. A question check refuses (unknown workload,
 * bad port) is HTTP 400 `{error}` with check's message.
 */
export interface CheckRequest {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly protocol?: string;
}

export interface CheckAnswer {
  readonly question: CheckRequest;
  readonly status: "ok" | "negative" | "incomplete";
  /** `allowed`, `denied`, `depends`: the verdict line of check's JSON. */
  readonly verdict: string;
  readonly text: string;
  readonly json: unknown;
}

/** One policy object of the input, as the page lists it for editing (GET /api/policies). */
export interface PolicyDocument {
  /** `NetworkPolicy/production/web-api-egress`, `ClusterNetworkPolicy/deny-metadata`. */
  readonly ref: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** `examples/egress/policies.yaml:12` (or the live object). */
  readonly at: string;
  /** The object as YAML: its source text when read from a file. */
  readonly text: string;
}

/**
 * POST /api/policies {documents: [{name, text}], remove?: [ref]}: the page's edits, applied over the
 * input read at start (an object of the same kind, namespace and name is replaced; others added;
 * `remove` drops objects), nothing written anywhere. 200: the new UiView (`source.edited`, `diff`
 * against the input read at start); 422 `{diagnostics: [{file, line, column, path, message}]}` when
 * the text has errors (the view is unchanged). POST /api/policies/reset: back to the input read at start.
 */
export interface EditRequest {
  readonly documents: readonly { readonly name: string; readonly text: string }[];
  readonly remove?: readonly string[];
}

export interface EditDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly severity: "error" | "warning";
  readonly message: string;
}
