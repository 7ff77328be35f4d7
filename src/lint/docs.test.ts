/**
 * Every rule has its docs page, and the page's examples are true: the example triggers the rule,
 * the fixed example does not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAws } from "../feeds/aws.js";
import type { Feed, FeedProvider } from "../feeds/types.js";
import { RULES } from "./registry.js";
import { lintYaml } from "./test-support.js";
import type { LintOptions } from "./types.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, "utf8");

function awsFeed(path: string): ReadonlyMap<FeedProvider, Feed> {
  const r = parseAws(read(path), "0".repeat(64));
  if (!r.ok) throw new Error(`${path} does not parse`);
  return new Map([["aws", r.feed]]);
}

/** The options a rule's page says its examples are linted with (feed-outdated runs only with --feed). */
const PAGE_OPTIONS: Readonly<Record<string, Partial<LintOptions>>> = {
  "feed-outdated": { feeds: awsFeed("src/feeds/testdata/aws-ip-ranges-new.json") },
};

/** The first ```yaml block under a `## heading`. */
function yamlUnder(page: string, heading: string): string | undefined {
  const start = page.indexOf(`\n## ${heading}\n`);
  if (start < 0) return undefined;
  const rest = page.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
}

for (const rule of RULES) {
  test(`docs: ${rule.docs} explains ${rule.id}, and its examples are true`, () => {
    const page = read(rule.docs);
    assert.ok(page.startsWith(`# ${rule.id}\n`), "title is the rule id");
    assert.ok(page.includes(`**Severity:** ${rule.severity}\n`), "severity as in the registry");
    for (const heading of ["What it finds", "Why it matters", "How to fix", "Example", "Fixed example"]) {
      assert.ok(page.includes(`\n## ${heading}\n`), `has a "${heading}" section`);
    }
    const example = yamlUnder(page, "Example");
    const fixed = yamlUnder(page, "Fixed example");
    assert.ok(example !== undefined && fixed !== undefined, "both examples are YAML blocks");
    const options = PAGE_OPTIONS[rule.id] ?? {};
    assert.ok(lintYaml(example, rule.id, options).length > 0, "the example triggers the rule");
    assert.deepEqual(lintYaml(fixed, rule.id, options), [], "the fixed example does not");
  });
}

test("docs/lint.md links every rule's page, and docs/rules holds no page for a rule that does not exist", () => {
  const index = read("docs/lint.md");
  for (const rule of RULES) assert.ok(index.includes(`](rules/${rule.id}.md)`), rule.id);
  const pages = readdirSync(`${ROOT}docs/rules`).filter((f) => f.endsWith(".md")).sort();
  assert.deepEqual(pages, RULES.map((r) => `${r.id}.md`).sort());
});
