/**
 * The structured parts of `explain -o json` and `check -o json` as the page shows them: the isolating
 * policies with their file:line and the rules that allow. The JSON is read defensively (unknown keys
 * are skipped); the full text the command prints is always shown beside it.
 */
import { h } from "./dom.js";

export interface At {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  /** A live object (no file): `{kind, namespace, name}`. */
  readonly object?: { readonly kind: string; readonly namespace?: string; readonly name: string };
}

interface PolicyRef {
  readonly namespace?: string | null;
  readonly name?: string;
  readonly at?: At;
}

interface Rule {
  readonly policy?: PolicyRef;
  readonly rule?: number | null;
  /** `["TCP 5432"]`, or `"all"` for a rule without ports. */
  readonly ports?: readonly string[] | string | null;
  readonly peerSpec?: string | null;
  readonly peers?: readonly { readonly kind?: string; readonly selects?: readonly string[]; readonly at?: At }[];
  readonly at?: At;
}

interface Direction {
  readonly verdict?: string;
  readonly governance?: { readonly kind?: string; readonly policies?: readonly PolicyRef[] };
  readonly rules?: readonly Rule[];
  readonly allowedBy?: readonly Rule[];
  /** Denied: the closest miss of each rule (`reason`: `ipblock-in-except`, `no-rules` …). */
  readonly misses?: readonly (Rule & { readonly reason?: string })[];
}

/** `examples/egress/policies/allow-dns.yaml:13` (or the live object). */
export function location(at: At | undefined): string {
  if (at === undefined) return "";
  if (at.file !== undefined) return `${at.file}:${at.line ?? 0}`;
  const o = at.object;
  return o === undefined ? "" : `${o.kind} ${o.namespace === undefined ? "" : `${o.namespace}/`}${o.name}`;
}

const policyName = (p: PolicyRef | undefined): string => (p === undefined ? "" : p.namespace ? `${p.namespace}/${p.name ?? ""}` : (p.name ?? ""));

function policiesList(direction: Direction, title: string): HTMLElement | null {
  const governance = direction.governance;
  if (governance === undefined) return null;
  const policies = governance.policies ?? [];
  const heading = policies.length === 0 ? `${title}: ${governance.kind ?? "not isolated"}` : `${title}: isolated by ${policies.length} ${policies.length === 1 ? "policy" : "policies"}`;
  return h("div", { class: "part", "data-testid": "isolating" }, [
    h("h4", {}, [heading]),
    h(
      "ul",
      {},
      policies.map((p) => h("li", {}, [h("strong", {}, [policyName(p)]), " ", h("code", { class: "at" }, [location(p.at)])])),
    ),
  ]);
}

function rulesList(rules: readonly Rule[], title: string): HTMLElement | null {
  if (rules.length === 0) return null;
  return h("div", { class: "part", "data-testid": "rules" }, [
    h("h4", {}, [title]),
    h(
      "ul",
      {},
      rules.map((r) => {
        const peers = r.peerSpec ?? (r.peers ?? []).map((p) => `${p.kind ?? "peer"}${p.selects && p.selects.length > 0 ? ` (now: ${p.selects.join(", ")})` : ""}`).join("; ");
        return h("li", {}, [h("strong", {}, [policyName(r.policy)]), r.rule === null || r.rule === undefined ? "" : ` rule ${r.rule}`, `: ${portsText(r.ports)}`, peers === "" ? "" : ` → ${peers}`, " ", h("code", { class: "at" }, [location(r.at)])]);
      }),
    ),
  ]);
}

function portsText(ports: Rule["ports"]): string {
  if (typeof ports === "string") return ports === "all" ? "all ports" : ports;
  return ports === null || ports === undefined || ports.length === 0 ? "all ports" : ports.join(", ");
}

function missesList(misses: NonNullable<Direction["misses"]>, title: string): HTMLElement | null {
  if (misses.length === 0) return null;
  return h("div", { class: "part", "data-testid": "misses" }, [
    h("h4", {}, [title]),
    h(
      "ul",
      {},
      misses.map((m) => h("li", {}, [h("strong", {}, [policyName(m.policy)]), m.rule === null || m.rule === undefined ? "" : ` rule ${m.rule}`, m.peerSpec ? ` (${m.peerSpec})` : "", `: ${(m.reason ?? "").replace(/-/g, " ")} `, h("code", { class: "at" }, [location(m.at)])])),
    ),
  ]);
}

/** The parts of `explain -o json` (`{endpoint: {egress, ingress}}`). */
export function explainParts(json: unknown): HTMLElement[] {
  const endpoint = (json as { endpoint?: { egress?: Direction; ingress?: Direction } } | null)?.endpoint;
  if (endpoint === undefined) return [];
  const parts: (HTMLElement | null)[] = [];
  for (const [name, direction] of [["Egress", endpoint.egress], ["Ingress", endpoint.ingress]] as const) {
    if (direction === undefined) continue;
    parts.push(policiesList(direction, name), rulesList(direction.rules ?? [], `${name} rules`));
  }
  return parts.filter((p): p is HTMLElement => p !== null);
}

/** The parts of `check -o json` (`{verdict, egress, ingress}`): who isolates, which rules allow. */
export function checkParts(json: unknown): HTMLElement[] {
  const answer = json as { egress?: Direction; ingress?: Direction } | null;
  if (answer === null) return [];
  const parts: (HTMLElement | null)[] = [];
  for (const [name, direction] of [["Egress", answer.egress], ["Ingress", answer.ingress]] as const) {
    if (direction === undefined) continue;
    parts.push(policiesList(direction, `${name} (${direction.verdict ?? "?"})`), rulesList(direction.allowedBy ?? [], `${name} allowed by`));
    if (direction.verdict !== "allowed") parts.push(missesList(direction.misses ?? [], `${name}: no rule allows; the closest miss of each`));
  }
  return parts.filter((p): p is HTMLElement => p !== null);
}

/** A verdict that does not rely on colour: an icon and the word. */
export function verdictBadge(verdict: string): HTMLElement {
  const icon = verdict === "allowed" ? "✔" : verdict === "denied" ? "✖" : "?";
  return h("p", { class: `verdict verdict-${verdict}`, "data-testid": "verdict", "data-verdict": verdict }, [h("span", { class: "icon", "aria-hidden": "true" }, [icon]), ` ${verdict.toUpperCase()}`]);
}
