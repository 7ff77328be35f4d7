/** `lab up`, `lab probe --lab`, `lab down --lab`: a lab kept between commands, with its state file. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { listNetns, ofPrefix } from "../lab/netns.js";
import { labSkip } from "../lab/testing.js";
import { OPTIONS, clusterOf, workload } from "./fixture.js";
import { labDown, labProbe, labUpOnly } from "./kept.js";
import { defaultStateDir } from "./state.js";

const skip = await labSkip();
const bridgeSkip = await labSkip("bridge");
const dir = mkdtempSync(join(tmpdir(), "portcullis-labs-"));
const CLUSTER = [
  workload("shop", "web", { app: "web" }, [{ port: 8080 }]),
  workload("shop", "db", { app: "db" }, [{ port: 5432 }]),
  "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]\n",
].join("---\n");

describe("a kept lab", { skip }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("up leaves it enforced and recorded; probe finds no mismatch; down removes it and its state", async () => {
    const up = await labUpOnly(clusterOf(CLUSTER), { ...OPTIONS, stateDir: dir });
    assert.ok(up.ok, JSON.stringify(up.ok ? "" : up.error));
    const { prefix, statePath } = up.value;
    try {
      assert.equal(statePath, join(dir, `${prefix}.json`));
      assert.ok(existsSync(statePath));
      assert.equal(ofPrefix(await listNetns(), prefix).length, 4);
      const probed = await labProbe(prefix, { stateDir: dir, probeTimeoutMs: 700 });
      assert.ok(probed.ok, JSON.stringify(probed.ok ? "" : probed.error));
      assert.deepEqual(probed.value.mismatches, []);
      assert.equal(probed.value.entries.length, up.value.probes);
      const blocked = probed.value.entries.filter((e) => e.to === "shop/db" && e.from !== "shop/web" && e.from !== "shop/db");
      assert.ok(blocked.length > 0 && blocked.every((e) => !e.observed), "the ruleset applied at up still holds");
      assert.equal(ofPrefix(await listNetns(), prefix).length, 4, "probing leaves the lab up");
    } finally {
      const down = await labDown(prefix, { stateDir: dir });
      assert.deepEqual(down, { ok: true, value: { prefix, removed: 4 } });
    }
    assert.deepEqual(ofPrefix(await listNetns(), prefix), []);
    assert.equal(existsSync(statePath), false);
  });

  test("a kept bridge lab: its state keeps the topology, probe attaches to the bridged pods and finds no mismatch", { skip: bridgeSkip }, async () => {
    const up = await labUpOnly(clusterOf(CLUSTER), { ...OPTIONS, topology: "bridge", stateDir: dir });
    assert.ok(up.ok, JSON.stringify(up.ok ? "" : up.error));
    const { prefix, statePath } = up.value;
    try {
      const state = JSON.parse(readFileSync(statePath, "utf8")) as { spec: { topology?: unknown } };
      assert.deepEqual(state.spec.topology, { kind: "bridge", podCidrs: ["10.244.0.0/16"] });
      const probed = await labProbe(prefix, { stateDir: dir, probeTimeoutMs: 700 });
      assert.ok(probed.ok, JSON.stringify(probed.ok ? "" : probed.error));
      assert.deepEqual(probed.value.mismatches, []);
      assert.ok(probed.value.entries.some((e) => e.from === "shop/web" && e.to === "shop/db" && e.observed), "web reaches db across the bridge");
      const blocked = probed.value.entries.filter((e) => e.to === "shop/db" && e.from !== "shop/web" && e.from !== "shop/db");
      assert.ok(blocked.length > 0 && blocked.every((e) => !e.observed), "the ruleset applied at up still holds");
    } finally {
      assert.deepEqual(await labDown(prefix, { stateDir: dir }), { ok: true, value: { prefix, removed: 4 } });
    }
  });

  test("probe and down of an unknown lab are error values", async () => {
    const probed = await labProbe("pc-000000", { stateDir: dir });
    assert.deepEqual(probed, { ok: false, error: { kind: "state", message: `no lab pc-000000: ${join(dir, "pc-000000.json")} does not exist` } });
    assert.deepEqual(await labDown("pc-000000", { stateDir: dir }), {
      ok: false,
      error: { kind: "state", message: `no lab pc-000000: no network namespaces and no ${join(dir, "pc-000000.json")}` },
    });
    assert.deepEqual(await labDown("not-a-prefix", { stateDir: dir }), {
      ok: false,
      error: { kind: "lab", message: '"not-a-prefix" is not a lab prefix (pc- and 6 hex digits)' },
    });
  });

  test("state goes under $XDG_RUNTIME_DIR when set, else /run/portcullis/labs", () => {
    assert.equal(defaultStateDir({ XDG_RUNTIME_DIR: "/run/user/1000" }), "/run/user/1000/portcullis/labs");
    assert.equal(defaultStateDir({}), "/run/portcullis/labs");
  });
});
