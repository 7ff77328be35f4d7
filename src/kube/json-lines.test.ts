import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { JsonLines } from "./json-lines.js";

/** Events as kube-apiserver writes them: one JSON object per line, UTF-8 (label values may be any Unicode in annotations). */
const EVENTS = [
  { type: "ADDED", object: { kind: "Pod", metadata: { name: "web-0", namespace: "prod", resourceVersion: "10", annotations: { note: "café ☕ 𝄞" } } } },
  { type: "BOOKMARK", object: { kind: "Pod", metadata: { resourceVersion: "12" } } },
  { type: "DELETED", object: { kind: "Pod", metadata: { name: "web-0", namespace: "prod", resourceVersion: "13" } } },
];
const WIRE = Buffer.from(EVENTS.map((e) => JSON.stringify(e) + "\n").join(""), "utf8");

function feed(cuts: readonly number[]): unknown[] {
  const lines = new JsonLines();
  const out: unknown[] = [];
  let start = 0;
  for (const cut of [...cuts, WIRE.length]) {
    const r = lines.push(WIRE.subarray(start, cut));
    assert.ok(r.ok);
    out.push(...r.value);
    start = cut;
  }
  const rest = lines.end();
  assert.ok(rest.ok);
  return [...out, ...rest.value];
}

test("watch lines: chunk boundaries anywhere (inside a line, inside a multi-byte UTF-8 character) give the same events", () => {
  assert.deepEqual(feed([]), EVENTS);
  // Every single split point, including each byte of the 4-byte 𝄞.
  for (let i = 1; i < WIRE.length; i++) assert.deepEqual(feed([i]), EVENTS, `split at byte ${i}`);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: WIRE.length - 1 }), { maxLength: 20 }), (cuts) => {
      assert.deepEqual(feed([...cuts].sort((a, b) => a - b)), EVENTS);
    }),
  );
});

test("watch lines: CRLF and blank lines are tolerated; a last line without a newline is read at the end", () => {
  const lines = new JsonLines();
  const a = lines.push(Buffer.from('{"a":1}\r\n\n{"b":'));
  assert.deepEqual(a, { ok: true, value: [{ a: 1 }] });
  const b = lines.push(Buffer.from("2}"));
  assert.deepEqual(b, { ok: true, value: [] });
  assert.deepEqual(lines.end(), { ok: true, value: [{ b: 2 }] });
});

test("watch lines: a line that is not JSON is a decode error value naming the text", () => {
  const r = new JsonLines().push(Buffer.from("<html>502 Bad Gateway</html>\n"));
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error.message, /a watch event is not JSON .*502 Bad Gateway/);
});
