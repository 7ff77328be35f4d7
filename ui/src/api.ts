/**
 * The page's calls to its server (docs/ui.md#api). Every answer is a value: the parsed JSON, or the
 * error to show (the status and the server's message), never a thrown exception the page would swallow.
 */
import type { CheckAnswer, CheckRequest, EdgeAnswer, EditDiagnostic, EditRequest, ExplainAnswer, PolicyDocument, UiView } from "../../src/ui-model/types.js";

export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string; readonly diagnostics: readonly EditDiagnostic[] };

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(path, method === "GET" ? {} : { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
  } catch (error) {
    return { ok: false, error: `${method} ${path}: the server did not answer (${error instanceof Error ? error.message : String(error)})`, diagnostics: [] };
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === "" ? null : JSON.parse(text);
  } catch {
    return { ok: false, error: `${method} ${path}: ${response.status}, not JSON: ${text.slice(0, 200)}`, diagnostics: [] };
  }
  if (response.ok) return { ok: true, value: json as T };
  const failure = (json ?? {}) as { error?: unknown; diagnostics?: unknown };
  const diagnostics = Array.isArray(failure.diagnostics) ? (failure.diagnostics as EditDiagnostic[]) : [];
  const message = typeof failure.error === "string" ? failure.error : diagnostics.length > 0 ? `${diagnostics.length} error(s) in the text` : `HTTP ${response.status}`;
  return { ok: false, error: message, diagnostics };
}

export const api = {
  view: () => call<UiView>("GET", "/api/view"),
  explain: (node: string) => call<ExplainAnswer>("GET", `/api/explain?node=${encodeURIComponent(node)}`),
  edge: (id: string) => call<EdgeAnswer>("GET", `/api/edge?id=${encodeURIComponent(id)}`),
  check: (question: CheckRequest) => call<CheckAnswer>("POST", "/api/check", question),
  policies: () => call<readonly PolicyDocument[] | { policies: readonly PolicyDocument[] }>("GET", "/api/policies"),
  edit: (request: EditRequest) => call<UiView>("POST", "/api/policies", request),
  reset: () => call<UiView>("POST", "/api/policies/reset"),
};
