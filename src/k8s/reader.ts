import { messages } from "../diag/catalogue.js";
import type { Diagnostic, Severity } from "../diag/diagnostic.js";
import type { Location } from "../diag/location.js";
import { codes } from "./codes.js";
import type { RawDocument } from "./parse.js";
import type { FieldPath, Segment } from "./path.js";
import { describeValue, isRecord, own } from "./values.js";

/** A value and the field path it was read from, relative to the object. */
export interface Field {
  readonly value: unknown;
  readonly path: FieldPath;
}

/**
 * Collects the diagnostics of one object while it is decoded. An object with an error is one the
 * API server would reject: the decoder reports every problem, then leaves the object out.
 */
export class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private errors = 0;
  /** `Kind namespace/name`, once known. */
  object: string | undefined;

  constructor(readonly doc: RawDocument) {}

  root(): Field {
    return { value: this.doc.value, path: [] };
  }

  at(path: FieldPath): Location {
    return this.doc.locate(path);
  }

  report(severity: Severity, code: string, message: string, path: FieldPath): void {
    if (severity === "error") this.errors++;
    const base = { severity, code, message, at: this.at(path) };
    this.diagnostics.push(this.object === undefined ? base : { ...base, object: this.object });
  }

  error(code: string, message: string, path: FieldPath): void {
    this.report("error", code, message, path);
  }

  get failed(): boolean {
    return this.errors > 0;
  }

  /** Errors reported so far; compare before and after reading a part to see whether it failed. */
  get errorCount(): number {
    return this.errors;
  }
}

export function child(field: Field, key: Segment): Field {
  const path = [...field.path, key];
  if (typeof key === "number") return { value: Array.isArray(field.value) ? (field.value[key] as unknown) : undefined, path };
  return { value: isRecord(field.value) ? own(field.value, key) : undefined, path };
}

/** Absent, or `null` (which Kubernetes reads as absent for optional fields). */
export function isAbsent(field: Field): boolean {
  return field.value === undefined || field.value === null;
}

function wrongType(r: Reader, expected: string, field: Field): undefined {
  r.error(codes.wrongType, messages.wrongType(expected, describeValue(field.value)), field.path);
  return undefined;
}

export function missing(r: Reader, field: Field): void {
  const last = field.path[field.path.length - 1];
  r.error(codes.missingField, messages.missingField(String(last ?? "")), field.path);
}

/** An optional mapping; reports anything else. */
export function readMap(r: Reader, field: Field): Record<string, unknown> | undefined {
  if (isAbsent(field)) return undefined;
  return isRecord(field.value) ? field.value : wrongType(r, "a mapping", field);
}

/** An optional list, as its items; reports anything else. */
export function readList(r: Reader, field: Field): Field[] | undefined {
  if (isAbsent(field)) return undefined;
  if (!Array.isArray(field.value)) return wrongType(r, "a list", field);
  return field.value.map((value: unknown, i) => ({ value, path: [...field.path, i] }));
}

export function readString(r: Reader, field: Field): string | undefined {
  if (isAbsent(field)) return undefined;
  return typeof field.value === "string" ? field.value : wrongType(r, "a string", field);
}

/** A required string: absent or empty is reported as missing. */
export function requireString(r: Reader, field: Field): string | undefined {
  const value = readString(r, field);
  if (value === undefined && isAbsent(field)) missing(r, field);
  if (value === "") {
    missing(r, field);
    return undefined;
  }
  return value;
}

export function readInteger(r: Reader, field: Field): number | undefined {
  if (isAbsent(field)) return undefined;
  return typeof field.value === "number" && Number.isInteger(field.value) ? field.value : wrongType(r, "an integer", field);
}

export function readBoolean(r: Reader, field: Field): boolean | undefined {
  if (isAbsent(field)) return undefined;
  return typeof field.value === "boolean" ? field.value : wrongType(r, "a boolean", field);
}

/**
 * A list item that is a struct: `null` reads as `{}`, as Go decodes a null element of a list of
 * structs into its zero value (so `egress: [~]` is one rule that allows everything).
 */
export function readItemMap(r: Reader, field: Field): Record<string, unknown> | undefined {
  if (isAbsent(field)) return {};
  return readMap(r, field);
}

/** A list item that is a string: `null` reads as `""`, Go's zero value. */
export function readItemString(r: Reader, field: Field): string | undefined {
  if (isAbsent(field)) return "";
  return readString(r, field);
}

/**
 * Fields the API does not define are rejected: kubectl validates strictly by default, and a typo
 * such as `port:` for `ports:` would otherwise silently widen a rule.
 */
export function checkFields(r: Reader, field: Field, record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) r.error(codes.unknownField, messages.unknownField(key), [...field.path, key]);
  }
}
