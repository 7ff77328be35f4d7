/**
 * The toolbar's filters (namespaces, workload, port, search) as a GraphFilter, and the lists the
 * what-if form offers (datalists of workloads and destinations).
 */
import type { UiView } from "../../src/ui-model/types.js";
import { fill, h } from "./dom.js";
import type { GraphFilter } from "./graph-handle.js";

export interface FilterElements {
  readonly namespaces: HTMLSelectElement;
  readonly workload: HTMLInputElement;
  readonly port: HTMLInputElement;
  readonly search: HTMLInputElement;
  readonly clear: HTMLButtonElement;
  readonly workloads: HTMLDataListElement;
  readonly destinations: HTMLDataListElement;
}

export interface FilterValues {
  readonly namespaces: readonly string[];
  /** A workload as typed: its target (`production/web-api`) or node id. */
  readonly workload: string;
  readonly port: string;
  readonly search: string;
}

export interface Toolbar {
  /** Fills the choices from the view, keeping what is chosen. */
  offer(view: UiView): void;
  set(values: FilterValues): void;
  read(): FilterValues;
}

export function toolbar(ui: FilterElements, onChange: (values: FilterValues) => void): Toolbar {
  const read = (): FilterValues => ({
    namespaces: [...ui.namespaces.selectedOptions].map((o) => o.value),
    workload: ui.workload.value.trim(),
    port: ui.port.value.trim(),
    search: ui.search.value.trim(),
  });
  const set = (values: FilterValues): void => {
    for (const option of ui.namespaces.options) option.selected = values.namespaces.includes(option.value);
    ui.workload.value = values.workload;
    ui.port.value = values.port;
    ui.search.value = values.search;
  };
  for (const control of [ui.namespaces, ui.workload, ui.port]) control.addEventListener("change", () => onChange(read()));
  ui.search.addEventListener("input", () => onChange(read()));
  ui.clear.addEventListener("click", () => {
    set({ namespaces: [], workload: "", port: "", search: "" });
    onChange(read());
  });
  return {
    offer(view) {
      const chosen = read();
      fill(
        ui.namespaces,
        view.groups.map((g) => h("option", { value: g.namespace }, [g.namespace])),
      );
      ui.namespaces.size = Math.min(4, Math.max(2, view.groups.length));
      set(chosen);
      const workloads = view.nodes.filter((n) => n.kind === "endpoint" && n.target !== null);
      fill(
        ui.workloads,
        workloads.map((n) => h("option", { value: n.target ?? "" })),
      );
      fill(
        ui.destinations,
        view.nodes.filter((n) => n.target !== null).map((n) => h("option", { value: n.target ?? "" }, [n.label])),
      );
    },
    set,
    read,
  };
}

/** The filter the graph takes: the workload as its node id (typed as `ns/name` or as the id). */
export function graphFilter(values: FilterValues, view: UiView): GraphFilter {
  const node = view.nodes.find((n) => n.target === values.workload || n.id === values.workload);
  return { namespaces: new Set(values.namespaces), workload: values.workload === "" ? null : (node?.id ?? values.workload), port: values.port, search: values.search };
}
