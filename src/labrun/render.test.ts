/** Renderers and the state file format: pure, on a fixed report. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseIp } from "../net/ip.js";
import { compare } from "./compare.js";
import { renderLabJson, renderLabText } from "./render.js";
import type { LabReport, PlannedProbe } from "./types.js";
import { parseCidr } from "../net/cidr.js";
import { type LabState, STATE_VERSION, stateFromJson, stateToJson } from "./wire.js";

const PROBES: PlannedProbe[] = [
  { from: "a/web", to: "a/db", ip: "10.244.0.2", port: 5432, protocol: "TCP", expected: true, identity: "a/db" },
  { from: "a/web", to: "203.0.113.1", ip: "203.0.113.1", port: 443, protocol: "TCP", expected: true, identity: "internet 203.0.113.1" },
  { from: "a/web", to: "203.0.113.1", ip: "203.0.113.1", port: 80, protocol: "TCP", expected: false, identity: "internet 203.0.113.1" },
  { from: "a/db", to: "a/db", ip: "10.244.0.2", port: 5432, protocol: "TCP", expected: true, identity: "a/db" },
];

function report(): LabReport {
  const { entries, mismatches } = compare(PROBES, [
    { outcome: "answered", identity: "a/db" },
    { outcome: "timeout", identity: null },
    { outcome: "refused", identity: null },
    { outcome: "answered", identity: "a/db" },
  ]);
  return {
    prefix: "pc-abcdef",
    entries,
    mismatches,
    skipped: [{ reason: "sctp-unsupported", from: "a/web", to: "a/db", port: 9, protocol: "SCTP" }],
    retried: 2,
    timings: { upMs: 500, enforceMs: 40, probeMs: 1000, downMs: 30 },
  };
}

describe("compare", () => {
  test("a blocked probe must time out: a refusal means the packet got through to a closed port", () => {
    const r = report();
    assert.deepEqual(
      r.mismatches.map((m) => [m.to, m.port, m.expected, m.observed, m.outcome]),
      [
        ["203.0.113.1", 443, true, false, "timeout"],
        ["203.0.113.1", 80, false, false, "refused"],
      ],
    );
  });

  test("an answer from someone other than the target probed is a mismatch", () => {
    const first = PROBES[0] as PlannedProbe;
    const { mismatches } = compare([first], [{ outcome: "answered", identity: "a/other" }]);
    assert.deepEqual(mismatches.map((m) => [m.observed, m.identity, m.wanted]), [[true, "a/other", "a/db"]]);
  });
});

describe("renderers", () => {
  test("JSON: entries exactly {from, to, port, protocol, expected, observed}, then the rest of the report", () => {
    const json = JSON.parse(renderLabJson(report())) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ["entries", "mismatches", "skipped", "lab", "retried", "timings"]);
    assert.deepEqual((json["entries"] as unknown[])[0], { from: "a/web", to: "a/db", port: 5432, protocol: "TCP", expected: true, observed: true });
  });

  test("text: the observed matrix beside the expected one, mismatches and skips listed", () => {
    assert.equal(
      renderLabText(report()),
      [
        "Lab pc-abcdef: 4 probes, 2 mismatches, 1 skipped",
        "up 500 ms, enforce 40 ms, probe 1000 ms, down 30 ms; 2 probes retried",
        "",
        "          expected    observed",
        "          1 2         1 2",
        "a/web     ✓ ◐      !  ✓ ✗",
        "a/db      ✓ ·         ✓ ·",
        "",
        "✓ allowed on every probed port   ✗ blocked on every probed port   ◐ allowed on some ports   · not probed",
        "",
        "Destinations and the ports probed:",
        "  1  a/db         TCP 5432",
        "  2  203.0.113.1  TCP 443, TCP 80",
        "",
        "Mismatches (! in the grid):",
        "  a/web → 203.0.113.1 TCP 443: expected allowed, observed blocked (timeout)",
        "  a/web → 203.0.113.1 TCP 80: expected blocked, observed blocked (refused)",
        "",
        "Skipped:",
        "  a/web → a/db SCTP 9: SCTP cannot be probed in this lab",
        "",
      ].join("\n"),
    );
  });
});

describe("state file", () => {
  test("a kept lab's state survives JSON: spec with addresses, probes, skips", () => {
    const ip = parseIp("10.244.0.2");
    assert.ok(ip);
    const state: LabState = {
      version: STATE_VERSION,
      prefix: "pc-abcdef",
      createdAt: "2025-01-01T00:00:00.000Z",
      spec: {
        pods: [{ id: "a/db", ips: [ip], ports: [{ port: 5432, protocol: "TCP" }], dns: { names: { "db.a.svc.cluster.local": ["10.244.0.2"] } } }],
        internet: { ports: [{ port: 443, protocol: "TCP" }] },
      },
      probes: PROBES,
      skipped: [],
    };
    assert.deepEqual(stateFromJson(stateToJson(state)), { ok: true, state });
  });

  test("a bridge lab's state keeps its topology and pod CIDRs (lab probe wires nothing, but attaches to the lab it was planned as)", () => {
    const ip = parseIp("10.244.0.2");
    const parsed = parseCidr("10.244.0.0/16");
    assert.ok(ip && parsed.ok);
    const state: LabState = {
      version: STATE_VERSION,
      prefix: "pc-abcdef",
      createdAt: "2025-01-01T00:00:00.000Z",
      spec: { pods: [{ id: "a/db", ips: [ip], ports: [] }], internet: { ports: [] }, topology: { kind: "bridge", podCidrs: [parsed.cidr] } },
      probes: PROBES,
      skipped: [],
    };
    const text = stateToJson(state);
    assert.match(text, /"topology": \{\n\s*"kind": "bridge",\n\s*"podCidrs": \[\n\s*"10\.244\.0\.0\/16"/);
    assert.deepEqual(stateFromJson(text), { ok: true, state });
    assert.deepEqual(stateFromJson(text.replace('"10.244.0.0/16"', '"nope"')), {
      ok: false,
      message: 'spec.topology: expected {kind: "routed"} or {kind: "bridge", podCidrs: [CIDR, …]}',
    });
  });

  test("a damaged state file is a message, never an exception", () => {
    assert.deepEqual(stateFromJson("{"), { ok: false, message: "not JSON: Expected property name or '}' in JSON at position 1" });
    assert.deepEqual(stateFromJson('{"version": 1, "spec": {"pods": [{"id": "a/b", "ips": ["nope"], "ports": []}], "internet": {"ports": []}}}'), {
      ok: false,
      message: "spec.pods: expected {id, ips, ports, dns?} each",
    });
  });
});
