import { explainEndpoint, explainPolicies, explainPolicy } from "../../analysis/explain.js";
import type { Engine } from "../../engine/engine.js";
import { endpointExplainJson, type ExplainJson, policyJson, renderExplainText } from "../../render/explain.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";

const POLICY_PREFIX = /^(networkpolicy|networkpolicies|netpol)\//i;

/** `explain`: every policy; or one endpoint (`ns/name`, `Kind/ns/name`, a pod IP); or one policy. */
export function runExplain(options: Extract<CommandOptions, { name: "explain" }>, engine: Engine): CommandResult {
  const view = options.target === null ? { policies: explainPolicies(engine).map(policyJson) } : explainTarget(options.target, engine);
  if (typeof view === "string") return usage(view);
  return done("ok", render(options.common.output, view, { text: renderExplainText }));
}

function explainTarget(text: string, engine: Engine): ExplainJson | string {
  const policyId = text.replace(POLICY_PREFIX, "");
  const policy = engine.cluster.policies.find((p) => p.id === policyId);
  if (POLICY_PREFIX.test(text)) {
    return policy === undefined ? `no NetworkPolicy "${policyId}" in the manifests` : { policies: [policyJson(explainPolicy(engine, policy))] };
  }
  const resolved = resolveTarget(text, engine.cluster);
  if (resolved.ok && resolved.target.kind === "endpoint") return { endpoint: endpointExplainJson(explainEndpoint(engine, resolved.target.endpoint)) };
  if (policy !== undefined) return { policies: [policyJson(explainPolicy(engine, policy))] };
  if (resolved.ok) return `"${text}" is not the address of a pod in the manifests: explain takes ns/name, Kind/ns/name, a pod IP, or NetworkPolicy/ns/name`;
  return resolved.message;
}
