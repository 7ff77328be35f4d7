import { plural } from "./describe.js";
import { countBySeverity } from "./lint.js";
import type { Finding, Severity } from "./types.js";

export interface TextOptions {
  /** ANSI colours; the caller decides (a flag, a TTY), this renderer reads no environment. */
  readonly color: boolean;
}

const SEVERITY_COLOR: Readonly<Record<Severity, string>> = { error: "31", warning: "33", info: "36" };

/**
 * Findings grouped by file, in the order given (lintCluster sorts them):
 *
 *     examples/mistakes/dns-blocked/policy.yaml
 *       7:1  error  dns-egress-blocked  NetworkPolicy shop/default-deny-egress
 *         pods isolated for egress by … cannot send DNS queries …
 *         workloads: shop/web
 *         hint: add an egress rule …
 */
export function renderText(findings: readonly Finding[], options: TextOptions): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  if (findings.length === 0) return "no findings\n";
  const lines: string[] = [];
  let file: string | null = null;
  for (const f of findings) {
    // A live object has no file: its findings are grouped under the cluster, each naming its object.
    const group = f.location.file ?? "live cluster";
    if (group !== file) {
      if (file !== null) lines.push("");
      file = group;
      lines.push(paint("1", file));
    }
    const where = f.location.file === undefined ? "" : `${f.location.line}:${f.location.column}  `;
    const path = f.location.path === "" ? "" : ` ${f.location.path}`;
    lines.push(`  ${where}${paint(SEVERITY_COLOR[f.severity], f.severity)}  ${paint("2", f.rule)}  ${f.object}${path}`);
    lines.push(`    ${f.message}`);
    if (f.endpoints.length > 0) lines.push(`    workloads: ${f.endpoints.join(", ")}`);
    lines.push(`    ${paint("2", "hint:")} ${f.hint}`);
  }
  const c = countBySeverity(findings);
  lines.push("", `${plural(findings.length, "finding")}: ${plural(c.error, "error")}, ${plural(c.warning, "warning")}, ${c.info} info`);
  return `${lines.join("\n")}\n`;
}
