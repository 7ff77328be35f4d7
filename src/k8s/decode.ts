import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Cluster, Namespace, Policy, Service } from "../model/cluster.js";
import { codes } from "./codes.js";
import { groupEndpoints } from "./endpoints.js";
import { type ObjectHeader, readHeader } from "./header.js";
import { namespacesOf } from "./namespaces.js";
import type { RawDocument } from "./parse.js";
import { readPolicy } from "./policy.js";
import { Reader, child, requireString } from "./reader.js";
import { readService } from "./service.js";
import { dns1123LabelProblem } from "./validate.js";
import { describeValue, isRecord } from "./values.js";
import { isWorkloadKind, readWorkload, type WorkloadObject } from "./workload.js";

export interface DecodeResult {
  readonly value: Cluster;
  readonly diagnostics: Diagnostic[];
  /** Objects of kinds Portcullis does not model, counted by kind, in order of appearance. */
  readonly skipped: { kind: string; count: number }[];
}

const NETWORK_POLICY_API = "networking.k8s.io/v1";

/**
 * Decodes objects into a Cluster. Every problem is reported; an object with an error (one the API
 * server would reject) is left out, the rest is decoded.
 */
export function decodeCluster(documents: readonly RawDocument[]): DecodeResult {
  const diagnostics: Diagnostic[] = [];
  const skipped = new Map<string, number>();
  const seen = new Set<string>();
  const declared: { header: ObjectHeader; at: Namespace["at"] }[] = [];
  const referenced = new Set<string>();
  const workloads: WorkloadObject[] = [];
  const services: Service[] = [];
  const policies: Policy[] = [];

  for (const doc of documents) {
    const r = new Reader(doc);
    const kind = readKind(r);
    const header = kind === undefined ? undefined : readHeaderIfModelled(r, kind, skipped);
    if (kind !== undefined && header !== undefined) {
      const identity = `${kind}\u0000${header.ref.namespace}\u0000${header.ref.name}`;
      if (seen.has(identity)) {
        // One object per kind, namespace and name: a second one is reported and left out.
        r.error(codes.duplicateObject, messages.duplicateObject(r.object ?? header.ref.name), ["metadata", "name"]);
      } else {
        seen.add(identity);
        // The namespace an object lives in exists, declared or not (a malformed name does not).
        if (kind !== "Namespace" && dns1123LabelProblem(header.ref.namespace) === undefined) referenced.add(header.ref.namespace);
        decodeObject(r, kind, header, { declared, workloads, services, policies });
      }
    }
    diagnostics.push(...r.diagnostics);
  }
  return {
    value: { namespaces: namespacesOf(declared, referenced), endpoints: groupEndpoints(workloads), services, policies },
    diagnostics,
    skipped: [...skipped].map(([kind, count]) => ({ kind, count })),
  };
}

interface Sinks {
  readonly declared: { header: ObjectHeader; at: Namespace["at"] }[];
  readonly workloads: WorkloadObject[];
  readonly services: Service[];
  readonly policies: Policy[];
}

function decodeObject(r: Reader, kind: string, header: ObjectHeader, sinks: Sinks): void {
  if (kind === "Namespace") {
    if (!r.failed) sinks.declared.push({ header, at: r.at([]) });
  } else if (kind === "Service") {
    const service = readService(r, header);
    if (service !== undefined) sinks.services.push(service);
  } else if (kind === "NetworkPolicy") {
    const policy = readPolicy(r, { namespace: header.ref.namespace, name: header.ref.name, annotations: header.annotations });
    if (policy !== undefined) sinks.policies.push(policy);
  } else if (isWorkloadKind(kind)) {
    const workload = readWorkload(r, kind, header);
    if (workload !== undefined) sinks.workloads.push(workload);
  }
}

function readKind(r: Reader): string | undefined {
  if (!isRecord(r.doc.value)) {
    r.error(codes.notAnObject, messages.notAnObject(describeValue(r.doc.value)), []);
    return undefined;
  }
  return requireString(r, child(r.root(), "kind"));
}

const MODELLED = new Set(["Namespace", "Service", "NetworkPolicy", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"]);

/** The header of an object Portcullis models; other kinds are counted as skipped. */
function readHeaderIfModelled(r: Reader, kind: string, skipped: Map<string, number>): ObjectHeader | undefined {
  const skip = (name: string): undefined => {
    skipped.set(name, (skipped.get(name) ?? 0) + 1);
    return undefined;
  };
  if (!MODELLED.has(kind)) return skip(kind);
  const apiField = child(r.root(), "apiVersion");
  const apiVersion = requireString(r, apiField);
  if (apiVersion === undefined) return undefined;
  if (kind === "NetworkPolicy" && apiVersion !== NETWORK_POLICY_API) {
    // Calico's projectcalico.org/v3 NetworkPolicy, for one, shares the kind but not the semantics.
    r.report("warning", codes.unsupportedApiVersion, messages.unsupportedApiVersion(kind, apiVersion, NETWORK_POLICY_API), apiField.path);
    return skip(`${kind} (${apiVersion})`);
  }
  return readHeader(r, kind);
}


