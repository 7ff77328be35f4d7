/**
 * Issue 12, "Proof with real packets": "Differential test: random domain rules and DNS snapshots,
 * lab-observed == engine." fast-check draws a few pods in one or two namespaces, Admin-tier
 * ClusterNetworkPolicies with `domainNames` Accept rules (exact names, `*.` wildcards, apexes, mixed
 * case, trailing dots) and ports, a lower-precedence Deny of 0.0.0.0/0 (so the domain rules decide),
 * DNS allowed to the lab DNS pod over UDP and TCP 53, and a DNS zone (A records in 203.0.113.0/24 on
 * the lab internet, CNAME chains) that the lab DNS pod serves.
 *
 * In the lab, the node namespace runs what the node agent runs with `--dns-proxy` (as
 * dns-proxy-packets.test.ts: the proxy, the learner fed by its hook, the ruleset with the redirect).
 * Every pod resolves every name of the zone through its ordinary DNS address (redirected to the
 * proxy, never fed to the learner by the test), then probes every (address, port) of the zone and
 * one address no name resolves to. The engine answers the same probes with the same cluster and a
 * `DnsSnapshot` of the zone ("every pod resolved every name": exactly what the lab did). They must
 * agree. A second test runs one case with the learner given no rules: the lab then denies what the
 * engine allows, so the property can fail.
 *
 * Elements live `max(TTL, 600) + 5` s here: expiry is tested by dns-proxy-packets.test.ts, not here.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type DnsName, dnsName } from "../dns/names.js";
import { type DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import { Engine } from "../engine/engine.js";
import type { EngineOptions, Verdict } from "../engine/types.js";
import { loadCluster } from "../k8s/load.js";
import { labUp } from "../lab/index.js";
import { AgentChild } from "../testing/dns-agent-child.js";
import { labSkip } from "../lab/testing.js";
import type { LabSpec } from "../lab/types.js";
import { AddressSet } from "../net/address-set.js";
import { cidrOf } from "../net/cidr.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";

const skip = await labSkip();

/** Runs per test run: each brings up a lab and an agent (~10-20 s). */
const RUNS = 3;
/** Every run, from lab up to lab down, must end within this. */
const RUN_MS = 90_000;

const ip = (text: string): Ip => parseIp(text) ?? assert.fail(text);
const name = (text: string): DnsName => dnsName(text) ?? assert.fail(text);

const DNS = "10.244.0.53";
const NAMESPACES = ["dd-a", "dd-b"] as const;
const ROLES = ["red", "blue"] as const;
const PORTS = [80, 443, 8443] as const;
const ADDRESSES = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.6"];
/** In every zone, a name no pattern can match (no pattern is drawn under example.org): a resolved address that stays denied. */
const UNMATCHED = { text: "other.example.org", address: "203.0.113.99" };
/** No name of any zone resolves to it. */
const UNRESOLVED = "203.0.113.250";
const OPTIONS: EngineOptions = { podNetwork: AddressSet.fromCidr(cidrOf(ip("10.244.0.0"), 16)), ipBlockMatchesPods: true };

// ---- the random case ----

/** Names 0-2 labels below two parents, in mixed case: `shop.test`, `B.a.Shop.Test`, `www.cdn.example`. */
const arbNameText = fc
  .tuple(fc.array(fc.constantFrom("a", "b", "B", "www"), { maxLength: 2 }), fc.constantFrom("shop.test", "Shop.Test", "cdn.example"))
  .map(([labels, parent]) => [...labels, parent].join("."));

/** A `domainNames` entry: exact or `*.`, sometimes with a trailing dot. */
const arbPattern = fc.tuple(fc.boolean(), arbNameText, fc.integer({ min: 0, max: 3 })).map(([wildcard, text, dot]) => `${wildcard ? "*." : ""}${text}${dot === 0 ? "." : ""}`);

const SUBJECTS = [
  "{namespaces: {}}",
  ...NAMESPACES.map((ns) => `{namespaces: {matchLabels: {kubernetes.io/metadata.name: ${ns}}}}`),
  ...ROLES.map((role) => `{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: ${role}}}}}`),
  "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: p0}}}}",
];

const PROTOCOLS = [
  "",
  "[{tcp: {destinationPort: {number: 443}}}]",
  "[{tcp: {destinationPort: {number: 80}}}, {tcp: {destinationPort: {number: 8443}}}]",
  "[{tcp: {destinationPort: {range: {start: 400, end: 8000}}}}]",
];

const arbRule = fc.record({ patterns: fc.uniqueArray(arbPattern, { minLength: 1, maxLength: 3 }), protocols: fc.constantFrom(...PROTOCOLS) });

/** A zone entry: A records (1-2 addresses), or a CNAME to the zone's name at `target` (chains, sometimes loops). */
const arbA = fc.subarray(ADDRESSES, { minLength: 1, maxLength: 2 }).map((addresses) => ({ kind: "A" as const, addresses }));
const arbEntry = fc.record({
  text: arbNameText,
  ttl: fc.integer({ min: 0, max: 600 }),
  record: fc.oneof({ weight: 3, arbitrary: arbA }, { weight: 2, arbitrary: fc.nat().map((target) => ({ kind: "CNAME" as const, target })) }),
});

const arbCase = fc.record({
  pods: fc.array(fc.record({ namespace: fc.constantFrom(...NAMESPACES), role: fc.constantFrom(...ROLES) }), { minLength: 2, maxLength: 4 }),
  /** The zone's first name has A records; policy 0 names it exactly (so some probe is allowed). */
  head: fc.record({ text: arbNameText, ttl: fc.integer({ min: 0, max: 600 }), record: arbA }),
  zone: fc.uniqueArray(arbEntry, { minLength: 1, maxLength: 4, selector: (e) => name(e.text) }),
  /** Policy 0 selects every pod and names the head exactly, with random other patterns; the other policies are drawn whole. */
  first: fc.record({ rule: arbRule, exactDot: fc.boolean() }),
  policies: fc.array(fc.record({ subject: fc.constantFrom(...SUBJECTS), rules: fc.array(arbRule, { minLength: 1, maxLength: 2 }) }), { maxLength: 2 }),
  /** A Deny of one zone address on 443 before the domain rules (priority 8): the learned sets sit at their rule's place in the tier walk. */
  denyFirst: fc.option(fc.constantFrom(...ADDRESSES), { nil: undefined }),
  /** How the pods ask: the redirect and the proxy serve both. */
  over: fc.constantFrom("udp" as const, "tcp" as const),
});

type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

interface Zone {
  /** Names as written (mixed case kept), the one every pod asks. */
  readonly names: readonly string[];
  readonly lab: NonNullable<LabSpec["pods"][number]["dns"]>;
  readonly records: readonly DnsRecord[];
  /** Every address some A record holds. */
  readonly addresses: readonly string[];
}

function zoneOf(c: Case): Zone {
  const drawn = [c.head, ...c.zone].filter((e, i, all) => all.findIndex((o) => name(o.text) === name(e.text)) === i);
  const entries = [...drawn, { text: UNMATCHED.text, ttl: 60, record: { kind: "A" as const, addresses: [UNMATCHED.address] } }];
  const names: Record<string, string[]> = {};
  const cnames: Record<string, string> = {};
  const ttls: Record<string, number> = {};
  const records: DnsRecord[] = [];
  for (const e of entries) {
    ttls[e.text] = e.ttl;
    if (e.record.kind === "A") {
      names[e.text] = [...e.record.addresses];
      for (const a of e.record.addresses) records.push({ kind: "address", name: name(e.text), address: ip(a), ttl: e.ttl });
    } else {
      // Never to UNMATCHED: its address must stay admitted by no pattern.
      const target = (drawn[e.record.target % drawn.length] ?? assert.fail("target")).text;
      cnames[e.text] = target;
      records.push({ kind: "cname", name: name(e.text), target: name(target), ttl: e.ttl });
    }
  }
  const addresses = [...new Set(Object.values(names).flat())].sort();
  return { names: entries.map((e) => e.text), lab: { names, cnames, ttls }, records, addresses };
}

const podId = (c: Case, i: number): string => `${(c.pods[i] ?? assert.fail("pod")).namespace}/p${i}`;
const podIp = (i: number): string => `10.244.0.${10 + i}`;

function domainRule(r: { readonly patterns: readonly string[]; readonly protocols: string }, i: number): string {
  return `  - {name: names-${i}, action: Accept, to: [{domainNames: [${r.patterns.map((p) => JSON.stringify(p)).join(", ")}]}]${r.protocols === "" ? "" : `, protocols: ${r.protocols}`}}`;
}

function cnp(policyName: string, priority: number, subject: string, rules: readonly string[]): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${policyName}}
spec:
  tier: Admin
  priority: ${priority}
  subject: ${subject}
  egress:
${rules.join("\n")}`;
}

/** The policies (what a counterexample prints): DNS allowed, the domain Accepts, the Deny of the rest. */
function policiesYaml(c: Case): string {
  const exact = `${c.head.text}${c.first.exactDot ? "." : ""}`;
  const first = { ...c.first.rule, patterns: [exact, ...c.first.rule.patterns.filter((p) => p !== exact)] };
  return [
    cnp("allow-dns", 1, "{namespaces: {}}", [
      "  - name: dns",
      "    action: Accept",
      "    to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]",
      "    protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]",
    ]),
    ...(c.denyFirst === undefined ? [] : [cnp("deny-first", 8, "{namespaces: {}}", [`  - {name: one, action: Deny, to: [{networks: [${c.denyFirst}/32]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}`])]),
    cnp("domains-0", 10, "{namespaces: {}}", [domainRule(first, 0)]),
    ...c.policies.map((p, k) => cnp(`domains-${k + 1}`, 11 + k, p.subject, p.rules.map(domainRule))),
    cnp("deny-rest", 50, "{namespaces: {}}", ["  - {name: rest, action: Deny, to: [{networks: [0.0.0.0/0]}]}"]),
  ].join("\n---\n");
}

/** The cluster as the agent's view holds it; the kube-dns Service's ClusterIP is the DNS pod's own address (the lab has no kube-proxy). */
function clusterYaml(c: Case, policies: string): string {
  const pods = c.pods.map(
    (p, i) => `apiVersion: v1
kind: Pod
metadata: {name: p${i}, namespace: ${p.namespace}, labels: {app: p${i}, role: ${p.role}}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: ${podIp(i)}}`,
  );
  return [
    ...pods,
    `apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 53, protocol: UDP, name: dns}, {containerPort: 53, protocol: TCP, name: dns-tcp}]}]}
status: {podIP: ${DNS}}`,
    `apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec: {clusterIP: ${DNS}, selector: {k8s-app: kube-dns}, ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]}`,
    policies,
  ].join("\n---\n");
}

function labSpec(c: Case, zone: Zone): LabSpec {
  return {
    pods: [
      ...c.pods.map((_, i) => ({ id: podId(c, i), ips: [ip(podIp(i))], ports: [] })),
      {
        id: "kube-system/coredns",
        ips: [ip(DNS)],
        ports: [
          { port: 53, protocol: "UDP" as const },
          { port: 53, protocol: "TCP" as const },
        ],
        dns: zone.lab,
      },
    ],
    internet: { ports: PORTS.map((port) => ({ port, protocol: "TCP" as const })) },
  };
}

// ---- one run: the lab, the engine, the comparison ----

interface Probe {
  readonly pod: number;
  readonly address: string;
  readonly port: number;
}

interface Outcome {
  readonly probe: Probe;
  readonly lab: Verdict;
  readonly labDetail: string;
  readonly engine: Verdict;
  /** An address of the zone (not UNRESOLVED). */
  readonly domain: boolean;
}

interface RunResult {
  readonly outcomes: readonly Outcome[];
  readonly policies: string;
  readonly zone: Zone;
  /** Answers the agent's learner saw (the lookups went through the proxy). */
  readonly answers: number;
}

function probes(c: Case, zone: Zone): Probe[] {
  return c.pods.flatMap((_, pod) => [...zone.addresses.flatMap((address) => PORTS.map((port) => ({ pod, address, port }))), { pod, address: UNRESOLVED, port: 443 }]);
}

async function runCase(c: Case, learning: boolean): Promise<RunResult> {
  const zone = zoneOf(c);
  const policies = policiesYaml(c);
  const text = clusterYaml(c, policies);
  const loaded = loadCluster([{ file: "diff.yaml", text }]);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === "error"), [], text);
  const cluster = loaded.value;
  const engine = Engine.compile(cluster, { ...OPTIONS, dns: new DnsSnapshot(zone.records) });
  const all = probes(c, zone);
  const lab = await labUp(labSpec(c, zone));
  let agent: AgentChild | undefined;
  try {
    const started = await AgentChild.start(lab, { cluster: text, minTtl: 600, grace: 5, learning });
    agent = started.agent;
    assert.ok(started.ready.ready >= 1 && started.ready.redirect, `the agent child: ${JSON.stringify(started.ready)}`);
    // Every pod resolves every name of the zone, through its ordinary DNS address (the redirect takes subjects' queries to the proxy).
    await Promise.all(
      c.pods.map(async (_, i) => {
        for (const n of zone.names) {
          const r = await lab.dnsLookup(podId(c, i), ip(DNS), n, c.over);
          assert.ok(r.ok && (r.rcode === 0 || r.rcode === 3), `${podId(c, i)} resolving ${n}: ${JSON.stringify(r)}`);
        }
      }),
    );
    const answers = await agent.answers();
    const observed = await Promise.all(
      c.pods.map((_, i) => {
        const mine = all.filter((p) => p.pod === i);
        return lab.probe(podId(c, i), mine.map((p) => ({ ip: ip(p.address), port: p.port, protocol: "TCP" as const })), { timeoutMs: 700 }).then((rs) => rs.map((r, k) => ({ probe: mine[k] as Probe, r })));
      }),
    );
    const outcomes = observed.flat().map(({ probe, r }): Outcome => {
      const endpoint = cluster.endpoints.find((e) => e.id === podId(c, probe.pod)) ?? assert.fail(podId(c, probe.pod));
      const engineVerdict = engine.check({ from: { kind: "endpoint", endpoint }, to: { kind: "external", addresses: AddressSet.fromIp(ip(probe.address)) }, port: probe.port, protocol: "TCP" }).verdict;
      return { probe, lab: r.reachable ? "allowed" : "denied", labDetail: r.outcome, engine: engineVerdict, domain: probe.address !== UNRESOLVED };
    });
    return { outcomes, policies, zone, answers };
  } finally {
    agent?.child.kill("SIGKILL");
    await lab.down();
  }
}

function zoneText(zone: Zone): string {
  return zone.records.map((r) => (r.kind === "address" ? `  ${r.name} A ${formatIp(r.address)} ttl ${r.ttl}` : `  ${r.name} CNAME ${r.target} ttl ${r.ttl}`)).join("\n");
}

function counterexample(c: Case, run: RunResult, o: Outcome): string {
  return `lab ${o.lab} (${o.labDetail}), engine ${o.engine}: ${podId(c, o.probe.pod)} (${podIp(o.probe.pod)}) -> ${o.probe.address} TCP ${o.probe.port}
pods: ${c.pods.map((p, i) => `${podId(c, i)} role=${p.role}`).join(", ")}
zone (served by the lab DNS pod; names asked as written: ${run.zone.names.join(", ")}):
${zoneText(run.zone)}
policies:
${run.policies}`;
}

// ---- the tests ----

const seed = Number(process.env["DNS_DIFF_SEED"] ?? Date.now() % 2 ** 31);

test(`differential with real packets: random domain rules and DNS zones, lab-observed == engine with the zone as its snapshot (${RUNS} runs; the seed is printed, DNS_DIFF_SEED=N repeats it)`, { skip, timeout: RUNS * RUN_MS }, async (t) => {
  t.diagnostic(`seed ${seed} (DNS_DIFF_SEED=${seed} repeats these runs)`);
  let allowed = 0;
  let denied = 0;
  await fc.assert(
    fc.asyncProperty(arbCase, async (c) => {
      const started = performance.now();
      const run = await runCase(c, true);
      assert.ok(run.answers >= c.pods.length, `the lookups went through the proxy: ${run.answers} answers`);
      for (const o of run.outcomes) {
        assert.notEqual(o.engine, "depends", "with a snapshot the verdict is definite");
        assert.equal(o.lab, o.engine, counterexample(c, run, o));
        if (o.domain && o.lab === "allowed") allowed++;
        if (o.domain && o.lab === "denied") denied++;
      }
      t.diagnostic(`run: ${c.pods.length} pods, ${run.zone.names.length} names over ${c.over}, ${run.outcomes.length} probes agree (${run.outcomes.filter((o) => o.lab === "allowed").length} allowed) in ${Math.round(performance.now() - started)} ms`);
      assert.ok(performance.now() - started < RUN_MS, "a run within its bound");
    }),
    { numRuns: RUNS, seed, endOnFailure: true, includeErrorInReport: true },
  );
  // Not vacuous: the domain rules opened some resolved address and left another closed.
  assert.ok(allowed > 0 && denied > 0, `domain probes allowed ${allowed}, denied ${denied}`);
});

test("the same property fails when the learner learns nothing: the lab denies what the engine allows (so lab == engine above is the learner's doing)", { skip, timeout: RUN_MS }, async () => {
  const c = fc.sample(arbCase, { numRuns: 1, seed: 12 })[0] ?? assert.fail("a case");
  const run = await runCase(c, false);
  const disagree = run.outcomes.filter((o) => o.lab !== o.engine);
  assert.ok(disagree.length > 0, "some probe the engine allows");
  assert.deepEqual(
    disagree.filter((o) => !(o.engine === "allowed" && o.lab === "denied" && o.domain)).map((o) => counterexample(c, run, o)),
    [],
    "every disagreement is a domain address the engine allows and the lab, learning nothing, denies",
  );
});
