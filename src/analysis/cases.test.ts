/** Several cases, one answer: "overall ALLOWED when all allowed, DENIED when all denied, else DEPENDS" (issue 8). */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Verdict } from "../engine/types.js";
import { answerCases, overallVerdict } from "./cases.js";

const VERDICTS: readonly [readonly Verdict[], Verdict][] = [
  [["allowed", "allowed"], "allowed"],
  [["denied", "denied"], "denied"],
  [["allowed", "denied"], "depends"],
  [["allowed", "depends"], "depends"],
  [["denied", "depends"], "depends"],
  [["allowed"], "allowed"],
];

for (const [verdicts, expected] of VERDICTS) {
  test(`kube-dns backends answering ${verdicts.join(", ")}: ${expected}`, () => assert.equal(overallVerdict(verdicts), expected));
}

test("answering cases keeps the translation and the skipped cases as they are", () => {
  const cases = { translation: "t", cases: [{ label: "a", subject: 1 }, { label: "b", skipped: "no port" }] };
  assert.deepEqual(answerCases(cases, (n) => n * 2), { translation: "t", cases: [{ label: "a", subject: 2 }, { label: "b", skipped: "no port" }] });
});
