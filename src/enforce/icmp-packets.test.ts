/**
 * ICMP through the compiled ruleset (issue 10): a rule without ports admits every protocol ("If this
 * field is empty or missing, this rule matches all ports", and a NetworkPolicyPort names TCP, UDP or
 * SCTP only, so a rule without ports is the only one that admits ICMP). The ruleset holds such
 * peers in concatenated sets (`ip saddr . meta l4proto @…_peers_vN`, elements `addr . 0-255`): this
 * test sends real echo requests (ping, IPv4 and IPv6) through them in namespaces it creates, for
 * pod peers and ipBlock peers, egress and ingress, and checks the ones no rule admits get no reply.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadCluster } from "../k8s/load.js";
import { AddressSet } from "../net/address-set.js";
import { compileRuleset } from "../nft/compile.js";
import { cidr } from "../nft/fixture.js";
import { wire } from "./mini-lab.js";
import { createNetns, deleteNetns, execIn, netnsSupport } from "./netns.js";
import { applyRuleset } from "./nft.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;

test("ICMP packet tests run in CI", { skip: process.env["CI"] === "true" ? false : "not CI" }, () => {
  assert.ok(support.ok, `namespace tests must run in CI: ${support.reason}`);
});

const CLIENT = "10.244.1.5";
const CLIENT6 = "fd00:1::5";
const SERVER = "10.244.1.6";
const SERVER6 = "fd00:1::6";
const OTHER = "10.244.1.7";
const OTHER6 = "fd00:1::7";
const PARTNER = "203.0.113.1";
const PARTNER6 = "2001:db8::1";
const STRANGER = "198.51.100.1";

const pod = (name: string, app: string, ips: readonly string[]): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: prod, labels: {app: ${app}}}
spec: {nodeName: node-1, containers: [{name: c, image: app}]}
status: {phase: Running, podIP: ${ips[0]}, podIPs: [${ips.map((ip) => `{ip: "${ip}"}`).join(", ")}]}
`;
const CLUSTER = [
  "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {kubernetes.io/metadata.name: prod}}\n",
  pod("client", "client", [CLIENT, CLIENT6]),
  pod("server", "server", [SERVER, SERVER6]),
  pod("other", "other", [OTHER, OTHER6]),
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-egress, namespace: prod}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: server}}}]
  - to: [{ipBlock: {cidr: 203.0.113.0/24}}, {ipBlock: {cidr: "2001:db8::/64"}}]
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server-ingress, namespace: prod}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
`,
].join("---\n");

const decoded = loadCluster([{ file: "icmp.yaml", text: CLUSTER }]);
const compiled = compileRuleset(decoded.value, { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")).union(AddressSet.fromCidr(cidr("fd00:1::/64"))), ipBlockMatchesPods: true });

interface Ping {
  readonly from: string;
  readonly to: string;
  /** What the policies say: the echo request is admitted (and its reply, a tracked connection's). */
  readonly admitted: boolean;
  readonly why: string;
}

const PINGS: readonly Ping[] = [
  { from: CLIENT, to: SERVER, admitted: true, why: "client's egress rule to app=server has no ports; server's ingress from app=client has none" },
  { from: CLIENT6, to: SERVER6, admitted: true, why: "the same over IPv6 (ICMPv6)" },
  { from: CLIENT, to: PARTNER, admitted: true, why: "an ipBlock rule without ports" },
  { from: CLIENT6, to: PARTNER6, admitted: true, why: "an IPv6 ipBlock rule without ports" },
  { from: CLIENT, to: OTHER, admitted: false, why: "client is egress-isolated and no rule selects app=other" },
  { from: CLIENT, to: STRANGER, admitted: false, why: "outside every ipBlock of client's rules" },
  { from: OTHER, to: SERVER, admitted: false, why: "server is ingress-isolated and admits app=client only" },
  { from: OTHER6, to: SERVER6, admitted: false, why: "the same over IPv6" },
  { from: OTHER, to: STRANGER, admitted: true, why: "other is selected by no policy" },
];

describe("ICMP echo through rules without ports (selector peers: hash sets of addresses; ipBlocks: peers sets with `. 0-255`)", { skip }, () => {
  const names: string[] = [];
  const control = new Map<Ping, boolean>();
  const results = new Map<Ping, boolean>();
  const nsOf = new Map<string, string>();

  const ok = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T => {
    assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
    return r.value;
  };
  /** One echo request from `p.from`, waiting at most 2 s for its reply: whether one came. */
  const ping = async (p: Ping): Promise<boolean> => {
    const r = await execIn(nsOf.get(p.from) as string, ["ping", "-n", "-q", "-c", "1", "-w", "2", "-I", p.from, p.to], 10_000);
    if (r.ok) return true;
    // ping exits 1 when no reply came; anything else (2: a local error) is the test's failure.
    assert.equal(r.error.exitCode, 1, `${p.from} -> ${p.to}: ${r.error.message}: ${r.error.stderr}`);
    return false;
  };

  before(async () => {
    assert.deepEqual(decoded.diagnostics.filter((d) => d.severity === "error"), []);
    for (let k = 0; k < 5; k++) names.push(ok(await createNetns()));
    const [router, client, server, other, outside] = names as [string, string, string, string, string];
    for (const [ns, ips] of [[client, [CLIENT, CLIENT6]], [server, [SERVER, SERVER6]], [other, [OTHER, OTHER6]], [outside, [PARTNER, PARTNER6, STRANGER]]] as const) {
      for (const ip of ips) nsOf.set(ip, ns);
    }
    ok(await wire(router, [
      { netns: client, addresses: [CLIENT, CLIENT6] },
      { netns: server, addresses: [SERVER, SERVER6] },
      { netns: other, addresses: [OTHER, OTHER6] },
      { netns: outside, addresses: [PARTNER, PARTNER6, STRANGER], outside: true },
    ]));
    for (const p of PINGS) control.set(p, await ping(p));
    ok(await applyRuleset(compiled.text, router));
    for (const p of PINGS) results.set(p, await ping(p));
  });

  after(async () => {
    for (const name of names) await deleteNetns(name);
  });

  test("without the table every echo request is answered: the topology carries them all", () => {
    assert.deepEqual([...control].filter(([, replied]) => !replied).map(([p]) => `${p.from} -> ${p.to}`), []);
  });

  test("the ruleset holds the selector rules without ports as one-field hash sets looked up by address alone, the ipBlock rules as `. 0-255` elements of concatenated peers sets", () => {
    assert.match(compiled.text, /ip saddr @\S+_peers_v4 counter/);
    assert.match(compiled.text, /ip6 saddr @\S+_peers_v6 counter/);
    assert.match(compiled.text, /ip daddr @\S+_peers_v4 counter/);
    assert.match(compiled.text, /ip daddr \. meta l4proto @\S+_peers_v4 counter/);
    assert.match(compiled.text, /203\.0\.113\.0\/24 \. 0-255/);
  });

  for (const p of PINGS) {
    test(`${p.from} -> ${p.to}: ${p.admitted ? "answered" : "no reply"} (${p.why})`, () => {
      assert.equal(results.get(p), p.admitted);
    });
  }
});
