import { test } from "node:test";
import assert from "node:assert/strict";
import { findingsJson, renderJson } from "./render-json.js";
import { renderText } from "./render-text.js";
import type { Finding } from "./types.js";

const FINDING: Finding = {
  rule: "dns-egress-blocked",
  severity: "error",
  message: "pods cannot send DNS queries",
  object: "NetworkPolicy production/app-egress",
  location: { file: "policies/app.yaml", line: 12, column: 5, path: "spec.egress[0]" },
  endpoints: ["production/web-api"],
  hint: "allow UDP and TCP 53",
};
const INFO: Finding = { ...FINDING, rule: "egress-not-isolated", severity: "info", object: "Namespace production", location: { file: "ns.yaml", line: 1, column: 1, path: "" }, endpoints: [] };

test("json: exactly {findings: [{rule, severity, message, object, location: {file, line, column, path}, endpoints, hint}]}", () => {
  assert.equal(
    JSON.stringify(findingsJson([FINDING])),
    '{"findings":[{"rule":"dns-egress-blocked","severity":"error","message":"pods cannot send DNS queries","object":"NetworkPolicy production/app-egress","location":{"file":"policies/app.yaml","line":12,"column":5,"path":"spec.egress[0]"},"endpoints":["production/web-api"],"hint":"allow UDP and TCP 53"}]}',
  );
  assert.deepEqual(JSON.parse(renderJson([FINDING])), findingsJson([FINDING]));
  assert.equal(renderJson([]), '{\n  "findings": []\n}\n');
});

test("text: grouped by file, with location, severity, rule, object, path, message, workloads and hint", () => {
  assert.equal(
    renderText([FINDING, INFO], { color: false }),
    [
      "policies/app.yaml",
      "  12:5  error  dns-egress-blocked  NetworkPolicy production/app-egress spec.egress[0]",
      "    pods cannot send DNS queries",
      "    workloads: production/web-api",
      "    hint: allow UDP and TCP 53",
      "",
      "ns.yaml",
      "  1:1  info  egress-not-isolated  Namespace production",
      "    pods cannot send DNS queries",
      "    hint: allow UDP and TCP 53",
      "",
      "2 findings: 1 error, 0 warnings, 1 info",
      "",
    ].join("\n"),
  );
  assert.equal(renderText([], { color: false }), "no findings\n");
});

test("text: colour only when asked, and the same text underneath", () => {
  const plain = renderText([FINDING], { color: false });
  const coloured = renderText([FINDING], { color: true });
  // eslint-disable-next-line no-control-regex -- the ANSI escape is what the test looks for
  assert.doesNotMatch(plain, /\u001b\[/);
  // eslint-disable-next-line no-control-regex -- the ANSI escape is what the test looks for
  assert.match(coloured, /\u001b\[31merror\u001b\[0m/);
  // eslint-disable-next-line no-control-regex
  assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ""), plain);
});
