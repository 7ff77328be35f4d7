import type { Location } from "./location.js";

export type Severity = "error" | "warning" | "info";

/** A problem found in the input. Errors as values: the core returns these, the CLI prints them. */
export interface Diagnostic {
  readonly severity: Severity;
  /** A stable identifier, e.g. `except-not-subset`. */
  readonly code: string;
  readonly message: string;
  /** The object, as `Kind namespace/name` (e.g. `NetworkPolicy production/app-egress`), when known. */
  readonly object?: string;
  readonly at?: Location;
}

/** A value with the problems found while producing it. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
