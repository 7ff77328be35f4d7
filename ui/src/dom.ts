/** Small DOM helpers for the panels: elements built from data (never from HTML strings). */

type Child = Node | string | null | undefined | false;

/** `h("li", {class: "x", "data-testid": "y"}, ["text", child])`: attributes as strings; children appended in order. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Readonly<Record<string, string>> = {}, children: readonly Child[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Replaces an element's children. */
export function fill(parent: Element, children: readonly Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** An error shown where the answer would have been (role=alert: read out at once). */
export function errorBox(message: string): HTMLElement {
  return h("p", { class: "error", role: "alert", "data-testid": "error" }, [h("span", { class: "icon", "aria-hidden": "true" }, ["⚠"]), ` ${message}`]);
}

/** `1 finding`, `2 findings` (`1 policy`, `2 policies` with the plural given). */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
