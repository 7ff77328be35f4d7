/**
 * Golden files for every output format, byte-exact, on each scenario of examples/mistakes.
 * UPDATE_GOLDEN=1 rewrites them (src/lint/testdata/<scenario>.<format>).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { lintMistake, mistakeDirs, ROOT } from "./mistakes-support.test.js";
import { renderJson } from "./render-json.js";
import { renderSarif } from "./render-sarif.js";
import { renderText } from "./render-text.js";
import type { Finding } from "./types.js";

const GOLDEN_DIR = `${ROOT}src/lint/testdata`;
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

const FORMATS: readonly { ext: string; render: (findings: readonly Finding[]) => string }[] = [
  { ext: "txt", render: (f) => renderText(f, { color: false }) },
  { ext: "json", render: renderJson },
  { ext: "sarif", render: (f) => renderSarif(f, { docsBaseUri: "https://example.org/portcullis/" }) },
];

for (const dir of mistakeDirs()) {
  const findings = lintMistake(dir);
  for (const format of FORMATS) {
    test(`golden: examples/mistakes/${dir} as ${format.ext}`, () => {
      const path = `${GOLDEN_DIR}/${dir}.${format.ext}`;
      const actual = format.render(findings);
      if (UPDATE) writeFileSync(path, actual);
      assert.ok(existsSync(path), `missing ${path}: run with UPDATE_GOLDEN=1`);
      assert.equal(actual, readFileSync(path, "utf8"));
    });
  }
}
