/**
 * What a changed set costs nft per kind of set (issue 10, the nft tail): the node agent's element
 * diffs against the 50k-pod ruleset (synthetic(20261121, 50000, 10000, 250), node 0, compiled as
 * events.ts does), split into nft's userspace and the kernel, and the same diffs with the hash
 * sets made pipapo sets again (the layout before branch nft-hash). Everything in network
 * namespaces made here and deleted again.
 *
 * 1. The sets of the ruleset: per type (and interval or not), how many, their elements, sizes.
 * 2. Fixed cost of a command next to the 50k table: a one-element add and delete in a small
 *    second table through an NftSession, in a namespace holding the 50k table and in an empty one.
 *    The difference is nft's cache fetch of the big table (it lists every set before it commits);
 *    also beside the pipapo rewrite, and beside the compiled table without its empty sets (what the count costs).
 * 3. Kernel cost per changed set by type and size: sets of 10 / 100 / 1,000 / 3,000 elements alone
 *    in a namespace, as `addr . inet_proto` interval (pipapo, elements `addr . 0-255`), `ipv4_addr`
 *    hash, `addr . inet_proto . inet_service` interval (pipapo) and hash; 1 and 20 elements added
 *    and deleted through a session; and such a set made new with its elements (as a policy
 *    added makes its rule's sets).
 * 4. The events (pod added, pod deleted, policy added; events.ts's kinds) applied through a
 *    session to the table as compiled (hash sets for exact peers and ports, see rule-sets.ts) and
 *    to the same table with those hash sets made pipapo sets (`addr . 0-255` peer sets looked up
 *    as `ip daddr . meta l4proto @s`, `addr . proto . port` with `flags interval`): which sets
 *    change, and the time.
 * Times are wall ms of session.apply; cpu is the nft child's user / sys CPU over the repetitions
 * (from /proc, clock ticks), per command.
 *
 *   node dist/bench/enforce/set-kinds.js [--events=N] [--reps=N] [--no-sets]   (--no-sets: skip 3)
 */
import { readFileSync } from "node:fs";
import { CompileCache } from "../../src/nft/cache.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { diffRulesets } from "../../src/nft/diff.js";
import { renderRuleset } from "../../src/nft/render.js";
import { ENGINE_OPTIONS } from "../../src/nft/fixture.js";
import type { NftSet, Ruleset } from "../../src/nft/types.js";
import { createNetns, deleteNetns } from "../../src/enforce/netns.js";
import { applyRuleset } from "../../src/enforce/nft.js";
import { NftSession } from "../../src/enforce/nft-session.js";
import { Prng, synthetic } from "./cluster.js";
import { POD_CIDR, type State, kinds, quantile } from "./events.js";

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const EVENTS = arg("events", 20);
const REPS = arg("reps", 20);
const SEED = 20261121;
const TICK_MS = 10; // USER_HZ 100

const out = (m: string): void => void process.stdout.write(`${m}\n`);
const f1 = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** A session whose child's CPU time (user, sys in ms) can be read between commands. */
class TimedSession {
  readonly session: NftSession;
  readonly wall: number[] = [];
  user = 0;
  sys = 0;
  constructor(netns: string) {
    this.session = new NftSession({ netns, maxRssBytes: 1024 * 1048576 });
  }
  private cpu(): [number, number] | null {
    const pid = this.session.pid;
    if (pid === undefined) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(fields[11]) * TICK_MS, Number(fields[12]) * TICK_MS];
  }
  /** Applies `text`; `timed`: its wall time and the child's CPU are counted. */
  async apply(text: string, timed = true): Promise<number> {
    const before = this.cpu();
    const t = performance.now();
    const r = await this.session.apply(text);
    const ms = performance.now() - t;
    if (!r.ok) throw new Error(`nft: ${r.error.stderr.slice(0, 400) || r.error.message}`);
    const after = this.cpu();
    if (timed) {
      this.wall.push(ms);
      if (before !== null && after !== null) {
        this.user += after[0] - before[0];
        this.sys += after[1] - before[1];
      }
    }
    return ms;
  }
  reset(): void {
    this.wall.length = 0;
    this.user = 0;
    this.sys = 0;
  }
  /** `p50 / p99 wall, user / sys cpu per command`. */
  figures(): string[] {
    const n = this.wall.length;
    return [`${f1(quantile(this.wall, 0.5))} / ${f1(quantile(this.wall, 0.99))}`, `${f1(this.user / n)} / ${f1(this.sys / n)}`];
  }
}

async function withNetns<T>(f: (ns: string) => Promise<T>): Promise<T> {
  const ns = await createNetns("pcsets");
  if (!ns.ok) throw new Error(`createNetns: ${ns.error.message}`);
  try {
    return await f(ns.value);
  } finally {
    const d = await deleteNetns(ns.value);
    if (!d.ok) process.stderr.write(`WARNING: could not delete ${ns.value}: ${d.error.message}\n`);
  }
}

function table(title: string, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  out([`\n### ${title}\n`, line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n"));
}

const setKind = (s: NftSet): string => `${s.kind === "map" ? "map " : ""}${s.type}${s.interval ? " (interval)" : ""}`;

// ---------------------------------------------------------------------------------------------
// Pipapo rewrite: the compiler's hash sets (exact peers and ports) made interval sets again

/** Named-port sets of ingress rules were hash sets before branch nft-hash too: they stay. */
const NAMED_SET = /_named_v[46]$/;

/** The set as the layout before nft-hash had it; null when that layout had it as it is. */
function asPipapo(s: NftSet): NftSet | null {
  if (s.interval || s.kind !== "set" || NAMED_SET.test(s.name) || !/^[ei]_/.test(s.name)) return null;
  const fields = s.type.split(" . ");
  if (fields.length === 1 && /_peers_v[46]$/.test(s.name)) return { ...s, type: `${s.type} . inet_proto`, interval: true, elements: s.elements.map((e) => ({ key: `${e.key} . 0-255` })) };
  if (fields.length === 3 && fields[2] === "inet_service") return { ...s, interval: true };
  return null;
}

/** The ruleset with every hash peer and port set a pipapo set, and the peer lookups of the one-field ones rewritten. */
function pipapoLayout(r: Ruleset): Ruleset {
  const oneField = new Set<string>();
  const sets = r.sets.map((s) => {
    const p = asPipapo(s);
    if (p === null) return s;
    if (!s.type.includes(" . ")) oneField.add(s.name);
    return p;
  });
  const lookup = /(ip6? [sd]addr) @([A-Za-z0-9_]+)\b/g;
  const chains = r.chains.map((c) => ({ ...c, rules: c.rules.map((rule) => rule.replace(lookup, (m, sel: string, name: string) => (oneField.has(name) ? `${sel} . meta l4proto @${name}` : m))) }));
  return { ...r, sets, chains };
}

/**
 * The ruleset without its empty sets and the rules that look them up (a rule looking up an empty
 * set matches nothing; the base chain's IPv6 lines go too): only to see what the number of sets
 * costs nft's cache, not a ruleset to enforce.
 */
function withoutEmptySets(r: Ruleset): Ruleset {
  const gone = new Set(r.sets.filter((s) => s.elements.length === 0).map((s) => s.name));
  const refersToGone = (rule: string): boolean => [...rule.matchAll(/@([A-Za-z0-9_]+)/g)].some((m) => gone.has(m[1] as string));
  return { ...r, sets: r.sets.filter((s) => !gone.has(s.name)), chains: r.chains.map((c) => ({ ...c, rules: c.rules.filter((rule) => !refersToGone(rule)) })) };
}

// ---------------------------------------------------------------------------------------------

function distribution(r: Ruleset): void {
  const by = new Map<string, number[]>();
  for (const s of r.sets) {
    const k = setKind(s);
    by.set(k, [...(by.get(k) ?? []), s.elements.length]);
  }
  const rows = [...by].sort((a, b) => b[1].length - a[1].length).map(([k, sizes]) => {
    const sum = sizes.reduce((a, b) => a + b, 0);
    const over = (n: number): string => String(sizes.filter((x) => x > n).length);
    return [k, String(sizes.length), String(sum), String(quantile(sizes, 0.5)), String(quantile(sizes, 0.9)), String(quantile(sizes, 0.99)), String(Math.max(...sizes)), over(100), over(1000)];
  });
  table("Sets of the 50k/10k ruleset (node 0) by type", ["type", "sets", "elements", "p50", "p90", "p99", "max", ">100", ">1000"], rows);
  const p = pipapoLayout(r);
  const rewritten = p.sets.filter((s, k) => s !== r.sets[k]);
  out(`\npipapo rewrite: ${rewritten.length} of ${r.sets.length} sets are hash sets as compiled (${rewritten.reduce((a, s) => a + s.elements.length, 0)} elements), made interval sets`);
  const left = new Map<string, number[]>();
  for (const s of r.sets) if (s.interval && s.type.includes(" . ")) left.set(s.type, [...(left.get(s.type) ?? []), s.elements.length]);
  for (const [t, sizes] of left) out(`  interval as compiled: ${t}: ${sizes.length} sets, ${sizes.reduce((a, b) => a + b, 0)} elements, max ${Math.max(...sizes)}`);
}

/** 2: a one-element command in a small table, beside the 50k table and alone. */
async function fixedCost(fullText: string | null, label: string): Promise<string[]> {
  return withNetns(async (ns) => {
    if (fullText !== null) {
      const r = await applyRuleset(fullText, ns);
      if (!r.ok) throw new Error(`load: ${r.error.stderr.slice(0, 300)}`);
    }
    const s = new TimedSession(ns);
    try {
      await s.apply("table inet small {\n\tset a {\n\t\ttype ipv4_addr\n\t}\n}\n", false);
      for (let k = 0; k < REPS * 2; k++) {
        await s.apply(`add element inet small a { 10.9.0.${k % 250} }\n`);
        await s.apply(`delete element inet small a { 10.9.0.${k % 250} }\n`);
      }
      return [label, ...s.figures()];
    } finally {
      await s.session.close();
    }
  });
}

interface Kind {
  readonly label: string;
  readonly type: string;
  readonly interval: boolean;
  element(k: number): string;
}
const addr = (k: number): string => `10.${100 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
const SET_KINDS: readonly Kind[] = [
  { label: "addr . proto interval (pipapo)", type: "ipv4_addr . inet_proto", interval: true, element: (k) => `${addr(k)} . 0-255` },
  { label: "addr hash", type: "ipv4_addr", interval: false, element: addr },
  { label: "addr . proto . port interval (pipapo)", type: "ipv4_addr . inet_proto . inet_service", interval: true, element: (k) => `${addr(k)} . tcp . 8080` },
  { label: "addr . proto . port hash", type: "ipv4_addr . inet_proto . inet_service", interval: false, element: (k) => `${addr(k)} . tcp . 8080` },
];
const SIZES = [10, 100, 1000, 3000];
const CREATES = 5;

/** 3: kernel cost per changed set by type and size. */
async function perSet(): Promise<void> {
  const rows: string[][] = [];
  const creates: string[][] = [];
  await withNetns(async (ns) => {
    const s = new TimedSession(ns);
    try {
      for (const kind of SET_KINDS) {
        for (const size of SIZES) {
          const elements = Array.from({ length: size }, (_, k) => kind.element(k)).join(",\n");
          const create = `table inet bench {\n\tset s {\n\t\ttype ${kind.type}\n${kind.interval ? "\t\tflags interval\n" : ""}\t\telements = { ${elements} }\n\t}\n}\n`;
          // A new set with its elements (a policy added): made and deleted CREATES times.
          s.reset();
          for (let k = 0; k < CREATES; k++) {
            await s.apply(create);
            await s.apply("delete table inet bench\n", false);
          }
          creates.push([kind.label, String(size), ...s.figures()]);
          await s.apply(create, false);
          for (const n of [1, 20]) {
            const batch = (k: number): string => Array.from({ length: n }, (_, j) => kind.element(size + 1000 + k * 20 + j)).join(", ");
            s.reset();
            const dels: number[] = [];
            let delUser = 0;
            let delSys = 0;
            for (let k = 0; k < REPS; k++) {
              await s.apply(`add element inet bench s { ${batch(k)} }\n`);
              const u = s.user;
              const y = s.sys;
              dels.push(await s.apply(`delete element inet bench s { ${batch(k)} }\n`, true));
              delUser += s.user - u;
              delSys += s.sys - y;
              s.wall.pop();
              s.user = u;
              s.sys = y;
            }
            const [addWall, addCpu] = s.figures();
            rows.push([kind.label, String(size), String(n), addWall as string, addCpu as string, `${f1(quantile(dels, 0.5))} / ${f1(quantile(dels, 0.99))}`, `${f1(delUser / REPS)} / ${f1(delSys / REPS)}`]);
            out(`  ${rows[rows.length - 1]?.join(" | ")}`);
          }
          await s.apply("delete table inet bench\n", false);
        }
      }
    } finally {
      await s.session.close();
    }
  });
  table(`A new set with its elements, alone in a netns (${CREATES} times)`, ["set", "size", "p50 / p99 ms", "cpu user / sys ms"], creates);
  table(`One set alone in a netns: ${REPS} adds and deletes of n elements (session)`, ["set", "size", "n", "add p50 / p99", "add cpu user / sys", "delete p50 / p99", "delete cpu user / sys"], rows);
}

/** What changed in each set between two rulesets: `type size±n` per set that stays, `+type size` per new set. */
function changedSets(a: Ruleset, b: Ruleset): string[] {
  const old = new Map(a.sets.map((s) => [s.name, s]));
  const res: string[] = [];
  for (const s of b.sets) {
    const o = old.get(s.name);
    if (o === undefined) {
      res.push(`new ${setKind(s)} ${s.elements.length}`);
      continue;
    }
    if (o === s || (o.elements.length === s.elements.length && o.elements.every((e, k) => e.key === s.elements[k]?.key && e.value === s.elements[k]?.value))) continue;
    const ok = new Set(o.elements.map((e) => `${e.key}:${e.value ?? ""}`));
    const nk = new Set(s.elements.map((e) => `${e.key}:${e.value ?? ""}`));
    const added = [...nk].filter((k) => !ok.has(k)).length;
    const removed = [...ok].filter((k) => !nk.has(k)).length;
    res.push(`${setKind(s)} ${o.elements.length}${added > 0 ? ` +${added}` : ""}${removed > 0 ? ` -${removed}` : ""}`);
  }
  return res;
}

/** 4: the events through a session, on the table as compiled and on its pipapo rewrite. */
async function events(): Promise<void> {
  const s = synthetic(SEED, 50_000, 10_000, 250);
  const cache = new CompileCache();
  const compile = (st: State) => compileRuleset(st.cluster, ENGINE_OPTIONS, { localPods: st.local, podCidrs: POD_CIDR }, { cache });
  let state: State = { cluster: s.cluster, local: s.node0 };
  const first = compile(state);
  distribution(first.ruleset);
  out("\nfixed cost of a one-element command in a second small table (session):");
  const pipapo = pipapoLayout(first.ruleset);
  const fewer = withoutEmptySets(first.ruleset);
  const fixed = [
    [...(await fixedCost(null, "empty netns")), "0"],
    [...(await fixedCost(first.text, "beside the 50k table as compiled (hash)")), String(first.ruleset.sets.length)],
    [...(await fixedCost(renderRuleset(pipapo), "beside the 50k table, pipapo rewrite")), String(pipapo.sets.length)],
    [...(await fixedCost(renderRuleset(fewer), "beside the 50k table as compiled, no empty sets")), String(fewer.sets.length)],
  ];
  table(`Fixed cost per command (${REPS * 4} commands)`, ["netns", "p50 / p99 ms", "cpu user / sys ms", "sets in the big table"], fixed);
  await withNetns((nsA) =>
    withNetns(async (nsB) => {
      let loaded = first.ruleset;
      let loadedPipapo = pipapoLayout(loaded);
      for (const [ns, text] of [
        [nsA, first.text],
        [nsB, renderRuleset(loadedPipapo)],
      ] as const) {
        const r = await applyRuleset(text, ns);
        if (!r.ok) throw new Error(`load: ${r.error.stderr.slice(0, 300)}`);
      }
      const a = new TimedSession(nsA);
      const b = new TimedSession(nsB);
      const rows: string[][] = [];
      try {
        for (const kind of kinds(s, new Prng(SEED ^ 0xe7e7))) {
          const shapes = new Map<string, number>();
          const shapesPipapo = new Map<string, number>();
          a.reset();
          b.reset();
          for (let k = 0; k < EVENTS; k++) {
            const next = kind.next(state, k);
            const compiled = compile(next).ruleset;
            const pipapoed = pipapoLayout(compiled);
            const d = diffRulesets(loaded, compiled);
            const dh = diffRulesets(loadedPipapo, pipapoed);
            for (const c of changedSets(loaded, compiled)) shapes.set(c, (shapes.get(c) ?? 0) + 1);
            for (const c of changedSets(loadedPipapo, pipapoed)) shapesPipapo.set(c, (shapesPipapo.get(c) ?? 0) + 1);
            // Alternate which goes first (the two namespaces share the machine).
            if (k % 2 === 0) {
              if (d.text !== "") await a.apply(d.text);
              if (dh.text !== "") await b.apply(dh.text);
            } else {
              if (dh.text !== "") await b.apply(dh.text);
              if (d.text !== "") await a.apply(d.text);
            }
            state = next;
            loaded = compiled;
            loadedPipapo = pipapoed;
          }
          rows.push([kind.label, "as compiled (hash)", ...a.figures()], [kind.label, "pipapo rewrite", ...b.figures()]);
          out(`\n${kind.label}: changed sets over ${EVENTS} events (as compiled):`);
          for (const [c, n] of [...shapes].sort((x, y) => y[1] - x[1]).slice(0, 12)) out(`  ${n}× ${c}`);
          out(`${kind.label}: changed sets (pipapo rewrite):`);
          for (const [c, n] of [...shapesPipapo].sort((x, y) => y[1] - x[1]).slice(0, 12)) out(`  ${n}× ${c}`);
        }
      } finally {
        await a.session.close();
        await b.session.close();
      }
      table(`Events through a session, 50k/10k node 0 (${EVENTS} per kind)`, ["event", "layout", "apply p50 / p99 ms", "cpu user / sys ms"], rows);
    }),
  );
}

async function main(): Promise<void> {
  out(`# set kinds: ${new Date().toISOString()}, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
  if (!process.argv.includes("--no-sets")) await perSet();
  await events();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
