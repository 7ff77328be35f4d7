/** The page's own keys (the lists and tabs have theirs: roving.ts, tabs.ts). */

/** Escape clears the selection; `/` focuses the search (unless typing in a field). */
export function keyboard(clear: () => void, search: () => void): void {
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      search();
    } else if (event.key === "Escape" && !(event.target instanceof HTMLTextAreaElement)) clear();
  });
}
