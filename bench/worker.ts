/**
 * Runs the phases of one shape in this process (the driver starts one process per shape, so that
 * peak memory is the shape's own) and reports each phase to the driver as it ends.
 * Usage: node --expose-gc dist/bench/worker.js <shape> <seed> <quick: 0|1>
 */
import type { Cluster } from "../src/model/cluster.js";
import { type RawDocument, decodeCluster, parseDocuments } from "../src/k8s/index.js";
import { Engine } from "../src/engine/engine.js";
import type { EngineOptions } from "../src/engine/types.js";
import { type ClassMatrix, computeClassMatrix } from "../src/engine/bitmatrix.js";
import { AddressSet } from "../src/net/address-set.js";
import { parseCidr } from "../src/net/cidr.js";
import { PeakSampler, MB, gc } from "./memory.js";
import type { Message, PhaseName, PhaseResult, ShapeSizes } from "./protocol.js";
import { Prng } from "./prng.js";
import { randomConnections } from "./queries.js";
import { SHAPES } from "./shapes.js";
import { type Obj } from "./objects.js";
import { toYaml } from "./yaml.js";
import { runIncremental } from "./incremental.js";
import { runNft } from "./nft.js";

const [shapeName = "S", seedText = "1", quickText = "0"] = process.argv.slice(2);
const shape = SHAPES.find((s) => s.name === shapeName);
if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
const seed = Number(seedText);
const quick = quickText === "1";
const sampler = new PeakSampler();

function send(m: Message): void {
  if (process.send !== undefined) process.send(m);
  else console.log(JSON.stringify(m));
}

interface Outcome<T> {
  readonly value: T;
  readonly status?: PhaseResult["status"];
  readonly note?: string;
}

/** Runs one phase with its time, CPU time, peak RSS and retained heap. */
function phase<T>(name: PhaseName, limitS: number, f: () => Outcome<T>): T | undefined {
  send({ type: "start", phase: name, limitS });
  gc();
  sampler.reset();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let outcome: Outcome<T>;
  try {
    outcome = f();
  } catch (error) {
    send({ type: "phase", result: { phase: name, status: "failed", note: error instanceof Error ? error.message : String(error) } });
    return undefined;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const peakRssMb = sampler.read() / MB;
  gc();
  const heapMb = process.memoryUsage().heapUsed / MB;
  const result: PhaseResult = { phase: name, status: outcome.status ?? "ok", ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb, heapMb };
  send({ type: "phase", result: outcome.note === undefined ? result : { ...result, note: outcome.note } });
  return outcome.value;
}

const podNetwork = (() => {
  const r = parseCidr("10.0.0.0/8");
  if (!r.ok) throw new Error("bad pod network");
  return AddressSet.fromCidr(r.cidr);
})();
const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true };
const AT = { file: "generated.yaml", line: 1, column: 1, document: 0, path: "" };
const FILE_OBJECTS = 500;
/** Parsing XL with the position-keeping YAML parser takes minutes: it is cut off, and the rest estimated. */
const PARSE_LIMIT_S = 45;
const CHECK_LIMIT_S = 30;

function main(): void {
  const limit = shape?.budget ?? 120;
  const generated = phase("generate", limit, () => {
    const objects = shape?.generate(new Prng(seed), quick) ?? [];
    const files: string[] = [];
    for (let i = 0; i < objects.length; i += FILE_OBJECTS) files.push(toYaml(objects.slice(i, i + FILE_OBJECTS)));
    const bytes = files.reduce((n, f) => n + f.length, 0);
    return { value: { objects, files }, note: `${objects.length} objects, ${(bytes / MB).toFixed(1)} MB of YAML in ${files.length} files` };
  });
  if (generated === undefined) return;
  const cluster = load(generated, limit);
  if (cluster === undefined) return;
  send({ type: "sizes", sizes: { pods: cluster.endpoints.length, namespaces: cluster.namespaces.size, policies: cluster.policies.length } });
  const engine = phase("compile", limit, () => {
    const e = Engine.compile(cluster, options);
    e.selectAll();
    return { value: e };
  });
  if (engine === undefined) return;
  send({ type: "sizes", sizes: { labelClasses: engine.classes.all.length } });
  phase("check", CHECK_LIMIT_S, () => checks(engine, cluster, CHECK_LIMIT_S));
  const matrix = phase("matrix", limit, () => ({ value: computeClassMatrix(engine) }));
  if (matrix === undefined) return;
  sendMatrixSizes(matrix);
  phase("count", limit, () => {
    const counts = matrix.count();
    send({ type: "sizes", sizes: { portClasses: counts.portClasses, allowedEntries: counts.allowed, dependsEntries: counts.depends } });
    return { value: counts, note: `${counts.portClasses} port classes of ${matrix.portAtoms.length} atoms` };
  });
  phase("rebuild, warm", limit, () => {
    // The same work again in this process: compiled code is warm, as in a long-running agent.
    const again = Engine.compile(cluster, options);
    again.selectAll();
    const m = computeClassMatrix(again);
    const t = performance.now();
    const counts = m.count();
    return { value: counts, note: `compile + matrix + count; of which count ${(performance.now() - t).toFixed(0)} ms` };
  });
  runIncremental(matrix, new Prng(seed).fork(7), phase, limit, (sizes) => send({ type: "sizes", sizes }));
  runNft(cluster, options, phase, limit, (sizes) => send({ type: "sizes", sizes }));
}

/**
 * Parses and decodes; the YAML text, the syntax trees and the objects are dropped afterwards (the
 * later phases start from the Cluster, as the CLI's do).
 */
function load(generated: { objects: Obj[]; files: string[] }, limit: number): Cluster | undefined {
  let parsed = phase("parse", PARSE_LIMIT_S, () => parseAll(generated.files, PARSE_LIMIT_S));
  generated.files.length = 0;
  // The same objects as one `kubectl get -A -o json` List: the JSON fast path.
  let json: string | undefined = JSON.stringify({ apiVersion: "v1", kind: "List", items: generated.objects }, null, 4);
  const jsonMb = json.length / MB;
  let parsedJson = phase("parse json", PARSE_LIMIT_S, () => {
    const r = parseDocuments({ file: "generated.json", text: json ?? "" });
    return { value: r.documents, note: `${r.documents.length} documents, ${jsonMb.toFixed(1)} MB` };
  });
  json = undefined;
  let documents: RawDocument[] = parsed ?? parsedJson ?? directDocuments(generated.objects);
  parsedJson = undefined;
  generated.objects.length = 0;
  const fromObjects = parsed === undefined;
  parsed = undefined;
  const cluster = phase("decode", limit, () => {
    const decoded = decodeCluster(documents);
    const errors = decoded.diagnostics.filter((d) => d.severity === "error").length;
    return { value: decoded.value, note: `${fromObjects ? "from the JSON parse (the YAML parse did not finish); " : ""}${errors} errors` };
  });
  documents = [];
  return cluster;
}

/** Parses file by file, as the loader reads a directory; stops (and says so) past the time limit. */
function parseAll(files: readonly string[], limitS: number): Outcome<RawDocument[] | undefined> {
  const t0 = performance.now();
  const documents: RawDocument[] = [];
  for (let i = 0; i < files.length; i++) {
    const parsed = parseDocuments({ file: `generated-${i}.yaml`, text: files[i] ?? "" });
    documents.push(...parsed.documents);
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed > limitS && i + 1 < files.length) {
      const estimate = (elapsed * files.length) / (i + 1);
      return { value: undefined, status: "timeout", note: `timeout after ${limitS} s: ${i + 1} of ${files.length} files parsed (all would take ~${estimate.toFixed(0)} s)` };
    }
  }
  return { value: documents, note: `${documents.length} documents` };
}

/** The objects as documents without YAML (used when parsing did not finish in time). */
function directDocuments(objects: readonly Obj[]): RawDocument[] {
  return objects.map((value, document) => ({ file: "generated.yaml", document, base: [], value, locate: () => AT }));
}

/** Random checks, each with its explanation (the Decision carries it); percentiles in microseconds. */
function checks(engine: Engine, cluster: Cluster, limitS: number): Outcome<undefined> {
  const queries = randomConnections(cluster, new Prng(seed).fork(3), quick ? 2000 : 10_000);
  const times: number[] = [];
  const t0 = performance.now();
  let explanations = 0;
  for (const q of queries) {
    const t = performance.now();
    const d = engine.check(q);
    times.push((performance.now() - t) * 1000);
    explanations += d.egress.allowedBy.length + d.egress.misses.length + d.ingress.allowedBy.length + d.ingress.misses.length;
    if ((performance.now() - t0) / 1000 > limitS) break;
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  const sizes: Partial<ShapeSizes> = { checkP50Us: at(0.5), checkP99Us: at(0.99), checkMaxUs: times[times.length - 1] ?? 0 };
  send({ type: "sizes", sizes });
  const done = times.length === queries.length;
  return {
    value: undefined,
    ...(done ? {} : { status: "timeout" as const }),
    note: `${times.length} checks: p50 ${at(0.5).toFixed(0)} µs, p99 ${at(0.99).toFixed(0)} µs, max ${(times[times.length - 1] ?? 0).toFixed(0)} µs; ${(explanations / Math.max(times.length, 1)).toFixed(1)} explanations each`,
  };
}

function sendMatrixSizes(matrix: ClassMatrix): void {
  const s = matrix.state;
  send({
    type: "sizes",
    sizes: { matrixClasses: s.universe.size, portAtoms: s.atoms.length, rows: s.universe.rows.length, groups: s.egress.groups.length + s.ingress.groups.length },
  });
}

main();
void sampler.stop().then(() => process.exit(0));
