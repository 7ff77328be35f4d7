/**
 * The counters of an applied table, each rule id named: which admin rule accepted, denied or
 * passed, which policy rule allowed, which group's default deny dropped, what fail-closed dropped. The ids come from the kernel; the names from a
 * compile of the same files (ids are hashes of what they stand for, so any compile of the same
 * policies names them, whichever process applied the table).
 */
import type { Counter } from "../nft/counters.js";
import type { PolicyKey, RuleIdEntry, RuleIdMap } from "../nft/types.js";
import { formatAdminRule } from "../model/admin-policy.js";

export interface CounterRow {
  readonly id: string;
  readonly packets: number;
  readonly bytes: number;
  /** What the id stands for; null when the files given do not have it (the table came from other input). */
  readonly entry: RuleIdEntry | null;
}

const KIND_ORDER: Readonly<Record<RuleIdEntry["kind"], number>> = { "admin-rule": 0, rule: 1, "default-deny": 2, "unknown-pod": 3 };
const policyText = (p: PolicyKey): string => `${p.namespace}/${p.name}`;

function sortKey(row: CounterRow): string {
  const e = row.entry;
  if (e === null) return `9\u0000${row.id}`;
  const detail =
    e.kind === "rule"
      ? `${policyText(e.policy)}\u0000${String(e.rule).padStart(6, "0")}`
      : e.kind === "admin-rule"
        ? `${e.tier === "Admin" ? 0 : 1}\u0000${String(e.priority ?? 1001).padStart(4, "0")}\u0000${e.policy.name}\u0000${e.policy.kind}\u0000${String(e.rule).padStart(6, "0")}`
        : e.kind === "default-deny"
          ? e.policies.map(policyText).join(",")
          : "";
  return `${KIND_ORDER[e.kind]}\u0000${e.direction}\u0000${detail}`;
}

/** Every id the kernel counts, with its meaning: rules in policy order, then default denies, then fail-closed, then unknown ids. */
export function counterRows(ruleIds: RuleIdMap, counters: ReadonlyMap<string, Counter>): CounterRow[] {
  const keyed = [...counters].map(([id, c]) => {
    const row: CounterRow = { id, packets: c.packets, bytes: c.bytes, entry: ruleIds.entries.get(id) ?? null };
    return { key: sortKey(row), row };
  });
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((k) => k.row);
}

/** What a row stands for, in words, and its verdict (`allow`, `deny`, `audit`, `?`). */
export function describeRow(row: CounterRow): { verdict: string; what: string } {
  const e = row.entry;
  if (e === null) return { verdict: "?", what: "not in these files: the table was applied from other input" };
  switch (e.kind) {
    case "rule":
      return { verdict: e.mode === "audit" ? "allow (audited)" : "allow", what: `${policyText(e.policy)} ${e.direction}[${e.rule}]` };
    case "admin-rule": {
      const verdict = e.action === "Accept" ? "allow" : e.action === "Pass" ? "pass" : e.mode === "audit" ? "audit" : "deny";
      return { verdict, what: `${e.direction} ${formatAdminRule(e)} ${e.action}${e.failClosed ? " (fails closed)" : ""}` };
    }
    case "default-deny":
      return { verdict: e.mode === "audit" ? "audit" : "deny", what: `${e.direction} isolated by ${e.policies.map(policyText).join(", ")}, no rule allows` };
    case "unknown-pod":
      return { verdict: "deny", what: `${e.direction} of an address in the node's pod CIDRs that is no known pod (fail closed)` };
  }
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A table with aligned columns, one line per id. */
export function countersText(rows: readonly CounterRow[]): string {
  const lines = [["PACKETS", "BYTES", "VERDICT", "RULE ID", "WHAT"]];
  for (const row of rows) {
    const { verdict, what } = describeRow(row);
    lines.push([String(row.packets), bytesText(row.bytes), verdict, row.id, what]);
  }
  const widths = lines[0]?.map((_, k) => Math.max(...lines.map((l) => (l[k] ?? "").length))) ?? [];
  return `${lines.map((l) => l.map((cell, k) => (k === l.length - 1 ? cell : cell.padEnd(widths[k] ?? 0))).join("  ")).join("\n")}\n`;
}

/** `{"counters":[{"id","packets","bytes","kind",...}]}`: the RuleIdMap entry's fields, or `kind: "unmapped"`. */
export function countersJson(rows: readonly CounterRow[]): object {
  return {
    counters: rows.map((row) => {
      const { id: _id, ...entry } = row.entry ?? { id: row.id, kind: "unmapped" as const };
      return { id: row.id, packets: row.packets, bytes: row.bytes, ...entry };
    }),
  };
}
