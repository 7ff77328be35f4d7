/**
 * The API the page calls (docs/ui-api.md): each route reads the session's current state and answers
 * with the commands' own output. Bodies are validated here (types, lengths) before anything runs.
 */
import { metadataAddresses } from "../model/well-known.js";
import { edgeQuestions } from "../ui-model/edge-questions.js";
import type { CheckAnswer, CheckRequest, EdgeAnswer, ExplainAnswer, UiNode } from "../ui-model/types.js";
import { policyRoutes } from "./policy-routes.js";
import type { ApiResponse, Routes } from "./server.js";
import type { SessionState, UiSession } from "./session.js";
import { askCheck, askExplain } from "./what-if.js";

/** The longest text a question's field may hold (a workload id, an address, a name, a port). */
export const MAX_FIELD = 512;

export function sessionRoutes(state: SessionState): Routes {
  return new Map([
    ["GET /api/view", () => ({ status: 200, json: state.current.view })],
    ["POST /api/check", ({ body }) => check(state.current, body)],
    ["GET /api/explain", ({ query }) => explain(state.current, query.get("node"))],
    ["GET /api/edge", ({ query }) => edge(state.current, query.get("id"))],
    ...policyRoutes(state),
  ]);
}

function refused(status: number, error: string): ApiResponse {
  return { status, json: { error } };
}

/** A CheckRequest from the body, or what is wrong with it. */
export function checkRequest(body: unknown): CheckRequest | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the body must be a JSON object {from, to, port, protocol?}";
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !["from", "to", "port", "protocol"].includes(k));
  if (unknown.length > 0) return `unknown field ${unknown.map((k) => `"${k}"`).join(", ")}: a question has from, to, port and protocol`;
  const text = (key: string, required: boolean): string | undefined | Error => {
    const v = fields[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v.trim() === "") return new Error(`"${key}" must be a non-empty string`);
    if (v.length > MAX_FIELD) return new Error(`"${key}" is longer than ${MAX_FIELD} characters`);
    return v;
  };
  const [from, to, port, protocol] = [text("from", true), text("to", true), text("port", true), text("protocol", false)];
  for (const v of [from, to, port, protocol]) if (v instanceof Error) return v.message;
  if (typeof from !== "string" || typeof to !== "string" || typeof port !== "string" || protocol instanceof Error) return "from, to and port are required";
  return protocol === undefined ? { from, to, port } : { from, to, port, protocol };
}

function check(session: UiSession, body: unknown): ApiResponse {
  const question = checkRequest(body);
  if (typeof question === "string") return refused(400, question);
  const answer = askCheck(question, session.asked);
  return "error" in answer ? refused(400, answer.error) : { status: 200, json: answer };
}

function nodeOf(session: UiSession, id: string): UiNode | undefined {
  return session.view.nodes.find((n) => n.id === id);
}

function explain(session: UiSession, id: string | null): ApiResponse {
  if (id === null || id === "") return refused(400, "give the node: /api/explain?node=ID");
  const node = nodeOf(session, id);
  if (node === undefined) return refused(404, `no node "${id}" in the view`);
  if (node.kind === "endpoint" && node.target !== null && node.change !== "removed") {
    const answer = askExplain(node.target, session.asked);
    if ("error" in answer) return refused(400, answer.error);
    const json: ExplainAnswer = { node: id, title: `explain ${node.target}`, text: answer.text, json: answer.json };
    return { status: 200, json };
  }
  const json: ExplainAnswer = { node: id, title: node.label, text: destinationText(session, node), json: null };
  return { status: 200, json };
}

const KIND_TEXT: Readonly<Record<UiNode["kind"], string>> = {
  endpoint: "a workload of the other version (removed by the change)",
  addresses: "addresses outside the cluster's workloads",
  internet: "the internet: the public address space",
  metadata: "the cloud metadata service, which hands out the node's credentials",
  anywhere: "every address: drawn for sources no egress policy restricts",
  domain: "a domainNames pattern of an admin policy rule",
};

/** What a node that is no workload stands for, and which sources' edges reach it (with their labels). */
function destinationText(session: UiSession, node: UiNode): string {
  const labels = new Map(session.view.nodes.map((n) => [n.id, n.target ?? n.label]));
  const into = session.view.edges.filter((e) => e.to === node.id);
  const lines = [`${node.label}: ${KIND_TEXT[node.kind]}.`, ...(node.target === null ? [] : [`check takes it as: --to ${node.target}`])];
  if (into.length === 0) return `${[...lines, "No edge of the view reaches it."].join("\n")}\n`;
  const reach = into.map((e) => `  ${labels.get(e.from) ?? e.from}: ${e.style}, ${e.label}${e.change === null ? "" : ` (${e.change.kind})`}`);
  return `${[...lines, `Reached by ${into.length} edge${into.length === 1 ? "" : "s"}:`, ...reach].join("\n")}\n`;
}

function edge(session: UiSession, id: string | null): ApiResponse {
  if (id === null || id === "") return refused(400, "give the edge: /api/edge?id=EDGE_ID");
  const found = session.view.edges.find((e) => e.id === id);
  if (found === undefined) return refused(404, `no edge "${id}" in the view`);
  const nodes = new Map(session.view.nodes.map((n) => [n.id, n]));
  const before = session.baseline?.session;
  const previous = before === undefined ? {} : { previous: { engine: before.engine, pairs: before.pairs } };
  const asked = edgeQuestions(found, { engine: session.engine, pairs: session.pairs, addresses: session.addresses, nodes, metadata: metadataAddresses(session.options.metadata), ...previous });
  const checks: CheckAnswer[] = [];
  for (const q of asked.questions) {
    const answer = askCheck(q, session.asked);
    if ("error" in answer) return refused(400, `${q.from} → ${q.to} port ${q.port}: ${answer.error}`);
    checks.push(answer);
  }
  // An edge of the old version only (a diff or an edit) is asked about the current version: the title says so.
  const gone = !session.graph.edges.some((e) => e.from === found.from && e.to === found.to && e.style === found.style);
  const title = gone ? `${asked.title} (an edge of the old version: checked against the current one)` : asked.title;
  const json: EdgeAnswer = { edge: id, title, checks };
  return { status: 200, json };
}
