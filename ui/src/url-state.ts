/**
 * The page's state as the URL's query (docs/ui.md#url-state): what is selected, the filters, the open
 * tab and the what-if question. Reading a URL and writing it back gives the same URL, so a copied
 * link or a reload shows the same view.
 */

export const TABS = ["details", "whatif", "findings", "policies", "diff"] as const;
export type Tab = (typeof TABS)[number];

export interface Question {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly protocol: string;
}

export interface PageState {
  readonly tab: Tab;
  /** The selected node or edge (`node:ID`, `edge:ID`); null: nothing. */
  readonly selected: { readonly kind: "node" | "edge"; readonly id: string } | null;
  readonly namespaces: readonly string[];
  readonly workload: string;
  readonly port: string;
  readonly search: string;
  /** The selected finding (its id). */
  readonly finding: string;
  readonly question: Question;
}

export const EMPTY_QUESTION: Question = { from: "", to: "", port: "", protocol: "TCP" };

export function readState(search: string): PageState {
  const q = new URLSearchParams(search);
  const tab = q.get("tab") ?? "";
  const node = q.get("node");
  const edge = q.get("edge");
  return {
    tab: (TABS as readonly string[]).includes(tab) ? (tab as Tab) : "details",
    selected: node !== null && node !== "" ? { kind: "node", id: node } : edge !== null && edge !== "" ? { kind: "edge", id: edge } : null,
    namespaces: (q.get("ns") ?? "").split(",").filter((n) => n !== ""),
    workload: q.get("workload") ?? "",
    port: q.get("port") ?? "",
    search: q.get("q") ?? "",
    finding: q.get("finding") ?? "",
    question: { from: q.get("from") ?? "", to: q.get("to") ?? "", port: q.get("toPort") ?? "", protocol: q.get("protocol") ?? "TCP" },
  };
}

/** The query string (with `?`, or empty) for a state; defaults are left out. */
export function writeState(state: PageState): string {
  const q = new URLSearchParams();
  const put = (key: string, value: string, fallback = ""): void => {
    if (value !== fallback) q.set(key, value);
  };
  put("tab", state.tab, "details");
  if (state.selected !== null) q.set(state.selected.kind, state.selected.id);
  put("ns", state.namespaces.join(","));
  put("workload", state.workload);
  put("port", state.port);
  put("q", state.search);
  put("finding", state.finding);
  put("from", state.question.from);
  put("to", state.question.to);
  put("toPort", state.question.port);
  put("protocol", state.question.protocol, "TCP");
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}
