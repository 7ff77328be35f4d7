import { test } from "node:test";
import assert from "node:assert/strict";
import { patternShape } from "../domain-dialects.js";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";
import { domainList, namesDomains } from "./domain-pattern-ambiguous.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const annotated = (value: string, key = "portcullis.dev/egress-domains"): string =>
  policy("shop", "web-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - ports: [{protocol: TCP, port: 443}]\n", { [key]: value });

/**
 * Issue 12: "patterns whose meaning differs between Cilium/Calico/Antrea/the API (e.g. `*foo.com`)
 * when found in annotations". Readings: the API "does not support partial matches"; Cilium's
 * matchPattern `*` is "0 or more DNS valid characters" in a label; Calico's single asterisk
 * "matches 1 or more path components at that position"; Antrea's `*foobar.com` "will match
 * foobar.com, www.foobar.com and test.uswest.foobar.com".
 */
const CASES: RuleCase[] = [
  {
    name: "*foo.com (Antrea's documented form): a warning listing every reading",
    yaml: docs(PODS, annotated("*foo.com")),
    expect: [{ path: 'metadata.annotations["portcullis.dev/egress-domains"]', endpoints: ["shop/web"], severity: "warning", message: 'the API rejects it ("It does not support partial matches"); Cilium reads * as any characters within that one label (xfoo.com, not www.foo.com)' }],
  },
  { name: "www.*.com (Calico's documented form, * in the middle)", yaml: docs(PODS, annotated("www.*.com")), expect: [{ path: 'metadata.annotations["portcullis.dev/egress-domains"]', severity: "warning", message: "Calico matches one or more labels there (www.a.com, www.a.b.com)" }] },
  { name: "a bare * (Cilium: every name)", yaml: docs(PODS, annotated("*")), expect: [{ path: 'metadata.annotations["portcullis.dev/egress-domains"]', severity: "warning", message: "Cilium matches every name" }] },
  { name: "*.example.com: only Cilium reads one label, info", yaml: docs(PODS, annotated("*.example.com")), expect: [{ path: 'metadata.annotations["portcullis.dev/egress-domains"]', severity: "info", message: "Cilium matches exactly one label below it" }] },
  {
    name: "a JSON list under a key naming FQDNs: one finding per entry with a *, plain names skipped",
    yaml: docs(PODS, annotated('["api.stripe.com", "*foo.com", "api-*.example.com"]', "example.com/fqdns")),
    expect: [
      { path: 'metadata.annotations["example.com/fqdns"]', message: "*foo.com in" },
      { path: 'metadata.annotations["example.com/fqdns"]', message: "api-*.example.com in" },
    ],
  },
  {
    name: "on a ClusterNetworkPolicy's annotations too",
    yaml: docs(PODS, clusterPolicy("allowlist", "Admin", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Accept\n      to: [{domainNames: [api.stripe.com]}]\n").replace("metadata:\n  name: allowlist\n", 'metadata:\n  name: allowlist\n  annotations: {portcullis.dev/domains: "*stripe.com"}\n')),
    expect: [{ path: 'metadata.annotations["portcullis.dev/domains"]', endpoints: ["shop/web"], message: "*stripe.com in" }],
  },
  { name: "near miss: plain names only", yaml: docs(PODS, annotated("api.stripe.com, api.github.com")), expect: [] },
  { name: "near miss: a key that does not name domains", yaml: docs(PODS, annotated("*foo.com", "example.com/owner")), expect: [] },
];

for (const c of CASES) {
  test(`domain-pattern-ambiguous: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-pattern-ambiguous", c);
    assert.deepEqual(actual, expected);
  });
}

test("annotation values: a JSON list, or names separated by commas or spaces", () => {
  assert.deepEqual(domainList('["a.com", "*.b.com"]'), ["a.com", "*.b.com"]);
  assert.deepEqual(domainList("a.com, *.b.com  c.com"), ["a.com", "*.b.com", "c.com"]);
  assert.deepEqual(domainList("[not json, *.b.com]"), ["not", "json", "*.b.com"]);
});

test("annotation keys naming domains: the part after the prefix contains domain or fqdn", () => {
  assert.deepEqual(["portcullis.dev/domains", "example.com/FQDNs", "allowed-domains", "portcullis.dev/ignore", "domain.example/owner"].map(namesDomains), [true, true, true, false, false]);
});

test("pattern shapes: where the * stands", () => {
  assert.deepEqual(
    ["api.stripe.com", "*", "*.example.com.", "*foo.com", "www.*.com", "*.*.com"].map((t) => patternShape(t).kind),
    ["plain", "all", "prefix", "partial", "middle", "several"],
  );
});
