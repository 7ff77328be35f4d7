import { policiesAssumptions } from "../../analysis/assumptions.js";
import { explainEndpoint, explainPolicy } from "../../analysis/explain.js";
import { ownerTranslation, podTargetLabel, podTargets } from "../../analysis/owner-cases.js";
import { serviceBackendCases } from "../../analysis/service-cases.js";
import type { Endpoint, Policy } from "../../model/cluster.js";
import { assumptionJson } from "../../render/assumptions.js";
import type { Engine } from "../../engine/engine.js";
import type { Target } from "../../engine/types.js";
import { endpointExplainJson, type ExplainJson, policyJson, renderExplainText } from "../../render/explain.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { resolveDestination } from "../target.js";
import { dnsKey } from "../../render/check.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

const POLICY_PREFIX = /^(networkpolicy|networkpolicies|netpol)\//i;

type ExplainOptions = Extract<CommandOptions, { name: "explain" }>;

/** `explain`: every policy (of -n's namespace); or one endpoint (`ns/name`, `Kind/ns/name`, a pod IP); or one policy. */
export function runExplain(options: ExplainOptions, engine: Engine): CommandResult {
  const unknown = unknownNamespace(options.namespace, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const ns = options.namespace;
  const view = options.target === null ? policiesView(engine.cluster.policies.filter((p) => ns === null || p.namespace === ns), engine) : explainTarget(options.target, ns, engine);
  if (typeof view === "string") return usage(view);
  return done("ok", render(options.common, { ...view, ...dnsKey(engine.options) }, { text: renderExplainText }));
}

function explainTarget(text: string, ns: string | null, engine: Engine): ExplainJson | string {
  const written = text.replace(POLICY_PREFIX, "");
  const policyId = ns !== null && !written.includes("/") ? `${ns}/${written}` : written;
  const policy = engine.cluster.policies.find((p) => p.id === policyId);
  if (POLICY_PREFIX.test(text)) {
    return policy === undefined ? `no NetworkPolicy "${policyId}" in the manifests` : policiesView([policy], engine);
  }
  const resolved = resolveDestination(text, engine.cluster, ns);
  const d = resolved.ok ? resolved.destination : null;
  if (d?.kind === "target" && d.target.kind === "endpoint") return workloadView(d.target, engine);
  if (d?.kind === "service") {
    const cases = serviceBackendCases(engine.cluster, d.service, d.clusterIp);
    if (typeof cases === "string") return cases;
    const endpoints = cases.cases.flatMap((c) => ("subject" in c && c.subject.kind === "endpoint" ? [{ label: c.label, endpoint: c.subject.endpoint }] : []));
    const assumptions = policiesAssumptions(engine.cluster, endpoints.flatMap((c) => selecting(engine, c.endpoint))).map(assumptionJson);
    return { translation: cases.translation, cases: endpoints.map((c) => ({ label: c.label, endpoint: endpointExplainJson(explainEndpoint(engine, c.endpoint)) })), assumptions };
  }
  if (policy !== undefined) return policiesView([policy], engine);
  if (resolved.ok) return `"${text}" is not the address of a pod or Service in the manifests: explain takes ns/name, Kind/ns/name, ns/name[Kind], a pod IP, a Service (svc/ns/name, a ClusterIP), or NetworkPolicy/ns/name`;
  return resolved.message;
}

function policiesView(policies: readonly Policy[], engine: Engine): ExplainJson {
  const sorted = [...policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { policies: sorted.map((p) => policyJson(explainPolicy(engine, p))), assumptions: policiesAssumptions(engine.cluster, sorted).map(assumptionJson) };
}

/** One endpoint; a workload whose pods differ as each endpoint that stands for some of its pods. */
function workloadView(target: Extract<Target, { kind: "endpoint" }>, engine: Engine): ExplainJson {
  const pods = podTargets(engine.cluster, target).flatMap((t) => (t.kind === "endpoint" ? [t.endpoint] : []));
  if (pods.length <= 1) return endpointView(target.endpoint, engine);
  const assumptions = policiesAssumptions(engine.cluster, pods.flatMap((e) => selecting(engine, e))).map(assumptionJson);
  return { translation: ownerTranslation(target.endpoint), cases: pods.map((e) => ({ label: podTargetLabel(e), endpoint: endpointExplainJson(explainEndpoint(engine, e)) })), assumptions };
}

function endpointView(endpoint: Endpoint, engine: Engine): ExplainJson {
  return { endpoint: endpointExplainJson(explainEndpoint(engine, endpoint)), assumptions: policiesAssumptions(engine.cluster, selecting(engine, endpoint)).map(assumptionJson) };
}

/** The policies that govern an endpoint, either direction. */
function selecting(engine: Engine, endpoint: Endpoint): Policy[] {
  return [...new Set([...engine.policiesSelecting(endpoint, "egress"), ...engine.policiesSelecting(endpoint, "ingress")])];
}
