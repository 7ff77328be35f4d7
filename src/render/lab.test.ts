import { test } from "node:test";
import assert from "node:assert/strict";
import { renderLabListText } from "./lab.js";

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
