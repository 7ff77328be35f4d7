/**
 * The side panel's tabs (WAI-ARIA tabs pattern, automatic activation): Left/Right/Home/End move
 * between tabs and show the tab's panel; only the active tab is in the tab order.
 */
import type { Tab } from "./url-state.js";

export interface Tabs {
  show(tab: Tab): void;
}

/** `tablist` holds buttons role=tab with data-tab=NAME and aria-controls=PANEL_ID. */
export function wireTabs(tablist: HTMLElement, onShow: (tab: Tab) => void): Tabs {
  const tabs = (): HTMLElement[] => [...tablist.querySelectorAll<HTMLElement>("[role=tab]")].filter((t) => !t.hidden);
  const show = (name: Tab, focus = false): void => {
    for (const tab of tablist.querySelectorAll<HTMLElement>("[role=tab]")) {
      const active = tab.dataset["tab"] === name;
      tab.setAttribute("aria-selected", String(active));
      tab.tabIndex = active ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls") ?? "");
      if (panel !== null) panel.hidden = !active;
      if (active && focus) tab.focus();
    }
  };
  tablist.addEventListener("click", (event) => {
    const tab = event.target instanceof Element ? event.target.closest<HTMLElement>("[role=tab]") : null;
    if (tab === null) return;
    show(tab.dataset["tab"] as Tab);
    onShow(tab.dataset["tab"] as Tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const all = tabs();
    const current = all.findIndex((t) => t === event.target);
    if (current < 0) return;
    const next = { ArrowRight: all[(current + 1) % all.length], ArrowLeft: all[(current - 1 + all.length) % all.length], Home: all[0], End: all[all.length - 1] }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const name = next.dataset["tab"] as Tab;
    show(name, true);
    onShow(name);
  });
  return { show: (tab) => show(tab) };
}
