import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry, formatValue } from "./metrics.js";

// The text exposition format (prometheus.io/docs/instrumenting/exposition_formats): "label_value
// can be any sequence of UTF-8 characters, but the backslash (\), double-quote ("), and line feed
// (\n) characters have to be escaped as \\, \", and \n"; HELP docstrings escape \\ and \n only.
test("exposition format: HELP and TYPE lines, label values escape backslash, double-quote and line feed; HELP escapes backslash and line feed", () => {
  const r = new Registry();
  const c = r.counter("portcullis_denied_packets_total", 'Packets "dropped"\nby C:\\policy.');
  c.inc({ direction: "egress", policy: 'prod/a"b\\c\nd' }, 3);
  assert.equal(
    r.render(),
    [
      '# HELP portcullis_denied_packets_total Packets "dropped"\\nby C:\\\\policy.',
      "# TYPE portcullis_denied_packets_total counter",
      'portcullis_denied_packets_total{direction="egress",policy="prod/a\\"b\\\\c\\nd"} 3',
      "",
    ].join("\n"),
  );
});

test('exposition format: a histogram is cumulative _bucket{le=…} samples ending at le="+Inf", then _sum and _count', () => {
  const r = new Registry();
  const h = r.histogram("portcullis_apply_duration_seconds", "Apply time.", [0.01, 0.1, 1]);
  for (const v of [0.005, 0.05, 0.05, 2]) h.observe(v, { node: "w1" });
  assert.equal(
    r.render(),
    [
      "# HELP portcullis_apply_duration_seconds Apply time.",
      "# TYPE portcullis_apply_duration_seconds histogram",
      'portcullis_apply_duration_seconds_bucket{node="w1",le="0.01"} 1',
      'portcullis_apply_duration_seconds_bucket{node="w1",le="0.1"} 3',
      'portcullis_apply_duration_seconds_bucket{node="w1",le="1"} 3',
      'portcullis_apply_duration_seconds_bucket{node="w1",le="+Inf"} 4',
      "portcullis_apply_duration_seconds_sum{node=\"w1\"} 2.105",
      'portcullis_apply_duration_seconds_count{node="w1"} 4',
      "",
    ].join("\n"),
  );
});

test("exposition format: a metric with no sample yet still has HELP and TYPE; a gauge without labels has no braces; special values", () => {
  const r = new Registry();
  r.counter("a_total", "A.");
  r.gauge("b", "B.").set({}, 7);
  assert.equal(r.render(), "# HELP a_total A.\n# TYPE a_total counter\n# HELP b B.\n# TYPE b gauge\nb 7\n");
  assert.deepEqual([Infinity, -Infinity, NaN, 1e-7].map(formatValue), ["+Inf", "-Inf", "NaN", "1e-7"]);
});

test("metric and label names are checked: a bad one is a programming error, not a broken scrape", () => {
  const r = new Registry();
  assert.throws(() => r.counter("portcullis-applies", "x"), /invalid metric name/);
  const c = r.counter("ok_total", "x");
  assert.throws(() => c.inc({ le: "1" }), /invalid label name/);
  assert.throws(() => c.inc({ "bad-name": "1" }), /invalid label name/);
  assert.throws(() => r.counter("ok_total", "again"), /registered twice/);
  assert.throws(() => c.inc({}, -1), /cannot decrease/);
});
