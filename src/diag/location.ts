/** Where something was written: file, 1-based line and column, 0-based YAML document index, field path. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly document: number;
  /** Like `spec.egress[0].to[1].ipBlock.except[0]`; empty for the object itself. */
  readonly path: string;
}

export function formatLocation(at: Location): string {
  return `${at.file}:${at.line}:${at.column}`;
}

/** The location of a field below `at`, keeping the position of `at` when none better is known. */
export function childPath(parent: string, child: string | number): string {
  if (typeof child === "number") return `${parent}[${child}]`;
  return parent === "" ? child : `${parent}.${child}`;
}
