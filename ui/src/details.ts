/**
 * The Details tab: the explanation of the selected node (GET /api/explain) or edge (GET /api/edge),
 * as the text the CLI prints and its structured parts (isolating policies with file:line, rules).
 */
import type { CheckAnswer, UiEdge, UiView } from "../../src/ui-model/types.js";
import { choiceList } from "./choice-list.js";
import { api } from "./api.js";
import { errorBox, fill, h } from "./dom.js";
import { checkParts, explainParts, verdictBadge } from "./explanation.js";

export interface Details {
  /** `focus`: move the keyboard focus to the answer (chosen from a list, whose items it replaces). */
  showNode(id: string, focus?: boolean): Promise<void>;
  showEdge(id: string, focus?: boolean): Promise<void>;
  /** A namespace box chosen in the graph: its workloads, to choose one. */
  showNamespace(namespace: string): void;
  clear(): void;
}

export interface DetailsLinks {
  /** The node ids the filters show (GraphHandle.visible). */
  readonly visible: () => ReadonlySet<string>;
  readonly onNode: (id: string) => void;
  readonly onEdge: (id: string) => void;
}

export function detailsPanel(panel: HTMLElement, view: () => UiView, links: DetailsLinks): Details {
  const hint = [...panel.childNodes];
  /** Nothing selected: the hint and the nodes the filters show, to choose one by keyboard. */
  const intro = (): Node[] => [...hint, nodeList(view(), links)];
  let asked = 0;
  /** Shows the answer only if no newer question was asked meanwhile. */
  const answer = async (title: string, focus: boolean, work: () => Promise<Node[]>): Promise<void> => {
    const mine = ++asked;
    const heading = h("h3", { tabindex: "-1", "data-testid": "details-title" }, [title]);
    fill(panel, [heading, h("p", { class: "hint", role: "status" }, ["Asking the engine…"])]);
    if (focus) heading.focus();
    const parts = await work().catch((error: unknown) => [shown(error)]);
    if (mine !== asked) return;
    // The heading stays in place: it may hold the keyboard focus.
    while (heading.nextSibling !== null) heading.nextSibling.remove();
    panel.append(...parts);
  };
  return {
    showNode: (id, focus = false) => {
      const node = view().nodes.find((n) => n.id === id);
      const group = view().groups.find((g) => g.id === id);
      return answer(node?.target ?? group?.namespace ?? node?.label ?? id, focus, async () => {
        const got = await api.explain(id);
        if (!got.ok) return [errorBox(got.error)];
        return [h("p", { class: "subtitle" }, [got.value.title]), edgeList(view(), id, links), ...explainParts(got.value.json), textBlock(got.value.text)];
      });
    },
    showEdge: (id, focus = false) => {
      const edge = view().edges.find((e) => e.id === id);
      return answer(edge === undefined ? id : `${edge.from} → ${edge.to}: ${edge.label}`, focus, async () => {
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
    showNamespace: (namespace) => {
      asked++;
      const workloads = view().nodes.filter((n) => n.namespace === namespace);
      fill(panel, [
        h("h3", { "data-testid": "details-title" }, [`Namespace ${namespace}`]),
        choiceList("Workloads", [{ title: namespace, choices: workloads.map((n) => ({ id: n.id, label: n.label, note: n.change ?? "" })) }], links.onNode),
      ]);
    },
    clear: () => {
      asked++;
      fill(panel, intro());
    },
  };
}

/** The nodes the filters show, by namespace, then the destinations outside them. */
function nodeList(view: UiView, links: DetailsLinks): HTMLElement {
  const visible = links.visible();
  const shown = view.nodes.filter((n) => visible.has(n.id));
  const byNamespace = view.groups.map((g) => ({ title: g.namespace, choices: shown.filter((n) => n.namespace === g.namespace).map((n) => ({ id: n.id, label: n.label, note: n.change ?? "" })) }));
  const outside = { title: "destinations", choices: shown.filter((n) => n.namespace === null).map((n) => ({ id: n.id, label: n.label, note: "" })) };
  return choiceList("Nodes", [...byNamespace, outside], links.onNode);
}

/** The edges from and to a node, to choose one by keyboard. */
function edgeList(view: UiView, id: string, links: DetailsLinks): HTMLElement {
  const name = (node: string): string => view.nodes.find((n) => n.id === node)?.target ?? view.nodes.find((n) => n.id === node)?.label ?? node;
  const note = (e: UiEdge): string => `${e.label}${e.change === null ? "" : ` (${e.change.kind})`}`;
  return choiceList("Edges", [
    { title: "sends to", choices: view.edges.filter((e) => e.from === id).map((e) => ({ id: e.id, label: `→ ${name(e.to)}`, note: note(e) })) },
    { title: "receives from", choices: view.edges.filter((e) => e.to === id).map((e) => ({ id: e.id, label: `← ${name(e.from)}`, note: note(e) })) },
  ], links.onEdge);
}

/** A failure of the page itself (not of the server): shown where the answer would be, and reported to the console. */
export function shown(error: unknown): HTMLElement {
  reportError(error);
  return errorBox(`The page could not show the answer: ${error instanceof Error ? error.message : String(error)}`);
}

export function checkBlock(check: CheckAnswer): HTMLElement[] {
  const q = check.question;
  return [h("h4", {}, [`${q.protocol ?? "TCP"} ${q.port}`]), verdictBadge(check.verdict), ...checkParts(check.json), textBlock(check.text)];
}

function textBlock(text: string): HTMLElement {
  return h("details", { class: "text", open: "" }, [h("summary", {}, ["As the CLI prints it"]), h("pre", { "data-testid": "explain-text" }, [text])]);
}
