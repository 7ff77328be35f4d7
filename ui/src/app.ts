/**
 * The page: fetches the view (GET /api/view), draws it (graph.ts, behind GraphHandle) and wires the
 * toolbar and the side panel's tabs (Details, What-if, Findings, Policies, Diff). The page's state
 * lives in the URL (url-state.ts): a reload or a copied link shows the same view.
 */
import type { UiView } from "../../src/ui-model/types.js";
import { api } from "./api.js";
import { detailsPanel } from "./details.js";
import { diffPanel } from "./diff-panel.js";
import { byId, errorBox, fill } from "./dom.js";
import { header } from "./header.js";
import { keyboard } from "./keys.js";
import { download } from "./download.js";
import { findingsPanel } from "./findings.js";
import { drawGraph } from "./graph.js";
import type { GraphHandle } from "./graph-handle.js";
import { policiesPanel } from "./policies.js";
import { wireTabs } from "./tabs.js";
import { graphFilter, toolbar } from "./toolbar.js";
import { pageHistory } from "./history.js";
import type { PageState, Tab } from "./url-state.js";
import { whatIfPanel } from "./whatif.js";

const status = byId("status");

async function start(): Promise<void> {
  const first = await api.view();
  if (!first.ok) throw new Error(`GET /api/view: ${first.error}`);
  let view: UiView = first.value;
  const page = pageHistory();
  const remember = page.remember;

  const details = detailsPanel(byId("panel-details"), () => view, {
    visible: () => new Set(graph.visible().nodes),
    onNode: (id) => selectNode(id, "list", true),
    onEdge: (id) => selectEdge(id, "list", "details", true),
  });
  const tabs = wireTabs(byId("tabs"), (tab) => remember({ tab }, "push"));
  /** `moveFocus`: chosen in the Details panel's own list, which the answer replaces. */
  const selectNode = (id: string, from: "graph" | "list", moveFocus = false): void => {
    if (from === "list") graph.focus(id);
    remember({ selected: { kind: "node", id }, tab: "details" }, "push");
    tabs.show("details");
    void details.showNode(id, moveFocus);
  };
  const selectEdge = (id: string, from: "graph" | "list", tab: Tab = "details", moveFocus = false): void => {
    if (from === "list") graph.focus(id);
    remember({ selected: { kind: "edge", id }, tab }, "push");
    if (tab === "details") tabs.show("details");
    void details.showEdge(id, moveFocus);
  };
  const clearSelection = (): void => {
    graph.highlight([], []);
    details.clear();
    remember({ selected: null, finding: "" }, "push");
    findings.render(view.findings, "");
  };

  const bar = toolbar(
    {
      namespaces: byId<HTMLSelectElement>("filter-ns"),
      workload: byId<HTMLInputElement>("filter-workload"),
      port: byId<HTMLInputElement>("filter-port"),
      search: byId<HTMLInputElement>("filter-search"),
      clear: byId<HTMLButtonElement>("filter-clear"),
      workloads: byId<HTMLDataListElement>("workloads"),
      destinations: byId<HTMLDataListElement>("destinations"),
    },
    (values) => {
      graph.applyFilter(graphFilter(values, view));
      if (page.state().selected === null) details.clear();
      remember({ namespaces: values.namespaces, workload: values.workload, port: values.port, search: values.search }, "replace");
    },
  );
  const findings = findingsPanel(
    byId("panel-findings"),
    (finding) => {
      graph.highlight(finding?.nodes ?? [], finding?.edges ?? []);
      remember({ finding: finding?.id ?? "" }, "push");
    },
    { name: (id) => nameOf(view, id), onNode: (id) => selectNode(id, "list", true), onEdge: (id) => selectEdge(id, "list", "details", true) },
  );
  const diff = diffPanel(byId("panel-diff"), (edge) => {
    graph.highlight([edge.from, edge.to], [edge.id]);
    selectEdge(edge.id, "list", "diff");
  });
  const whatIf = whatIfPanel(byId<HTMLFormElement>("whatif-form"), byId("whatif-answer"), (question) => remember({ question, tab: "whatif" }, "replace"));

  const graph: GraphHandle = drawGraph(byId("graph"), view, {
    onSelectNode: (id) => selectNode(id, "graph"),
    onSelectEdge: (id) => selectEdge(id, "graph"),
    onClear: clearSelection,
    onSelectNamespace: (namespace) => {
      remember({ selected: null }, "push");
      tabs.show("details");
      details.showNamespace(namespace);
    },
  });

  /** Shows everything that derives from the view (after the start and after an edit). */
  const showView = (): void => {
    header(view);
    bar.offer(view);
    findings.render(view.findings, page.state().finding);
    diff.render(view, selectedEdge(page.state()));
    byId("tab-diff").hidden = view.diff === null;
    byId("diff-legend").hidden = view.diff === null;
  };

  /** Brings the page to a state (the URL at start, or back/forward). */
  const apply = async (next: PageState): Promise<void> => {
    bar.set(next);
    graph.applyFilter(graphFilter(next, view));
    tabs.show(next.tab === "diff" && view.diff === null ? "details" : next.tab);
    const finding = view.findings.find((f) => f.id === next.finding);
    findings.render(view.findings, next.finding);
    graph.highlight(finding?.nodes ?? [], finding?.edges ?? []);
    if (next.selected === null) details.clear();
    else {
      graph.focus(next.selected.id);
      if (next.selected.kind === "node") void details.showNode(next.selected.id);
      else void details.showEdge(next.selected.id);
    }
    await whatIf.ask(next.question);
  };

  const policies = policiesPanel(
    {
      pick: byId<HTMLSelectElement>("policy-pick"),
      text: byId<HTMLTextAreaElement>("policy-text"),
      pasted: byId<HTMLTextAreaElement>("policy-new"),
      apply: byId<HTMLButtonElement>("policy-apply"),
      remove: byId<HTMLButtonElement>("policy-remove"),
      reset: byId<HTMLButtonElement>("policy-reset"),
      result: byId("policy-result"),
    },
    async (next) => {
      view = next;
      showView();
      status.textContent = "Laying out the edited view…";
      await graph.update(next);
      graph.applyFilter(graphFilter(bar.read(), view));
      if (page.state().selected === null) details.clear();
      status.textContent = "";
    },
  );

  showView();
  // The filters apply as they change: Enter in one of them submits nothing.
  byId("toolbar").addEventListener("submit", (event) => event.preventDefault());
  keyboard(clearSelection, () => byId<HTMLInputElement>("filter-search").focus());
  byId("export-svg").addEventListener("click", () => download(new Blob([graph.exportSvg()], { type: "image/svg+xml" }), "portcullis-egress.svg"));
  byId("export-png").addEventListener("click", () => {
    graph.exportPng().then(
      (png) => download(png, "portcullis-egress.png"),
      (error: unknown) => fail(`The PNG could not be made: ${String(error)}`),
    );
  });
  page.onMove((state) => void apply(state));
  status.textContent = "Laying out…";
  await graph.layout();
  status.textContent = "";
  await Promise.all([apply(page.state()), policies.load()]);
}

const selectedEdge = (state: PageState): string => (state.selected?.kind === "edge" ? state.selected.id : "");

/** How the lists name a node (its workload, or its label) or an edge (`a → b: ports`). */
function nameOf(view: UiView, id: string): string {
  const node = view.nodes.find((n) => n.id === id);
  if (node !== undefined) return node.target ?? node.label;
  const edge = view.edges.find((e) => e.id === id);
  return edge === undefined ? id : `${nameOf(view, edge.from)} → ${nameOf(view, edge.to)}: ${edge.label}`;
}

function fail(message: string): void {
  fill(status, [errorBox(message)]);
}

start().catch((error: unknown) => {
  document.body.dataset["state"] = "failed";
  fail(`The page could not load: ${error instanceof Error ? error.message : String(error)}`);
});
