/**
 * GET /api/policies, POST /api/policies (an edit), POST /api/policies/reset: the page's policy
 * editing (edits.ts). The body of an edit is validated here: its shape, names and sizes.
 */
import type { EditRequest } from "../ui-model/types.js";
import { applyEdit, policyDocuments } from "./edits.js";
import type { ApiRequest, ApiResponse } from "./server.js";
import type { SessionState } from "./session.js";

/** The most documents one edit may hold, and the longest name of one. */
export const MAX_DOCUMENTS = 200;
export const MAX_NAME = 256;

type Route = readonly [string, (request: ApiRequest) => ApiResponse];

export function policyRoutes(state: SessionState): Route[] {
  return [
    ["GET /api/policies", () => ({ status: 200, json: policyDocuments(state.documents) })],
    ["POST /api/policies", ({ body }) => edit(state, body)],
    ["POST /api/policies/reset", () => ({ status: 200, json: state.reset() })],
  ];
}

function edit(state: SessionState, body: unknown): ApiResponse {
  const request = editRequest(body);
  if (typeof request === "string") return { status: 400, json: { error: request } };
  const edited = applyEdit(state.input, request);
  if (Array.isArray(edited)) return { status: 422, json: { diagnostics: edited } };
  return { status: 200, json: state.edit(edited) };
}

/** An EditRequest from the body, or what is wrong with it. */
export function editRequest(body: unknown): EditRequest | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body must be a JSON object {documents: [{name, text}], remove?: [ref]}";
  const { documents, remove, ...rest } = body as { documents?: unknown; remove?: unknown };
  if (Object.keys(rest).length > 0) return `unknown field ${Object.keys(rest).map((k) => `"${k}"`).join(", ")}: an edit has documents and remove`;
  if (!Array.isArray(documents)) return `"documents" must be an array of {name, text}`;
  if (documents.length > MAX_DOCUMENTS) return `at most ${MAX_DOCUMENTS} documents in one edit`;
  const docs: { name: string; text: string }[] = [];
  for (const [i, d] of documents.entries()) {
    if (typeof d !== "object" || d === null) return `documents[${i}] must be an object {name, text}`;
    const { name, text } = d as { name?: unknown; text?: unknown };
    if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME) return `documents[${i}].name must be a non-empty string of at most ${MAX_NAME} characters`;
    if (typeof text !== "string") return `documents[${i}].text must be a string`;
    if (docs.some((x) => x.name === name)) return `documents[${i}].name "${name}" is given twice`;
    docs.push({ name, text });
  }
  if (remove === undefined) return { documents: docs };
  if (!Array.isArray(remove) || !remove.every((r): r is string => typeof r === "string" && r.length <= MAX_NAME)) return `"remove" must be an array of refs (Kind/namespace/name)`;
  return { documents: docs, remove };
}
