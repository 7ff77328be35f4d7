import { explainEndpoint, explainPolicies, explainPolicy } from "../../analysis/explain.js";
import type { Engine } from "../../engine/engine.js";
import { endpointExplainJson, type ExplainJson, policyJson, renderExplainText } from "../../render/explain.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

const POLICY_PREFIX = /^(networkpolicy|networkpolicies|netpol)\//i;

type ExplainOptions = Extract<CommandOptions, { name: "explain" }>;

/** `explain`: every policy (of -n's namespace); or one endpoint (`ns/name`, `Kind/ns/name`, a pod IP); or one policy. */
export function runExplain(options: ExplainOptions, engine: Engine): CommandResult {
  const unknown = unknownNamespace(options.namespace, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const ns = options.namespace;
  const view =
    options.target === null
      ? { policies: explainPolicies(engine).filter((p) => ns === null || p.namespace === ns).map(policyJson) }
      : explainTarget(options.target, ns, engine);
  if (typeof view === "string") return usage(view);
  return done("ok", render(options.common.output, view, { text: renderExplainText }));
}

function explainTarget(text: string, ns: string | null, engine: Engine): ExplainJson | string {
  const written = text.replace(POLICY_PREFIX, "");
  const policyId = ns !== null && !written.includes("/") ? `${ns}/${written}` : written;
  const policy = engine.cluster.policies.find((p) => p.id === policyId);
  if (POLICY_PREFIX.test(text)) {
    return policy === undefined ? `no NetworkPolicy "${policyId}" in the manifests` : { policies: [policyJson(explainPolicy(engine, policy))] };
  }
  const resolved = resolveTarget(text, engine.cluster, ns);
  if (resolved.ok && resolved.target.kind === "endpoint") return { endpoint: endpointExplainJson(explainEndpoint(engine, resolved.target.endpoint)) };
  if (policy !== undefined) return { policies: [policyJson(explainPolicy(engine, policy))] };
  if (resolved.ok) return `"${text}" is not the address of a pod in the manifests: explain takes ns/name, Kind/ns/name, ns/name[Kind], a pod IP, or NetworkPolicy/ns/name`;
  return resolved.message;
}
