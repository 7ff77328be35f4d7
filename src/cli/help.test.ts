import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./e2e-support.js";
import { exitCode } from "./exit.js";
import { commandHelp } from "./help.js";
import { COMMANDS } from "./spec.js";

/** docs/exit-codes.md's per-command table: command → [meaning of 0, meaning of 1 or "—"]. */
function documentedExits(): Map<string, [string, string, string]> {
  const text = readFileSync(join(ROOT, "docs", "exit-codes.md"), "utf8");
  const rows = [...text.matchAll(/^\| `([a-z]+)` \| (.+?) \| (.+?) \| (.+?) \|$/gm)];
  return new Map(rows.map((m) => [m[1] ?? "", [m[2] ?? "", m[3] ?? "", m[4] ?? ""]]));
}

for (const spec of COMMANDS) {
  test(`${spec.name} --help lists its exit codes`, () => {
    const help = commandHelp(spec.name);
    const section = help.slice(help.indexOf("Exit codes:"));
    assert.match(section, new RegExp(`^  ${exitCode("ok")}  ${escape(spec.exits.ok)}$`, "m"));
    if (spec.exits.negative !== undefined) assert.match(section, new RegExp(`^  ${exitCode("negative")}  ${escape(spec.exits.negative)}$`, "m"));
    else assert.doesNotMatch(section, new RegExp(`^  ${exitCode("negative")}  `, "m"));
    assert.match(section, new RegExp(`^  ${exitCode("usage")}  usage error`, "m"));
    assert.equal(/^ {2}2 {2}invalid input/m.test(section), spec.readsManifests !== false);
    if (spec.exits.refused !== undefined) assert.match(section, new RegExp(`^  ${exitCode("refused")}  ${escape(spec.exits.refused)}$`, "m"));
    else assert.doesNotMatch(section, new RegExp(`^  ${exitCode("refused")}  `, "m"));
  });

  test(`docs/exit-codes.md agrees with ${spec.name} --help`, () => {
    assert.deepEqual(documentedExits().get(spec.name), [spec.exits.ok, spec.exits.negative ?? "—", spec.exits.refused ?? "—"]);
  });
}

test("docs/exit-codes.md has a row for every command and no other", () => {
  assert.deepEqual([...documentedExits().keys()].sort(), COMMANDS.map((c) => c.name).sort());
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
