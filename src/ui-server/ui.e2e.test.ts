/** The page in a real browser: Debian's Chromium driven by playwright-core (docs/ui.md#tests). */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { type BrowserSession, browserMissing, drawnGraph, openBrowser, type RunningUi, screenshot, settled, startUi } from "./browser-harness.js";

const missing = browserMissing();
let browser: BrowserSession;
let ui: RunningUi;

before(async () => {
  if (missing !== null) return;
  browser = await openBrowser();
  ui = await startUi(["-f", "examples/egress"]);
});

after(async () => {
  if (missing !== null) return;
  await browser.close();
  assert.equal(await ui.stop(), 0);
});

test("the bundled example renders its namespaces, workloads, destinations and edges", { skip: missing ?? false }, async () => {
  const { page, errors } = await browser.page();
  await page.goto(ui.url);
  assert.equal(await settled(page), "settled");
  const drawn = await drawnGraph(page);
  for (const id of ["ns_production", "production_web_api", "production_postgres", "monitoring_prometheus", "kube_system_coredns", "internet", "metadata"]) assert.ok(drawn.nodes.includes(id), `${id} drawn: ${drawn.nodes.join(", ")}`);
  assert.equal(drawn.edges.length, 16);
  assert.ok(drawn.edges.includes("production_web_api->production_postgres:allowed"), drawn.edges.join(", "));
  await screenshot(page, "example");
  assert.deepEqual(errors, []);
  await page.close();
});
