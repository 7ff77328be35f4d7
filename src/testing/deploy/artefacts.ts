/**
 * The deployment artefacts as the tests read them: deploy/'s objects, and charts/portcullis rendered
 * with the subset renderer (helm-subset.ts) for a release named portcullis.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { objectsOf, type Release, renderTemplate } from "./helm-subset.js";

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const DEPLOY_DIR = join(ROOT, "deploy");
export const CHART_DIR = join(ROOT, "charts", "portcullis");

export type KubeObject = Record<string, unknown> & { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } };

/** `DaemonSet portcullis-system/portcullis`, `ClusterRole portcullis`: one object's identity, for maps and messages. */
export function objectKey(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace === undefined ? "" : `${o.metadata.namespace}/`}${o.metadata.name}`;
}

const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

export function deployObjects(): KubeObject[] {
  return yamlFiles(DEPLOY_DIR).flatMap((f) => objectsOf(readFileSync(join(DEPLOY_DIR, f), "utf8"), `deploy/${f}`) as KubeObject[]);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `--set`-like: maps merge key by key, anything else replaces. */
function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

export const DEFAULT_RELEASE: Release = { name: "portcullis", namespace: "default" };

/** Each template's rendered text, by file name: values.yaml merged with `overrides`. */
export function renderChartFiles(overrides: Record<string, unknown> = {}, release: Release = DEFAULT_RELEASE): Map<string, string> {
  const values = merge(parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")), overrides);
  const dir = join(CHART_DIR, "templates");
  return new Map(yamlFiles(dir).map((f) => [f, renderTemplate(readFileSync(join(dir, f), "utf8"), `templates/${f}`, values, release)]));
}

/** The chart's objects, as `helm template portcullis charts/portcullis` would give them. */
export function renderChart(overrides: Record<string, unknown> = {}): KubeObject[] {
  return [...renderChartFiles(overrides)].flatMap(([f, text]) => objectsOf(text, `templates/${f}`) as KubeObject[]);
}

/** Every rendered manifest as one multi-document YAML text (what `helm template` prints). */
export function renderChartText(overrides: Record<string, unknown> = {}): string {
  return [...renderChartFiles(overrides)].map(([f, text]) => `---\n# Source: portcullis/templates/${f}\n${text}`).join("\n");
}
