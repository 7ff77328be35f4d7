/** Test support that reads files: example trees as Sources, and golden files with the UPDATE_GOLDEN switch. */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import type { Source } from "../k8s/parse.js";

/** The repository root (compiled tests live in dist/src/…). */
export const ROOT = new URL("../../../", import.meta.url);

/** YAML and JSON files under `dir`, sorted, named by their path relative to it. */
export function readTree(dir: URL, prefix = ""): Source[] {
  return readdirSync(new URL(prefix, dir))
    .sort()
    .flatMap((name) => {
      const rel = `${prefix}${name}`;
      if (statSync(new URL(rel, dir)).isDirectory()) return readTree(dir, `${rel}/`);
      return /\.(ya?ml|json)$/.test(name) ? [{ file: rel, text: readFileSync(new URL(rel, dir), "utf8") }] : [];
    });
}

/** The golden file `name` in `dir`; with UPDATE_GOLDEN=1 it is first rewritten with `actual`. */
export function golden(dir: URL, name: string, actual: string): string {
  const file = new URL(name, dir);
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, actual);
  return readFileSync(file, "utf8");
}
