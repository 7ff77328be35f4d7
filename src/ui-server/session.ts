/**
 * What the page works on: the cluster read at start, the engine compiled from it, and the view the
 * page draws; the API routes answer from it. Everything is computed by the same functions the
 * other commands use (graph, lint, check, explain, diff): the page shows nothing they would not.
 */
import { Engine } from "../engine/engine.js";
import type { EngineOptions } from "../engine/types.js";
import { buildEgressGraph } from "../graph/index.js";
import { findingsJson, lintCluster, type LintOptions } from "../lint/index.js";
import type { Cluster } from "../model/cluster.js";
import type { Ip } from "../net/ip.js";
import type { UiView } from "../ui-model/types.js";
import { buildView } from "../ui-model/view.js";
import type { Routes } from "./server.js";

export interface SessionOptions {
  /** What was read, as the page names it (`examples/egress`, `the live cluster …`). */
  readonly source: string;
  readonly engine: EngineOptions;
  readonly lint: Omit<LintOptions, "engine">;
  /** Sources drawn only from this namespace; null: every namespace. */
  readonly namespace: string | null;
  readonly metadata: readonly Ip[];
  readonly assumptions: readonly string[];
}

export class UiSession {
  readonly engine: Engine;
  readonly view: UiView;

  constructor(
    readonly cluster: Cluster,
    readonly options: SessionOptions,
  ) {
    this.engine = Engine.compile(cluster, options.engine);
    const graph = buildEgressGraph(this.engine, { namespace: options.namespace, metadata: options.metadata });
    const findings = findingsJson(lintCluster(cluster, { ...options.lint, engine: options.engine }));
    this.view = buildView({ graph, findings, source: options.source, edited: false, assumptions: options.assumptions });
  }
}

/** The API the page calls (docs/ui.md#api). */
export function sessionRoutes(session: () => UiSession): Routes {
  return new Map([["GET /api/view", () => ({ status: 200, json: session().view })]]);
}
