/**
 * Test and benchmark support: Debian's Chromium (/usr/bin/chromium) driven headless by
 * playwright-core (never a browser download), against a `portcullis ui` server started in this
 * process on a free port. Outside CI a missing Chromium skips; with CI=true it fails.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type RunningApi, startApi } from "./api-testkit.js";

export const CHROMIUM = "/usr/bin/chromium";

/** Where tests keep their screenshots (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL("../../../artifacts/ui/", import.meta.url));

/** As root Chromium needs --no-sandbox; the others keep it from reaching out (this machine's network is closed). */
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

/** Null when the browser can run here; otherwise why not (fails the test under CI=true). */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found (Debian package chromium; bash scripts/install-system-deps.sh installs it)`;
  if (process.env["CI"] === "true") assert.fail(`browser tests must run in CI: ${reason}`);
  return reason;
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** A new page that records console errors and uncaught exceptions in `errors`. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), "pc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const browser = context.browser();
  return {
    browser: browser as Browser,
    context,
    page: async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(String(e)));
      return { page, errors };
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The page's globals, typed for functions run in the page (page.evaluate serializes them: they may
 * use nothing of this module; a cast of globalThis is erased). This process's TypeScript has no DOM library.
 */
interface PageGlobals {
  readonly document: { readonly body: { readonly dataset: Record<string, string | undefined> } };
  readonly portcullisGraph: { nodes(): { map<T>(f: (n: { id(): string }) => T): T[] }; edges(): { map<T>(f: (e: { id(): string }) => T): T[] } };
}

/** Waits until the page has drawn and laid out the graph (`document.body.dataset.state`), or failed. */
export async function settled(page: Page, timeoutMs = 60_000): Promise<string> {
  await page.waitForFunction(() => ["settled", "failed"].includes((globalThis as unknown as PageGlobals).document.body.dataset["state"] ?? ""), null, { timeout: timeoutMs });
  return page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset["state"] ?? "");
}

/** Saves a screenshot as artifacts/ui/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A `portcullis ui` server run in this process (the API tests' startApi: one way to start it). */
export type RunningUi = RunningApi;

/** Runs `portcullis ui ARGS --port 0` in this process (the CLI's own main) until stop(). */
export function startUi(args: readonly string[]): Promise<RunningUi> {
  return startApi(args);
}

/** The graph as drawn (the page's Cytoscape instance, `window.portcullisGraph`): node ids sorted, edge ids sorted. */
export async function drawnGraph(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  return page.evaluate(() => {
    const cy = (globalThis as unknown as PageGlobals).portcullisGraph;
    return { nodes: cy.nodes().map((n) => n.id()).sort(), edges: cy.edges().map((e) => e.id()).sort() };
  });
}
