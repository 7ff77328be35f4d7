/**
 * The Findings tab: lint findings grouped by severity with counts, as one keyboard-navigable list;
 * choosing one marks its nodes and edges in the graph and shows its message, object, file:line and hint.
 */
import type { UiFinding } from "../../src/ui-model/types.js";
import { fill, h, plural } from "./dom.js";
import { location } from "./explanation.js";
import { choiceList } from "./choice-list.js";
import { rovingList } from "./roving.js";

const SEVERITIES = ["error", "warning", "info"] as const;
const ICONS: Record<string, string> = { error: "✖", warning: "▲", info: "●" };

export interface Findings {
  render(findings: readonly UiFinding[], selected: string): void;
}

/** A finding's workloads and edges, to open in Details. */
export interface FindingLinks {
  readonly name: (id: string) => string;
  readonly onNode: (id: string) => void;
  readonly onEdge: (id: string) => void;
}

export function findingsPanel(panel: HTMLElement, onChoose: (finding: UiFinding | null) => void, links: FindingLinks): Findings {
  const list = h("ul", { role: "listbox", "aria-label": "Findings", class: "list", "data-testid": "findings-list" });
  const detail = h("div", { class: "finding-detail", "aria-live": "polite", "data-testid": "finding-detail" });
  const summary = h("p", { class: "counts", "data-testid": "findings-counts" });
  let shown: readonly UiFinding[] = [];
  const items = (): HTMLElement[] => [...list.querySelectorAll<HTMLElement>("[role=option]")];
  const choose = (item: HTMLElement): void => {
    const finding = shown.find((f) => f.id === item.dataset["id"]) ?? null;
    mark(finding?.id ?? "");
    onChoose(finding);
  };
  const roving = rovingList(list, { items, onChoose: choose });
  const mark = (id: string): void => {
    for (const item of items()) item.setAttribute("aria-selected", String(item.dataset["id"] === id));
    const finding = shown.find((f) => f.id === id);
    fill(detail, finding === undefined ? [] : [...describe(finding), concerns(finding, links)]);
  };
  fill(panel, [summary, list, detail]);
  return {
    render(findings, selected) {
      shown = findings;
      const counts = SEVERITIES.map((s) => (s === "info" ? `${findings.filter((f) => f.severity === s).length} info` : plural(findings.filter((f) => f.severity === s).length, s)));
      summary.textContent = findings.length === 0 ? "No findings." : `${plural(findings.length, "finding")}: ${counts.join(", ")}`;
      const groups = SEVERITIES.map((severity) => findings.filter((f) => f.severity === severity)).filter((g) => g.length > 0);
      fill(
        list,
        groups.map((group) => {
          const severity = group[0]?.severity ?? "";
          return h("li", { role: "group", "aria-label": `${severity} (${group.length})` }, [
            h("h4", { "aria-hidden": "true" }, [`${ICONS[severity] ?? ""} ${severity} (${group.length})`]),
            h("ul", { role: "none" }, group.map(item)),
          ]);
        }),
      );
      const active = items().find((i) => i.dataset["id"] === selected);
      roving.reset(active);
      mark(active === undefined ? "" : selected);
    },
  };
}

function item(finding: UiFinding): HTMLElement {
  return h("li", { role: "option", tabindex: "-1", "aria-selected": "false", class: `finding severity-${finding.severity}`, "data-id": finding.id, "data-testid": "finding" }, [
    h("span", { class: "icon", "aria-hidden": "true" }, [ICONS[finding.severity] ?? ""]),
    h("span", { class: "sr-only" }, [`${finding.severity}: `]),
    h("code", {}, [finding.rule]),
    ` ${finding.object}`,
  ]);
}

function concerns(finding: UiFinding, links: FindingLinks): HTMLElement {
  const list = choiceList(
    "Concerns",
    [
      { title: "workloads", choices: finding.nodes.map((id) => ({ id: `node:${id}`, label: links.name(id), note: "" })) },
      { title: "edges", choices: finding.edges.map((id) => ({ id: `edge:${id}`, label: links.name(id), note: "" })) },
    ],
    (choice) => (choice.startsWith("node:") ? links.onNode(choice.slice(5)) : links.onEdge(choice.slice(5))),
  );
  return h("div", { class: "part" }, [h("h4", {}, ["Concerns (Enter: open in Details)"]), list]);
}

function describe(finding: UiFinding): HTMLElement[] {
  return [
    h("h4", {}, [`${finding.severity}: ${finding.rule}`]),
    h("p", { "data-testid": "finding-message" }, [finding.message]),
    h("dl", {}, [
      h("dt", {}, ["Object"]),
      h("dd", {}, [finding.object]),
      h("dt", {}, ["Where"]),
      h("dd", {}, [h("code", { "data-testid": "finding-at" }, [`${location(finding.location)}${finding.location.path ? ` ${finding.location.path}` : ""}`])]),
      h("dt", {}, ["Workloads"]),
      h("dd", {}, [finding.endpoints.join(", ") || "none"]),
      h("dt", {}, ["Hint"]),
      h("dd", {}, [finding.hint === "" ? "none" : finding.hint]),
    ]),
  ];
}
