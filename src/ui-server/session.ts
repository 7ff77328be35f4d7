/**
 * What the page works on: the cluster read at start, the engine compiled from it, and the view the
 * page draws; the API routes (routes.ts) answer from it. Everything is computed by the same
 * functions the other commands use (graph, lint, check, explain, diff): the page shows nothing
 * they would not. The engine is compiled once per state (the start, each edit), never per request.
 */
import { engineOptions } from "../cli/load.js";
import type { ReadingOptions } from "../cli/options.js";
import { diffClusters } from "../diff/index.js";
import { Engine } from "../engine/engine.js";
import type { PairAnalysis } from "../analysis/matrix.js";
import { drawEgressGraph } from "../graph/index.js";
import type { EgressGraph } from "../graph/types.js";
import { findingsJson, lintCluster, type LintOptions } from "../lint/index.js";
import type { Cluster } from "../model/cluster.js";
import { metadataAddresses } from "../model/well-known.js";
import type { Ip } from "../net/ip.js";
import { viewAssumptions } from "../ui-model/assumptions.js";
import { type EndpointNodes, endpointNodes } from "../ui-model/endpoint-nodes.js";
import { overlayDiff } from "../ui-model/diff-overlay.js";
import type { UiView } from "../ui-model/types.js";
import { type AddressNodes, buildView } from "../ui-model/view.js";
import { type EditedInput, type StartInput, startDocuments } from "./edits.js";
import type { Asked } from "./what-if.js";

export interface SessionOptions {
  /** What was read, as the page names it (`examples/egress`, `the live cluster …`). */
  readonly source: string;
  /** The reading options after loading (pod network, resolution snapshot): what check and explain run with. */
  readonly reading: ReadingOptions;
  readonly lint: Omit<LintOptions, "engine">;
  /** Sources drawn only from this namespace; null: every namespace. */
  readonly namespace: string | null;
  /** `--metadata` addresses (added to the defaults). */
  readonly metadata: readonly Ip[];
  /** `--dns` addresses (diff's dns-lost class). */
  readonly dns: readonly Ip[];
}

/** The version a session is compared with: the old one of --against/--base, or the start before an edit. */
export interface Baseline {
  readonly session: UiSession;
  /** How the page names each side: `examples/egress (-f)`. */
  readonly old: string;
  readonly new: string;
}

export class UiSession {
  readonly engine: Engine;
  readonly graph: EgressGraph;
  readonly addresses: AddressNodes;
  readonly endpoints: EndpointNodes;
  /** The pair analysis the graph was drawn with (its cache filled): the edge route asks it again. */
  readonly pairs: PairAnalysis;
  readonly view: UiView;

  constructor(
    readonly cluster: Cluster,
    readonly options: SessionOptions,
    readonly baseline: Baseline | null = null,
    edited = false,
  ) {
    this.engine = Engine.compile(cluster, engineOptions(options.reading));
    const drawn = drawEgressGraph(this.engine, { namespace: options.namespace, metadata: options.metadata });
    this.graph = drawn.graph;
    this.addresses = drawn.regions;
    this.pairs = drawn.pairs;
    this.endpoints = endpointNodes(this.engine, this.graph);
    const findings = findingsJson(lintCluster(cluster, { ...options.lint, engine: this.engine.options }));
    const assumptions = viewAssumptions(this.engine, options.reading.podNetworkFrom);
    const notable = { internet: drawn.internet, metadata: drawn.metadata };
    const view = buildView({ graph: this.graph, addresses: this.addresses, notable, metadata: metadataAddresses(options.metadata), findings, source: options.source, edited, assumptions });
    this.view = baseline === null ? view : this.compared(view, baseline);
  }

  /** What check and explain run against. */
  get asked(): Asked {
    return { engine: this.engine, reading: this.options.reading, namespace: this.options.namespace };
  }

  private compared(view: UiView, baseline: Baseline): UiView {
    const old = baseline.session;
    const report = diffClusters(old.engine, this.engine, { metadata: this.options.metadata, dns: { ips: this.options.dns } });
    return overlayDiff({ view, addresses: this.addresses, endpoints: this.endpoints }, { view: old.view, addresses: old.addresses, endpoints: old.endpoints }, report, { old: baseline.old, new: baseline.new });
  }
}

/** The start and the current state: an edit replaces the current one (and its objects), a reset goes back to the start. */
export class SessionState {
  current: UiSession;
  documents: Pick<EditedInput, "documents" | "texts">;

  constructor(
    readonly start: UiSession,
    readonly input: StartInput,
  ) {
    this.current = start;
    this.documents = startDocuments(input);
  }

  /** The view of the edited input: its engine compiled once, compared with the start. */
  edit(edited: EditedInput): UiView {
    this.current = new UiSession(edited.cluster, this.start.options, { session: this.start, old: this.start.view.source.label, new: `${this.start.view.source.label} with the page's edits` }, true);
    this.documents = edited;
    return this.current.view;
  }

  reset(): UiView {
    this.current = this.start;
    this.documents = startDocuments(this.input);
    return this.start.view;
  }
}
