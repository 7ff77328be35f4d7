/**
 * The Policies tab: the input's policies (GET /api/policies), one editable at a time, and a box for a
 * new one. "Apply to the view" sends every edit made so far (POST /api/policies): the server answers
 * the new view (graph, findings, diff against the input) or the diagnostics, shown at their line.
 * Nothing is applied to a cluster or written to a file.
 */
import type { EditDiagnostic, PolicyDocument, UiView } from "../../src/ui-model/types.js";
import { api } from "./api.js";
import { errorBox, fill, h, plural } from "./dom.js";

export interface PolicyElements {
  readonly pick: HTMLSelectElement;
  readonly text: HTMLTextAreaElement;
  readonly pasted: HTMLTextAreaElement;
  readonly apply: HTMLButtonElement;
  /** Marks the picked policy to be left out of the view at the next apply (again: kept). */
  readonly remove: HTMLButtonElement;
  readonly reset: HTMLButtonElement;
  readonly result: HTMLElement;
}

const PASTED = "pasted policy";
/** The name an edited policy is sent under (diagnostics name it back): `page:REF`. */
const EDITED = "page:";

export function policiesPanel(ui: PolicyElements, onView: (view: UiView) => Promise<void>): { load(): Promise<void> } {
  let documents: readonly PolicyDocument[] = [];
  /** ref → the text as edited in the page (kept across picks until Reset). */
  const edits = new Map<string, string>();
  /** The refs left out of the view. */
  const removed = new Set<string>();
  const current = (): PolicyDocument | undefined => documents.find((d) => d.ref === ui.pick.value);
  const show = (): void => {
    const doc = current();
    ui.text.value = doc === undefined ? "" : (edits.get(doc.ref) ?? doc.text);
    ui.text.setAttribute("aria-description", doc === undefined ? "" : `from ${doc.at}`);
    ui.text.disabled = doc !== undefined && removed.has(doc.ref);
    ui.remove.textContent = doc !== undefined && removed.has(doc.ref) ? "Keep in the view" : "Leave out of the view";
    for (const option of ui.pick.options) option.textContent = `${removed.has(option.value) ? "(left out) " : ""}${option.value} (${documents.find((d) => d.ref === option.value)?.at ?? ""})`;
  };
  ui.pick.addEventListener("change", show);
  ui.text.addEventListener("input", () => {
    const doc = current();
    if (doc !== undefined) edits.set(doc.ref, ui.text.value);
  });
  ui.remove.addEventListener("click", () => {
    const doc = current();
    if (doc === undefined) return;
    if (removed.has(doc.ref)) removed.delete(doc.ref);
    else removed.add(doc.ref);
    show();
  });
  ui.apply.addEventListener("click", () => {
    const changed = documents.filter((d) => !removed.has(d.ref) && edits.has(d.ref) && edits.get(d.ref) !== d.text).map((d) => ({ name: `${EDITED}${d.ref}`, text: edits.get(d.ref) ?? "" }));
    const pasted = ui.pasted.value.trim() === "" ? [] : [{ name: PASTED, text: ui.pasted.value }];
    const request = [...changed, ...pasted];
    if (request.length === 0 && removed.size === 0) {
      fill(ui.result, [errorBox("Nothing to apply: edit, paste or leave out a policy first.")]);
      return;
    }
    const summary = [request.length > 0 ? plural(request.length, "edited document") : "", removed.size > 0 ? `${plural(removed.size, "policy", "policies")} left out` : ""].filter((t) => t !== "");
    void send(() => api.edit({ documents: request, remove: [...removed] }), `Applied to the view: ${summary.join(", ")}.`);
  });
  ui.reset.addEventListener("click", () => {
    edits.clear();
    removed.clear();
    ui.pasted.value = "";
    show();
    void send(() => api.reset(), "Back to the input read at start.");
  });
  /** The text a diagnostic's file names: the pasted box, or an edited policy. */
  const textOf = (file: string): string | null => (file === PASTED ? ui.pasted.value : file.startsWith(EDITED) ? (edits.get(file.slice(EDITED.length)) ?? null) : null);
  const goTo = (file: string, line: number): void => {
    if (file.startsWith(EDITED) && ui.pick.value !== file.slice(EDITED.length)) {
      ui.pick.value = file.slice(EDITED.length);
      show();
    }
    if (file === PASTED) selectLine(ui.pasted, line);
    else if (file.startsWith(EDITED)) selectLine(ui.text, line);
  };
  const send = async (call: () => ReturnType<typeof api.reset>, done: string): Promise<void> => {
    fill(ui.result, [h("p", { class: "hint" }, ["Asking the engine…"])]);
    const got = await call();
    if (!got.ok) {
      fill(ui.result, [errorBox(`Not applied: ${got.error}. The view is unchanged.`), diagnosticsList(got.diagnostics, textOf, goTo)]);
      return;
    }
    await onView(got.value);
    fill(ui.result, [h("p", { class: "ok", role: "status", "data-testid": "policy-applied" }, [h("span", { class: "icon", "aria-hidden": "true" }, ["✔"]), ` ${done}`])]);
  };
  return {
    load: async () => {
      const got = await api.policies();
      if (!got.ok) {
        fill(ui.result, [errorBox(`The policies could not be listed: ${got.error}`)]);
        return;
      }
      documents = Array.isArray(got.value) ? got.value : (got.value as { policies: readonly PolicyDocument[] }).policies;
      fill(
        ui.pick,
        documents.map((d) => h("option", { value: d.ref }, [`${d.ref} (${d.at})`])),
      );
      show();
    },
  };
}

/** Each diagnostic with its line's text; choosing one selects that line in the text it points to. */
function diagnosticsList(diagnostics: readonly EditDiagnostic[], textOf: (file: string) => string | null, goTo: (file: string, line: number) => void): HTMLElement {
  return h(
    "ul",
    { class: "diagnostics", "data-testid": "diagnostics" },
    diagnostics.map((d) => {
      const button = h("button", { type: "button", class: "link", "data-testid": "diagnostic" }, [`${d.file}:${d.line}:${d.column}`]);
      button.addEventListener("click", () => goTo(d.file, d.line));
      const line = textOf(d.file)?.split("\n")[d.line - 1];
      return h("li", { class: `severity-${d.severity}` }, [
        h("span", { class: "icon", "aria-hidden": "true" }, [d.severity === "error" ? "✖" : "▲"]),
        ` ${d.severity} `,
        button,
        d.path === "" ? "" : ` ${d.path}`,
        `: ${d.message}`,
        line === undefined ? null : h("pre", { class: "excerpt" }, [`${d.line} | ${line}`]),
      ]);
    }),
  );
}

function selectLine(area: HTMLTextAreaElement, line: number): void {
  const lines = area.value.split("\n");
  const start = lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] ?? "").length);
}
