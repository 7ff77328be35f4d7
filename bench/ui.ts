/**
 * `npm run bench:ui [-- SIZES... --runs N --checks N]`: the page at scale (docs/ui-scale.md). For
 * each size a seeded synthetic cluster (bench/ui-cluster.ts) is written to a temporary directory,
 * served by `portcullis ui` in this process and opened in Debian's headless Chromium: time from
 * navigation to `rendered` and to `settled` (the page's performance marks), the JS heap after a
 * collection, the drawn sizes; then the what-if round trip (POST /api/check from the page). Prints
 * tables; writes nothing into the repository.
 */
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { Page } from "playwright-core";
import type { UiView } from "../src/ui-model/types.js";
import { type BrowserSession, browserMissing, openBrowser, settled, startUi } from "../src/ui-server/browser-harness.js";
import { table } from "./report.js";
import { writeUiCluster } from "./ui-cluster.js";
import { type PageRun, type WhatIf, whatIfRoundTrips } from "./ui-page.js";

const SEED = 7;

interface Args {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly checks: number;
}

function parseArgs(argv: readonly string[]): Args {
  const sizes: number[] = [];
  let runs = 3;
  let checks = 200;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${arg} wants a positive whole number`);
      return v;
    };
    if (arg === "--runs") runs = value();
    else if (arg === "--checks") checks = value();
    else if (/^\d+$/.test(arg) && Number(arg) > 0) sizes.push(Number(arg));
    else throw new Error(`unknown argument ${arg} (usage: bench:ui [SIZES...] [--runs N] [--checks N])`);
  }
  return { sizes: sizes.length > 0 ? sizes : [100, 1000, 3000], runs, checks };
}

interface SizeResult {
  readonly workloads: number;
  readonly view: UiView["counts"] & { readonly nodes: number; readonly kb: number };
  readonly serverMs: number;
  readonly viewMs: number;
  readonly runs: readonly PageRun[];
  readonly whatIf: WhatIf;
}

async function measurePage(browser: BrowserSession, url: string): Promise<PageRun> {
  const { page, errors } = await browser.page();
  try {
    await page.goto(url);
    const state = await settled(page, 600_000);
    if (state !== "settled") throw new Error(`the page ended ${state}: ${errors.join("; ")}`);
    return { ...(await marks(page)), heapMb: await heapMb(page) };
  } finally {
    await page.close();
  }
}

/** Navigation → the first `rendered` and `settled` marks, and what Cytoscape draws. */
function marks(page: Page): Promise<Omit<PageRun, "heapMb">> {
  return page.evaluate(() => {
    interface G {
      performance: { getEntriesByName(name: string): { startTime: number }[] };
      portcullisGraph: { nodes(): { length: number }; edges(): { length: number } };
    }
    const g = globalThis as unknown as G;
    const at = (name: string): number => g.performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
    return { renderedMs: at("portcullis:rendered"), settledMs: at("portcullis:settled"), drawnNodes: g.portcullisGraph.nodes().length, drawnEdges: g.portcullisGraph.edges().length };
  });
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  return usedSize / (1024 * 1024);
}

async function measureSize(browser: BrowserSession, workloads: number, args: Args): Promise<SizeResult> {
  const dir = await writeUiCluster(workloads, SEED);
  try {
    const start = performance.now();
    const ui = await startUi(["-f", dir]);
    try {
      const serverMs = performance.now() - start;
      const fetched = performance.now();
      const text = await (await fetch(`${ui.url}api/view`)).text();
      const viewMs = performance.now() - fetched;
      const view = JSON.parse(text) as UiView;
      const runs: PageRun[] = [];
      for (let i = 0; i < args.runs; i++) runs.push(await measurePage(browser, ui.url));
      const { page } = await browser.page();
      const whatIf = await whatIfRoundTrips(page, ui.url, view, args.checks).finally(() => page.close());
      return { workloads, view: { ...view.counts, nodes: view.nodes.length, kb: text.length / 1024 }, serverMs, viewMs, runs, whatIf };
    } finally {
      await ui.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const q = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
};
const f = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : "-");

function report(results: readonly SizeResult[]): string {
  const sizes = table(
    ["workloads", "namespaces", "view nodes", "view edges", "drawn nodes", "drawn edges", "view KB", "server start ms", "GET /api/view ms"],
    results.map((r) => [String(r.workloads), String(r.view.namespaces), String(r.view.nodes), String(r.view.edges), String(r.runs[0]?.drawnNodes ?? "-"), String(r.runs[0]?.drawnEdges ?? "-"), f(r.view.kb), f(r.serverMs), f(r.viewMs)]),
  );
  const times = table(
    ["workloads", "runs", "rendered p50 ms", "rendered max ms", "settled p50 ms", "settled max ms", "JS heap p50 MB", "JS heap max MB"],
    results.map((r) => {
      const of = (k: "renderedMs" | "settledMs" | "heapMb"): number[] => r.runs.map((x) => x[k]);
      return [String(r.workloads), String(r.runs.length), f(q(of("renderedMs"), 0.5)), f(Math.max(...of("renderedMs"))), f(q(of("settledMs"), 0.5)), f(Math.max(...of("settledMs"))), f(q(of("heapMb"), 0.5), 1), f(Math.max(...of("heapMb")), 1)];
    }),
  );
  const whatIf = table(
    ["workloads", "POST /api/check", "answered", "p50 ms", "p99 ms", "max ms", "verdicts"],
    results.map((r) => [String(r.workloads), String(r.whatIf.times.length), r.whatIf.status, f(q(r.whatIf.times, 0.5), 1), f(q(r.whatIf.times, 0.99), 1), f(Math.max(...r.whatIf.times), 1), r.whatIf.verdicts]),
  );
  return [sizes, "", times, "", whatIf].join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const missing = browserMissing();
  if (missing !== null) throw new Error(missing);
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`bench:ui: sizes ${args.sizes.join(", ")} workloads, ${args.runs} page loads each, ${args.checks} what-if queries; seed ${SEED}; load average ${load()}`);
  const browser = await openBrowser();
  const results: SizeResult[] = [];
  try {
    for (const size of args.sizes) {
      results.push(await measureSize(browser, size, args));
      console.error(`bench:ui: ${size} workloads done (load average ${load()})`);
    }
  } finally {
    await browser.close();
  }
  console.log(report(results));
  console.log(`load average at the end: ${load()}`);
}

main().catch((error: unknown) => {
  console.error(`bench:ui: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
