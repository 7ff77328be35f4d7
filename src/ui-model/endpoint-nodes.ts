/**
 * The graph's endpoint nodes by the name `diff` gives endpoints (`ns/name[Kind]`, analysis/connlist.ts):
 * a diff report's changes are matched to nodes through the engine's endpoints, never by label. Pure.
 */
import { connlistName } from "../analysis/connlist.js";
import type { Engine } from "../engine/engine.js";
import type { EgressGraph } from "../graph/types.js";

/** `ns/name[Kind]` → node id, for every endpoint the graph draws. */
export type EndpointNodes = ReadonlyMap<string, string>;

export function endpointNodes(engine: Engine, graph: EgressGraph): EndpointNodes {
  const byId = new Map(engine.cluster.endpoints.map((e) => [e.id, e]));
  const out = new Map<string, string>();
  for (const n of graph.nodes) {
    const e = n.endpoint === null ? undefined : byId.get(n.endpoint);
    if (e !== undefined) out.set(connlistName(e), n.id);
  }
  return out;
}
