/**
 * Keyboard navigation of a list (WAI-ARIA listbox with a roving tabindex): one item is in the tab
 * order; arrow keys, Home and End move between items; Enter or Space choose one.
 */

export interface RovingOptions {
  /** The items, in order, as they are now (the list may be re-rendered). */
  readonly items: () => readonly HTMLElement[];
  readonly onChoose: (item: HTMLElement) => void;
}

/** Wires a container once; call `reset` after re-rendering its items. */
export function rovingList(container: HTMLElement, options: RovingOptions): { reset(active?: HTMLElement): void } {
  const move = (from: HTMLElement, to: HTMLElement | undefined): void => {
    if (to === undefined) return;
    from.tabIndex = -1;
    to.tabIndex = 0;
    to.focus();
  };
  container.addEventListener("keydown", (event) => {
    const items = options.items();
    const current = event.target instanceof HTMLElement ? items.indexOf(event.target) : -1;
    const item = items[current];
    if (item === undefined) return;
    const target = { ArrowDown: items[current + 1], ArrowUp: items[current - 1], Home: items[0], End: items[items.length - 1] }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      move(item, target);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      options.onChoose(item);
    }
  });
  container.addEventListener("click", (event) => {
    const item = options.items().find((i) => event.target instanceof Node && i.contains(event.target));
    if (item === undefined) return;
    for (const other of options.items()) other.tabIndex = other === item ? 0 : -1;
    options.onChoose(item);
  });
  return {
    reset(active) {
      const items = options.items();
      const chosen = active ?? items[0];
      for (const item of items) item.tabIndex = item === chosen ? 0 : -1;
    },
  };
}
