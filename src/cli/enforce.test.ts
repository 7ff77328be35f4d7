/**
 * `portcullis enforce` applying for real, always inside network namespaces this test creates
 * (`pc-cli-<hex>`, deleted afterwards), never in the machine's own. A router namespace plays the
 * node; debug-shell (10.244.1.23, from examples/egress) and an outside host (203.0.113.9) hang off it.
 * Skipped without root, `ip` and `nft`, except in CI, where a skip fails.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { bridgeNetfilter, listen, probe, wire } from "../enforce/mini-lab.js";
import { bridgePreflight } from "../lab/preflight.js";
import { createNetns, deleteNetns } from "../enforce/netns.js";
import { listTable } from "../enforce/nft.js";
import { canUseNetns } from "../enforce/test-support.js";
import { BIN, ROOT, run } from "./e2e-support.js";

const DEBUG_SHELL = "10.244.1.23";
const OUTSIDE = "203.0.113.9";

async function namespaces(count: number): Promise<string[]> {
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    const r = await createNetns("pc-cli");
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    names.push(r.value);
  }
  return names;
}

/** Lines of a child's stream, and a way to wait (bounded) for one that matches. */
function lines(stream: NodeJS.ReadableStream): { all: string[]; wait: (re: RegExp, ms?: number) => Promise<string> } {
  const all: string[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: stream }).on("line", (line) => {
    all.push(line);
    for (const w of waiters.splice(0)) w();
  });
  const wait = async (re: RegExp, ms = 10_000): Promise<string> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = all.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) assert.fail(`no line matching ${re} within ${ms} ms: ${JSON.stringify(all)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { all, wait };
}

/** Selects debug-shell too: its pods move to a new group, whose chain an objects diff adds. */
const DEBUG_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: debug-egress, namespace: production }
spec:
  podSelector: { matchLabels: { run: debug-shell } }
  policyTypes: [Egress]
  egress: [{ to: [{ ipBlock: { cidr: 198.51.100.0/24 } }], ports: [{ port: 443 }] }]
`;

test("enforce in a fresh namespace: --watch --log names a denied packet, also under a chain added by a later policy; --counters names the counted rules; Ctrl-C leaves the table; a single run as JSON replaces it", async (t) => {
  if (!(await canUseNetns(t))) return;
  const dir = mkdtempSync(join(tmpdir(), "pc-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(ROOT, "examples/egress"), dir, { recursive: true });
  const names = await namespaces(3);
  const [router, pod, outside] = names as [string, string, string];
  const stops: (() => Promise<void>)[] = [];
  try {
    const wired = await wire(router, [
      { netns: pod, addresses: [DEBUG_SHELL] },
      { netns: outside, addresses: [OUTSIDE] },
    ]);
    assert.ok(wired.ok, wired.ok ? "" : wired.error.message);
    const server = await listen(outside, [80]);
    assert.ok(server.ok, server.ok ? "" : server.error.message);
    stops.push(server.value.stop);

    assert.equal((await listTable(router)).ok, false, "no table before the enforcer starts");
    const child = spawn(process.execPath, [BIN, "enforce", "-f", dir, "--netns", router, "--watch", "--log"], { cwd: ROOT });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    stops.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    const out = lines(child.stdout);
    const err = lines(child.stderr);
    // A fresh namespace: no table before, so the denials are followed from a table made after the start.
    await out.wait(/^applied: replaced the table \(\d+ sets, \d+ elements, \d+ rules, \d+ chains\) in [\d.]+ ms$/);
    const first = await listTable(router);
    assert.match(first.ok ? first.value : "", new RegExp(`${DEBUG_SHELL.replaceAll(".", "\\.")} : jump eg_g[0-9a-f]{12}`), "debug-shell is enforced");
    const probed = await probe(pod, [{ from: DEBUG_SHELL, to: OUTSIDE, port: 80 }], 500);
    assert.deepEqual(probed.ok ? probed.value : probed.error.message, ["timeout"], "debug-shell may send DNS only");
    await out.wait(
      /^denied production\/debug-shell -> 203\.0\.113\.9:80\/TCP: egress isolated by production\/allow-dns, production\/default-deny-egress, no rule allows port 80$/,
    );
    // A new policy: sent as an objects diff (never a new table), and the follower knows the new chain.
    writeFileSync(join(dir, "policies", "debug-egress.yaml"), DEBUG_EGRESS);
    await out.wait(/^applied: 1 set added, 1 chain added, 1 chain removed, \d+ elements? added, \d+ removed /);
    const again = await probe(pod, [{ from: DEBUG_SHELL, to: OUTSIDE, port: 80 }], 500);
    assert.deepEqual(again.ok ? again.value : again.error.message, ["timeout"]);
    await out.wait(
      /^denied production\/debug-shell -> 203\.0\.113\.9:80\/TCP: egress isolated by production\/allow-dns, production\/debug-egress, production\/default-deny-egress, no rule allows port 80$/,
    );
    // --counters names each counted rule id from the same files; the denied probes are counted.
    const counted = await run(["enforce", "-f", dir, "--netns", router, "--counters"], ROOT);
    assert.equal(counted.code, 0, counted.stderr);
    assert.match(counted.stdout, /^PACKETS +BYTES +VERDICT +RULE ID +WHAT$/m);
    assert.match(counted.stdout, /^[1-9]\d* +\d+(\.\d)? (B|KiB) +deny +pc:e:g[0-9a-f]{12} +egress isolated by production\/allow-dns, production\/debug-egress, production\/default-deny-egress, no rule allows$/m);
    const asJson = await run(["enforce", "-f", dir, "--netns", router, "--counters", "-o", "json"], ROOT);
    const rows = (JSON.parse(asJson.stdout) as { counters: { kind: string; packets: number; policies?: { name: string }[] }[] }).counters;
    const denyRow = rows.find((r) => r.kind === "default-deny" && r.policies?.some((p) => p.name === "debug-egress"));
    assert.ok(denyRow !== undefined && denyRow.packets >= 1, asJson.stdout);
    assert.ok(rows.some((r) => r.kind === "rule"), "allow rules are listed too");
    const listed = await listTable(router);
    child.kill("SIGINT");
    assert.equal(await exited, 0, err.all.join("\n"));
    await err.wait(/stopped; the table stays as last applied/, 1000);
    const after = await listTable(router);
    const table = (r: typeof listed): string => (r.ok ? r.value.replace(/counter packets \d+ bytes \d+/g, "counter") : r.error.message);
    assert.equal(table(after), table(listed), "the table stays as last applied");

    const once = await run(["enforce", "-f", dir, "--netns", router, "-o", "json"], ROOT);
    assert.equal(once.code, 0, once.stderr);
    const event = JSON.parse(once.stdout) as { event: string; change: string };
    assert.deepEqual([event.event, event.change], ["applied", "replace"], "every run starts with a whole table");
  } finally {
    for (const stop of stops) await stop();
    for (const name of names) await deleteNetns(name);
  }
});

test("enforce refuses input that would drop every enforced policy (empty stdin, an empty List from kubectl get), exits 5 and leaves the table; --allow-shrink applies", async (t) => {
  if (!(await canUseNetns(t))) return;
  const [router] = (await namespaces(1)) as [string];
  try {
    const table = async (): Promise<string> => {
      const r = await listTable(router);
      return r.ok ? r.value.replace(/counter packets \d+ bytes \d+/g, "counter") : `no table: ${r.error.message}`;
    };
    const first = await run(["enforce", "-f", "examples/egress", "--netns", router], ROOT);
    assert.equal(first.code, 0, first.stderr);
    const applied = await table();

    // An empty pipe: no object at all, an input error (2).
    const empty = await run(["enforce", "-f", "-", "--netns", router], ROOT, "");
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /^<stdin>:1:1: error: holds no Kubernetes object/m);
    assert.equal(await table(), applied, "the table stays after empty input");

    // `kubectl get netpol -A -o json` that found nothing: valid input, which would drop every policy (5).
    const nothingFound = '{"apiVersion": "v1", "kind": "List", "items": [], "metadata": {"resourceVersion": ""}}';
    const refused = await run(["enforce", "-f", "-", "--netns", router], ROOT, nothingFound);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /^portcullis: not applied: the input enforces no policy, the table enforces \d+ rule ids \(policy rules and isolated groups\); the table stays as it is \(--allow-shrink applies it\)$/m);
    assert.equal(await table(), applied, "the table stays after a refused shrink");
    const asJson = await run(["enforce", "-f", "-", "--netns", router, "-o", "json"], ROOT, nothingFound);
    assert.equal(asJson.code, 5);
    assert.deepEqual(Object.keys(JSON.parse(asJson.stdout) as object), ["event", "before", "after", "shrinkPercent", "maxShrinkPercent", "all"]);

    const allowed = await run(["enforce", "-f", "-", "--netns", router, "--allow-shrink"], ROOT, nothingFound);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.doesNotMatch(await table(), /chain eg_g/, "applied: no pod isolated");
  } finally {
    await deleteNetns(router);
  }
});

test("enforce checks the datapath at start: pods bridged on cni0 with br_netfilter's sysctls at 0 get a warning naming the sysctl (applied all the same); at 1, none", async (t) => {
  if (!(await canUseNetns(t))) return;
  const bridge = bridgePreflight();
  if (!bridge.ok) {
    if (process.env["CI"] === "true") assert.fail(bridge.reason);
    return t.skip(bridge.reason);
  }
  const [router, pod] = (await namespaces(2)) as [string, string];
  try {
    const wired = await wire(router, [{ netns: pod, addresses: [DEBUG_SHELL] }], "bridge");
    assert.ok(wired.ok, wired.ok ? "" : `${wired.error.message}: ${wired.error.stderr}`);
    const off = await bridgeNetfilter(router, false);
    assert.ok(off.ok);
    const warned = await run(["enforce", "-f", "examples/egress", "--netns", router], ROOT);
    assert.equal(warned.code, 0, warned.stderr);
    assert.deepEqual(warned.stderr.split("\n").filter((l) => l.includes("bridged")), [
      "portcullis: warning: pods are bridged on cni0 but net.bridge.bridge-nf-call-iptables is 0: same-node IPv4 pod traffic bypasses the rules; set net.bridge.bridge-nf-call-iptables=1",
      "portcullis: warning: pods are bridged on cni0 but net.bridge.bridge-nf-call-ip6tables is 0: same-node IPv6 pod traffic bypasses the rules; set net.bridge.bridge-nf-call-ip6tables=1",
    ]);
    const on = await bridgeNetfilter(router, true);
    assert.ok(on.ok);
    const quiet = await run(["enforce", "-f", "examples/egress", "--netns", router], ROOT);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /bridged/);
  } finally {
    for (const name of [router, pod]) await deleteNetns(name);
  }
});
