/**
 * The Diff tab (a view with `diff`: --against, --base, or an edit in the page): the summary counts
 * by kind and class, and the changed edges as a keyboard-navigable list; choosing one focuses the edge.
 */
import type { UiEdge, UiView } from "../../src/ui-model/types.js";
import { fill, h } from "./dom.js";
import { rovingList } from "./roving.js";

const SIGNS: Record<string, string> = { widened: "+", added: "+", narrowed: "−", removed: "−" };

export interface DiffPanel {
  render(view: UiView, selectedEdge: string): void;
}

export function diffPanel(panel: HTMLElement, onChoose: (edge: UiEdge) => void): DiffPanel {
  let changed: readonly UiEdge[] = [];
  const list = h("ul", { role: "listbox", "aria-label": "Changed edges", class: "list", "data-testid": "diff-list" });
  const items = (): HTMLElement[] => [...list.querySelectorAll<HTMLElement>("[role=option]")];
  const mark = (id: string): void => {
    for (const item of items()) item.setAttribute("aria-selected", String(item.dataset["id"] === id));
  };
  const roving = rovingList(list, {
    items,
    onChoose: (item) => {
      const edge = changed.find((e) => e.id === item.dataset["id"]);
      if (edge === undefined) return;
      mark(edge.id);
      onChoose(edge);
    },
  });
  return {
    render(view, selectedEdge) {
      const diff = view.diff;
      if (diff === null) {
        fill(panel, [h("p", { class: "hint" }, ["No comparison: start with --against or --base, or apply an edit in the Policies tab."])]);
        return;
      }
      changed = view.edges.filter((e) => e.change !== null);
      const counts = Object.entries(diff.summary).filter(([, n]) => n > 0);
      fill(list, changed.map((e) => item(e, view)));
      fill(panel, [
        h("p", {}, [`${diff.new} compared with ${diff.old}`]),
        h("table", { class: "summary", "data-testid": "diff-summary" }, [
          h("caption", {}, ["Changes by kind and class"]),
          h("tbody", {}, counts.length === 0 ? [h("tr", {}, [h("td", {}, ["no changes"])])] : counts.map(([name, n]) => h("tr", {}, [h("th", { scope: "row" }, [name]), h("td", {}, [String(n)])]))),
        ]),
        h("h4", {}, [`Changed edges (${changed.length})`]),
        list,
      ]);
      const active = items().find((i) => i.dataset["id"] === selectedEdge);
      roving.reset(active);
      mark(active === undefined ? "" : selectedEdge);
    },
  };
}

function item(edge: UiEdge, view: UiView): HTMLElement {
  const change = edge.change;
  const label = (id: string): string => {
    const node = view.nodes.find((n) => n.id === id);
    if (node === undefined) return id;
    return node.kind === "endpoint" && node.target !== null ? node.target : node.label.length > 48 ? `${node.label.slice(0, 47)}…` : node.label;
  };
  const kind = change?.kind ?? "";
  return h("li", { role: "option", tabindex: "-1", "aria-selected": "false", class: `change change-${kind}`, "data-id": edge.id, "data-testid": "diff-edge", "data-kind": kind }, [
    h("span", { class: "icon", "aria-hidden": "true" }, [SIGNS[kind] ?? ""]),
    h("strong", {}, [` ${kind} `]),
    `${label(edge.from)} → ${label(edge.to)}`,
    change === null ? "" : ` ${[change.added === "" ? "" : `+ ${change.added}`, change.removed === "" ? "" : `− ${change.removed}`].filter((t) => t !== "").join("; ")}`,
    change === null || change.classes.length === 0 ? null : h("span", { class: "classes", "data-testid": "diff-classes" }, [` [${change.classes.join(", ")}]`]),
  ]);
}
