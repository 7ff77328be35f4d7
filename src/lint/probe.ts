import type { Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { Decision, Explanation, Target } from "../engine/types.js";
import { reasonSentence } from "../render/reasons.js";
import type { LintContext } from "./context.js";
import { formatObjectRef } from "../model/cluster.js";
import { policyObject } from "./describe.js";

/** Asks the engine whether `subject` may open `protocol`/`port` towards `to`. */
export function probe(ctx: LintContext, subject: Endpoint, to: Target, port: number, protocol: Protocol): Decision {
  return ctx.engine.check({ from: { kind: "endpoint", endpoint: subject }, to, port, protocol });
}

/** Where an explanation points, as text: `NetworkPolicy a/b spec.egress[0].to[1]`. */
export function explanationWhere(e: Explanation): string {
  const list = e.direction === "egress" ? "to" : "from";
  const rule = e.rule === null ? "" : ` spec.${e.direction}[${e.rule}]${e.peer === null ? "" : `.${list}[${e.peer}]`}`;
  return `${formatObjectRef(policyObject(e.policy))}${rule}`;
}

/** The sentence for a miss, built from the reason catalogue: `NetworkPolicy a/b spec.egress[0]: UDP port 53 is not among the rule's ports`. */
export function missSentence(e: Explanation, peer: string, peerNamespace: string | null, port: number, protocol: Protocol): string {
  const sentence = reasonSentence(e.reason, { direction: e.direction, peer, peerNamespace, destination: peer, port, protocol });
  return e.rule === null ? `${formatObjectRef(policyObject(e.policy))} ${sentence}` : `${explanationWhere(e)}: ${sentence}`;
}

/** The key that groups findings by the explanation that caused them. */
export function explanationKey(e: Explanation): string {
  return `${e.policy.namespace}/${e.policy.name}\u0000${e.direction}\u0000${e.rule ?? ""}\u0000${e.peer ?? ""}\u0000${e.port ?? ""}`;
}

