import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { compileRuleset } from "../nft/compile.js";
import { diffRulesets } from "../nft/diff.js";
import { ENGINE_OPTIONS, POD_CIDRS, POLICIES, coredns, db, nodeExporter, pending, pod, testCluster, tester, webApi, worker } from "../nft/fixture.js";
import type { Endpoint } from "../model/cluster.js";
import { applyRuleset, listTable } from "./nft.js";
import { NftSession, type Reply, readReply } from "./nft-session.js";
import { canUseNetns, canonicalListing, withNetns } from "./test-support.js";

const M = "%portcullis-0a1b2c-7";
/** The answer nft 1.0.6 (`nft -i`, libedit) gives to the marker line, as captured. */
const ANSWER = `Error: syntax error, unexpected junk\n${M}\n^\n`;
/** nft 1.0.6's error for a failing included script, as captured (an unknown element). */
const REJECTED =
  "In file included from <cmdline>:1:1-50:\n/tmp/portcullis-nft-XW8DkM/commands.nft:2:24-33: Error: Could not resolve hostname: Name or service not known\nadd element inet t s { 10.9.9.999 }\n                       ^^^^^^^^^^\n";

test("readReply: nft -i's stderr, whole or in chunks, split into the command's own words and the marker's answer", () => {
  const cases: [string, string, Reply][] = [
    ["nothing yet", "", { kind: "pending" }],
    ["a succeeding script says nothing before the answer", ANSWER, { kind: "done", said: "", rest: "" }],
    ["nft's error line alone (the chunk ends before the echo)", "Error: syntax error, unexpected junk\n", { kind: "pending" }],
    ["the echo without its carets yet", `Error: syntax error, unexpected junk\n${M}\n`, { kind: "pending" }],
    ["the echo cut within the marker", `Error: syntax error, unexpected junk\n${M.slice(0, 9)}`, { kind: "pending" }],
    ["a rejected script: its error comes before the answer", REJECTED + ANSWER, { kind: "done", said: REJECTED, rest: "" }],
    ["what follows the answer is kept for the next reading", ANSWER + "Error: x\n", { kind: "done", said: "", rest: "Error: x\n" }],
    ["the marker of command 7 is not the marker of command 70", `Error: syntax error, unexpected junk\n${M}0\n^\n`, { kind: "pending" }],
    ["the echo not after an nft error: unreadable", `add element inet t s { 1 }\n${M}\n^\n`, { kind: "garbled", detail: `the marker line came after "add element inet t s { 1 }", not after nft's error` }],
    ["the echo followed by other than carets: unreadable", `Error: syntax error, unexpected junk\n${M}\nadd\n`, { kind: "garbled", detail: `the marker's echo was followed by "add", not by carets` }],
  ];
  for (const [name, stderr, expected] of cases) assert.deepEqual(readReply(stderr, M), expected, name);
});

const BASE: readonly Endpoint[] = [webApi, db, worker, tester, coredns, nodeExporter, pending];
const STARTED = pod("production", "pending", { app: "worker" }, ["10.244.1.31"]);
const compile = (endpoints: readonly Endpoint[]) =>
  compileRuleset(testCluster(POLICIES, endpoints), ENGINE_OPTIONS, { localPods: endpoints.filter((e) => e !== coredns), podCidrs: POD_CIDRS });

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T {
  assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
  return r.value;
}

/** The addresses of the `local_v4` set in an `nft list table` listing, in listed order. */
const localV4 = (listing: string): string[] => /set local_v4 \{[^}]*elements = \{([^}]*)\}/.exec(listing)?.[1]?.match(/[\d.]+/g) ?? [];

const alive = (pid: number | undefined): boolean => pid !== undefined && existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(safeRead(`/proc/${pid}/status`));
const safeRead = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};
async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > timeoutMs) assert.fail(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A session in a fresh namespace holding the compiled BASE table; closed (and its child checked gone) afterwards. */
async function withSession(opts: ConstructorParameters<typeof NftSession>[0], fn: (session: NftSession, ns: string) => Promise<void>): Promise<void> {
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const session = new NftSession({ ...opts, netns: ns as string });
    try {
      await fn(session, ns as string);
    } finally {
      const pid = session.pid;
      await session.close();
      assert.ok(!alive(pid), "the child is gone after close");
    }
  });
}

test("session: an element diff applied through nft -i leaves the table as nft -f of the same diff does, and as a full apply of the new state", async (t) => {
  if (!(await canUseNetns(t))) return;
  const [before, after] = [compile(BASE), compile(BASE.map((e) => (e === pending ? STARTED : e)))];
  const diff = diffRulesets(before.ruleset, after.ruleset);
  assert.equal(diff.kind, "elements");
  await withSession({}, async (session, ns) => {
    ok(await session.apply(diff.text));
    const viaSession = ok(await listTable(ns));
    assert.ok(viaSession.includes("10.244.1.31 : jump "), "the new pod's element is in");
    ok(await applyRuleset(before.text, ns));
    ok(await applyRuleset(diff.text, ns));
    assert.equal(viaSession, ok(await listTable(ns)), "nft -f of the same diff on the same table");
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonicalListing(viaSession), canonicalListing(ok(await listTable(ns))));
  });
});

test("session: a diff with sets, maps and chains (objects) and multi-line element lists applies as with nft -f", async (t) => {
  if (!(await canUseNetns(t))) return;
  // The structure changes: a policy removed drops its sets and chain (the diff is "objects").
  const [before, after] = [compile(BASE), compileRuleset(testCluster(POLICIES.slice(1), BASE), ENGINE_OPTIONS, { localPods: BASE.filter((e) => e !== coredns), podCidrs: POD_CIDRS })];
  const forward = diffRulesets(before.ruleset, after.ruleset);
  const back = diffRulesets(after.ruleset, before.ruleset);
  assert.equal(forward.kind, "objects");
  assert.ok(forward.text.split("\n").length > 3, "a multi-line script");
  await withSession({}, async (session, ns) => {
    ok(await session.apply(forward.text));
    const forwardListed = ok(await listTable(ns));
    ok(await session.apply(back.text));
    const backListed = ok(await listTable(ns));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonicalListing(forwardListed), canonicalListing(ok(await listTable(ns))), "the diff as a full apply of the new state");
    ok(await applyRuleset(before.text, ns));
    assert.equal(canonicalListing(backListed), canonicalListing(ok(await listTable(ns))), "and the diff back as a full apply of the old state");
  });
});

test("session: a failing diff is one transaction: its first statement is not applied, the table stays, and nft's own message comes back; the session goes on", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withSession({}, async (session, ns) => {
    const pid0 = (ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.90 }\n")), session.pid);
    const before = ok(await listTable(ns));
    // The second statement deletes an element the set does not hold: nft refuses the whole script.
    const r = await session.apply("add element inet portcullis local_v4 { 10.244.1.91 }\ndelete element inet portcullis local_v4 { 10.244.1.92 }\n");
    assert.ok(!r.ok);
    assert.equal(r.error.code, "rejected");
    assert.match(r.error.stderr, /commands\.nft:2:\d+-\d+: Error: element does not exist/);
    assert.match(r.error.stderr, /delete element inet portcullis local_v4 \{ 10\.244\.1\.92 \}/, "nft echoes the failing line");
    assert.doesNotMatch(r.error.stderr, /%portcullis-/, "the marker's answer is not part of the error");
    assert.equal(ok(await listTable(ns)), before, "10.244.1.91 was not added");
    assert.ok(localV4(before).includes("10.244.1.90") && !localV4(before).includes("10.244.1.91"));
    ok(await session.apply("delete element inet portcullis local_v4 { 10.244.1.90 }\n"));
    assert.equal(session.pid, pid0, "the same child after a rejection");
    assert.deepEqual(localV4(ok(await listTable(ns))), localV4(before).filter((ip) => ip !== "10.244.1.90"));
  });
});

test("session: applyLine, commands on one line (`;` between them), is one transaction too: a failing command leaves none of the line applied; the session goes on; a line with a newline is refused", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withSession({}, async (session, ns) => {
    const before = ok(await listTable(ns));
    const r = await session.applyLine("add element inet portcullis local_v4 { 10.244.1.93 }; delete element inet portcullis local_v4 { 10.244.1.94 }");
    assert.ok(!r.ok);
    assert.equal(r.error.code, "rejected");
    assert.match(r.error.stderr, /delete element inet portcullis local_v4 \{ 10\.244\.1\.94 \}/);
    assert.equal(ok(await listTable(ns)), before, "10.244.1.93 was not added");
    ok(await session.applyLine("add element inet portcullis local_v4 { 10.244.1.93 }; add element inet portcullis local_v4 { 10.244.1.95 }"));
    const after = localV4(ok(await listTable(ns)));
    assert.ok(["10.244.1.93", "10.244.1.95"].every((ip) => after.includes(ip)));
    assert.equal((await session.applyLine("add element inet portcullis local_v4 { 10.244.1.96 }\n")).ok, false);
  });
});

test("session: a child that does not answer in time (stopped: SIGSTOP) is killed, the command fails as a timeout, and the next command gets a new child", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withSession({ timeoutMs: 300 }, async (session, ns) => {
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.90 }\n"));
    const stopped = session.pid as number;
    process.kill(stopped, "SIGSTOP");
    const r = await session.apply("add element inet portcullis local_v4 { 10.244.1.91 }\n");
    assert.ok(!r.ok);
    assert.equal(r.error.code, "timeout");
    await until("the stopped child is killed", () => !alive(stopped));
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.92 }\n"));
    assert.notEqual(session.pid, stopped);
    const listed = localV4(ok(await listTable(ns)));
    assert.ok(listed.includes("10.244.1.92"));
    assert.ok(!listed.includes("10.244.1.91"), "the stopped child never ran the command");
  });
});

test("session: a child killed from outside, idle or during a command, fails at most that command; the next gets a new child", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withSession({}, async (session, ns) => {
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.90 }\n"));
    const idle = session.pid as number;
    process.kill(idle, "SIGKILL");
    // Idle: the session has seen the child end before the next command (a child that dies in the
    // moment a command is sent fails that command, as during a command below).
    await until("the session sees the idle child gone", () => session.pid === undefined);
    assert.ok(!alive(idle));
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.91 }\n"));
    const busy = session.pid as number;
    assert.notEqual(busy, idle);
    process.kill(busy, "SIGSTOP");
    const pending = session.apply("add element inet portcullis local_v4 { 10.244.1.92 }\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(busy, "SIGKILL");
    const r = await pending;
    assert.ok(!r.ok);
    assert.equal(r.error.code, "exit");
    assert.match(r.error.message, /nft -i was killed \(SIGKILL\) before answering/);
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.93 }\n"));
    assert.deepEqual(localV4(ok(await listTable(ns))).filter((ip) => ip.startsWith("10.244.1.9")), ["10.244.1.90", "10.244.1.91", "10.244.1.93"]);
  });
});

test("session: 250 commands in a row, each answered in order; the child is replaced every maxCommands commands, and after each when above maxRssBytes", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withSession({ maxCommands: 100 }, async (session, ns) => {
    const pids = new Set<number>();
    for (let k = 0; k < 250; k++) {
      const op = Math.floor(k / 50) % 2 === 0 ? "add" : "delete";
      ok(await session.apply(`${op} element inet portcullis local_v4 { 10.244.1.${100 + (k % 50)} }\n`));
      if (session.pid !== undefined) pids.add(session.pid);
    }
    // 0-49 add, 50-99 delete, 100-149 add, 150-199 delete, 200-249 add: .100-.149 in the set.
    assert.equal(pids.size, 3, "children for commands 1-100, 101-200, 201-250");
    assert.deepEqual(localV4(ok(await listTable(ns))).filter((ip) => /\.1\.1\d\d$/.test(ip)), Array.from({ length: 50 }, (_, k) => `10.244.1.${100 + k}`));
  });
  await withSession({ maxRssBytes: 1 }, async (session) => {
    for (let k = 0; k < 3; k++) {
      ok(await session.apply(`add element inet portcullis local_v4 { 10.244.1.${100 + k} }\n`));
      assert.equal(session.pid, undefined, "replaced after the command: the next starts a new child");
    }
  });
});

test("session: close ends the child (no process left, its directory removed); commands after close fail without starting one", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const session = new NftSession({ netns: ns as string });
    ok(await session.apply("add element inet portcullis local_v4 { 10.244.1.90 }\n"));
    const pid = session.pid as number;
    const dir = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((v) => v.startsWith("HOME="))?.slice(5) ?? "";
    assert.match(dir, /portcullis-nft-/);
    assert.ok(existsSync(dir));
    await session.close();
    assert.ok(!alive(pid), "no nft -i left");
    assert.ok(!existsSync(dir), "its directory (script and history) removed");
    const r = await session.apply("add element inet portcullis local_v4 { 10.244.1.91 }\n");
    assert.ok(!r.ok);
    assert.match(r.error.message, /closed/);
    assert.equal(session.pid, undefined);
  });
});

test("session: in a namespace that does not exist every start fails; after maxFailedStarts the session refuses at once (the enforcer then uses nft -f)", async (t) => {
  if (!(await canUseNetns(t))) return;
  const session = new NftSession({ netns: "pcnft-absent-0000", maxFailedStarts: 2 });
  try {
    for (const k of [1, 2]) {
      const r = await session.apply("add table inet portcullis\n");
      assert.ok(!r.ok);
      assert.equal(r.error.code, "exit", `start ${k}`);
      assert.match(r.error.stderr, /Cannot open network namespace "pcnft-absent-0000"/);
    }
    const r = await session.apply("add table inet portcullis\n");
    assert.ok(!r.ok);
    assert.match(r.error.message, /nft -i is not usable here: 2 starts in a row failed/);
  } finally {
    await session.close();
  }
});

test("session: without a writable temp directory (a read-only root filesystem without its /tmp volume; here /proc) no child starts; after maxFailedStarts the session refuses at once", async (t) => {
  if (!(await canUseNetns(t))) return;
  const session = new NftSession({ parent: "/proc", maxFailedStarts: 2 });
  try {
    for (const k of [1, 2]) {
      const r = await session.apply("add table inet portcullis\n");
      assert.ok(!r.ok);
      assert.match(r.error.message, /cannot create the nft session's directory/, `start ${k}`);
    }
    const r = await session.apply("add table inet portcullis\n");
    assert.ok(!r.ok);
    assert.match(r.error.message, /nft -i is not usable here: 2 starts in a row failed/);
    assert.equal(session.starts, 0, "no nft was started");
  } finally {
    await session.close();
  }
});
