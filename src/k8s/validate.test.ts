import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { reasons } from "../diag/catalogue.js";
import { dns1123LabelProblem, dns1123SubdomainProblem, isValidPortName, labelKeyProblem, labelValueProblem } from "./validate.js";

describe("label keys are qualified names: an optional DNS subdomain prefix and '/', then a name of at most 63 characters", () => {
  const cases: [string, string | undefined][] = [
    ["app", undefined],
    ["A", undefined],
    ["7", undefined],
    ["app.kubernetes.io/name", undefined],
    ["example.com/a_b.c-D", undefined],
    [`${"p".repeat(253)}/x`, undefined],
    [`${"p".repeat(254)}/x`, reasons.labelKeyPrefix("p".repeat(254))],
    ["a/b/c", reasons.labelKeyParts()],
    ["/app", reasons.labelKeyPrefix("")],
    ["example.com/", reasons.labelKeyParts()],
    ["", reasons.labelKeyParts()],
    ["Example.com/app", reasons.labelKeyPrefix("Example.com")],
    ["k".repeat(63), undefined],
    ["k".repeat(64), reasons.tooLong(63)],
    ["-app", reasons.qualifiedName()],
    ["app_", reasons.qualifiedName()],
    ["app name", reasons.qualifiedName()],
  ];
  for (const [key, problem] of cases) {
    test(`${JSON.stringify(key.length > 30 ? `${key.slice(0, 12)}…(${key.length})` : key)} → ${problem ?? "valid"}`, () => {
      assert.equal(labelKeyProblem(key), problem);
    });
  }
});

describe("label values are empty or at most 63 characters of letters, digits, '-', '_', '.', starting and ending alphanumeric", () => {
  const cases: [string, string | undefined][] = [
    ["", undefined],
    ["v1.2_3-X", undefined],
    ["v".repeat(63), undefined],
    ["v".repeat(64), reasons.tooLong(63)],
    ["-x", reasons.labelValue()],
    ["x.", reasons.labelValue()],
    ["a b", reasons.labelValue()],
    ["a/b", reasons.labelValue()],
  ];
  for (const [value, problem] of cases) {
    test(`${JSON.stringify(value.length > 30 ? `${value.slice(0, 12)}…(${value.length})` : value)} → ${problem ?? "valid"}`, () => {
      assert.equal(labelValueProblem(value), problem);
    });
  }
});

describe("port names are IANA_SVC_NAMEs", () => {
  const cases: [string, boolean, string][] = [
    ["http", true, "lowercase letters"],
    ["h2c", true, "letters and digits"],
    ["dns-tcp", true, "a single hyphen inside"],
    ["a", true, "one letter"],
    ["abcdefghijklmno", true, "15 characters"],
    ["abcdefghijklmnop", false, "at most 15 characters"],
    ["", false, "at least one character"],
    ["8080", false, "at least one letter"],
    ["HTTP", false, "lowercase only"],
    ["web_1", false, "no underscore"],
    ["-http", false, "must not begin with a hyphen"],
    ["http-", false, "must not end with a hyphen"],
    ["my--port", false, "no consecutive hyphens"],
  ];
  for (const [name, valid, rule] of cases) {
    test(`${JSON.stringify(name)}: ${rule}`, () => {
      assert.equal(isValidPortName(name), valid);
    });
  }
});

describe("object names", () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["production", undefined, undefined],
    ["web-api.v2", reasons.dns1123Label(), undefined],
    ["Web", reasons.dns1123Label(), reasons.dns1123Subdomain()],
    ["-web", reasons.dns1123Label(), reasons.dns1123Subdomain()],
    ["", reasons.empty(), reasons.empty()],
    ["n".repeat(64), reasons.tooLong(63), undefined],
    ["n".repeat(254), reasons.tooLong(63), reasons.tooLong(253)],
  ];
  for (const [name, asLabel, asSubdomain] of cases) {
    test(`${JSON.stringify(name.length > 30 ? `${name.slice(0, 12)}…(${name.length})` : name)}: DNS-1123 label ${asLabel ?? "valid"}; subdomain ${asSubdomain ?? "valid"}`, () => {
      assert.equal(dns1123LabelProblem(name), asLabel);
      assert.equal(dns1123SubdomainProblem(name), asSubdomain);
    });
  }
});
