import { test } from "node:test";
import assert from "node:assert/strict";
import { readWatchEvent } from "./client.js";
import type { LiveResource } from "./live.js";

const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };

/** Watch event lines as kube-apiserver sends them (k8s.io/apimachinery/pkg/watch: Added, Modified, Deleted, Bookmark, Error). */
const CASES: readonly { readonly name: string; readonly line: unknown; readonly expected: unknown }[] = [
  {
    name: "ADDED of a built-in type: kind/apiVersion set as the resource names them",
    line: { type: "ADDED", object: { metadata: { name: "web", namespace: "prod", resourceVersion: "5" } } },
    expected: { type: "ADDED", object: { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", resourceVersion: "5" } } },
  },
  {
    name: "BOOKMARK: 'only has its resourceVersion field set'",
    line: { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "12", creationTimestamp: null } } },
    expected: { type: "BOOKMARK", resourceVersion: "12" },
  },
  {
    name: "ERROR with a 410 Expired Status ('too old resource version'): relist",
    line: { type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", message: "too old resource version: 5 (9)", reason: "Expired", code: 410 } },
    expected: { kind: "expired", message: "too old resource version: 5 (9)" },
  },
  {
    name: "ERROR with a 500 Status: an http error value",
    line: { type: "ERROR", object: { kind: "Status", message: "etcdserver: request timed out", code: 500 } },
    expected: { kind: "error", error: { kind: "http", status: "server", code: 500, message: "watch pods: etcdserver: request timed out (ERROR event, code 500)" } },
  },
  {
    name: "a BOOKMARK without resourceVersion is a decode error",
    line: { type: "BOOKMARK", object: { metadata: {} } },
    expected: { kind: "error", error: { kind: "decode", message: "watch pods: a BOOKMARK without metadata.resourceVersion" } },
  },
  {
    name: "an unknown event type is a decode error",
    line: { type: "SYNC", object: {} },
    expected: { kind: "error", error: { kind: "decode", message: 'watch pods: unknown event type "SYNC"' } },
  },
];

for (const c of CASES) {
  test(`watch event: ${c.name}`, () => {
    assert.deepEqual(readWatchEvent(PODS, c.line), c.expected);
  });
}
