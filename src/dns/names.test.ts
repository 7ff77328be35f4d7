import { test } from "node:test";
import assert from "node:assert/strict";
import { type DnsName, dnsName, domainPattern, formatPattern, labelCount, patternMatches } from "./names.js";

function name(text: string): DnsName {
  const n = dnsName(text);
  assert.ok(n !== null, text);
  return n;
}

function matches(pattern: string, text: string): boolean {
  const p = domainPattern(pattern);
  assert.ok(p !== null, pattern);
  return patternMatches(p, name(text));
}

// Table-driven from the API text (network-policy-api v1alpha2, DomainName) and the corners.
const CASES: readonly { readonly rule: string; readonly pattern: string; readonly name: string; readonly matches: boolean }[] = [
  { rule: "\"`kubernetes.io` matches only `kubernetes.io`\"", pattern: "kubernetes.io", name: "kubernetes.io", matches: true },
  { rule: "\"It does not match \"www.kubernetes.io\"\"", pattern: "kubernetes.io", name: "www.kubernetes.io", matches: false },
  { rule: "\"... \"my-kubernetes.io\"\" (no partial label)", pattern: "kubernetes.io", name: "my-kubernetes.io", matches: false },
  { rule: "\"... or \"wikipedia.org\"\"", pattern: "kubernetes.io", name: "wikipedia.org", matches: false },
  { rule: "\"`blog.kubernetes.io` matches only \"blog.kubernetes.io\"\"", pattern: "blog.kubernetes.io", name: "blog.kubernetes.io", matches: true },
  { rule: "\"It does not match \"www.kubernetes.io\" or \"kubernetes.io\"\"", pattern: "blog.kubernetes.io", name: "kubernetes.io", matches: false },
  { rule: "\"`*.kubernetes.io` matches subdomains of kubernetes.io. \"www.kubernetes.io\"... match\"", pattern: "*.kubernetes.io", name: "www.kubernetes.io", matches: true },
  { rule: "\"\"latest.blog.kubernetes.io\" match\" (\"one or more labels\")", pattern: "*.kubernetes.io", name: "latest.blog.kubernetes.io", matches: true },
  { rule: "\"however \"kubernetes.io\"... [does] not\" (the apex)", pattern: "*.kubernetes.io", name: "kubernetes.io", matches: false },
  { rule: "\"It does not support partial matches\": *.kubernetes.io vs my-kubernetes.io", pattern: "*.kubernetes.io", name: "my-kubernetes.io", matches: false },
  { rule: "\"It does not support partial matches\": *.kubernetes.io vs wwwkubernetes.io", pattern: "*.kubernetes.io", name: "wwwkubernetes.io", matches: false },
  { rule: "case-insensitive (RFC 4343): pattern upper case", pattern: "API.Stripe.com", name: "api.stripe.com", matches: true },
  { rule: "case-insensitive (RFC 4343): a 0x20-randomised answer name", pattern: "*.stripe.com", name: "aPi.StRiPe.CoM", matches: true },
  { rule: "trailing dot on the pattern (the CRD pattern allows `\\.?$`)", pattern: "example.com.", name: "example.com", matches: true },
  { rule: "trailing dot on the name (an answer's FQDN)", pattern: "example.com", name: "example.com.", matches: true },
  { rule: "trailing dot on both, wildcard", pattern: "*.example.com.", name: "a.example.com.", matches: true },
];

for (const c of CASES) {
  test(`DomainName: ${c.rule}: ${c.pattern} ${c.matches ? "matches" : "does not match"} ${c.name}`, () => {
    assert.equal(matches(c.pattern, c.name), c.matches);
  });
}

test("dnsName: labels of 1-63 octets, at most 253 characters, A-Z folded only", () => {
  assert.equal(dnsName("A.B"), "a.b");
  assert.equal(dnsName("a..b"), null);
  assert.equal(dnsName(""), null);
  assert.equal(dnsName("."), null);
  assert.equal(dnsName(`${"a".repeat(64)}.com`), null);
  assert.equal(dnsName(`${"a".repeat(63)}.com`), `${"a".repeat(63)}.com`);
  assert.equal(dnsName(Array.from({ length: 128 }, () => "a").join(".")), null);
  assert.equal(dnsName(Array.from({ length: 127 }, () => "a").join("."))?.length, 253);
  assert.equal(dnsName("ÄPI.example.com"), "Äpi.example.com");
  assert.equal(labelCount(name("api.stripe.com")), 3);
});

test("domainPattern: \"'*' may only be specified as a prefix\": anything else is no pattern", () => {
  assert.equal(domainPattern("www.*.example.com"), null);
  assert.equal(domainPattern("*example.com"), null);
  assert.equal(domainPattern("*."), null);
  assert.equal(domainPattern("*.*.example.com"), null);
  assert.deepEqual(domainPattern("*.Example.COM."), { kind: "subdomains", parent: "example.com" });
  assert.equal(formatPattern(domainPattern("*.Example.COM.") ?? assert.fail()), "*.example.com");
  assert.equal(formatPattern(domainPattern("Api.Stripe.com.") ?? assert.fail()), "api.stripe.com");
});
