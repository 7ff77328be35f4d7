/**
 * feed-outdated, from the feeds contract (issue 13): lint given `--feed` reports a bound policy
 * "whose recorded feed-version is older than a --feed given to lint, or whose ipBlocks no longer equal
 * the current selection", saying what is added and removed. The feeds are the AWS ip-ranges.json
 * fixtures of src/feeds/testdata (the old file, and the newer one where S3 eu-west-1 gained
 * 3.5.80.0/21 and lost 52.92.0.0/17).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAws } from "../../feeds/aws.js";
import type { Feed, FeedProvider } from "../../feeds/types.js";
import { type RuleCase, runCase } from "../test-support.js";

function feeds(file: string): ReadonlyMap<FeedProvider, Feed> {
  const r = parseAws(readFileSync(new URL(`../../../../src/feeds/testdata/${file}`, import.meta.url), "utf8"), "0".repeat(64));
  if (!r.ok) throw new Error(`${file} does not parse`);
  return new Map([["aws", r.feed]]);
}
const OLD = feeds("aws-ip-ranges.json");
const NEW = feeds("aws-ip-ranges-new.json");

const OLD_RANGES = ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d07a:a000::/40"];
const NEW_RANGES = ["3.5.64.0/21", "3.5.72.0/23", "3.5.80.0/21", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d07a:a000::/40"];

const bound = (ranges: readonly string[], version = "1764892387", selector = "aws:service=S3,region=eu-west-1"): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: payments-s3
  namespace: payments
  annotations:
    portcullis.dev/feed: aws
    portcullis.dev/feed-selector: ${selector}
    portcullis.dev/feed-version: "${version}"
spec:
  podSelector: {matchLabels: {app: payments}}
  policyTypes: [Egress]
  egress:
    - to:
${ranges.map((c) => `        - ipBlock: {cidr: "${c}"}\n`).join("")}      ports: [{protocol: TCP, port: 443}]
`;

const CASES: RuleCase[] = [
  {
    name: "the newer feed adds a prefix and drops one: both named (warning)",
    yaml: bound(OLD_RANGES),
    options: { feeds: NEW },
    expect: [{ path: "", severity: "warning", message: "the feed adds 3.5.80.0/21; it no longer lists 52.92.0.0/17" }],
  },
  { name: "the ranges written from the same feed: nothing", yaml: bound(OLD_RANGES), options: { feeds: OLD }, expect: [] },
  { name: "refreshed from the newer feed: nothing", yaml: bound(NEW_RANGES, "1765238400"), options: { feeds: NEW }, expect: [] },
  {
    name: "ranges current but feed-version older than the feed given: info",
    yaml: bound(NEW_RANGES, "1764892387"),
    options: { feeds: NEW },
    expect: [{ path: "", severity: "info", message: "older than the aws feed given (version 1765238400)" }],
  },
  { name: "without --feed the rule does not run", yaml: bound(OLD_RANGES), expect: [] },
  { name: "a policy without portcullis.dev/feed-selector is not judged", yaml: bound(OLD_RANGES).replace(/ {4}portcullis\.dev\/feed-selector: .*\n/, "").replace(/ {4}portcullis\.dev\/feed: aws\n/, ""), options: { feeds: NEW }, expect: [] },
  {
    name: "a selector naming a field the feed lacks says so",
    yaml: bound(OLD_RANGES, "1764892387", "aws:servce=S3"),
    options: { feeds: NEW },
    expect: [{ path: "", message: "no aws record has the field servce" }],
  },
];

for (const c of CASES) {
  test(`feed-outdated: ${c.name}`, () => {
    const { actual, expected } = runCase("feed-outdated", c);
    assert.deepEqual(actual, expected);
  });
}
