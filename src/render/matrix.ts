/**
 * `portcullis matrix`: the JSON document is the analysis's Matrix (`entries`, then `externalEgress`
 * and `endpoints`); the grid, CSV and Markdown views print that same object.
 */
import type { Matrix, MatrixEntry } from "../analysis/matrix.js";
import { compactAddresses, parseCidrList } from "./addresses.js";
import { type AssumptionJson, assumedLines } from "./assumptions.js";
import { formatConns } from "./conns.js";
import { columns, csv, markdownTable, pad } from "./table.js";

/** One cell: every probed port of one pair. */
type Cell = "allowed" | "denied" | "some" | "depends" | "none";

const MARK: Readonly<Record<Cell, string>> = { allowed: "✓", denied: "✗", some: "◐", depends: "~", none: "·" };

const LEGEND =
  "✓ allowed on every probed port   ✗ denied on every probed port   ◐ allowed on some ports\n" +
  "~ depends on the endpoints' addresses   · no port to probe (the destination declares none)";

function cellOf(entries: readonly MatrixEntry[]): Cell {
  if (entries.length === 0) return "none";
  if (entries.some((e) => e.verdict === "depends")) return "depends";
  if (entries.every((e) => e.verdict === "allowed")) return "allowed";
  return entries.some((e) => e.verdict === "allowed") ? "some" : "denied";
}

/** Entries grouped by pair, in the matrix's own order. */
function byPair(m: Matrix): Map<string, MatrixEntry[]> {
  const out = new Map<string, MatrixEntry[]>();
  for (const e of m.entries) {
    const key = `${e.from}\u0000${e.to}`;
    out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}

function probe(e: MatrixEntry): string {
  return `${e.protocol} ${e.port}`;
}

/** `TCP 8080 ✓`: one probed port and its verdict. */
function probeVerdict(e: MatrixEntry): string {
  return `${probe(e)} ${MARK[e.verdict === "allowed" ? "allowed" : e.verdict === "depends" ? "depends" : "denied"]}`;
}

/** The ports probed on each destination, as `TCP 5432, UDP 53`. */
function probedPorts(m: Matrix): Map<string, string> {
  const out = new Map<string, Set<string>>();
  for (const e of m.entries) out.set(e.to, (out.get(e.to) ?? new Set()).add(probe(e)));
  return new Map([...out].map(([to, ports]) => [to, [...ports].join(", ")]));
}

/** The matrix as `matrix` writes it: with the namespaces whose labels its answers assumed. */
export type MatrixView = Matrix & { readonly assumptions?: readonly AssumptionJson[] };

export function renderMatrixText(m: MatrixView): string {
  const pairs = byPair(m);
  const cell = (from: string, to: string): Cell => cellOf(pairs.get(`${from}\u0000${to}`) ?? []);
  const n = m.endpoints.length;
  if (n === 0) return "No endpoints in the manifests.\n";
  const numberWidth = String(n).length;
  const label = (i: number): string => String(i + 1).padStart(numberWidth);
  const nameWidth = Math.max(...m.endpoints.map((e) => e.length));
  const rowHead = (text: string): string => pad(text, numberWidth + 1 + nameWidth);
  const colWidth = numberWidth + 1;
  const lines = [`Reachability between ${n} endpoint${n === 1 ? "" : "s"} (rows: from, columns: to)`, ""];
  lines.push(`${rowHead("")}  ${m.endpoints.map((_, j) => label(j).padStart(colWidth)).join("")}`);
  (m.sources ?? m.endpoints).forEach((from) => {
    const cells = m.endpoints.map((to) => MARK[cell(from, to)].padStart(colWidth)).join("");
    lines.push(`${rowHead(`${label(m.endpoints.indexOf(from))} ${from}`)}  ${cells}`);
  });
  lines.push("", LEGEND, "", "Ports probed per destination:");
  const ports = probedPorts(m);
  lines.push(...columns(m.endpoints.map((to, j) => [label(j), to, ports.get(to) ?? "none declared"]), "  "));
  const mixed = [...pairs.values()].filter((es) => ["some", "depends"].includes(cellOf(es)));
  if (mixed.length > 0) {
    lines.push("", "Per port, where it differs:");
    const rows = mixed.map((es) => {
      const first = es[0] as MatrixEntry;
      return [`${first.from} → ${first.to}`, es.map(probeVerdict).join(", ")];
    });
    lines.push(...columns(rows, "  "));
  }
  lines.push(...externalText(m));
  const assumed = assumedLines(m.assumptions ?? []);
  if (assumed.length > 0) lines.push("", ...assumed);
  return lines.join("\n") + "\n";
}

function externalText(m: Matrix): string[] {
  if (m.externalEgress.length === 0) return ["", "Egress outside the endpoints: none allowed."];
  const rows = m.externalEgress.map((e) => [e.from, "→", compactAddresses(parseCidrList(e.to)), formatConns(e.conns)]);
  return ["", "Egress to IP addresses (ipBlock rules, or no egress isolation):", ...columns(rows, "  ")];
}

export function renderMatrixCsv(m: Matrix): string {
  return csv(
    ["from", "to", "port", "protocol", "allowed", "verdict"],
    m.entries.map((e) => [e.from, e.to, String(e.port), e.protocol, String(e.allowed), e.verdict]),
  );
}

export function renderMatrixMarkdown(m: Matrix): string {
  const pairs = byPair(m);
  const cellText = (from: string, to: string): string => {
    const es = pairs.get(`${from}\u0000${to}`) ?? [];
    const c = cellOf(es);
    if (c === "none" || c === "allowed" || c === "denied") return MARK[c];
    return es.map(probeVerdict).join("<br>");
  };
  const grid = markdownTable(["from \\ to", ...m.endpoints], (m.sources ?? m.endpoints).map((from) => [from, ...m.endpoints.map((to) => cellText(from, to))]));
  const ports = probedPorts(m);
  const probes = markdownTable(["destination", "ports probed"], m.endpoints.map((to) => [to, ports.get(to) ?? "none declared"]));
  const external = markdownTable(["from", "to", "connections"], m.externalEgress.map((e) => [e.from, compactAddresses(parseCidrList(e.to)), formatConns(e.conns)]));
  return `${grid}\n${LEGEND.replace(/\n/, "<br>\n")}\n\n${probes}\n**Egress to IP addresses**\n\n${external}`;
}
