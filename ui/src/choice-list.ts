/**
 * A keyboard-navigable list of the graph's nodes or edges (listbox, roving tabindex): the way to
 * choose what the graph shows without a pointer. Items are grouped under headings.
 */
import { h } from "./dom.js";
import { rovingList } from "./roving.js";

export interface Choice {
  readonly id: string;
  readonly label: string;
  /** Shown after the label, dimmed (ports, a change). */
  readonly note: string;
}

export interface ChoiceGroup {
  readonly title: string;
  readonly choices: readonly Choice[];
}

/** The most items a list shows; beyond, it says how many more and asks for a filter. */
const MOST = 500;

export function choiceList(name: string, groups: readonly ChoiceGroup[], onChoose: (id: string) => void): HTMLElement {
  let left = MOST;
  const rendered = groups
    .filter((g) => g.choices.length > 0)
    .map((group) => {
      const shown = group.choices.slice(0, Math.max(0, left));
      left -= shown.length;
      return h("li", { role: "group", "aria-label": group.title }, [
        h("h4", { "aria-hidden": "true" }, [`${group.title} (${group.choices.length})`]),
        h(
          "ul",
          { role: "none" },
          shown.map((c) => h("li", { role: "option", tabindex: "-1", "aria-selected": "false", "data-id": c.id, "data-testid": "choice" }, [c.label, c.note === "" ? "" : h("span", { class: "note" }, [` ${c.note}`])])),
        ),
        shown.length < group.choices.length ? h("p", { class: "hint" }, [`${group.choices.length - shown.length} more: narrow with the filters`]) : null,
      ]);
    });
  const list = h("ul", { role: "listbox", "aria-label": name, class: "list", "data-testid": `list-${name.toLowerCase().replace(/[^a-z]+/g, "-")}` }, rendered);
  const items = (): HTMLElement[] => [...list.querySelectorAll<HTMLElement>("[role=option]")];
  rovingList(list, {
    items,
    onChoose: (item) => {
      for (const other of items()) other.setAttribute("aria-selected", String(other === item));
      onChoose(item.dataset["id"] ?? "");
    },
  }).reset();
  return list;
}
