import assert from "node:assert/strict";
import { test } from "node:test";
import { FEED_SELECTOR_ANNOTATION, bindingAnnotations, readBinding } from "./annotations.js";
import { parseSelector } from "./selector.js";
import type { Feed } from "./types.js";

const FEED: Feed = { provider: "aws", version: { text: "1764892387", order: "number" }, published: null, sha256: "a".repeat(64), records: [] };

function selector(text: string) {
  const s = parseSelector(text);
  assert.ok(s.ok);
  return s.selector;
}

test("annotations: what feeds policy writes reads back as the same binding", () => {
  const written = new Map(bindingAnnotations([selector("aws:service=S3,region=eu-west-1"), selector("aws:service=S3,region=eu-central-1")], FEED));
  assert.equal(written.get(FEED_SELECTOR_ANNOTATION), "aws:service=S3,region=eu-west-1 aws:service=S3,region=eu-central-1");
  const read = readBinding(written);
  assert.ok(read.kind === "bound");
  assert.deepEqual({ ...read.binding, selectors: read.binding.selectors.length }, { provider: "aws", selectors: 2, version: "1764892387", sha256: "a".repeat(64) });
});

test("annotations: no selector is unbound; contradicting ones are invalid, naming the annotation", () => {
  assert.equal(readBinding(new Map()).kind, "none");
  const mixed = readBinding(new Map([[FEED_SELECTOR_ANNOTATION, "aws:service=S3 github:key=api"]]));
  assert.ok(mixed.kind === "invalid" && mixed.message.includes("more than one provider"));
  const provider = readBinding(new Map([["portcullis.dev/feed", "google"], [FEED_SELECTOR_ANNOTATION, "aws:service=S3"]]));
  assert.deepEqual(provider, { kind: "invalid", annotation: "portcullis.dev/feed", message: "says google but the selectors are aws's" });
});
