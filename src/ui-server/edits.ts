/**
 * The page's policy edits: the input read at start (its objects and file texts, kept for the
 * session), the policy objects listed for editing, and an edit applied over that input with the
 * loader's own semantics (k8s/load.ts `loadOver`: an object replaces the one of the same kind,
 * namespace and name, the others are added). Nothing is ever written to disk.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { hasErrors } from "../diag/diagnostic.js";
import { formatLiveObject, formatLocationLine } from "../diag/location.js";
import { type DecodeOptions, overlay } from "../k8s/decode.js";
import { loadOver } from "../k8s/load.js";
import { parseDocuments, type RawDocument, type Source } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";
import { ADMIN_POLICY_SOURCES } from "../model/admin-policy.js";
import type { EditDiagnostic, EditRequest, PolicyDocument } from "../ui-model/types.js";
import { DocumentTexts } from "./policy-text.js";

/** The input read at start: its objects (files' documents, or a live read's objects) and the files' texts. */
export interface StartInput {
  readonly documents: readonly RawDocument[];
  readonly files: ReadonlyMap<string, string>;
  readonly decode: DecodeOptions;
  readonly strict: boolean;
}

/** What an edit leaves: the objects (for the policy list) and their texts, and the cluster they decode to. */
export interface EditedInput {
  readonly documents: readonly RawDocument[];
  readonly texts: DocumentTexts;
  readonly cluster: Cluster;
}

export function startDocuments(start: StartInput): Pick<EditedInput, "documents" | "texts"> {
  return { documents: start.documents, texts: new DocumentTexts(start.files) };
}

const POLICY_KINDS: ReadonlySet<string> = new Set(["NetworkPolicy", ...ADMIN_POLICY_SOURCES.map((s) => s.kind)]);

/** The objects' identity as the page names them: `NetworkPolicy/ns/name`, `ClusterNetworkPolicy/name`. */
function refOf(doc: RawDocument): { ref: string; kind: string; namespace: string | null; name: string } | null {
  const v = doc.value;
  if (typeof v !== "object" || v === null) return null;
  const o = v as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof o.kind !== "string" || typeof o.metadata?.name !== "string") return null;
  const namespace = o.kind === "NetworkPolicy" ? (typeof o.metadata.namespace === "string" ? o.metadata.namespace : "default") : null;
  return { ref: [o.kind, ...(namespace === null ? [] : [namespace]), o.metadata.name].join("/"), kind: o.kind, namespace, name: o.metadata.name };
}

/** Every NetworkPolicy and admin policy of the input, in input order, with its text. */
export function policyDocuments(input: Pick<EditedInput, "documents" | "texts">): PolicyDocument[] {
  return input.documents.flatMap((doc) => {
    const ref = refOf(doc);
    if (ref === null || !POLICY_KINDS.has(ref.kind)) return [];
    const at = doc.locate([]);
    return [{ ...ref, at: formatLocationLine(at), text: input.texts.textAt(at, () => doc.value) }];
  });
}

/**
 * The edit over the start input: `remove` drops objects by ref, each document's objects replace or
 * join the rest. The diagnostics when any is an error (file: the document's name).
 */
export function applyEdit(start: StartInput, edit: EditRequest): EditedInput | EditDiagnostic[] {
  const removed = new Set(edit.remove ?? []);
  const base = start.documents.filter((d) => !removed.has(refOf(d)?.ref ?? ""));
  const sources: Source[] = edit.documents.map((d) => ({ file: d.name, text: d.text }));
  const loaded = loadOver(base, sources, { ...start.decode, strict: start.strict });
  if (hasErrors(loaded.diagnostics)) return loaded.diagnostics.map(editDiagnostic);
  const documents = overlay(base, sources.flatMap((s) => parseDocuments(s).documents));
  const files = new Map([...start.files, ...sources.map((s) => [s.file, s.text] as const)]);
  return { documents, texts: new DocumentTexts(files), cluster: loaded.value };
}

function editDiagnostic(d: Diagnostic): EditDiagnostic {
  const at = d.at;
  const file = at === undefined ? "" : at.file !== undefined ? at.file : formatLiveObject(at.object);
  return {
    file,
    line: at?.line ?? 0,
    column: at?.column ?? 0,
    path: at?.path ?? "",
    severity: d.severity === "error" ? "error" : "warning",
    message: `${d.object === undefined ? "" : `${d.object}: `}${d.message}`,
  };
}
