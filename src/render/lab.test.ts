import { test } from "node:test";
import assert from "node:assert/strict";
import { renderLabDownText, renderLabListText, renderLabUpText } from "./lab.js";

test("lab list text: kubectl-style columns, <none> for no owner, short ages", () => {
  const text = renderLabListText([
    { prefix: "pc-0a0b0c", status: "running", owner: 4242, namespaces: ["pc-0a0b0c-0", "pc-0a0b0c-1"], ageMs: 45_000 },
    { prefix: "pc-1a1b1c", status: "kept", namespaces: ["pc-1a1b1c-0"], ageMs: 3 * 3600_000 },
    { prefix: "pc-2a2b2c", status: "orphaned", owner: 17, namespaces: ["pc-2a2b2c-0", "pc-2a2b2c-1", "pc-2a2b2c-2"] },
  ]);
  assert.equal(
    text,
    [
      "PREFIX      STATUS     OWNER    NAMESPACES   AGE",
      "pc-0a0b0c   running    4242     2            45s",
      "pc-1a1b1c   kept       <none>   1            3h",
      "pc-2a2b2c   orphaned   17       3            <unknown>",
      "",
    ].join("\n"),
  );
});

test("lab list text: no labs", () => {
  assert.equal(renderLabListText([]), "No labs found.\n");
});

test("lab up text: how to probe and remove the lab; lab down: how many namespaces went", () => {
  const up = renderLabUpText({ prefix: "pc-abcdef", statePath: "/run/portcullis/labs/pc-abcdef.json", pods: 5, probes: 120, upMs: 640, enforceMs: 70 });
  assert.match(up, /^lab pc-abcdef is up: 5 pods, 120 probes planned/);
  assert.match(up, /portcullis lab down --lab pc-abcdef/);
  assert.equal(renderLabDownText({ prefix: "pc-abcdef", removed: 1 }), "lab pc-abcdef removed (1 network namespace)\n");
});
