/** What bench:ui measures in the page: one load's figures, and the what-if round trips. */
import type { Page } from "playwright-core";
import type { CheckRequest, UiView } from "../src/ui-model/types.js";

export interface PageRun {
  /** Navigation start → the page's first `portcullis:rendered` / `portcullis:settled` mark. */
  readonly renderedMs: number;
  readonly settledMs: number;
  readonly heapMb: number;
  readonly drawnNodes: number;
  readonly drawnEdges: number;
}

export interface WhatIf {
  /** Round trip of each answered POST /api/check, ms (fetch to the parsed answer). */
  readonly times: readonly number[];
  /** `200 ×200`, or the statuses seen (`404 ×1`: the route is not in this build). */
  readonly status: string;
  /** `allowed ×120, denied ×80`. */
  readonly verdicts: string;
}

/**
 * `count` questions on 8080, alternately between two workloads a fixed stride apart (mostly other
 * namespaces: denied) and from a namespace's web to its api (bench/ui-cluster.ts allows it).
 */
function questions(view: UiView, count: number): CheckRequest[] {
  const byId = new Map(view.nodes.map((n) => [n.id, n] as const));
  const targets = view.nodes.filter((n) => n.kind === "endpoint" && n.target !== null).map((n) => n.target as string);
  const inside = view.groups.flatMap((g) => {
    const first = (app: string): string | null | undefined => g.nodes.map((id) => byId.get(id)).find((n) => n?.label.startsWith(`${app}-`) === true)?.target;
    const [from, to] = [first("web"), first("api")];
    return typeof from === "string" && typeof to === "string" ? [{ from, to }] : [];
  });
  if (targets.length < 2) return [];
  return Array.from({ length: count }, (_, i) => {
    const pair = i % 2 === 1 ? inside[i % Math.max(1, inside.length)] : undefined;
    return { ...(pair ?? { from: targets[(i * 7) % targets.length] as string, to: targets[(i * 13 + 1) % targets.length] as string }), port: "8080" };
  });
}

export async function whatIfRoundTrips(page: Page, url: string, view: UiView, count: number): Promise<WhatIf> {
  await page.goto(url);
  const asked = questions(view, count);
  const answers = await page.evaluate(async (asked) => {
    interface G {
      fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; json(): Promise<unknown> }>;
      performance: { now(): number };
    }
    const g = globalThis as unknown as G;
    const out: { ms: number; status: number; verdict: string }[] = [];
    for (const question of asked) {
      const start = g.performance.now();
      const response = await g.fetch("/api/check", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(question) });
      const answer = (await response.json().catch(() => null)) as { verdict?: string } | null;
      out.push({ ms: g.performance.now() - start, status: response.status, verdict: answer?.verdict ?? "" });
      if (response.status === 404) break;
    }
    return out;
  }, asked);
  const tally = (keys: readonly string[]): string => [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].map(([k, n]) => `${k} ×${n}`).join(", ");
  const ok = answers.filter((a) => a.status === 200);
  return { times: ok.map((a) => a.ms), status: tally(answers.map((a) => String(a.status))), verdicts: tally(ok.map((a) => a.verdict)) };
}
