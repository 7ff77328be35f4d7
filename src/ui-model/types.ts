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
