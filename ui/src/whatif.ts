/**
 * The What-if tab: a question (from, to, port, protocol) answered by `check` behind the server
 * (POST /api/check); the verdict as an icon and a word, then check's explanation.
 */
import type { CheckRequest } from "../../src/ui-model/types.js";
import { api } from "./api.js";
import { checkBlock, shown } from "./details.js";
import { errorBox, fill, h } from "./dom.js";
import type { Question } from "./url-state.js";

export interface WhatIf {
  /** Fills the form (from the URL) and asks when the question is complete. */
  ask(question: Question): Promise<void>;
}

export function whatIfPanel(form: HTMLFormElement, answer: HTMLElement, onAsked: (question: Question) => void): WhatIf {
  const field = (name: string): HTMLInputElement | HTMLSelectElement => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
  const read = (): Question => ({ from: field("from").value.trim(), to: field("to").value.trim(), port: field("port").value.trim(), protocol: field("protocol").value });
  let asked = 0;
  const run = async (question: Question): Promise<void> => {
    const mine = ++asked;
    fill(answer, [h("p", { class: "hint" }, ["Asking the engine…"])]);
    const request: CheckRequest = { from: question.from, to: question.to, port: question.port, protocol: question.protocol };
    const got = await api.check(request);
    if (mine !== asked) return;
    try {
      fill(answer, got.ok ? checkBlock(got.value) : [errorBox(got.error)]);
    } catch (error) {
      fill(answer, [shown(error)]);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = read();
    onAsked(question);
    void run(question);
  });
  return {
    ask: async (question) => {
      field("from").value = question.from;
      field("to").value = question.to;
      field("port").value = question.port;
      field("protocol").value = question.protocol;
      if (question.from !== "" && question.to !== "" && question.port !== "") await run(question);
    },
  };
}
