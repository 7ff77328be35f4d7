import { Lexer } from "yaml";
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Location } from "../diag/location.js";
import { codes } from "./codes.js";
import type { ParsedSource, RawDocument, Source } from "./parse.js";
import { isRecord } from "./values.js";

/**
 * Why a file is not a Kubernetes manifest at all, or undefined when it is one (or may be one: a
 * broken manifest stays an error).
 *
 * - `template`: Go template actions (`{{ … }}`) stand where YAML has its structure, as in a Helm
 *   chart's `templates/`: the file is a manifest only once rendered (`helm template`).
 * - `no-object`: it parsed, and no document is shaped like a Kubernetes object (package.json,
 *   Chart.yaml, values.yaml, a test report).
 */
export type NotManifest = { readonly kind: "template"; readonly at: Location } | { readonly kind: "no-object" };

/**
 * A document shaped like a Kubernetes object: a mapping with `kind`, or with `apiVersion` and
 * `metadata` (a manifest that lost its kind is a broken manifest; Helm's Chart.yaml has an
 * `apiVersion` but no `metadata`). An item of a List is one by being in the List.
 */
function looksLikeObject(doc: RawDocument): boolean {
  if (doc.base.length > 0) return true;
  const v = doc.value;
  return isRecord(v) && ("kind" in v || ("apiVersion" in v && "metadata" in v));
}

/**
 * Whether the source is not a Kubernetes manifest (see NotManifest). A file with YAML errors and
 * no template syntax, an empty file, and a file of which any document looks like an object are
 * manifests, whatever their other documents are: their problems are reported as errors.
 */
export function notManifest(source: Source, parsed: ParsedSource): NotManifest | undefined {
  // Valid JSON holds `{{` only inside strings: a large `kubectl get -o json` dump is not lexed again.
  const template = parsed.json === true ? undefined : templateAction(source);
  if (template !== undefined) return { kind: "template", at: template };
  if (parsed.diagnostics.some((d) => d.severity === "error") || parsed.documents.length === 0) return undefined;
  return parsed.documents.some(looksLikeObject) ? undefined : { kind: "no-object" };
}

/** The warning for a skipped file (the caller decides that it is skipped rather than an error). */
export function notManifestWarning(source: Source, why: NotManifest): Diagnostic {
  if (why.kind === "template") return { severity: "warning", code: codes.notKubernetes, message: messages.goTemplate(), at: why.at };
  return { severity: "warning", code: codes.notKubernetes, message: messages.notKubernetes(), at: { file: source.file, line: 1, column: 1, document: 0, path: "" } };
}

/** What the YAML lexer marks without reading a character: document start, flow error end, scalar start. */
const CONTROL_TOKENS = new Set(["\u0002", "\u0018", "\u001f"]);

/** Any `{{` that YAML would read as structure: cheap to rule out, lexed only when it may be there. */
const MAYBE_ACTION = /(?:^|[\s[{,:-])\{\{/;

/**
 * The first Go template action standing where YAML has structure: `{{` read as two flow-mapping
 * starts, which no Kubernetes manifest writes (`{{` inside a quoted or block scalar, as in a
 * ConfigMap's data or an alert's description, is text and is not counted).
 */
function templateAction(source: Source): Location | undefined {
  if (!MAYBE_ACTION.test(source.text)) return undefined;
  let offset = 0;
  let line = 1;
  let lineStart = 0;
  let previous = "";
  for (const token of new Lexer().lex(source.text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    if (token === "{" && previous === "{") return { file: source.file, line, column: offset - lineStart, document: 0, path: "" };
    for (let at = token.indexOf("\n"); at >= 0; at = token.indexOf("\n", at + 1)) {
      line++;
      lineStart = offset + at + 1;
    }
    offset += token.length;
    previous = token;
  }
  return undefined;
}
