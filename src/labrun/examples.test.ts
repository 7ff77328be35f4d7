/**
 * The bundled scenarios through `lab run`: real packets in a lab this file creates, against the
 * engine's verdicts. Skipped locally when labs cannot run here; with CI=true that fails instead.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { before, describe, test } from "node:test";
import { labSkip } from "../lab/testing.js";
import type { Lab } from "../lab/types.js";
import { formatIp, parseIp } from "../net/ip.js";
import { OPTIONS, clusterFrom } from "./fixture.js";
import { runLab } from "./run.js";
import type { LabEntry, LabReport, LabRunPlan } from "./types.js";

const skip = await labSkip();
const TIMEOUT_MS = 700;
const WEB = "production/web-api";
const PG = "production/postgres";
const PROM = "monitoring/prometheus";
const DEBUG = "production/debug-shell";
const DNS = "kube-system/coredns";
const PG_NAME = "postgres.production.svc.cluster.local";

const describeMismatches = (r: LabReport): string => JSON.stringify(r.mismatches, null, 1);

function entry(r: LabReport, from: string, to: string, port: number, protocol = "TCP"): LabEntry {
  const e = r.entries.find((x) => x.from === from && x.to === to && x.port === port && x.protocol === protocol);
  assert.ok(e, `no entry ${from} → ${to} ${protocol} ${port}`);
  return e;
}

describe("examples/egress in the lab", { skip }, () => {
  let report: LabReport;
  const inLab: Record<string, unknown> = {};

  before(async () => {
    const cluster = await clusterFrom(["examples/egress"]);
    const checks = async (lab: Lab, plan: LabRunPlan): Promise<void> => {
      const addr = (id: string) => plan.spec.pods.find((p) => p.id === id)?.ips[0];
      const server = addr(DNS);
      assert.ok(server);
      inLab["udp"] = await lab.dnsQuery(WEB, server, PG_NAME, "udp");
      inLab["tcp"] = await lab.dnsQuery(WEB, server, PG_NAME, "tcp");
      const pg = addr(PG);
      inLab["pg"] = pg === undefined ? undefined : formatIp(pg);
      const web = addr(WEB);
      assert.ok(web);
      // web-api declares only 8080: another port of it shows what prometheus may not reach.
      inLab["prom9090"] = (await lab.probe(PROM, [{ ip: web, port: 9090, protocol: "TCP" }], { timeoutMs: TIMEOUT_MS }))[0]?.outcome;
      const metadata = parseIp("169.254.169.254");
      assert.ok(metadata);
      inLab["metadata443"] = (await lab.probe(WEB, [{ ip: metadata, port: 443, protocol: "TCP" }], { timeoutMs: TIMEOUT_MS }))[0]?.outcome;
    };
    const r = await runLab(cluster, { ...OPTIONS, probeTimeoutMs: TIMEOUT_MS, inLab: checks });
    assert.ok(r.ok, JSON.stringify(r.ok ? "" : r.error));
    report = r.value;
  });

  test("the kernel does what the engine says, for every probe", () => {
    assert.ok(report.entries.length >= 100, `only ${report.entries.length} probes`);
    assert.deepEqual(report.mismatches, [], describeMismatches(report));
    assert.deepEqual(report.skipped, []);
  });

  test("cluster DNS resolves postgres.production.svc.cluster.local for web-api, over UDP and over TCP", () => {
    assert.equal(typeof inLab["pg"], "string");
    assert.deepEqual(inLab["udp"], [inLab["pg"]]);
    assert.deepEqual(inLab["tcp"], [inLab["pg"]]);
    // The queries crossed the enforced node: allow-dns admits them.
    assert.equal(entry(report, WEB, DNS, 53, "UDP").observed, true);
    assert.equal(entry(report, WEB, DNS, 53, "TCP").observed, true);
  });

  test("web-api reaches postgres on 5432; debug-shell and prometheus do not", () => {
    assert.equal(entry(report, WEB, PG, 5432).observed, true);
    assert.equal(entry(report, DEBUG, PG, 5432).observed, false);
    assert.equal(entry(report, PROM, PG, 5432).observed, false);
  });

  test("web-api reaches the payment provider 203.0.113.x on 443 only", () => {
    assert.equal(entry(report, WEB, "203.0.113.1", 443).observed, true);
    assert.equal(entry(report, WEB, "203.0.113.1", 80).observed, false);
  });

  test("ipBlock except: web-api reaches 169.254.0.1:80 (inside the cidr) but not 169.254.169.254 (inside the except)", () => {
    assert.equal(entry(report, WEB, "169.254.0.1", 80).observed, true);
    for (const port of [80, 443]) assert.equal(entry(report, WEB, "169.254.169.254", port).observed, false);
    assert.equal(inLab["metadata443"], "timeout");
  });

  test("prometheus reaches web-api on 8080 (its port named http), and not on another port", () => {
    assert.equal(entry(report, PROM, WEB, 8080).observed, true);
    assert.equal(entry(report, DEBUG, WEB, 8080).observed, false);
    // A drop, not a closed port: a refusal would mean the packet got through.
    assert.equal(inLab["prom9090"], "timeout");
  });
});

const MISTAKES = readdirSync("examples/mistakes", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("examples/mistakes/* in the lab", { skip, concurrency: 4 }, () => {
  for (const name of MISTAKES) {
    test(`${name}: the kernel does what the engine says`, async () => {
      const r = await runLab(await clusterFrom([`examples/mistakes/${name}`]), { ...OPTIONS, probeTimeoutMs: TIMEOUT_MS });
      assert.ok(r.ok, JSON.stringify(r.ok ? "" : r.error));
      assert.ok(r.value.entries.length > 0);
      assert.deepEqual(r.value.mismatches, [], describeMismatches(r.value));
    });
  }
});
