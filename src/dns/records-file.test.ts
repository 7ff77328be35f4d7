import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDiagnostic } from "../render/diagnostics.js";
import { formatIp } from "../net/ip.js";
import { DEFAULT_TTL, decodeRecordsFile, resolveFlagRecords } from "./records-file.js";
import { recordType } from "./snapshot.js";

function decode(text: string, file = "records.yaml"): { records: string[]; errors: string[] } {
  const d = decodeRecordsFile({ file, text });
  return {
    records: d.records.map((r) => `${r.name} ${recordType(r)} ${r.kind === "cname" ? r.target : formatIp(r.address)} ${r.ttl} @${r.at?.file === undefined ? "" : `${r.at.line}`}`),
    errors: d.diagnostics.filter((x) => x.severity === "error").map(formatDiagnostic),
  };
}

test("records file: the issue's shape, a YAML list of {name, type A|AAAA|CNAME, value, ttl}; names folded, each record at its line", () => {
  const got = decode(["- {name: API.stripe.com., type: A, value: 54.187.174.169, ttl: 60}", "- {name: api.stripe.com, type: aaaa, value: '2600:1f14::1', ttl: 30}", "- {name: www.example.com, type: CNAME, value: Edge.CDN.net}"].join("\n"));
  assert.deepEqual(got.errors, []);
  assert.deepEqual(got.records, ["api.stripe.com A 54.187.174.169 60 @1", "api.stripe.com AAAA 2600:1f14::1 30 @2", `www.example.com CNAME edge.cdn.net ${DEFAULT_TTL} @3`]);
});

test("records file: JSON, and a `records:` mapping holding the list (several YAML documents add up)", () => {
  assert.deepEqual(decode('[{"name": "a.io", "type": "A", "value": "192.0.2.1", "ttl": 5}]', "r.json").records, ["a.io A 192.0.2.1 5 @1"]);
  assert.deepEqual(decode("records:\n- {name: a.io, type: A, value: 192.0.2.1}\n---\n- {name: b.io, type: A, value: 192.0.2.2}\n").records, [`a.io A 192.0.2.1 ${DEFAULT_TTL} @2`, `b.io A 192.0.2.2 ${DEFAULT_TTL} @4`]);
});

test("records file: an empty file (or only comments, or an empty list) is an error, never \"no name resolves\"", () => {
  for (const text of ["", "# nothing yet\n", "[]", "records: []"]) {
    const got = decode(text);
    assert.equal(got.errors.length, 1, JSON.stringify(text));
    assert.match(got.errors[0] ?? "", /^records\.yaml:1:1: error: no DNS records/);
  }
});

test("records file: each problem at file:line:column with its field path, the whole file refused", () => {
  const text = [
    "- {name: api.stripe.com, type: A, value: 54.187.174.169}",
    "- {name: api.stripe.com, type: A, value: '2600::1'}",
    "- {name: '*.stripe.com', type: A, value: 192.0.2.1}",
    "- {name: a.io, type: MX, value: mail.a.io}",
    "- {name: a.io, type: CNAME, value: 192.0.2.1/24}",
    "- {name: a.io, type: A, value: 192.0.2.1, ttl: -1}",
    "- {name: a.io, type: A, value: 192.0.2.1, weight: 5}",
    "- {type: A, value: 192.0.2.1}",
    "- api.stripe.com",
  ].join("\n");
  assert.deepEqual(decode(text).errors, [
    `records.yaml:2:35: error: [1].value: invalid A value "2600::1": expected an IPv4 address`,
    `records.yaml:3:4: error: [2].name: invalid DNS name "*.stripe.com": expected labels of 1-63 letters, digits, '-' or '_' separated by dots, at most 253 characters`,
    `records.yaml:4:16: error: [3].type: unknown record type "MX": expected A, AAAA or CNAME`,
    `records.yaml:5:29: error: [4].value: invalid CNAME target "192.0.2.1/24": expected a DNS name`,
    `records.yaml:6:43: error: [5].ttl: ttl -1 is outside 0-2147483647 seconds (RFC 2181)`,
    `records.yaml:7:43: error: [6].weight: unknown field "weight"`,
    `records.yaml:8:3: error: [7].name: missing required field "name"`,
    `records.yaml:9:3: error: [8]: expected a mapping, found the string "api.stripe.com"`,
  ]);
});

test("--resolve NAME=IP[,IP]: an A or AAAA record per address (the family says which), ttl DEFAULT_TTL; anything else says what is wrong", () => {
  const records = resolveFlagRecords("API.stripe.com=54.187.174.169,2600:1f14::1");
  assert.ok(Array.isArray(records));
  assert.deepEqual(records.map((r) => `${r.name} ${recordType(r)} ${r.ttl}`), [`api.stripe.com A ${DEFAULT_TTL}`, `api.stripe.com AAAA ${DEFAULT_TTL}`]);
  assert.match(String(resolveFlagRecords("api.stripe.com")), /expected NAME=IP\[,IP\]/);
  assert.match(String(resolveFlagRecords("api.stripe.com=54.187.174")), /"54\.187\.174" is not an IP address/);
  assert.match(String(resolveFlagRecords("*.stripe.com=192.0.2.1")), /invalid DNS name/);
});
