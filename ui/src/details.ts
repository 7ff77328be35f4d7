/**
 * The Details tab: the explanation of the selected node (GET /api/explain) or edge (GET /api/edge),
 * as the text the CLI prints and its structured parts (isolating policies with file:line, rules).
 */
import type { CheckAnswer, UiView } from "../../src/ui-model/types.js";
import { api } from "./api.js";
import { errorBox, fill, h } from "./dom.js";
import { checkParts, explainParts, verdictBadge } from "./explanation.js";

export interface Details {
  showNode(id: string): Promise<void>;
  showEdge(id: string): Promise<void>;
  clear(): void;
}

export function detailsPanel(panel: HTMLElement, view: () => UiView): Details {
  const intro = [...panel.childNodes];
  let asked = 0;
  /** Shows the answer only if no newer question was asked meanwhile. */
  const answer = async (title: string, work: () => Promise<Node[]>): Promise<void> => {
    const mine = ++asked;
    fill(panel, [h("h3", {}, [title]), h("p", { class: "hint", role: "status" }, ["Asking the engine…"])]);
    const parts = await work();
    if (mine === asked) fill(panel, [h("h3", { "data-testid": "details-title" }, [title]), ...parts]);
  };
  return {
    showNode: (id) => {
      const node = view().nodes.find((n) => n.id === id);
      const group = view().groups.find((g) => g.id === id);
      return answer(node?.target ?? group?.namespace ?? node?.label ?? id, async () => {
        const got = await api.explain(id);
        if (!got.ok) return [errorBox(got.error)];
        return [h("p", { class: "subtitle" }, [got.value.title]), ...explainParts(got.value.json), textBlock(got.value.text)];
      });
    },
    showEdge: (id) => {
      const edge = view().edges.find((e) => e.id === id);
      return answer(edge === undefined ? id : `${edge.from} → ${edge.to}: ${edge.label}`, async () => {
        const got = await api.edge(id);
        if (!got.ok) return [errorBox(got.error)];
        const change = edge?.change ?? null;
        return [
          h("p", { class: "subtitle" }, [got.value.title]),
          change === null ? null : h("p", { class: `change change-${change.kind}`, "data-testid": "edge-change" }, [`${change.kind}${change.classes.length > 0 ? ` (${change.classes.join(", ")})` : ""}`, change.added === "" ? "" : `; + ${change.added}`, change.removed === "" ? "" : `; − ${change.removed}`]),
          ...got.value.checks.flatMap(checkBlock),
        ].filter((n): n is HTMLElement => n !== null);
      });
    },
    clear: () => {
      asked++;
      fill(panel, intro);
    },
  };
}

export function checkBlock(check: CheckAnswer): HTMLElement[] {
  const q = check.question;
  return [h("h4", {}, [`${q.protocol ?? "TCP"} ${q.port}`]), verdictBadge(check.verdict), ...checkParts(check.json), textBlock(check.text)];
}

function textBlock(text: string): HTMLElement {
  return h("details", { class: "text", open: "" }, [h("summary", {}, ["As the CLI prints it"]), h("pre", { "data-testid": "explain-text" }, [text])]);
}
