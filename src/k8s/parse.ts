import { Composer, type Document, LineCounter, Parser, type Tags, YAMLError } from "yaml";
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Location } from "../diag/location.js";
import { codes } from "./codes.js";
import { findTooDeep, MAX_NESTING } from "./depth.js";
import { type JsonSource, readJsonSource } from "./json-source.js";
import { expandLists } from "./lists.js";
import { type FieldPath, formatPath, parsePath } from "./path.js";
import { type AliasBudget, buildDocument, offsetOf } from "./yaml-build.js";

/** A file (or stdin) as text. */
export interface Source {
  readonly file: string;
  readonly text: string;
  /**
   * Found by walking a directory, not named itself: when it is not a Kubernetes manifest at all
   * (not-manifest.ts) it is skipped with a warning unless reading is strict. A file named on the
   * command line is meant to be a manifest, so it never is.
   */
  readonly inDirectory?: true;
}

/**
 * One Kubernetes object as written: its plain value, and where each of its fields sits (in a file,
 * or, for an object read from a live cluster, the object itself: live.ts).
 */
export interface RawDocument {
  /** Where the object sits inside its YAML document: `[]`, or `["items", 3]` for an item of a `kind: List`. */
  readonly base: FieldPath;
  /** The object as plain data (mappings are plain objects, lists are arrays). */
  readonly value: unknown;
  /**
   * The location of a field of this object, `path` relative to the object. The line and column are
   * those of the field's key (a mapping entry) or item (a list entry); for a field that was not
   * written, those of the nearest enclosing field that was. `Location.path` includes `base`.
   */
  readonly locate: (path: FieldPath) => Location;
}

/** `locate` with a path written as text (`spec.egress[1].to[0]`); the object's position if it does not parse. */
export function locateText(doc: RawDocument, path: string): Location {
  return doc.locate(parsePath(path) ?? []);
}

export interface ParsedSource {
  readonly documents: RawDocument[];
  readonly diagnostics: Diagnostic[];
  /** Read as one JSON value (the fast path): no template syntax can stand outside its strings. */
  readonly json?: true;
}

/**
 * YAML as Kubernetes reads it: sigs.k8s.io/yaml resolves plain scalars with YAML 1.1 rules
 * (go-yaml v2), so `yes`, `on` and `y` are booleans and `<<` merges. Unlike the YAML 1.1 schema,
 * go-yaml v2 keeps timestamps (`2024-01-01`) and base-60 numbers (`10:30`) as strings when decoding
 * into untyped data, so those tags are dropped. Duplicate keys are an error, as kubectl's strict
 * validation makes them. JSON is read the same way (it is YAML).
 */
const YAML_OPTIONS = {
  version: "1.1",
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  customTags: (tags: Tags): Tags => tags.filter((t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME")),
} as const;
/** YAML text longer than this is refused (the JSON path reads up to the file size limit). */
export const MAX_YAML_CHARS = 16 * 1024 * 1024;

/**
 * The objects of a file, each with the positions of its fields. A file holding one JSON value takes
 * the fast path (`readJsonSource`): the same values and positions as the YAML path gives, read
 * about a hundred times faster; anything the fast path is unsure of is read as YAML.
 */
export function parseDocuments(source: Source): ParsedSource {
  const json = readJsonSource(source.text);
  return json === null ? parseYamlDocuments(source) : jsonDocuments(source, json);
}

function jsonDocuments(source: Source, json: JsonSource): ParsedSource {
  let lines: LineCounter | null = null;
  const locateIn = (path: FieldPath): Location => {
    if (lines === null) {
      lines = new LineCounter();
      lines.addNewLine(0);
      for (let at = source.text.indexOf("\n"); at >= 0; at = source.text.indexOf("\n", at + 1)) lines.addNewLine(at + 1);
    }
    const { line, col } = lines.linePos(json.offsetOf(path));
    return { file: source.file, line, column: col, document: 0, path: formatPath(path) };
  };
  const documents: RawDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  if (json.value === null) return { documents, diagnostics, json: true };
  const expanded = expandLists(json.value);
  for (const d of expanded.problems) diagnostics.push({ severity: "error", code: d.code, message: d.message, at: locateIn(d.path) });
  for (const object of expanded.objects) {
    documents.push({ base: object.base, value: object.value, locate: (path) => locateIn([...object.base, ...path]) });
  }
  return { documents, diagnostics, json: true };
}

/**
 * Every YAML document of a file (JSON included), read one document at a time: each is composed,
 * turned into plain data and a compact tree of field positions (`buildDocument`), and its syntax
 * tree dropped before the next is read. A file longer than MAX_YAML_CHARS is refused unread.
 */
export function parseYamlDocuments(source: Source): ParsedSource {
  const lineCounter = new LineCounter();
  const at = (offset: number, document = 0): Location => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.file, line, column: col, document, path: "" };
  };
  if (source.text.length > MAX_YAML_CHARS) {
    const start = { file: source.file, line: 1, column: 1, document: 0, path: "" };
    return { documents: [], diagnostics: [{ severity: "error", code: codes.yamlTooLarge, message: messages.yamlTooLarge(source.text.length, MAX_YAML_CHARS), at: start }] };
  }
  const sink: Sink = { file: source.file, lineCounter, at, documents: [], diagnostics: [], aliases: { added: 0 } };
  const composer = new Composer(YAML_OPTIONS);
  let index = 0;
  try {
    for (const token of new Parser(lineCounter.addNewLine).parse(source.text)) {
      const deep = findTooDeep([token]);
      if (deep !== undefined) {
        return { documents: [], diagnostics: [{ severity: "error", code: codes.nestingTooDeep, message: messages.nestingTooDeep(MAX_NESTING), at: at(deep) }] };
      }
      for (const doc of composer.next(token)) readDocument(doc, index++, sink);
    }
    for (const doc of composer.end(false, source.text.length)) readDocument(doc, index++, sink);
  } catch (error) {
    // Guard: yaml reports its own problems as document errors; anything thrown is still a value here.
    const code = error instanceof RangeError ? codes.nestingTooDeep : codes.yamlSyntax;
    const message = error instanceof RangeError ? messages.nestingTooDeep(MAX_NESTING) : messages.yamlSyntax(describeError(error));
    return { documents: [], diagnostics: [{ severity: "error", code, message, at: at(0) }] };
  }
  return { documents: sink.documents, diagnostics: sink.diagnostics };
}

interface Sink {
  readonly file: string;
  readonly lineCounter: LineCounter;
  readonly at: (offset: number, document: number) => Location;
  readonly documents: RawDocument[];
  readonly diagnostics: Diagnostic[];
  readonly aliases: AliasBudget;
}

/** One composed YAML document: its problems, or its objects (a List gives several). */
function readDocument(doc: Document.Parsed, index: number, sink: Sink): void {
  const { at, diagnostics } = sink;
  for (const w of doc.warnings) {
    diagnostics.push({ severity: "warning", code: codes.yamlWarning, message: messages.yamlWarning(w.message), at: at(w.pos[0], index) });
  }
  const first = doc.errors[0];
  if (first !== undefined) {
    // Later errors in a document are mostly echoes of the first; report it and how many followed.
    const more = doc.errors.length - 1;
    const detail = more === 0 ? first.message : `${first.message} (and ${more} more in this document)`;
    diagnostics.push({ severity: "error", code: codes.yamlSyntax, message: messages.yamlSyntax(detail), at: at(first.pos[0], index) });
    return;
  }
  if (doc.contents === null) return; // an empty document
  const built = buildDocument(doc, sink.aliases);
  if (!built.ok) {
    diagnostics.push({ severity: "error", code: built.code, message: built.message, at: at(built.offset, index) });
    return;
  }
  if (built.value === null || built.value === undefined) return; // `~` or `null`: an empty document too
  const { file, lineCounter } = sink;
  const rootOffset = doc.contents.range[0];
  const locateIn = (path: FieldPath): Location => {
    const { line, col } = lineCounter.linePos(offsetOf(built.spots, rootOffset, path));
    return { file, line, column: col, document: index, path: formatPath(path) };
  };
  const expanded = expandLists(built.value);
  for (const d of expanded.problems) {
    diagnostics.push({ severity: "error", code: d.code, message: d.message, at: locateIn(d.path) });
  }
  for (const object of expanded.objects) {
    sink.documents.push({ base: object.base, value: object.value, locate: (path) => locateIn([...object.base, ...path]) });
  }
}

function describeError(error: unknown): string {
  if (error instanceof YAMLError || error instanceof Error) return error.message;
  return String(error);
}
