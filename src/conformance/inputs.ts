/** A conformance case as the engine takes it: its manifests decoded, its options built. */
import type { Diagnostic } from "../diag/diagnostic.js";
import { decodeCluster } from "../k8s/decode.js";
import { parseDocuments } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";
import type { EngineOptions } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import type { ConformanceCase } from "./cases.js";

/** The case's objects through the real parser and decoder, with every error they raise (a valid case has none). */
export function caseCluster(c: ConformanceCase): { readonly cluster: Cluster; readonly errors: readonly Diagnostic[] } {
  const parsed = parseDocuments({ file: "case.yaml", text: c.objects.map((o) => JSON.stringify(o)).join("\n---\n") });
  const decoded = decodeCluster(parsed.documents);
  return { cluster: decoded.value, errors: [...parsed.diagnostics, ...decoded.diagnostics].filter((d) => d.severity === "error") };
}

/** The pod CIDRs (default 10.244.0.0/16) and ipBlock reading (default: matches pods) the case asks for; an invalid CIDR is left out and named. */
export function caseOptions(c: ConformanceCase): { readonly options: EngineOptions; readonly invalid: readonly string[] } {
  const texts = c.podCidrs ?? ["10.244.0.0/16"];
  const parsed = texts.map((t) => parseCidr(t));
  const cidrs = parsed.flatMap((r) => (r.ok ? [r.cidr] : []));
  return {
    options: { podNetwork: AddressSet.fromCidrs(cidrs), ipBlockMatchesPods: c.ipBlockMatchesPods ?? true },
    invalid: texts.filter((_, k) => !(parsed[k] as { ok: boolean }).ok),
  };
}
