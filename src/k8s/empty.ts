import { isScalar, parseAllDocuments } from "yaml";
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { codes } from "./codes.js";
import type { ParsedSource, Source } from "./parse.js";

/**
 * A source that holds no object at all is an error (`no-objects`): an empty file or stdin, `---`
 * alone, comments, `null` or `~` documents. That is what a failed `kubectl get … > file` or an
 * empty pipe leaves, and reading it as "no policies" would fail open. A `List` without items is
 * different: it is what `kubectl get` prints when it found nothing, a real answer, so it passes.
 * Sources that gave objects or problems are not looked at again.
 */
export function noObjectProblems(source: Source, parsed: ParsedSource): Diagnostic[] {
  if (parsed.documents.length > 0 || parsed.diagnostics.length > 0 || !holdsNoDocument(source.text)) return [];
  return [{ severity: "error", code: codes.noObjects, message: messages.noObjects(), at: { file: source.file, line: 1, column: 1, document: 0, path: "" } }];
}

/** Whether every YAML document of the text is empty or null (read again only for sources that gave no object, which are small). */
function holdsNoDocument(text: string): boolean {
  return parseAllDocuments(text, { version: "1.1" }).every((doc) => doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null));
}
