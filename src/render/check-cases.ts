/**
 * `portcullis check` when the question means several cases (a Service: one per backend): the
 * translation, each case with its own check document, and the verdicts together.
 */
import type { Verdict } from "../engine/types.js";
import type { CheckJson } from "./check.js";
import { renderCheckText } from "./check.js";
import type { ResolutionJson } from "./dns.js";

/** `check --to NAME`: the name and every address the snapshot gives it (each a case). */
export interface NameResolutionJson {
  readonly name: string;
  readonly addresses: readonly ResolutionJson[];
}

export type CheckCaseJson =
  | { readonly label: string; readonly verdict: Verdict; readonly check: CheckJson }
  /** A case left out of the answer, and why (e.g. a backend without the Service's target port). */
  | { readonly label: string; readonly skipped: string };

export interface CheckCasesJson {
  /** `allowed` when every answered case is, `denied` when every one is, else `depends`. */
  readonly verdict: Verdict;
  /** How the destination became the cases: `10.96.0.10:53/UDP is Service kube-system/kube-dns → 2 backends, port 53 → dns (53/UDP)`. */
  readonly translation: string;
  readonly cases: readonly CheckCaseJson[];
  /** Present for `check --to NAME` with a resolution snapshot: what the name resolves to. */
  readonly resolution?: NameResolutionJson;
}

function caseLine(c: CheckCaseJson): string {
  if ("skipped" in c) return `  ${c.label}: ${c.skipped}`;
  const at = c.check.to.kind === "endpoint" && c.check.to.address !== undefined ? ` at ${c.check.to.address}` : "";
  return `  ${c.label}${at} ${c.check.protocol} ${c.check.port}: ${c.verdict}`;
}

export function renderCheckCasesText(v: CheckCasesJson): string {
  const head = [`${v.verdict.toUpperCase()}: ${v.translation}`, ...v.cases.map(caseLine)].join("\n") + "\n";
  const each = v.cases.flatMap((c) => ("check" in c ? [renderCheckText(c.check)] : []));
  return [head, ...each].join("\n");
}
