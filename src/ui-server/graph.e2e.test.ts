/**
 * The drawing in a real browser (docs/ui-scale.md): styles as Cytoscape computes them, the SVG and
 * PNG exports, filters, and a 1,000-workload cluster opening with its namespaces collapsed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import type { Page } from "playwright-core";
import { writeUiCluster } from "../../bench/ui-cluster.js";
import { type BrowserSession, browserMissing, openBrowser, type RunningUi, screenshot, settled, startUi } from "./browser-harness.js";

/** What these tests touch of the page's globals (functions run in the page are serialized: casts only). */
interface El {
  id(): string;
  style(name: string): string;
  visible(): boolean;
  hasClass(name: string): boolean;
  data(name: string): unknown;
  parent(): { id(): string; length: number };
  length: number;
}
interface Globals {
  readonly document: { readonly body: { readonly dataset: Record<string, string | undefined> } };
  readonly portcullisGraph: { $id(id: string): El; $(selector: string): { length: number; map<T>(f: (e: El) => T): T[] } };
  readonly portcullisHandle: {
    applyFilter(f: { namespaces: Set<string>; workload: string | null; port: string; search: string }): void;
    exportSvg(): string;
    exportPng(): Promise<{ arrayBuffer(): Promise<ArrayBuffer> }>;
    expand(namespace: string): Promise<void>;
    collapsedNamespaces(): string[];
    visible(): { nodes: string[]; edges: string[] };
  };
  readonly DOMParser: new () => { parseFromString(text: string, type: string): XmlDoc };
}
interface XmlDoc {
  getElementsByTagName(name: string): { length: number; item(i: number): { textContent: string | null; getAttribute(name: string): string | null } | null };
  readonly documentElement: { readonly localName: string; readonly namespaceURI: string | null; getAttribute(name: string): string | null };
}

const missing = browserMissing();

async function filter(page: Page, f: { namespaces?: string[]; workload?: string; port?: string; search?: string }): Promise<void> {
  await page.evaluate((f) => {
    (globalThis as unknown as Globals).portcullisHandle.applyFilter({ namespaces: new Set(f.namespaces ?? []), workload: f.workload ?? null, port: f.port ?? "", search: f.search ?? "" });
  }, f);
}

const visibleOf = (page: Page, ids: string[]): Promise<boolean[]> => page.evaluate((ids) => ids.map((id) => (globalThis as unknown as Globals).portcullisGraph.$id(id).visible()), ids);

describe("the drawing of the bundled example", { skip: missing ?? false }, () => {
  let browser: BrowserSession;
  let ui: RunningUi;
  let page: Page;
  let errors: string[];
  before(async () => {
    browser = await openBrowser();
    ui = await startUi(["-f", "examples/egress"]);
    ({ page, errors } = await browser.page());
    await page.goto(ui.url);
    assert.equal(await settled(page), "settled");
  });
  after(async () => {
    await browser.close();
    assert.equal(await ui.stop(), 0);
  });

  test("edge styles are drawn by their lines, not colour alone: blocked dashed with a tee, allowed solid with an arrow", async () => {
    const styles = await page.evaluate(() => {
      const cy = (globalThis as unknown as Globals).portcullisGraph;
      const line = (id: string): string[] => [cy.$id(id).style("line-style"), cy.$id(id).style("target-arrow-shape")];
      return { blocked: line("production_postgres->internet:blocked"), allowed: line("production_web_api->production_postgres:allowed"), unrestricted: line("kube_system_coredns->anywhere:unrestricted"), metadata: cy.$id("metadata").style("shape") };
    });
    assert.deepEqual(styles.blocked, ["dashed", "tee"]);
    assert.deepEqual(styles.allowed, ["solid", "triangle"]);
    assert.deepEqual(styles.unrestricted, ["solid", "vee"]);
    assert.equal(styles.metadata, "octagon");
  });

  test("the SVG export is a standalone SVG document holding the drawn labels", async () => {
    const svg = await page.evaluate(() => {
      const g = globalThis as unknown as Globals;
      const text = g.portcullisHandle.exportSvg();
      const doc = new g.DOMParser().parseFromString(text, "image/svg+xml");
      const texts: string[] = [];
      const spans = doc.getElementsByTagName("tspan");
      for (let i = 0; i < spans.length; i++) texts.push(spans.item(i)?.textContent ?? "");
      const dashed: string[] = [];
      const paths = doc.getElementsByTagName("path");
      for (let i = 0; i < paths.length; i++) dashed.push(paths.item(i)?.getAttribute("stroke-dasharray") ?? "");
      return { root: doc.documentElement.localName, ns: doc.documentElement.namespaceURI, viewBox: doc.documentElement.getAttribute("viewBox"), errors: doc.getElementsByTagName("parsererror").length, texts, dashed: dashed.filter((d) => d !== "").length, head: text.slice(0, 40) };
    });
    assert.equal(svg.errors, 0);
    assert.equal(svg.root, "svg");
    assert.equal(svg.ns, "http://www.w3.org/2000/svg");
    assert.match(svg.viewBox ?? "", /^-?[\d.]+ -?[\d.]+ [\d.]+ [\d.]+$/);
    assert.ok(svg.head.startsWith("<?xml"), svg.head);
    for (const label of ["web-api", "postgres", "prometheus", "coredns", "internet (public addresses)", "production", "TCP 5432"]) assert.ok(svg.texts.includes(label), `${label} in ${svg.texts.join(" | ")}`);
    assert.equal(svg.dashed, 7, "the seven blocked edges, and only they, are dashed in the SVG");
  });

  test("the PNG export is a PNG", async () => {
    const magic = await page.evaluate(async () => {
      const blob = await (globalThis as unknown as Globals).portcullisHandle.exportPng();
      return [...new Uint8Array(await blob.arrayBuffer()).slice(0, 8)];
    });
    assert.deepEqual(magic, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  test("filters hide what they should and search marks matches", async () => {
    await filter(page, { namespaces: ["monitoring"] });
    assert.deepEqual(await visibleOf(page, ["monitoring_prometheus", "production_web_api", "production_debug_shell", "production_postgres->internet:blocked", "monitoring_prometheus->production_web_api:allowed", "monitoring_prometheus->internet:blocked"]), [true, true, false, false, true, true]);
    await filter(page, { port: "5432" });
    assert.deepEqual(await visibleOf(page, ["production_web_api->production_postgres:allowed", "production_web_api", "production_postgres", "monitoring_prometheus", "internet"]), [true, true, true, false, false]);
    await filter(page, { workload: "production_debug_shell" });
    const shown = await page.evaluate(() => (globalThis as unknown as Globals).portcullisHandle.visible());
    assert.ok(shown.edges.length > 0 && shown.edges.every((e) => e.startsWith("production_debug_shell->")), shown.edges.join(", "));
    await filter(page, { search: "post" });
    const marked = await page.evaluate(() => (globalThis as unknown as Globals).portcullisGraph.$("node.match").map((n) => n.id()));
    assert.deepEqual(marked, ["production_postgres"]);
    await filter(page, {});
    assert.deepEqual(await visibleOf(page, ["production_debug_shell", "monitoring_prometheus", "production_postgres->internet:blocked"]), [true, true, true]);
    assert.deepEqual(errors, []);
  });
});

/** Each edge style's line, target arrowhead and extra mark (mid-edge for guardrails, source for domains). */
const EDGE_LOOK: Record<string, readonly [string, string, string]> = {
  allowed: ["solid", "triangle", "none"],
  blocked: ["dashed", "tee", "none"],
  unrestricted: ["solid", "vee", "none"],
  "guardrail-accepted": ["solid", "triangle", "diamond"],
  "guardrail-denied": ["dashed", "tee", "diamond"],
  "domain-accepted": ["solid", "triangle", "circle"],
  "domain-denied": ["dashed", "tee", "circle"],
  resolves: ["dotted", "vee", "none"],
};

/** Every drawn edge as [id, style, line, target arrow, mid-edge or source mark]. */
function edgeLooks(page: Page): Promise<string[][]> {
  return page.evaluate(() =>
    (globalThis as unknown as Globals).portcullisGraph.$("edge").map((e) => {
      const extra = e.style("mid-target-arrow-shape") !== "none" ? e.style("mid-target-arrow-shape") : e.style("source-arrow-shape");
      return [e.id(), String(e.data("style")), e.style("line-style"), e.style("target-arrow-shape"), extra];
    }),
  );
}

describe("edge styles and diff marks", { skip: missing ?? false }, () => {
  let browser: BrowserSession;
  before(async () => {
    browser = await openBrowser();
  });
  after(async () => {
    await browser.close();
  });

  test("guardrail, domain and resolves edges each have their own line and marks (examples/domains)", async () => {
    const ui = await startUi(["-f", "examples/domains/manifests", "--dns-records", "examples/domains/records.yaml"]);
    try {
      const { page, errors } = await browser.page();
      await page.goto(ui.url);
      assert.equal(await settled(page), "settled");
      const looks = await edgeLooks(page);
      const seen = new Set(looks.map(([, style]) => style));
      for (const style of ["guardrail-accepted", "guardrail-denied", "domain-accepted", "resolves", "unrestricted"]) assert.ok(seen.has(style), `${style} drawn`);
      for (const [id, style, ...look] of looks) assert.deepEqual(look, EDGE_LOOK[style ?? ""], `${id} (${style})`);
      await screenshot(page, "domains");
      assert.deepEqual(errors, []);
    } finally {
      assert.equal(await ui.stop(), 0);
    }
  });

  test("a diff marks changed edges by width and by a sign in their label, not by colour alone", async () => {
    const ui = await startUi(["-f", "examples/egress", "-f", "examples/egress-pr", "--against", "examples/egress"]);
    try {
      const { page, errors } = await browser.page();
      await page.goto(ui.url);
      assert.equal(await settled(page), "settled");
      const marked = await page.evaluate(() =>
        (globalThis as unknown as Globals).portcullisGraph.$("edge.change-widened, edge.change-added, edge.change-removed, edge.change-narrowed").map((e) => [e.id(), String(e.data("label")), e.style("width")]),
      );
      const plain = await page.evaluate(() => (globalThis as unknown as Globals).portcullisGraph.$("edge[style = 'allowed']").map((e) => (e.hasClass("change-widened") || e.hasClass("change-added") ? "" : e.style("width"))));
      assert.ok(marked.some(([, label]) => /widened: \+TCP 443/.test(label ?? "")), `web-api's widened edge: ${JSON.stringify(marked)}`);
      const base = Math.max(...plain.filter((w) => w !== "").map((w) => Number.parseFloat(w)));
      for (const [id, label, width] of marked) {
        assert.match(label ?? "", /widened: \+|^\+ |^− |narrowed: −/, `${id}: ${label}`);
        if (!/^− |narrowed/.test(label ?? "")) assert.ok(Number.parseFloat(width ?? "0") > base, `${id} is thicker (${width}) than an unchanged edge (${base})`);
      }
      await screenshot(page, "diff");
      assert.deepEqual(errors, []);
    } finally {
      assert.equal(await ui.stop(), 0);
    }
  });
});

describe("a 1,000-workload cluster", { skip: missing ?? false }, () => {
  let browser: BrowserSession;
  let ui: RunningUi;
  let dir: string;
  before(async () => {
    dir = await writeUiCluster(1000, 7);
    browser = await openBrowser();
    ui = await startUi(["-f", dir]);
  });
  after(async () => {
    await browser.close();
    assert.equal(await ui.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  });

  test("settles with its namespaces collapsed; expanding one draws its workloads; a namespace filter expands it", async () => {
    const { page, errors } = await browser.page();
    await page.goto(ui.url);
    assert.equal(await settled(page, 120_000), "settled");
    const before = await page.evaluate(() => {
      const g = globalThis as unknown as Globals;
      return { collapsed: g.portcullisHandle.collapsedNamespaces().length, team: g.portcullisGraph.$id("ns_team_000").hasClass("collapsed"), workloads: g.portcullisGraph.$("node[kind = 'endpoint']").length, folded: g.portcullisGraph.$("edge.folded").length };
    });
    assert.deepEqual({ ...before, folded: before.folded > 0 }, { collapsed: 51, team: true, workloads: 0, folded: true });
    await screenshot(page, "scale-1000-collapsed");
    await page.evaluate(() => (globalThis as unknown as Globals).portcullisHandle.expand("team-000"));
    assert.equal(await settled(page, 120_000), "settled");
    const inside = await page.evaluate(() => (globalThis as unknown as Globals).portcullisGraph.$("node[kind = 'endpoint']").map((n) => `${n.parent().id()} ${n.id()}`));
    assert.equal(inside.length, 20);
    assert.ok(inside.every((n) => n.startsWith("ns_team_000 team_000_")), inside.join(", "));
    await filter(page, { namespaces: ["team-007"] });
    assert.equal(await settled(page, 120_000), "settled");
    assert.deepEqual(await visibleOf(page, ["ns_team_007", "ns_team_001", "internet"]), [true, false, true]);
    const drawn = await page.evaluate(() => (globalThis as unknown as Globals).portcullisGraph.$("node[kind = 'endpoint']").map((n) => n.id()));
    assert.ok(drawn.some((n) => n.startsWith("team_007_")), "team-007's workloads drawn");
    await screenshot(page, "scale-1000-expanded");
    await filter(page, {});
    const drawnIn = (ns: string): Promise<number> => page.evaluate((ns) => (globalThis as unknown as Globals).portcullisGraph.$(`node[kind = 'endpoint']`).map((n) => n.parent().id()).filter((p) => p === ns).length, ns);
    // A block body: emit() returns the element, which page.evaluate would serialize (the whole graph: gigabytes, the renderer out of memory).
    await page.evaluate(() => {
      (globalThis as unknown as { portcullisGraph: { $id(id: string): { emit(event: string): unknown } } }).portcullisGraph.$id("ns_team_002").emit("dbltap");
    });
    assert.equal(await settled(page, 120_000), "settled");
    assert.equal(await drawnIn("ns_team_002"), 20, "a double-click expands a namespace");
    await page.evaluate(() => {
      (globalThis as unknown as { portcullisGraph: { $id(id: string): { select(): unknown } } }).portcullisGraph.$id("ns_team_002").select();
    });
    await page.focus("#graph");
    await page.keyboard.press("Enter");
    assert.equal(await settled(page, 120_000), "settled");
    assert.equal(await drawnIn("ns_team_002"), 0, "Enter on a selected namespace collapses it again");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
