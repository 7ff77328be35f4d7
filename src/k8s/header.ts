import { messages } from "../diag/catalogue.js";
import { type ObjectRef, formatObjectRef } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import { isAdminPolicyKind } from "./admin-policy.js";
import { codes } from "./codes.js";
import { type Field, type Reader, child, missing, readBoolean, readItemMap, readList, readMap, readString, requireString } from "./reader.js";
import { readLabels, readStringMap } from "./selector.js";
import { dns1123LabelProblem, dns1123SubdomainProblem } from "./validate.js";

/** The controller of an object, from `metadata.ownerReferences`. */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

export interface ObjectHeader {
  readonly ref: ObjectRef;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly owner: OwnerRef | undefined;
}

/** Namespaces and Services are named by DNS-1123 labels; other objects by DNS-1123 subdomains. */
const LABEL_NAMED = new Set(["Namespace", "Service"]);

/** Kinds without a namespace: Namespace, Node and the admin policy kinds. */
export function isClusterScoped(kind: string): boolean {
  return kind === "Namespace" || kind === "Node" || isAdminPolicyKind(kind);
}

/**
 * Reads `metadata`. Undefined when the object cannot be identified (no usable name); problems
 * that leave the identity intact (labels, annotations, a badly formed name) are reported and the
 * caller goes on, so that every problem of the object is listed.
 */
export function readHeader(r: Reader, kind: string): ObjectHeader | undefined {
  const meta = child(r.root(), "metadata");
  if (readMap(r, meta) === undefined) {
    if (meta.value === undefined || meta.value === null) missing(r, child(meta, "name"));
    return undefined;
  }
  const nameField = child(meta, "name");
  const name = requireString(r, nameField);
  if (name === undefined) return undefined;
  const clusterScoped = isClusterScoped(kind);
  const nsField = child(meta, "namespace");
  // Objects without metadata.namespace are in `default`; a Namespace has none.
  const namespace = clusterScoped ? "" : (readString(r, nsField) ?? "") || "default";
  const ref: ObjectRef = { kind, namespace, name };
  r.object = formatObjectRef(ref);
  const nameProblem = LABEL_NAMED.has(kind) ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name);
  if (nameProblem !== undefined) r.error(codes.invalidName, messages.invalidNameBecause(name, nameProblem), nameField.path);
  const nsProblem = clusterScoped ? undefined : dns1123LabelProblem(namespace);
  if (nsProblem !== undefined) r.error(codes.invalidName, messages.invalidNameBecause(namespace, nsProblem), nsField.path);
  return {
    ref,
    labels: readLabels(r, child(meta, "labels")),
    annotations: readStringMap(r, child(meta, "annotations"), false) ?? new Map(),
    owner: readOwner(r, child(meta, "ownerReferences")),
  };
}

/** "If true, this reference points to the managing controller." Otherwise the first owner is taken. */
function readOwner(r: Reader, field: Field): OwnerRef | undefined {
  const owners: { ref: OwnerRef; controller: boolean }[] = [];
  for (const item of readList(r, field) ?? []) {
    if (readItemMap(r, item) === undefined) continue;
    const kind = requireString(r, child(item, "kind"));
    const name = requireString(r, child(item, "name"));
    const controller = readBoolean(r, child(item, "controller")) ?? false;
    if (kind !== undefined && name !== undefined) owners.push({ ref: { kind, name }, controller });
  }
  return (owners.find((o) => o.controller) ?? owners[0])?.ref;
}
