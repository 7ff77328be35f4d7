/** Where something was written in a file: 1-based line and column, 0-based YAML document index, field path. */
export interface FileLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly document: number;
  /** Like `spec.egress[0].to[1].ipBlock.except[0]`; empty for the object itself. */
  readonly path: string;
  readonly object?: never;
}

/** An object read from a live cluster: there is no file or line, only the object and a field in it. */
export interface LiveObjectRef {
  readonly kind: string;
  /** Absent for cluster-scoped objects (Namespace, Node, admin policies). */
  readonly namespace?: string;
  readonly name: string;
}

export interface LiveLocation {
  readonly object: LiveObjectRef;
  /** As in FileLocation. */
  readonly path: string;
  /** No file position: these say so to the type checker (`at.line` is undefined for a live object). */
  readonly file?: never;
  readonly line?: never;
  readonly column?: never;
  readonly document?: never;
}

/** Where something is: a position in a file, or an object of a live cluster. */
export type Location = FileLocation | LiveLocation;


/** `Pod production/web-api-7d9f`, `Namespace shop`: how messages name a live object. */
export function formatLiveObject(object: LiveObjectRef): string {
  return `${object.kind} ${object.namespace === undefined ? "" : `${object.namespace}/`}${object.name}`;
}

/** `file:line:column`, or `Kind namespace/name` for a live object. */
export function formatLocation(at: Location): string {
  return at.file !== undefined ? `${at.file}:${at.line}:${at.column}` : formatLiveObject(at.object);
}

/** `file:line`, or `Kind namespace/name` for a live object: where a rule or policy is, in prose. */
export function formatLocationLine(at: Location): string {
  return at.file !== undefined ? `${at.file}:${at.line}` : formatLiveObject(at.object);
}

/** Source order: files by name, document, line, column; live objects after files, by kind, namespace, name. */
export function compareLocations(a: Location, b: Location): number {
  if (a.file !== undefined && b.file !== undefined) {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return a.document - b.document || a.line - b.line || a.column - b.column;
  }
  return compareLiveLast(a, b);
}

/** Files first; live objects by `Kind namespace/name`. */
function compareLiveLast(a: LocationJson | Location, b: LocationJson | Location): number {
  if (a.object === undefined || b.object === undefined) return a.object === undefined ? (b.object === undefined ? 0 : -1) : 1;
  const ka = formatLiveObject(a.object);
  const kb = formatLiveObject(b.object);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}


/**
 * A location as JSON (docs/json.md): a file position keeps its keys (`file`, `line`, `column`,
 * `path`); a live object is `{object: {kind, namespace?, name}, path}`.
 */
export type LocationJson =
  | { readonly file: string; readonly line: number; readonly column: number; readonly path: string; readonly object?: never }
  | { readonly object: LiveObjectRef; readonly path: string; readonly file?: never; readonly line?: never; readonly column?: never };

export function locationJson(at: Location): LocationJson {
  if (at.file !== undefined) return { file: at.file, line: at.line, column: at.column, path: at.path };
  return { object: at.object, path: at.path };
}

/**
 * `  file:line:column` after a line that names the object already; nothing for a live object
 * (its name is the line's own: there is no file position to add).
 */
export function trailingLocation(at: LocationJson, separator = "  "): string {
  return at.file !== undefined ? `${separator}${at.file}:${at.line}:${at.column}` : "";
}

/** `file:line:column`, or `Kind namespace/name`, of a location as JSON. */
export function formatLocationJson(at: LocationJson): string {
  return at.file !== undefined ? `${at.file}:${at.line}:${at.column}` : formatLiveObject(at.object);
}

/** Locations as JSON in source order: files by name, line, column (no document index here); live objects after. */
export function compareLocationJson(a: LocationJson, b: LocationJson): number {
  if (a.file !== undefined && b.file !== undefined) {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    return a.line - b.line || a.column - b.column;
  }
  return compareLiveLast(a, b);
}
