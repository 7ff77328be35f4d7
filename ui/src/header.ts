/** The header: what was read, the counts, whether the view holds edits, the assumptions. */
import type { UiView } from "../../src/ui-model/types.js";
import { byId, fill, h, plural } from "./dom.js";

export function header(view: UiView): void {
  const c = view.counts;
  byId("source").textContent = `${view.source.label}: ${plural(c.workloads, "workload")} in ${plural(c.namespaces, "namespace")}, ${plural(c.edges, "edge")}, ${plural(c.findings, "finding")}`;
  byId("edited").hidden = !view.source.edited;
  const assumptions = byId("assumptions");
  assumptions.hidden = view.assumptions.length === 0;
  fill(
    byId("assumption-list"),
    view.assumptions.map((a) => h("li", {}, [a])),
  );
}
