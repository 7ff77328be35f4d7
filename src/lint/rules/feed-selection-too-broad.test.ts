/**
 * feed-selection-too-broad: "a bound selector whose selection is much larger than a narrower selector
 * of the same feed would be" — concretely a selector with no filter, or an AWS one without a service
 * filter or with service=AMAZON. AWS documents AMAZON as the list of all Amazon ranges, which repeats
 * the ranges listed under each service (https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-syntax.html).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAws } from "../../feeds/aws.js";
import type { Feed, FeedProvider } from "../../feeds/types.js";
import { type RuleCase, runCase } from "../test-support.js";

/** The fixture with AMAZON completed as AWS publishes it: every S3 eu-west-1 range also under AMAZON, plus EC2's. */
function feeds(): ReadonlyMap<FeedProvider, Feed> {
  const doc = JSON.parse(readFileSync(new URL("../../../../src/feeds/testdata/aws-ip-ranges.json", import.meta.url), "utf8")) as { prefixes: Record<string, string>[]; ipv6_prefixes: Record<string, string>[] };
  for (const cidr of ["52.92.0.0/17", "3.248.0.0/13"]) doc.prefixes.push({ ip_prefix: cidr, region: "eu-west-1", service: "AMAZON", network_border_group: "eu-west-1" });
  doc.ipv6_prefixes.push({ ipv6_prefix: "2a05:d034:a000::/40", region: "eu-west-1", service: "AMAZON", network_border_group: "eu-west-1" });
  const r = parseAws(JSON.stringify(doc), "0".repeat(64));
  if (!r.ok) throw new Error("fixture does not parse");
  return new Map([["aws", r.feed]]);
}

const bound = (name: string, selector: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: payments
  annotations: {portcullis.dev/feed-selector: "${selector}"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 3.5.64.0/21}}]
`;

const CASES: RuleCase[] = [
  {
    name: "service=AMAZON in a policy named for S3: the S3 selection proposed, with both sizes (--feed given)",
    yaml: bound("payments-s3", "aws:service=AMAZON,region=eu-west-1"),
    options: { feeds: feeds() },
    expect: [
      {
        path: "",
        message: "selects service=AMAZON, AWS's list of every Amazon range",
        hint: "aws:service=S3,region=eu-west-1 (68096 IPv4 addresses, 2 IPv6 CIDRs)",
      },
    ],
  },
  { name: "service=amazon matches case-insensitively, as selectors do", yaml: bound("uploads", "aws:service=amazon"), expect: [{ path: "", message: "service=AMAZON" }] },
  { name: "an AWS selector without a service filter", yaml: bound("eu", "aws:region=eu-west-1"), expect: [{ path: "", message: "has no service filter", hint: "aws:region=eu-west-1,service=SERVICE" }] },
  { name: "a selector with no filter: the whole feed", yaml: bound("everything", "aws"), expect: [{ path: "", message: "selects every range of the aws feed" }] },
  { name: "one service in one region: not too broad", yaml: bound("payments-s3", "aws:service=S3,region=eu-west-1"), expect: [] },
  { name: "a policy without the annotation is not judged", yaml: bound("payments-s3", "x").replace(/ {2}annotations: .*\n/, ""), expect: [] },
];

for (const c of CASES) {
  test(`feed-selection-too-broad: ${c.name}`, () => {
    const { actual, expected } = runCase("feed-selection-too-broad", c);
    assert.deepEqual(actual, expected);
  });
}
