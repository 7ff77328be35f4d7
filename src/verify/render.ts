/**
 * `verify` output, pure: text (the probes as a table, mismatches, what was skipped, the timings),
 * JSON (`entries` as `lab probe` prints them, plus outcome/blamed/verdict), JUnit (one testcase per
 * probe), and the `--smoke` verdict.
 */
import { columns } from "../render/table.js";
import type { Observed, VerifyEntry } from "./compare.js";
import type { Blame, VerifySkip } from "./plan.js";

export interface VerifyTimings {
  readonly podStartMs: number;
  readonly probeMs: number;
  readonly cleanupMs: number;
}

export interface VerifyReport {
  readonly run: string;
  readonly entries: readonly VerifyEntry[];
  readonly skipped: readonly VerifySkip[];
  readonly warnings: readonly string[];
  readonly timings: VerifyTimings;
  readonly podsCreated: number;
}

const SKIP_WORDS: Readonly<Record<VerifySkip["reason"], string>> = {
  "verify-pod": "a probe pod of another verify run, running or left behind (verify --cleanup removes leftovers)",
  "host-network": "a host-network workload is the node itself: no twin",
  "no-ports": "declares no TCP or UDP container port: not a destination",
  sctp: "SCTP is not probed",
  depends: "the engine's verdict depends on the address",
  "no-address": "no known pod IP of the source's family (--no-twins)",
  "no-address-family": "the twins have no address of a common family",
};

const portText = (e: { readonly port?: number; readonly protocol?: string }): string => (e.port === undefined ? "" : ` ${e.port}/${e.protocol ?? ""}`);

export function blameText(blamed: readonly Blame[]): string {
  return blamed.map((b) => `${b.direction} of the ${b.side}${b.policies.length === 0 ? "" : ` (${b.policies.join(", ")})`}`).join(" and ");
}

const expectedWord = (e: VerifyEntry): string => (e.expected ? "allowed" : "denied");

function mismatchLine(e: VerifyEntry): string {
  const why = e.expected ? "the policies allow it" : `the policies deny it: ${blameText(e.blamed)}`;
  return `${e.from} → ${e.to}${portText(e)}: ${why}; observed ${e.outcome}${e.detail === undefined ? "" : ` (${e.detail})`}`;
}

export function renderVerifyText(r: VerifyReport): string {
  const mismatches = r.entries.filter((e) => e.verdict === "mismatch");
  const inconclusive = r.entries.filter((e) => e.verdict === "inconclusive");
  const t = r.timings;
  const lines = [
    `verify run ${r.run}: ${r.entries.length} probes, ${mismatches.length} mismatches, ${inconclusive.length} inconclusive, ${r.skipped.length} skipped; ${r.podsCreated} pods created`,
    `pod start ${t.podStartMs} ms, probing ${t.probeMs} ms, cleanup ${t.cleanupMs} ms`,
    "",
  ];
  if (r.entries.length > 0) {
    const rows = r.entries.map((e) => [e.verdict === "match" ? " " : e.verdict === "mismatch" ? "!" : "?", e.from, "→", e.to, `${e.port}/${e.protocol}`, expectedWord(e), e.outcome, e.expected ? "" : blameText(e.blamed)]);
    lines.push(...columns([["", "FROM", "", "TO", "PORT", "EXPECTED", "OBSERVED", "DENIED BY"], ...rows]), "");
  }
  if (mismatches.length === 0) lines.push("Mismatches: none: every probe did what the policies say.");
  else lines.push("Mismatches (! above):", ...mismatches.map((e) => `  ${mismatchLine(e)}`));
  if (inconclusive.length > 0) lines.push("", "Inconclusive (? above): allowed, but nothing answered at the address:", ...inconclusive.map((e) => `  ${e.from} → ${e.to}${portText(e)}`));
  if (r.skipped.length > 0) lines.push("", "Skipped:", ...r.skipped.map((s) => `  ${s.from === undefined ? "" : `${s.from} → `}${s.to}${portText(s)}: ${SKIP_WORDS[s.reason]}`));
  if (r.warnings.length > 0) lines.push("", ...r.warnings.map((w) => `warning: ${w}`));
  return `${lines.join("\n")}\n`;
}

/** `-o json`: `entries` first, as `lab probe` prints them (with outcome, blamed and verdict added); then mismatches, skipped, the rest. */
export function verifyView(r: VerifyReport): object {
  return {
    entries: r.entries,
    mismatches: r.entries.filter((e) => e.verdict === "mismatch"),
    skipped: r.skipped,
    warnings: r.warnings,
    run: r.run,
    podsCreated: r.podsCreated,
    timings: r.timings,
  };
}

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JUnit XML as CI systems read it: one testsuite, one testcase per probe; a mismatch is a failure, an inconclusive probe skipped. */
export function renderVerifyJunit(r: VerifyReport): string {
  const failures = r.entries.filter((e) => e.verdict === "mismatch").length;
  const skipped = r.entries.filter((e) => e.verdict === "inconclusive").length;
  const seconds = ((r.timings.podStartMs + r.timings.probeMs + r.timings.cleanupMs) / 1000).toFixed(3);
  const cases = r.entries.map((e) => {
    const head = `  <testcase classname="${xml(e.from)}" name="${xml(`${e.from} → ${e.to} ${e.port}/${e.protocol} ${expectedWord(e)}`)}">`;
    if (e.verdict === "match") return `${head}</testcase>`;
    if (e.verdict === "inconclusive") return `${head}<skipped message="${xml(e.detail ?? "inconclusive")}"/></testcase>`;
    return `${head}<failure message="${xml(mismatchLine(e))}" type="mismatch"/></testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuite name="portcullis verify ${xml(r.run)}" tests="${r.entries.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}">`,
    ...cases,
    `</testsuite>`,
    "",
  ].join("\n");
}

// --- --smoke ----------------------------------------------------------------------------------

/** The issue's two verdicts, word for word. */
export const ENFORCED_SENTENCE = "NetworkPolicy is enforced (ingress, egress)";
export const NOT_ENFORCED_SENTENCE = "NOT ENFORCED: the API server accepted a deny-all policy and traffic still flows — this cluster's network plugin ignores NetworkPolicy";

export type SmokeStepName = "no policy" | "deny-all ingress" | "deny-all egress" | "egress allowing DNS only";

export interface SmokeStep {
  readonly name: SmokeStepName;
  /** What was probed: `server 8080/TCP`, `dns kubernetes.default`. */
  readonly probe: string;
  readonly expected: "reachable" | "blocked";
  readonly outcome: Observed;
  readonly ok: boolean;
}

export type SmokeVerdict =
  | { readonly kind: "enforced" }
  | { readonly kind: "not-enforced" }
  /** One direction enforced, the other not. */
  | { readonly kind: "partly"; readonly enforced: "ingress" | "egress" }
  /** Without any policy the client could not reach the server: nothing can be concluded. */
  | { readonly kind: "inconclusive"; readonly reason: string };

export interface SmokeReport {
  readonly namespace: string;
  readonly steps: readonly SmokeStep[];
  readonly verdict: SmokeVerdict;
  /** DNS under an egress policy that allows it did not answer (reported beside an "enforced"). */
  readonly dnsFailed: boolean;
  readonly timings: VerifyTimings;
  readonly podsCreated: number;
}

/** The verdict from the steps: baseline first, then whether each deny-all blocked. */
export function smokeVerdict(steps: readonly SmokeStep[]): SmokeVerdict {
  const step = (n: SmokeStepName): SmokeStep | undefined => steps.find((s) => s.name === n && s.probe.startsWith("server"));
  const baseline = step("no policy");
  if (baseline === undefined || !baseline.ok) return { kind: "inconclusive", reason: `without any policy the client could not reach the server (${baseline?.outcome ?? "not probed"})` };
  const ingress = step("deny-all ingress")?.ok === true;
  const egress = step("deny-all egress")?.ok === true;
  if (ingress && egress) return { kind: "enforced" };
  if (!ingress && !egress) return { kind: "not-enforced" };
  return { kind: "partly", enforced: ingress ? "ingress" : "egress" };
}

export function smokeSentence(v: SmokeVerdict): string {
  switch (v.kind) {
    case "enforced":
      return ENFORCED_SENTENCE;
    case "not-enforced":
      return NOT_ENFORCED_SENTENCE;
    case "partly": {
      const other = v.enforced === "ingress" ? "egress" : "ingress";
      return `NetworkPolicy is enforced (${v.enforced}) — NOT ENFORCED for ${other}: the API server accepted a deny-all ${other} policy and traffic still flows`;
    }
    case "inconclusive":
      return `cannot tell: ${v.reason}`;
  }
}

export function renderSmokeText(r: SmokeReport): string {
  const rows = r.steps.map((s) => [s.ok ? " " : "!", s.name, s.probe, `expected ${s.expected}`, `observed ${s.outcome}`]);
  const lines = [`verify --smoke in namespace ${r.namespace} (${r.podsCreated} pods; pod start ${r.timings.podStartMs} ms, probing ${r.timings.probeMs} ms, cleanup ${r.timings.cleanupMs} ms)`, "", ...columns(rows), ""];
  lines.push(smokeSentence(r.verdict));
  if (r.dnsFailed) lines.push("DNS under an egress policy that allows it did not answer: pods of namespaces with egress policies cannot resolve names (see the DNS step above)");
  return `${lines.join("\n")}\n`;
}

export function smokeView(r: SmokeReport): object {
  return { verdict: r.verdict.kind, sentence: smokeSentence(r.verdict), steps: r.steps, dnsFailed: r.dnsFailed, namespace: r.namespace, podsCreated: r.podsCreated, timings: r.timings };
}
