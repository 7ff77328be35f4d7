/**
 * The SARIF output: its required structure always, and validity against the SARIF 2.1.0 JSON
 * schema when the schema is available. No package in package.json ships the schema; the
 * devDependency @microsoft/jest-sarif does (lib/schemas/sarif-2.1.0-rtm.5.json), or point
 * SARIF_SCHEMA at a copy. The schema is checked by the small draft-04 validator below, which
 * covers every keyword that schema uses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { lintMistake, mistakeDirs, ROOT } from "./mistakes-support.test.js";
import { RULES } from "./registry.js";
import { fileUri, sarifLog } from "./render-sarif.js";
import type { Finding } from "./types.js";

const all: Finding[] = mistakeDirs().flatMap((d) => lintMistake(d));
const log = (docsBaseUri?: string): unknown => JSON.parse(JSON.stringify(sarifLog(all, docsBaseUri === undefined ? {} : { docsBaseUri })));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const obj = (v: unknown): Record<string, unknown> => {
  assert.ok(typeof v === "object" && v !== null && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
};
const arr = (v: unknown): unknown[] => {
  assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
  return v;
};

test("sarif: the properties code scanning needs, structurally", () => {
  const root = obj(log("https://example.org/p/"));
  assert.equal(root["version"], "2.1.0");
  const runs = arr(root["runs"]);
  assert.equal(runs.length, 1);
  const run = obj(runs[0]);
  const driver = obj(obj(run["tool"])["driver"]);
  assert.equal(driver["name"], "portcullis");
  const rules = arr(driver["rules"]).map(obj);
  assert.deepEqual(rules.map((r) => r["id"]), RULES.map((r) => r.id));
  for (const [i, r] of rules.entries()) {
    const rule = RULES[i];
    assert.ok(rule !== undefined);
    assert.equal(obj(r["shortDescription"])["text"], rule.summary);
    assert.equal(obj(r["fullDescription"])["text"], rule.description);
    assert.ok(String(obj(r["help"])["text"]).includes(rule.docs));
    assert.equal(r["helpUri"], `https://example.org/p/docs/rules/${rule.id}.md`);
    assert.equal(obj(r["defaultConfiguration"])["level"], { error: "error", warning: "warning", info: "note" }[rule.severity]);
  }
  const results = arr(run["results"]).map(obj);
  assert.equal(results.length, all.length);
  for (const [i, r] of results.entries()) {
    const f = all[i];
    assert.ok(f !== undefined);
    assert.equal(r["ruleId"], f.rule);
    assert.equal(rules[Number(r["ruleIndex"])]?.["id"], f.rule);
    assert.ok(["error", "warning", "note"].includes(String(r["level"])));
    assert.ok(String(obj(r["message"])["text"]).includes(f.message));
    const physical = obj(obj(arr(r["locations"])[0])["physicalLocation"]);
    assert.equal(obj(physical["artifactLocation"])["uri"], f.location.file);
    assert.deepEqual(obj(physical["region"]), { startLine: f.location.line, startColumn: f.location.column });
  }
});

test("sarif: without a docs base URI no helpUri is written (SARIF requires an absolute URI)", () => {
  const driver = obj(obj(obj(arr(obj(log())["runs"])[0])["tool"])["driver"]);
  for (const r of arr(driver["rules"])) assert.equal(obj(r)["helpUri"], undefined);
});

test("sarif: file names become URI references", () => {
  assert.equal(fileUri("examples/mistakes/a b.yaml"), "examples/mistakes/a%20b.yaml");
  assert.equal(fileUri("/srv/repo/policy.yaml"), "file:///srv/repo/policy.yaml");
  assert.equal(fileUri("C:\\repo\\policy.yaml"), "file:///C:/repo/policy.yaml");
  assert.equal(fileUri("<stdin>"), "%3Cstdin%3E");
});

function findSchema(): string | undefined {
  const candidates = [process.env["SARIF_SCHEMA"], `${ROOT}node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json`];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p));
}

test("sarif: valid against the SARIF 2.1.0 JSON schema", () => {
  const path = findSchema();
  // The schema ships with the devDependency @microsoft/jest-sarif: a missing schema is a failure, not a skip.
  assert.ok(path !== undefined, "no SARIF 2.1.0 schema: run npm ci (devDependency @microsoft/jest-sarif) or set SARIF_SCHEMA");
  const schema = JSON.parse(readFileSync(path, "utf8")) as Json;
  for (const base of [undefined, "https://example.org/portcullis/"]) {
    const errors = validate(schema, log(base) as Json);
    assert.deepEqual(errors, []);
  }
  // The validator does reject: an invalid level and a relative helpUri are caught.
  const bad = JSON.parse(JSON.stringify(log("docs/"))) as { runs: { results: { level: string }[] }[] };
  const first = bad.runs[0]?.results[0];
  if (first !== undefined) first.level = "fatal";
  const errors = validate(schema, bad as unknown as Json);
  assert.ok(errors.some((e) => e.includes("helpUri")), errors.join("\n"));
  assert.ok(errors.some((e) => e.includes("level")), errors.join("\n"));
});

/** A JSON Schema draft-04 validator for the keywords the SARIF schema uses. Returns the errors, by path. */
function validate(root: Json, value: Json): string[] {
  const resolve = (ref: string): Json => ref.replace(/^#\//, "").split("/").reduce<Json>((node, key) => (node as Record<string, Json>)[key] ?? null, root);
  const typeOf = (v: Json): string => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
  const errorsOf = (schema: Json, data: Json, path: string): string[] => {
    const errors: string[] = [];
    check(schema, data, path, errors);
    return errors;
  };
  const check = (s: Json, v: Json, at: string, errors: string[]): void => {
    if (typeof s !== "object" || s === null || Array.isArray(s)) return;
    if (typeof s["$ref"] === "string") return check(resolve(s["$ref"]), v, at, errors);
    const fail = (what: string): void => void errors.push(`${at}: ${what}`);
    if (s["type"] !== undefined) {
      const types = Array.isArray(s["type"]) ? s["type"] : [s["type"]];
      const t = typeOf(v);
      if (!types.some((x) => x === t || (x === "number" && t === "integer"))) fail(`expected ${types.join("|")}, got ${t}`);
    }
    if (Array.isArray(s["enum"]) && !s["enum"].some((e) => JSON.stringify(e) === JSON.stringify(v))) fail(`${JSON.stringify(v)} not in enum`);
    if (typeof v === "number") {
      if (typeof s["minimum"] === "number" && v < s["minimum"]) fail(`below minimum ${s["minimum"]}`);
      if (typeof s["maximum"] === "number" && v > s["maximum"]) fail(`above maximum ${s["maximum"]}`);
    }
    if (typeof v === "string") {
      if (typeof s["pattern"] === "string" && !new RegExp(s["pattern"], "u").test(v)) fail(`does not match ${s["pattern"]}`);
      if (s["format"] === "uri" && !/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(v)) fail(`"${v}" is not an absolute URI`);
      if (s["format"] === "uri-reference" && /\s/.test(v)) fail(`"${v}" is not a URI reference`);
      if (s["format"] === "date-time" && Number.isNaN(Date.parse(v))) fail(`"${v}" is not a date-time`);
    }
    if (Array.isArray(v)) {
      if (typeof s["minItems"] === "number" && v.length < s["minItems"]) fail(`fewer than ${s["minItems"]} items`);
      if (s["uniqueItems"] === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) fail("items are not unique");
      if (s["items"] !== undefined) v.forEach((x, i) => check(s["items"] as Json, x, `${at}[${i}]`, errors));
    }
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const props = (s["properties"] ?? {}) as Record<string, Json>;
      for (const r of (s["required"] ?? []) as string[]) if (!(r in v)) fail(`missing required "${r}"`);
      for (const [k, x] of Object.entries(v)) {
        if (k in props) check(props[k] as Json, x, `${at}.${k}`, errors);
        else if (s["additionalProperties"] === false) fail(`unexpected property "${k}"`);
        else if (typeof s["additionalProperties"] === "object") check(s["additionalProperties"], x, `${at}.${k}`, errors);
      }
    }
    for (const key of ["anyOf", "oneOf"] as const) {
      const options = s[key];
      if (!Array.isArray(options)) continue;
      const passing = options.filter((o) => errorsOf(o as Json, v, at).length === 0).length;
      if (key === "anyOf" ? passing === 0 : passing !== 1) fail(`${key}: ${passing} of ${options.length} alternatives match`);
    }
  };
  return errorsOf(root, value, "$");
}
