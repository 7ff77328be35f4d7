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
  const files = readdirSync(`${MISTAKES_DIR}/${dir}`)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => ({ file: `examples/mistakes/${dir}/${f}`, text: readFileSync(`${MISTAKES_DIR}/${dir}/${f}`, "utf8") }));
  return lintCluster(clusterOf(files), TEST_OPTIONS);
}
