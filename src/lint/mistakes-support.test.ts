/** Loading examples/mistakes/<dir> for the tests (file names relative to the repository root). */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { lintCluster } from "./lint.js";
import { TEST_OPTIONS, clusterOf } from "./test-support.js";
import type { Finding } from "./types.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const MISTAKES_DIR = `${ROOT}examples/mistakes`;

export function mistakeDirs(): string[] {
  return readdirSync(MISTAKES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

export function lintMistake(dir: string): Finding[] {
  return lintPaths([`examples/mistakes/${dir}`]);
}

/** The manifests (.yaml, .yml) under directories of the repository (relative to its root), sorted, subdirectories included. */
function manifestsUnder(dir: string): string[] {
  return readdirSync(`${ROOT}${dir}`, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? manifestsUnder(`${dir}/${e.name}`) : e.name.endsWith(".yaml") || e.name.endsWith(".yml") ? [`${dir}/${e.name}`] : []));
}

/** Lints directories of the repository together, as `portcullis lint -f DIR -f DIR` does. */
export function lintPaths(dirs: readonly string[]): Finding[] {
  const files = dirs.flatMap(manifestsUnder).map((file) => ({ file, text: readFileSync(`${ROOT}${file}`, "utf8") }));
  return lintCluster(clusterOf(files), TEST_OPTIONS);
}
