/**
 * The page in a real browser: Debian's Chromium driven by playwright-core (docs/ui.md#tests). Each
 * test drives the page as a user would (clicks, keys, the URL) against `portcullis ui` started in
 * this process, and compares what the page shows with what the CLI answers for the same question.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { main } from "../cli/main.js";
import { type BrowserSession, browserMissing, drawnGraph, openBrowser, type RunningUi, screenshot, settled, startUi } from "./browser-harness.js";

const missing = browserMissing();
const skip = missing ?? false;
let browser: BrowserSession;
/** The bundled example; a diff (the PR of examples/egress-pr over examples/egress); an input with findings. */
let egress: RunningUi;
let diff: RunningUi;
let guardrails: RunningUi;

before(async () => {
  if (missing !== null) return;
  browser = await openBrowser();
  egress = await startUi(["-f", "examples/egress"]);
  diff = await startUi(["-f", "examples/egress", "-f", "examples/egress-pr", "--against", "examples/egress"]);
  guardrails = await startUi(["-f", "examples/guardrails"]);
});

after(async () => {
  if (missing !== null) return;
  await browser.close();
  for (const ui of [egress, diff, guardrails]) assert.equal(await ui.stop(), 0);
});

/** The browser's own log line for an answer with an error status (the page shows the error itself). */
const refused = (status: number): ((e: string) => boolean) => (e) => !e.startsWith(`Failed to load resource: the server responded with a status of ${status}`);

/** The page's Cytoscape instance, as far as these tests read it (functions run in the page). */
interface Drawn {
  readonly portcullisGraph: {
    getElementById(id: string): { empty(): boolean; renderedPosition(): { x: number; y: number }; hasClass(c: string): boolean; selected(): boolean; source(): { id(): string } };
    container(): { getBoundingClientRect(): { left: number; top: number } };
  };
}

/** Opens the page at URL (with a query) and waits until the graph is laid out. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await browser.page();
  await opened.page.goto(url);
  assert.equal(await settled(opened.page), "settled");
  return opened;
}

/** Clicks a drawn node or edge where Cytoscape drew it (an edge: its midpoint). */
async function clickDrawn(page: Page, id: string): Promise<void> {
  const at = await page.evaluate((target) => {
    const cy = (globalThis as unknown as Drawn).portcullisGraph;
    const element = cy.getElementById(target) as unknown as { empty(): boolean; isEdge(): boolean; renderedPosition(): { x: number; y: number }; renderedMidpoint(): { x: number; y: number } };
    if (element.empty()) return null;
    const box = cy.container().getBoundingClientRect();
    const p = element.isEdge() ? element.renderedMidpoint() : element.renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y, kind: element.isEdge() ? "edge" : "node" };
  }, id);
  assert.ok(at !== null, `${id} is drawn`);
  await page.mouse.click(at.x, at.y);
  // The page records what the click chose in the URL: anything else (another element under the pointer) fails here.
  await page.waitForURL((url) => url.searchParams.get(at.kind) === id, { timeout: 10_000 });
}

async function elementState(page: Page, id: string): Promise<{ highlighted: boolean; selected: boolean }> {
  return page.evaluate((target) => {
    const element = (globalThis as unknown as Drawn).portcullisGraph.getElementById(target);
    return { highlighted: element.hasClass("highlighted"), selected: element.selected() };
  }, id);
}

/** The change marks (`change-removed` …) an edge is drawn with; throws when it is not drawn. */
async function edgeMarks(page: Page, id: string): Promise<string[]> {
  const classes = await page.evaluate((target) => {
    const element = (globalThis as unknown as Drawn).portcullisGraph.getElementById(target) as unknown as { empty(): boolean; classes(): string[] };
    return element.empty() ? null : element.classes();
  }, id);
  assert.ok(classes !== null, `${id} is drawn`);
  return classes.filter((c) => c.startsWith("change-"));
}

/** What `portcullis check -o json` answers (run through the CLI's main). */
async function cliCheck(from: string, to: string, port: string): Promise<{ code: number; verdict: string }> {
  let out = "";
  const code = await main(["check", "-f", "examples/egress", "--from", from, "--to", to, "--port", port, "-o", "json"], { stdout: (t) => (out += t), stderr: () => undefined });
  return { code, verdict: (JSON.parse(out) as { verdict: string }).verdict };
}

test("the bundled example renders its namespaces, workloads, destinations and edges", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  const drawn = await drawnGraph(page);
  for (const id of ["ns_production", "production_web_api", "production_postgres", "monitoring_prometheus", "kube_system_coredns", "internet", "metadata"]) assert.ok(drawn.nodes.includes(id), `${id} drawn: ${drawn.nodes.join(", ")}`);
  assert.equal(drawn.edges.length, 16);
  assert.ok(drawn.edges.includes("production_web_api->production_postgres:allowed"), drawn.edges.join(", "));
  assert.match((await page.getByTestId("source").textContent()) ?? "", /5 workloads in 3 namespaces, 16 edges/);
  await screenshot(page, "example");
  assert.deepEqual(errors, []);
  await page.close();
});

test("clicking a workload shows its explanation: the isolating policies with file:line and the rules", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  await clickDrawn(page, "production_web_api");
  const details = page.getByTestId("panel-details");
  await details.getByTestId("explain-text").waitFor();
  const isolating = (await details.getByTestId("isolating").first().textContent()) ?? "";
  assert.match(isolating, /isolated by 3 policies/);
  for (const at of ["production/allow-dns examples/egress/policies/allow-dns.yaml:3", "production/default-deny-egress examples/egress/policies/default-deny-egress.yaml:2", "production/web-api-egress examples/egress/policies/web-api-egress.yaml:3"]) assert.ok(isolating.includes(at), `${at} in ${isolating}`);
  assert.match((await details.getByTestId("rules").first().textContent()) ?? "", /production\/web-api-egress rule 1: TCP 443.*web-api-egress\.yaml:22/);
  assert.match((await details.getByTestId("explain-text").textContent()) ?? "", /^Deployment production\/web-api/);
  assert.equal(new URL(page.url()).searchParams.get("node"), "production_web_api");
  await screenshot(page, "explain-workload");
  assert.deepEqual(errors, []);
  await page.close();
});

test("clicking a namespace box lists its workloads in Details", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  const at = await page.evaluate(() => {
    const cy = (globalThis as unknown as Drawn).portcullisGraph;
    const box = cy.container().getBoundingClientRect();
    const bb = (cy.getElementById("ns_production") as unknown as { renderedBoundingBox(o: object): { x1: number; x2: number; y1: number; y2: number } }).renderedBoundingBox({ includeLabels: false });
    // Inside the box, in its top-left padding (above the workloads, away from the edges).
    return { x: box.left + bb.x1 + 12, y: box.top + bb.y1 + 4 };
  });
  await page.mouse.click(at.x, at.y);
  await page.getByTestId("details-title").filter({ hasText: "Namespace production" }).waitFor();
  const workloads = page.getByTestId("list-workloads").getByTestId("choice");
  assert.deepEqual((await workloads.allTextContents()).sort(), ["debug-shell", "postgres", "web-api"]);
  await workloads.filter({ hasText: "web-api" }).click();
  await page.waitForURL((url) => url.searchParams.get("node") === "production_web_api");
  assert.deepEqual(errors, []);
  await page.close();
});

test("clicking an edge shows the rules that allow it", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  await clickDrawn(page, "production_web_api->production_postgres:allowed");
  const details = page.getByTestId("panel-details");
  await details.getByTestId("verdict").first().waitFor();
  assert.equal(await details.getByTestId("verdict").first().getAttribute("data-verdict"), "allowed");
  assert.match((await details.getByTestId("rules").first().textContent()) ?? "", /production\/web-api-egress rule 0: TCP 5432.*web-api-egress\.yaml:16/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a rule without ports reads 'all ports' (explain's JSON says \"all\")", { skip }, async () => {
  const { page, errors } = await open(guardrails.url);
  await clickDrawn(page, "shop_web");
  const rules = page.getByTestId("panel-details").getByTestId("rules").first();
  await rules.waitFor();
  assert.match((await rules.textContent()) ?? "", /shop\/web-egress rule 0: all ports/);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const question of [
  { from: "production/web-api", to: "169.254.169.254", port: "80", verdict: "denied", why: /production\/web-api-egress rule 2 \(ipBlock 169\.254\.0\.0\/16 except 169\.254\.169\.254\/32\): ipblock in except examples\/egress\/policies\/web-api-egress\.yaml:29/ },
  { from: "production/web-api", to: "production/postgres", port: "5432", verdict: "allowed", why: /production\/web-api-egress rule 0: TCP 5432 → pods app=postgres in namespace production examples\/egress\/policies\/web-api-egress\.yaml:16/ },
]) {
  test(`a what-if query returns check's verdict: ${question.from} → ${question.to}:${question.port} ${question.verdict}`, { skip }, async () => {
    const cli = await cliCheck(question.from, question.to, question.port);
    assert.equal(cli.verdict, question.verdict, "the CLI's answer");
    const { page, errors } = await open(egress.url);
    await page.getByRole("tab", { name: "What-if" }).click();
    await page.getByLabel("From", { exact: true }).fill(question.from);
    await page.getByLabel("To", { exact: true }).fill(question.to);
    await page.getByTestId("whatif-port").fill(question.port);
    await page.getByTestId("whatif-submit").click();
    const verdict = page.getByTestId("whatif-answer").getByTestId("verdict");
    await verdict.waitFor();
    assert.equal(await verdict.getAttribute("data-verdict"), cli.verdict);
    assert.match((await verdict.textContent()) ?? "", new RegExp(cli.verdict.toUpperCase()), "the word, not colour alone");
    assert.match((await page.getByTestId("whatif-answer").getByTestId("explain-text").textContent()) ?? "", new RegExp(`^${cli.verdict.toUpperCase()}: production/web-api`));
    const structured = (await page.getByTestId("whatif-answer").getByTestId(question.verdict === "allowed" ? "rules" : "misses").first().textContent()) ?? "";
    assert.match(structured, question.why);
    await screenshot(page, `whatif-${question.verdict}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("a what-if the engine refuses (unknown workload) shows check's message", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  await page.getByRole("tab", { name: "What-if" }).click();
  await page.getByLabel("From", { exact: true }).fill("production/nope");
  await page.getByLabel("To", { exact: true }).fill("production/postgres");
  await page.getByTestId("whatif-port").fill("5432");
  await page.getByTestId("whatif-submit").click();
  const error = page.getByTestId("whatif-answer").getByTestId("error");
  await error.waitFor();
  assert.match((await error.textContent()) ?? "", /nope/);
  assert.deepEqual(errors.filter(refused(400)), [], "only the refused request (the browser logs the 400)");
  await page.close();
});

const PAYMENTS_RULE = "    - to:\n        - ipBlock:\n            cidr: 203.0.113.0/24\n      ports:\n        - protocol: TCP\n          port: 443\n";

test("editing a policy updates the graph: removing a rule marks its edge removed; Reset brings the input back", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  const payments = "production_web_api->net_203_0_113_0_24:allowed";
  assert.deepEqual(await edgeMarks(page, payments), []);
  await page.getByRole("tab", { name: "Policies" }).click();
  assert.match((await page.getByTestId("policies-banner").textContent()) ?? "", /Nothing is applied to any cluster/);
  await page.getByTestId("policy-pick").selectOption("NetworkPolicy/production/web-api-egress");
  const text = await page.getByTestId("policy-text").inputValue();
  assert.ok(text.includes(PAYMENTS_RULE), text);
  await page.getByTestId("policy-text").fill(text.replace(PAYMENTS_RULE, ""));
  await page.getByTestId("policy-apply").click();
  await page.getByTestId("policy-applied").waitFor();
  assert.deepEqual(await edgeMarks(page, payments), ["change-removed"], "the edge is drawn as removed by the edit");
  assert.deepEqual(await edgeMarks(page, "production_web_api->production_postgres:allowed"), [], "the other rules still allow");
  assert.equal(await page.getByTestId("edited").isVisible(), true, "the header says the view holds edits");
  await page.getByRole("tab", { name: "Diff" }).click();
  assert.match((await page.getByTestId("diff-edge").filter({ hasText: "203.0.113.0/24" }).textContent()) ?? "", /removed production\/web-api → 203\.0\.113\.0\/24/);
  await screenshot(page, "policy-edited");
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByTestId("policy-reset").click();
  await page.getByTestId("policy-applied").waitFor();
  assert.deepEqual(await edgeMarks(page, payments), [], "Reset: the input read at start");
  assert.equal(await page.getByRole("tab", { name: "Diff" }).isVisible(), false, "no comparison after Reset");
  assert.deepEqual(errors, []);
  await page.close();
});

const PASTED_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-api-partner
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: web-api
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock:
            cidr: 198.51.100.0/24
      ports:
        - protocol: TCP
          port: 8443
`;

test("leaving a policy out and pasting a new one change the graph and the diff", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByTestId("policy-pick").selectOption("NetworkPolicy/production/web-api-egress");
  await page.getByTestId("policy-remove").click();
  assert.match((await page.getByTestId("policy-pick").locator("option:checked").textContent()) ?? "", /^\(left out\) NetworkPolicy\/production\/web-api-egress/);
  await page.getByTestId("policy-new").fill(PASTED_POLICY);
  await page.getByTestId("policy-apply").click();
  await page.getByTestId("policy-applied").waitFor();
  assert.match((await page.getByTestId("policy-applied").textContent()) ?? "", /1 edited document, 1 policy left out/);
  assert.deepEqual(await edgeMarks(page, "production_web_api->production_postgres:allowed"), ["change-narrowed"], "its rules no longer allow");
  assert.deepEqual(await edgeMarks(page, "production_web_api->net_198_51_100_0_24:allowed"), ["change-widened"], "the pasted policy's edge, drawn as widened");
  await page.getByRole("tab", { name: "Diff" }).click();
  assert.match((await page.getByTestId("diff-edge").filter({ hasText: "198.51.100.0/24" }).textContent()) ?? "", /widened production\/web-api → 198\.51\.100\.0\/24 \+ TCP 8443/);
  await screenshot(page, "policy-pasted");
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByTestId("policy-reset").click();
  await page.getByTestId("policy-applied").waitFor();
  assert.equal(await page.getByTestId("policy-new").inputValue(), "");
  assert.deepEqual(await edgeMarks(page, "production_web_api->production_postgres:allowed"), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a broken edit shows its diagnostics at their line and leaves the graph unchanged", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  const before = await drawnGraph(page);
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByTestId("policy-pick").selectOption("NetworkPolicy/production/web-api-egress");
  const text = (await page.getByTestId("policy-text").inputValue()).replace("port: 5432", "port: 70000");
  const line = text.split("\n").findIndex((l) => l.includes("port: 70000")) + 1;
  await page.getByTestId("policy-text").fill(text);
  await page.getByTestId("policy-apply").click();
  const diagnostic = page.getByTestId("diagnostics").locator("li").first();
  await diagnostic.waitFor();
  const shown = (await diagnostic.textContent()) ?? "";
  assert.ok(shown.includes(`:${line}:`), `line ${line} in ${shown}`);
  assert.ok(shown.includes("70000"), `the line's text is shown: ${shown}`);
  assert.match((await page.getByTestId("policy-result").getByTestId("error").textContent()) ?? "", /view is unchanged/);
  await diagnostic.getByTestId("diagnostic").click();
  const selected = await page.getByTestId("policy-text").evaluate((area) => {
    const t = area as unknown as { value: string; selectionStart: number; selectionEnd: number };
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  assert.match(selected, /port: 70000/, "choosing the diagnostic selects its line");
  assert.deepEqual(await drawnGraph(page), before);
  await screenshot(page, "policy-diagnostics");
  assert.deepEqual(errors.filter(refused(422)), []);
  await page.close();
});

test("the diff view lists the widened edges with their classification; choosing one focuses it", { skip }, async () => {
  const { page, errors } = await open(diff.url);
  assert.equal(await page.getByTestId("diff-legend").isVisible(), true);
  await page.getByRole("tab", { name: "Diff" }).click();
  assert.match((await page.getByTestId("diff-summary").textContent()) ?? "", /widened\s*4/);
  const widened = page.getByTestId("diff-edge").filter({ hasText: "internet-egress-added" }).first();
  assert.equal(await widened.getAttribute("data-kind"), "widened");
  assert.match((await widened.textContent()) ?? "", /widened production\/web-api → .*\+ TCP 443 \[internet-egress-added, metadata-reachable\]/);
  const id = (await widened.getAttribute("data-id")) ?? "";
  await widened.click();
  assert.deepEqual(await elementState(page, id), { highlighted: true, selected: true });
  assert.equal(new URL(page.url()).searchParams.get("edge"), id);
  assert.equal(await page.getByRole("tab", { name: "Diff" }).getAttribute("aria-selected"), "true", "the list stays open for the next one");
  await screenshot(page, "diff");
  await page.getByRole("tab", { name: "Details" }).click();
  assert.match((await page.getByTestId("edge-change").textContent()) ?? "", /^widened \(internet-egress-added, metadata-reachable\); \+ TCP 443/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("findings are listed by severity with counts; choosing one shows it and highlights its nodes", { skip }, async () => {
  const { page, errors } = await open(guardrails.url);
  await page.getByRole("tab", { name: "Findings" }).click();
  assert.equal(await page.getByTestId("findings-counts").textContent(), "5 findings: 0 errors, 2 warnings, 3 info");
  const findings = page.getByTestId("finding");
  assert.deepEqual(await findings.evaluateAll((items) => items.map((i) => (i as unknown as { className: string }).className.replace(/.*severity-/, ""))), ["warning", "warning", "info", "info", "info"]);
  const admin = findings.filter({ hasText: "admin-networks-cover-cluster" });
  await admin.click();
  assert.equal(await admin.getAttribute("aria-selected"), "true");
  assert.match((await page.getByTestId("finding-at").textContent()) ?? "", /^examples\/guardrails\/.+\.yaml:83 spec\.egress\[0\]\.to\[0\]\.networks$/);
  for (const node of ["legacy_app", "reports_cron"]) assert.equal((await elementState(page, node)).highlighted, true, `${node} highlighted`);
  assert.equal((await elementState(page, "shop_web")).highlighted, false);
  await screenshot(page, "findings");
  const id = (await admin.getAttribute("data-id")) ?? "";
  assert.equal(new URL(page.url()).searchParams.get("finding"), id);
  await page.reload();
  assert.equal(await settled(page), "settled");
  assert.equal(await page.getByTestId("finding").filter({ hasText: "admin-networks-cover-cluster" }).getAttribute("aria-selected"), "true", "the URL keeps the chosen finding");
  assert.equal((await elementState(page, "legacy_app")).highlighted, true);
  await page.getByTestId("list-concerns").getByTestId("choice").filter({ hasText: "legacy/app" }).first().click();
  await page.waitForURL((url) => url.searchParams.get("node") === "legacy_app");
  assert.equal(await page.getByRole("tab", { name: "Details" }).getAttribute("aria-selected"), "true", "a finding's workload opens in Details");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the findings list is navigable by keyboard: Tab into it, arrows move, Enter chooses", { skip }, async () => {
  const { page, errors } = await open(guardrails.url);
  await page.getByRole("tab", { name: "Details" }).focus();
  for (let i = 0; i < 2; i++) await page.keyboard.press("ArrowRight");
  assert.equal(await page.getByRole("tab", { name: "Findings" }).getAttribute("aria-selected"), "true", "arrow keys move between tabs");
  await page.keyboard.press("Tab");
  const first = page.getByTestId("finding").nth(0);
  assert.equal(await first.evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement), true, "Tab lands on the first finding");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const third = page.getByTestId("finding").nth(2);
  assert.equal(await third.getAttribute("aria-selected"), "true");
  assert.equal(await third.getAttribute("tabindex"), "0", "the roving tabindex follows");
  const view = (await (await fetch(`${guardrails.url}api/view`)).json()) as { findings: { id: string; nodes: string[] }[] };
  const thirdId = await third.getAttribute("data-id");
  const chosen = view.findings.find((f) => f.id === thirdId);
  assert.ok(chosen !== undefined && chosen.nodes.length > 0);
  for (const node of chosen.nodes) assert.equal((await elementState(page, node)).highlighted, true, `${node} highlighted`);
  await page.keyboard.press("Escape");
  assert.equal(await third.getAttribute("aria-selected"), "false", "Escape clears the selection");
  assert.equal((await elementState(page, chosen.nodes[0] ?? "")).highlighted, false);
  await page.keyboard.press("/");
  assert.equal(await page.getByTestId("filter-search").evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement), true, "/ focuses the search");
  assert.deepEqual(errors, []);
  await page.close();
});

/** The text of the element that has the keyboard focus. */
const focused = (page: Page): Promise<string> => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent ?? "");

test("without a pointer: the Details panel lists the nodes the filters show, then the chosen node's edges", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  const nodes = page.getByTestId("list-nodes").getByTestId("choice");
  assert.ok((await nodes.allTextContents()).includes("web-api"));
  await page.getByTestId("filter-ns").selectOption(["kube-system"]);
  await page.getByTestId("list-nodes").waitFor();
  assert.equal(await nodes.filter({ hasText: "web-api" }).count(), 0, "the filter narrows the list as it narrows the graph");
  await page.getByTestId("filter-clear").click();
  await nodes.first().focus();
  for (let i = 0; i < 20 && (await focused(page)) !== "web-api"; i++) await page.keyboard.press("ArrowDown");
  assert.equal(await focused(page), "web-api");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.searchParams.get("node") === "production_web_api");
  assert.equal(await focused(page), "production/web-api", "the focus moves to the answer");
  await page.getByTestId("panel-details").getByTestId("explain-text").waitFor();
  await page.keyboard.press("Tab");
  assert.match(await focused(page), /^→ /, "then to the node's edges");
  for (let i = 0; i < 20 && !(await focused(page)).startsWith("→ production/postgres"); i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.searchParams.get("edge") === "production_web_api->production_postgres:allowed");
  assert.equal(await page.getByTestId("panel-details").getByTestId("verdict").first().getAttribute("data-verdict"), "allowed");
  assert.equal((await elementState(page, "production_web_api->production_postgres:allowed")).selected, true, "the graph selects it too");
  await page.keyboard.press("Escape");
  await page.getByTestId("list-nodes").waitFor();
  assert.equal(new URL(page.url()).searchParams.get("edge"), null);
  await screenshot(page, "keyboard-lists");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Export SVG and Export PNG save the current view as files", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  for (const [button, name, magic] of [["export-svg", "portcullis-egress.svg", "<svg"], ["export-png", "portcullis-egress.png", "\x89PNG"]] as const) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(button).click()]);
    assert.equal(download.suggestedFilename(), name);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks).toString("latin1");
    assert.ok(content.includes(magic), `${name} holds ${JSON.stringify(magic)}: ${content.slice(0, 80)}`);
    if (name.endsWith(".svg")) assert.ok(content.includes("web-api"), "the drawn workloads are in the SVG");
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("the URL restores the view after a reload: selection, filters, tab; back returns to the previous selection", { skip }, async () => {
  const { page, errors } = await open(egress.url);
  await clickDrawn(page, "production_postgres");
  await page.getByTestId("panel-details").getByTestId("explain-text").waitFor();
  await clickDrawn(page, "production_web_api");
  await page.getByTestId("panel-details").getByText("web-api-egress.yaml:3").first().waitFor().catch(async (e: unknown) => {
    await screenshot(page, "url-failure");
    throw e;
  });
  await page.getByTestId("filter-ns").selectOption(["production", "monitoring"]);
  await page.getByTestId("filter-port").fill("5432");
  await page.getByTestId("filter-port").press("Enter");
  const url = page.url();
  assert.deepEqual(Object.fromEntries(new URL(url).searchParams), { node: "production_web_api", ns: "monitoring,production", port: "5432" });
  await page.reload();
  assert.equal(await settled(page), "settled");
  await page.getByTestId("panel-details").getByText("web-api-egress.yaml:3").first().waitFor();
  assert.equal((await elementState(page, "production_web_api")).selected, true);
  assert.deepEqual(await page.getByTestId("filter-ns").evaluate((s) => [...(s as unknown as { selectedOptions: { value: string }[] }).selectedOptions].map((o) => o.value)), ["monitoring", "production"]);
  assert.equal(await page.getByTestId("filter-port").inputValue(), "5432");
  assert.equal(page.url(), url);
  await page.goBack();
  await page.getByTestId("panel-details").getByText("StatefulSet production/postgres").first().waitFor();
  assert.equal(new URL(page.url()).searchParams.get("node"), "production_postgres");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a what-if question in the URL is asked on load", { skip }, async () => {
  const { page, errors } = await open(`${egress.url}?tab=whatif&from=production%2Fweb-api&to=169.254.169.254&toPort=80`);
  assert.equal(await page.getByRole("tab", { name: "What-if" }).getAttribute("aria-selected"), "true");
  const verdict = page.getByTestId("whatif-answer").getByTestId("verdict");
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute("data-verdict"), "denied");
  assert.equal(await page.getByTestId("whatif-from").inputValue(), "production/web-api");
  assert.deepEqual(errors, []);
  await page.close();
});
