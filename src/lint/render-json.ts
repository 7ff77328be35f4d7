import type { Finding } from "./types.js";

export interface FindingsJson {
  readonly findings: readonly Finding[];
}

/** The JSON document: `{"findings": [...]}`, each finding with its fields in a fixed order. */
export function findingsJson(findings: readonly Finding[]): FindingsJson {
  return {
    findings: findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      object: f.object,
      location: f.location.file !== undefined ? { file: f.location.file, line: f.location.line, column: f.location.column, path: f.location.path } : { object: f.location.object, path: f.location.path },
      endpoints: [...f.endpoints],
      hint: f.hint,
    })),
  };
}

export function renderJson(findings: readonly Finding[]): string {
  return `${JSON.stringify(findingsJson(findings), null, 2)}\n`;
}
