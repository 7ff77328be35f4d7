/**
 * The netlink helper (native/nft-elements.c) and its adapter against the kernel (root, in test
 * namespaces): what nft's `add element` / `delete element` do, the helper must do the same in one
 * transaction per batch: "a re-add must refresh the timeout, as nft's `add element` does";
 * "deleting an expired element fails the transaction"; nothing of a failed batch applied.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Ip, parseIp } from "../net/ip.js";
import type { LearnedOp } from "../nft/learned.js";
import { MAX_LINES, NetlinkElements, helperBatches, pairKey } from "./netlink-elements.js";
import { applyRuleset, runNft } from "./nft.js";
import { canUseNetns, elementsHelper, withNetns } from "./test-support.js";

const ip = (text: string): Ip => parseIp(text) as Ip;
const TABLE = "m";
const SETS = "table inet m { set s { type ipv4_addr . ipv4_addr; flags timeout; }; set s6 { type ipv6_addr . ipv6_addr; flags timeout; }; }";

/** The elements of a set as `pod . destination timeout expires` (seconds), sorted. */
async function elements(ns: string, set: string): Promise<{ pair: string; timeout: number; expires: number }[]> {
  const r = await runNft(["-j", "list", "set", "inet", TABLE, set], ns);
  assert.ok(r.ok, r.ok ? "" : r.error.stderr);
  const out: { pair: string; timeout: number; expires: number }[] = [];
  for (const item of (JSON.parse(r.value) as { nftables: { set?: { elem?: { elem: { val: { concat: string[] }; timeout: number; expires: number } }[] } }[] }).nftables) {
    for (const e of item.set?.elem ?? []) out.push({ pair: e.elem.val.concat.join(" . "), timeout: e.elem.timeout, expires: e.elem.expires });
  }
  return out.sort((x, y) => x.pair.localeCompare(y.pair));
}

const add = (set: string, pairs: [string, string, number][]): LearnedOp => ({ kind: "add", set, elements: pairs.map(([p, d, timeout]) => ({ pod: ip(p), destination: ip(d), timeout })) });
const evict = (set: string, pairs: [string, string][]): LearnedOp => ({ kind: "evict", set, elements: pairs.map(([p, d]) => ({ pod: ip(p), destination: ip(d) })) });

test("pairKey: the concatenation as the kernel holds it, each field padded to 4 bytes (ipv4 . ipv4 = 8 bytes, ipv6 . ipv6 = 32), network order", () => {
  assert.equal(pairKey({ pod: ip("10.244.1.5"), destination: ip("54.187.174.169") }), "0af4010536bbaea9");
  assert.equal(pairKey({ pod: ip("fd00::5"), destination: ip("2001:db8::1") }), "fd000000000000000000000000000005" + "20010db8000000000000000000000001");
});

test("helperBatches: element lines in order, timeouts in ms, an eviction as add for 1 s then delete; cut at MAX_LINES without parting an eviction's add from its delete", () => {
  assert.deepEqual(helperBatches("portcullis", [add("s", [["10.0.0.1", "1.1.1.1", 30]]), evict("s", [["10.0.0.1", "1.1.1.2"]])]), [
    "B inet portcullis 3\n+ s 0a00000101010101 30000\n+ s 0a00000101010102 1000\n- s 0a00000101010102\n",
  ]);
  const many = add("s", Array.from({ length: MAX_LINES - 1 }, (_, k): [string, string, number] => ["10.0.0.1", `1.1.${k >> 8}.${k & 255}`, 30]));
  const cut = helperBatches("t", [many, evict("s", [["10.0.0.1", "2.2.2.2"]])]);
  assert.deepEqual(cut.map((b) => b.split("\n")[0]), [`B inet t ${MAX_LINES - 1}`, "B inet t 2"], "the eviction's two lines go to the next batch together");
  assert.deepEqual(helperBatches("t", []), []);
});

test("the helper against the kernel: adds visible in nft -j list set (IPv4 and IPv6 pairs); a re-add refreshes the timeout, as nft's add element does; add-then-delete in one batch leaves nothing", async (t) => {
  if (!(await canUseNetns(t))) return;
  const helper = elementsHelper(t);
  if (helper === null) return;
  await withNetns(1, async ([first]) => {
    const ns = first as string;
    assert.ok((await applyRuleset(SETS, ns)).ok);
    const writer = new NetlinkElements({ helper, netns: ns });
    try {
      let r = await writer.write(TABLE, [add("s", [["10.0.0.1", "1.1.1.1", 10], ["10.0.0.1", "1.1.1.2", 60]]), add("s6", [["fd00::5", "2001:db8::1", 30]])]);
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      assert.deepEqual((await elements(ns, "s")).map((e) => [e.pair, e.timeout]), [["10.0.0.1 . 1.1.1.1", 10], ["10.0.0.1 . 1.1.1.2", 60]]);
      assert.deepEqual((await elements(ns, "s6")).map((e) => [e.pair, e.timeout]), [["fd00::5 . 2001:db8::1", 30]]);
      r = await writer.write(TABLE, [add("s", [["10.0.0.1", "1.1.1.1", 40]])]);
      assert.ok(r.ok);
      const refreshed = (await elements(ns, "s"))[0];
      assert.equal(refreshed?.timeout, 40, "the re-add set the new timeout");
      assert.ok((refreshed?.expires ?? 0) >= 38, "and the expiry from now");
      r = await writer.write(TABLE, [evict("s", [["10.0.0.1", "1.1.1.2"], ["10.0.0.1", "9.9.9.9"]])]);
      assert.ok(r.ok, "evicting a held and a missing element: both are added first, so both deletes succeed");
      assert.deepEqual((await elements(ns, "s")).map((e) => e.pair), ["10.0.0.1 . 1.1.1.1"]);
      assert.equal(writer.starts, 1, "one helper for all the batches");
    } finally {
      await writer.close();
    }
  });
});

test("the helper against the kernel: a delete of a missing (or expired) element → err 2 and nothing of that batch applied; a missing set or table → err; the helper lives on", async (t) => {
  if (!(await canUseNetns(t))) return;
  const helper = elementsHelper(t);
  if (helper === null) return;
  await withNetns(1, async ([first]) => {
    const ns = first as string;
    assert.ok((await applyRuleset(SETS, ns)).ok);
    const writer = new NetlinkElements({ helper, netns: ns });
    try {
      const missing = await writer.send("B inet m 2\n+ s 0a00000101010101 30000\n- s 0a00000109090909\n");
      assert.equal(missing.ok ? "" : missing.error.stderr, "err 2 No such file or directory");
      assert.equal(missing.ok ? "" : missing.error.code, "rejected");
      assert.deepEqual(await elements(ns, "s"), [], "the add of the failed batch is not applied");
      // Expired: the kernel refuses to delete an element whose timeout ran out (why an eviction adds first).
      assert.ok((await writer.send("B inet m 1\n+ s 0a00000102020202 1000\n")).ok);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      const expired = await writer.send("B inet m 1\n- s 0a00000102020202\n");
      assert.equal(expired.ok ? "" : expired.error.stderr, "err 2 No such file or directory");
      for (const text of ["B inet nosuch 1\n+ s 0a00000101010101 30000\n", "B inet m 1\n+ nosuch 0a00000101010101 30000\n"]) {
        const r = await writer.send(text);
        assert.match(r.ok ? "ok" : r.error.stderr, /^err 2 /, text);
      }
      const wrongLength = await writer.send("B inet m 1\n+ s 0a000001 30000\n");
      assert.match(wrongLength.ok ? "ok" : wrongLength.error.stderr, /^err 22 /, "a key shorter than the set's: the kernel's EINVAL");
      assert.ok((await writer.send("B inet m 1\n+ s 0a00000103030303 30000\n")).ok);
      assert.equal(writer.starts, 1);
    } finally {
      await writer.close();
    }
  });
});

test("the helper refuses malformed input with err 22 and reads on: nothing of such a batch is sent", async (t) => {
  if (!(await canUseNetns(t))) return;
  const helper = elementsHelper(t);
  if (helper === null) return;
  await withNetns(1, async ([first]) => {
    const ns = first as string;
    assert.ok((await applyRuleset(SETS, ns)).ok);
    const writer = new NetlinkElements({ helper, netns: ns });
    try {
      const cases: [string, string][] = [
        ["not a batch header", "hello\n"],
        ["a count of 0", "B inet m 0\n"],
        ["a count above 4096", "B inet m 4097\n"],
        ["an unknown family", "B inet4 m 1\n+ s 0a00000101010101 30000\n"],
        ["a table name with a character nft names do not have", "B inet m;x 1\n+ s 0a00000101010101 30000\n"],
        ["an odd number of hex digits", "B inet m 1\n+ s 0a0000010101010 30000\n"],
        ["not hex", "B inet m 1\n+ s 0a0000010101010z 30000\n"],
        ["a key above 64 bytes", `B inet m 1\n+ s ${"00".repeat(65)} 30000\n`],
        ["an add without a timeout", "B inet m 1\n+ s 0a00000101010101\n"],
        ["a timeout of 0", "B inet m 1\n+ s 0a00000101010101 0\n"],
        ["a delete with a timeout", "B inet m 1\n- s 0a00000101010101 30000\n"],
        ["an unknown operation", "B inet m 1\n* s 0a00000101010101 30000\n"],
        ["two spaces", "B inet m 1\n+  s 0a00000101010101 30000\n"],
        ["a line longer than 1024 characters", `B inet m 1\n+ s ${"0".repeat(2000)} 30000\n`],
        ["a good line, then a bad one: the batch is refused whole", "B inet m 2\n+ s 0a00000101010101 30000\n+ s zz 30000\n"],
      ];
      for (const [name, text] of cases) {
        const r = await writer.send(text);
        assert.match(r.ok ? "ok" : r.error.stderr, /^err 22 /, name);
      }
      assert.deepEqual(await elements(ns, "s"), []);
      assert.ok((await writer.send("B inet m 1\n+ s 0a00000101010101 30000\n")).ok, "in step after all of them");
      assert.equal(writer.starts, 1, "never crashed");
    } finally {
      await writer.close();
    }
  });
});

test("NetlinkElements: a helper that does not answer in time is killed and the batch fails (timeout); the next batch starts a new one; one out of step (a line unasked) is replaced; one that exits unanswered counts toward maxFailedStarts, then every batch fails at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-helper-test-"));
  try {
    const silent = join(dir, "silent");
    writeFileSync(silent, "#!/bin/sh\nexec sleep 30\n");
    chmodSync(silent, 0o755);
    const slow = new NetlinkElements({ helper: silent, timeoutMs: 200 });
    const r1 = await slow.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])]);
    assert.equal(r1.ok ? "" : r1.error.code, "timeout");
    const r2 = await slow.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])]);
    assert.equal(r2.ok ? "" : r2.error.code, "timeout");
    assert.equal(slow.starts, 2, "respawned");
    await slow.close();

    // A helper out of step (here: an answer per line, not per batch): its unasked line fails the next batch and it is replaced.
    const chatty = join(dir, "chatty");
    writeFileSync(chatty, "#!/bin/sh\nwhile read l; do echo ok; done\n");
    chmodSync(chatty, 0o755);
    const stepping = new NetlinkElements({ helper: chatty });
    assert.ok((await stepping.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])])).ok);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const outOfStep = await stepping.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])]);
    assert.match(outOfStep.ok ? "" : outOfStep.error.message, /said "ok" unasked: out of step/);
    assert.ok((await stepping.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])])).ok, "a new helper");
    assert.equal(stepping.starts, 2);
    await stepping.close();

    const failing = new NetlinkElements({ helper: "/bin/false", maxFailedStarts: 2 });
    for (let k = 0; k < 2; k++) {
      const r = await failing.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])]);
      assert.equal(r.ok ? "" : r.error.code, "exit");
    }
    assert.equal(failing.usable, false);
    const r3 = await failing.write("t", [add("s", [["10.0.0.1", "1.1.1.1", 30]])]);
    assert.match(r3.ok ? "" : r3.error.message, /not usable here: 2 starts in a row failed/);
    assert.equal(failing.starts, 2, "no third start");
    await failing.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
