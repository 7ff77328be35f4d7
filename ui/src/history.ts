/**
 * The page's state kept in the URL (url-state.ts) and the browser's history: what the user chose
 * (a node, a tab) is a new entry, so Back returns to it; typing updates the current entry.
 */
import { type PageState, readState, writeState } from "./url-state.js";

export interface PageHistory {
  readonly state: () => PageState;
  remember(next: Partial<PageState>, entry: "push" | "replace"): void;
  /** Back/forward: the state of the entry now shown, given to `onMove`. */
  onMove(listener: (state: PageState) => void): void;
}

export function pageHistory(): PageHistory {
  let state = readState(location.search);
  return {
    state: () => state,
    remember(next, entry) {
      state = { ...state, ...next };
      const url = `${location.pathname}${writeState(state)}`;
      if (url === `${location.pathname}${location.search}`) return;
      if (entry === "push") history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    },
    onMove(listener) {
      window.addEventListener("popstate", () => {
        state = readState(location.search);
        listener(state);
      });
    },
  };
}
