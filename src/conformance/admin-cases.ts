/**
 * The upstream admin policy conformance suite (kubernetes-sigs/network-policy-api
 * conformance/tests/*.go), reproduced as cases of `check`: each case names the upstream test
 * function and file, and its subtest; the manifests are ours (src/conformance/admin-world.ts), the
 * expectations are what the upstream test asserts with `PokeServer(..., shouldConnect)`. Upstream
 * edits a policy between subtests (swaps rules, patches an action, inserts a rule, deletes a
 * NetworkPolicy): each such state is its own case here, with the policies as they stand then.
 *
 * Every case is run as written upstream (v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy,
 * or v1alpha2 ClusterNetworkPolicy for the CNP-era tests) and as its equivalent in the other API
 * version (src/conformance/admin-conformance.test.ts).
 */
import type { Protocol } from "../model/ports.js";
import type { ConformanceCase, Expectation } from "./cases.js";
import { policy } from "./manifests.js";
import {
  type AdminSpec,
  CENTAUR,
  DUMBLEDORE,
  HAIRPIN_SERVICE,
  houseLabel,
  LINUX_NODES,
  namedPort,
  namespaces,
  networks,
  NODE_2_EXTERNAL_IP,
  nodes,
  ns,
  nsName,
  podName,
  pods,
  port,
  portRange,
  QUIRRELL,
  type Rule,
  rule,
  staff,
  student,
  studentIp,
  swap,
  v1alpha1,
  v1alpha2,
  WORLD,
} from "./admin-world.js";

export interface Upstream {
  /** The Go test variable (its ShortName). */
  readonly test: string;
  /** conformance/tests/<file> */
  readonly file: string;
}

export interface AdminConformanceCase {
  readonly upstream: Upstream;
  /** The upstream subtest (`t.Run`) this case reproduces, and the state of the policies then. */
  readonly name: string;
  /** How upstream writes the policies: the other version is checked as the equivalent. */
  readonly written: "v1alpha1" | "v1alpha2";
  /** Why the case has no v1alpha1 equivalent (a field only v1alpha2 has); absent: it has one. */
  readonly onlyV1alpha2?: string;
  readonly policies: readonly AdminSpec[];
  /** Other objects beside them: NetworkPolicies (the API integration tests), a Service (hairpin). */
  readonly objects?: readonly Record<string, unknown>[];
  readonly expect: readonly AdminExpectation[];
}

/** An expectation; `viaService`: the destination is reached through a Service that load-balances to it (hairpin when it is the source). */
export type AdminExpectation = Expectation & { readonly viaService?: true };

/** The case as a conformance case of one API version: the world, its policies in that version, its other objects. */
export function asWritten(c: AdminConformanceCase, api: "v1alpha1" | "v1alpha2"): ConformanceCase {
  const write = api === "v1alpha1" ? v1alpha1 : v1alpha2;
  return { name: c.name, objects: [...WORLD, ...c.policies.map(write), ...(c.objects ?? [])], expect: c.expect };
}

const allowed = (from: string, to: string, p: number, protocol: Protocol = "TCP"): Expectation => ({ from, to, port: p, protocol, verdict: "allowed" });
const denied = (from: string, to: string, p: number, protocol: Protocol = "TCP"): Expectation => ({ from, to, port: p, protocol, verdict: "denied" });

const HP0 = student("gryffindor", 0);
const HP1 = student("gryffindor", 1);
const DRACO0 = student("slytherin", 0);
const DRACO1 = student("slytherin", 1);
const CEDRIC0 = student("hufflepuff", 0);
const CEDRIC1 = student("hufflepuff", 1);
const LUNA0 = student("ravenclaw", 0);
const LUNA1 = student("ravenclaw", 1);

const GRYFFINDOR = namespaces(nsName("gryffindor"));

/** A protocol's two server ports in the base manifests: TCP 80/8080, UDP 53/5353, SCTP 9003/9005. */
interface ProtocolPorts {
  readonly protocol: Protocol;
  /** The port the "at-port" Deny/Pass rules name (slytherin). */
  readonly first: number;
  /** The port the "at-port" Allow rules name (hufflepuff, the staff). */
  readonly second: number;
}

const TCP: ProtocolPorts = { protocol: "TCP", first: 80, second: 8080 };
const UDP: ProtocolPorts = { protocol: "UDP", first: 5353, second: 53 };
const SCTP: ProtocolPorts = { protocol: "SCTP", first: 9003, second: 9005 };

type Direction = "egress" | "ingress";

/**
 * The rules of the core per-protocol tests (core-{egress,ingress}-{tcp,udp,sctp}-rules.yaml), for
 * the gryffindor subject: everything from/to ravenclaw Allow, Deny, Pass (in that order); slytherin
 * at the first port Deny, Pass; hufflepuff at the second port Allow, then the rest Deny; the staff
 * pods by pod name: quirrell Deny, dumbledore Allow at the second port, the rest of dumbledore Deny.
 * A BaselineAdminNetworkPolicy cannot Pass: its list has no Pass rules.
 */
function protocolRules(p: ProtocolPorts, direction: Direction, baseline: boolean): Rule[] {
  const at = [port(p.protocol, p.first)];
  const second = [port(p.protocol, p.second)];
  const way = direction === "egress" ? "to" : "from";
  const list: (Rule | null)[] = [
    rule(`allow-${way}-ravenclaw-everything`, "Allow", [namespaces(nsName("ravenclaw"))]),
    rule(`deny-${way}-ravenclaw-everything`, "Deny", [namespaces(nsName("ravenclaw"))]),
    baseline ? null : rule(`pass-${way}-ravenclaw-everything`, "Pass", [namespaces(nsName("ravenclaw"))]),
    rule(`deny-${way}-slytherin-at-port-${p.first}`, "Deny", [namespaces(nsName("slytherin"))], at),
    baseline ? null : rule(`pass-${way}-slytherin-at-port-${p.first}`, "Pass", [namespaces(nsName("slytherin"))], at),
    rule(`allow-${way}-hufflepuff-at-port-${p.second}`, "Allow", [namespaces(nsName("hufflepuff"))], second),
    rule(`deny-${way}-hufflepuff-everything-else`, "Deny", [namespaces(nsName("hufflepuff"))]),
    rule(`deny-${way}-professor-quirrell-at-port-${p.second}`, "Deny", [staff("professor-quirrell-0")], second),
    rule(`allow-${way}-professor-dumbledore-at-port-${p.second}`, "Allow", [staff("professor-dumbledore-0")], second),
    rule(`deny-${way}-dumbledore-everything-else`, "Deny", [staff("professor-dumbledore-0")]),
  ];
  return list.filter((r): r is Rule => r !== null);
}

const admin = (name: string, priority: number, subject: Record<string, unknown>, rules: { ingress?: readonly Rule[]; egress?: readonly Rule[] }): AdminSpec => ({
  name,
  tier: { kind: "Admin", priority },
  subject,
  ...rules,
});
const baseline = (name: string, subject: Record<string, unknown>, rules: { ingress?: readonly Rule[]; egress?: readonly Rule[] }): AdminSpec => ({
  name,
  tier: { kind: "Baseline" },
  subject,
  ...rules,
});

/** One connection of the per-protocol tests: a gryffindor pod and a peer, in the direction the test checks. */
function probe(direction: Direction, gryffindor: string, other: string, p: number, protocol: Protocol, verdict: "allowed" | "denied"): Expectation {
  return direction === "egress" ? { from: gryffindor, to: other, port: p, protocol, verdict } : { from: other, to: gryffindor, port: p, protocol, verdict };
}

/** The core per-protocol tests of one direction, for AdminNetworkPolicy (with Pass) or the BaselineAdminNetworkPolicy (without). */
function protocolCases(p: ProtocolPorts, direction: Direction, kind: "admin" | "baseline"): AdminConformanceCase[] {
  const isBaseline = kind === "baseline";
  const proto = p.protocol.toLowerCase();
  const dir = direction === "egress" ? "Egress" : "Ingress";
  const base = isBaseline ? "baseline-admin-network-policy" : "admin-network-policy";
  const upstream: Upstream = { test: `${isBaseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy"}${dir}${p.protocol}`, file: `${base}-core-${direction}-${proto}-rules.go` };
  const podSelector: Upstream = { test: `${isBaseline ? "BaselineAdminNetworkPolicy" : "AdminNetworkPolicy"}${dir}PodSelector${p.protocol}`, file: upstream.file };
  const list = protocolRules(p, direction, isBaseline);
  const spec = (rules: readonly Rule[]): AdminSpec[] => [
    isBaseline ? baseline("default", GRYFFINDOR, { [direction]: rules }) : admin(`${direction}-${proto}`, 6, GRYFFINDOR, { [direction]: rules }),
  ];
  const at = (i: number): number => i;
  const x = (g: string, o: string, port: number, verdict: "allowed" | "denied"): Expectation => probe(direction, g, o, port, p.protocol, verdict);
  const word = direction === "egress" ? "egress" : "ingress";
  const cases: AdminConformanceCase[] = [
    {
      upstream,
      name: `Should support an 'allow-${word}' policy for ${p.protocol} protocol; ensure rule ordering is respected (the Allow at index 0 before the Deny at index 1)`,
      written: "v1alpha1",
      policies: spec(list),
      expect: [x(HP0, LUNA0, p.first, "allowed"), x(HP1, LUNA0, p.second, "allowed")],
    },
    {
      upstream,
      name: `Should support an 'allow-${word}' policy for ${p.protocol} protocol at the specified port (hufflepuff at ${p.second} allowed, the rest of hufflepuff denied)`,
      written: "v1alpha1",
      policies: spec(list),
      expect: [x(HP0, CEDRIC1, p.second, "allowed"), x(HP1, CEDRIC1, p.first, "denied")],
    },
    {
      upstream,
      name: `Should support a 'deny-${word}' policy for ${p.protocol} protocol; ensure rule ordering is respected (rules 0 and 1 swapped: the Deny comes first)`,
      written: "v1alpha1",
      policies: spec(swap(list, at(0), at(1))),
      expect: [x(HP0, LUNA1, p.first, "denied"), x(HP1, LUNA1, p.second, "denied")],
    },
    {
      upstream,
      name: `Should support a 'deny-${word}' policy for ${p.protocol} protocol at the specified port (slytherin at ${p.first} denied; other ports match no rule: allowed)`,
      written: "v1alpha1",
      policies: spec(list),
      expect: [x(HP0, DRACO0, p.first, "denied"), x(HP1, DRACO0, p.second, "allowed")],
    },
    {
      upstream: podSelector,
      name: `Should support an 'allow-${word}' policy for ${p.protocol} protocol at the specified pod (professor-dumbledore-0 by pod name, at ${p.second})`,
      written: "v1alpha1",
      policies: spec(list),
      expect: [x(HP0, DUMBLEDORE, p.second, "allowed"), x(HP0, DUMBLEDORE, p.first, "denied")],
    },
    {
      upstream: podSelector,
      name: `Should support a 'deny-${word}' policy for ${p.protocol} protocol at the specified pod (professor-quirrell-0 by pod name, at ${p.second})`,
      written: "v1alpha1",
      policies: spec(list),
      expect: [x(HP0, QUIRRELL, p.second, "denied"), x(HP1, QUIRRELL, p.first, "allowed")],
    },
  ];
  if (isBaseline) return cases;
  // Pass: "the traffic is passed on to the next tier": no NetworkPolicy and no Baseline here, so allowed.
  return [
    ...cases,
    {
      upstream,
      name: `Should support a 'pass-${word}' policy for ${p.protocol} protocol; ensure rule ordering is respected (rules 0 and 2 swapped: the Pass comes first, no tier after it decides: allowed)`,
      written: "v1alpha1",
      policies: spec(swap(list, 0, 2)),
      expect: [x(HP0, LUNA0, p.first, "allowed"), x(HP1, LUNA0, p.second, "allowed")],
    },
    {
      upstream,
      name: `Should support a 'pass-${word}' policy for ${p.protocol} protocol at the specified port (rules 3 and 4 swapped: slytherin at ${p.first} passed: allowed)`,
      written: "v1alpha1",
      policies: spec(swap(list, 3, 4)),
      expect: [x(HP0, DRACO0, p.first, "allowed"), x(HP1, DRACO0, p.second, "allowed")],
    },
  ];
}

/** The ports the combined ("gress") rules name per protocol: deny/pass slytherin at TCP 80, UDP 53, SCTP 9003; allow hufflepuff and dumbledore at TCP 8080 (egress) or 80 (ingress), UDP 5353, SCTP 9003. */
function gressRules(direction: Direction, isBaseline: boolean): Rule[] {
  const way = direction === "egress" ? "to" : "from";
  const slytherinPorts = [port("TCP", 80), port("UDP", 53), port("SCTP", 9003)];
  const hufflepuffPorts = [port("TCP", direction === "egress" ? 8080 : 80), port("UDP", 5353), port("SCTP", 9003)];
  const staffPorts = [port("TCP", 8080), port("UDP", 5353), port("SCTP", 9003)];
  const list: (Rule | null)[] = [
    rule(`allow-${way}-ravenclaw-everything`, "Allow", [namespaces(nsName("ravenclaw"))]),
    rule(`deny-${way}-ravenclaw-everything`, "Deny", [namespaces(nsName("ravenclaw"))]),
    isBaseline ? null : rule(`pass-${way}-ravenclaw-everything`, "Pass", [namespaces(nsName("ravenclaw"))]),
    rule(`deny-${way}-slytherin-at-ports-80-53-9003`, "Deny", [namespaces(nsName("slytherin"))], slytherinPorts),
    isBaseline ? null : rule(`pass-${way}-slytherin-at-ports-80-53-9003`, "Pass", [namespaces(nsName("slytherin"))], slytherinPorts),
    rule(`allow-${way}-hufflepuff-at-ports`, "Allow", [namespaces(nsName("hufflepuff"))], hufflepuffPorts),
    rule(`deny-${way}-hufflepuff-everything-else`, "Deny", [namespaces(nsName("hufflepuff"))]),
    rule(`allow-${way}-dumbledore-at-tcp-udp-sctp`, "Allow", [staff("professor-dumbledore-0")], staffPorts),
    rule(`deny-${way}-dumbledore-everything-else`, "Deny", [staff("professor-dumbledore-0")]),
    rule(`deny-${way}-quirrell-at-tcp-udp-sctp`, "Deny", [staff("professor-quirrell-0")], staffPorts),
  ];
  return list.filter((r): r is Rule => r !== null);
}

/** core-gress-rules-combined.yaml: one policy with ingress and egress rules across TCP, UDP and SCTP. */
function gressCases(kind: "admin" | "baseline"): AdminConformanceCase[] {
  const isBaseline = kind === "baseline";
  const upstream: Upstream = isBaseline
    ? { test: "BaselineAdminNetworkPolicyGress", file: "baseline-admin-network-policy-core-gress-rules.go" }
    : { test: "AdminNetworkPolicyGress", file: "admin-network-policy-core-gress-rules.go" };
  const egress = gressRules("egress", isBaseline);
  const ingress = gressRules("ingress", isBaseline);
  const spec = (e: readonly Rule[], i: readonly Rule[]): AdminSpec[] => [
    isBaseline ? baseline("default", GRYFFINDOR, { egress: e, ingress: i }) : admin("gress-rules", 15, GRYFFINDOR, { egress: e, ingress: i }),
  ];
  const cases: AdminConformanceCase[] = [
    {
      upstream,
      name: "Should support an 'allow-gress' policy across different protocols (ravenclaw both ways, TCP 80, UDP 53, SCTP 9003)",
      written: "v1alpha1",
      policies: spec(egress, ingress),
      expect: [
        allowed(HP0, LUNA0, 80),
        allowed(HP1, LUNA0, 53, "UDP"),
        allowed(HP0, LUNA0, 9003, "SCTP"),
        allowed(LUNA0, HP0, 80),
        allowed(LUNA1, HP0, 53, "UDP"),
        allowed(LUNA1, HP0, 9003, "SCTP"),
      ],
    },
    {
      upstream,
      name: "Should support an 'allow-gress' policy across different protocols at the specified ports (hufflepuff at the listed port of each protocol; the rest denied)",
      written: "v1alpha1",
      policies: spec(egress, ingress),
      expect: [
        allowed(HP0, CEDRIC1, 8080),
        denied(HP1, CEDRIC1, 80),
        allowed(HP0, CEDRIC1, 5353, "UDP"),
        denied(HP1, CEDRIC1, 53, "UDP"),
        allowed(HP0, CEDRIC1, 9003, "SCTP"),
        denied(HP1, CEDRIC1, 9005, "SCTP"),
        allowed(CEDRIC0, HP1, 80),
        denied(CEDRIC1, HP1, 8080),
        allowed(CEDRIC0, HP1, 5353, "UDP"),
        denied(CEDRIC1, HP1, 53, "UDP"),
        allowed(CEDRIC0, HP1, 9003, "SCTP"),
        denied(CEDRIC1, HP1, 9005, "SCTP"),
      ],
    },
    {
      upstream,
      name: "Should support a 'deny-gress' policy across different protocols (rules 0 and 1 swapped in both directions)",
      written: "v1alpha1",
      policies: spec(swap(egress, 0, 1), swap(ingress, 0, 1)),
      expect: [
        denied(HP0, LUNA1, 80),
        denied(HP1, LUNA1, 53, "UDP"),
        denied(HP0, LUNA1, 9003, "SCTP"),
        denied(LUNA0, HP1, 80),
        denied(LUNA1, HP1, 53, "UDP"),
        denied(LUNA0, HP1, 9003, "SCTP"),
      ],
    },
    {
      upstream,
      name: "Should support a 'deny-gress' policy across different protocols at the specified ports (slytherin at TCP 80, UDP 53, SCTP 9003; other ports match no rule)",
      written: "v1alpha1",
      policies: spec(egress, ingress),
      expect: [
        denied(HP0, DRACO0, 80),
        denied(HP0, DRACO0, 53, "UDP"),
        denied(HP0, DRACO0, 9003, "SCTP"),
        allowed(HP1, DRACO0, 8080),
        allowed(HP1, DRACO0, 5353, "UDP"),
        allowed(HP1, DRACO0, 9005, "SCTP"),
        denied(DRACO0, HP0, 80),
        denied(DRACO1, HP0, 53, "UDP"),
        denied(DRACO0, HP0, 9003, "SCTP"),
        allowed(DRACO1, HP0, 8080),
      ],
    },
    {
      upstream: isBaseline ? upstream : { test: "AdminNetworkPolicyPodSelectorGress", file: upstream.file },
      name: "Should support an 'allow-gress' and a 'deny-gress' policy across different protocols at the specified ports of the specified pods (dumbledore allowed, quirrell denied, into harry-potter-0)",
      written: "v1alpha1",
      policies: spec(egress, ingress),
      expect: [
        allowed(DUMBLEDORE, HP0, 8080),
        allowed(DUMBLEDORE, HP0, 5353, "UDP"),
        allowed(DUMBLEDORE, HP0, 9003, "SCTP"),
        denied(QUIRRELL, HP0, 8080),
        denied(QUIRRELL, HP0, 5353, "UDP"),
        denied(QUIRRELL, HP0, 9003, "SCTP"),
        // ...and out of harry-potter-0, the egress rules of the same shape.
        allowed(HP0, DUMBLEDORE, 8080),
        denied(HP0, DUMBLEDORE, 80),
        denied(HP0, QUIRRELL, 9003, "SCTP"),
      ],
    },
  ];
  if (isBaseline) return cases;
  return [
    ...cases,
    {
      upstream,
      name: "Should support a 'pass-gress' policy across different protocols (rules 0 and 2 swapped in both directions: passed, no tier after decides)",
      written: "v1alpha1",
      policies: spec(swap(egress, 0, 2), swap(ingress, 0, 2)),
      expect: [allowed(HP0, LUNA0, 80), allowed(HP1, LUNA0, 53, "UDP"), allowed(HP0, LUNA0, 9003, "SCTP"), allowed(LUNA0, HP0, 80), allowed(LUNA1, HP0, 53, "UDP"), allowed(LUNA1, HP0, 9003, "SCTP")],
    },
    {
      upstream,
      name: "Should support a 'pass-gress' policy across different protocols at the specified ports (rules 3 and 4 swapped in both directions)",
      written: "v1alpha1",
      policies: spec(swap(egress, 3, 4), swap(ingress, 3, 4)),
      expect: [allowed(HP0, DRACO0, 80), allowed(HP0, DRACO0, 53, "UDP"), allowed(HP0, DRACO0, 9003, "SCTP"), allowed(DRACO0, HP0, 80), allowed(DRACO0, HP0, 53, "UDP"), allowed(DRACO0, HP0, 9003, "SCTP")],
    },
  ];
}

/** core-priority-field.yaml: Deny at 50, Pass at 60 (later 40), a Baseline Allow; pods of gryffindor and slytherin, both directions. */
function priorityCases(): AdminConformanceCase[] {
  const upstream: Upstream = { test: "AdminNetworkPolicyPriorityField", file: "admin-network-policy-core-priority.go" };
  const gryffindorPods = pods(houseLabel("gryffindor"), houseLabel("gryffindor"));
  const slytherinPods = [pods(houseLabel("slytherin"), houseLabel("slytherin"))];
  const policies = (passPriority: number): AdminSpec[] => [
    admin("priority-50-example", 50, gryffindorPods, {
      ingress: [rule("deny-all-ingress-from-slytherin", "Deny", slytherinPods)],
      egress: [rule("deny-all-egress-to-slytherin", "Deny", slytherinPods)],
    }),
    admin("old-priority-60-new-priority-40-example", passPriority, gryffindorPods, {
      ingress: [rule("pass-all-ingress-from-slytherin", "Pass", slytherinPods)],
      egress: [rule("pass-all-egress-to-slytherin", "Pass", slytherinPods)],
    }),
    baseline("default", gryffindorPods, {
      ingress: [rule("allow-all-ingress-from-slytherin", "Allow", slytherinPods)],
      egress: [rule("allow-all-egress-to-slytherin", "Allow", slytherinPods)],
    }),
  ];
  return [
    {
      upstream,
      name: 'Should Deny traffic between slytherin and gryffindor respecting the priority 50 Deny before the priority 60 Pass ("Policies with lower priority values have higher precedence")',
      written: "v1alpha1",
      policies: policies(60),
      expect: [denied(DRACO0, HP0, 80), denied(DRACO1, HP0, 8080), denied(HP0, DRACO0, 80), denied(HP1, DRACO0, 8080)],
    },
    {
      upstream,
      name: "Should Pass traffic between slytherin and gryffindor once the Pass policy's priority is updated from 60 to 40: the Baseline Allow decides",
      written: "v1alpha1",
      policies: policies(40),
      expect: [allowed(DRACO0, HP0, 80), allowed(DRACO1, HP0, 8080), allowed(HP0, DRACO0, 80), allowed(HP1, DRACO0, 8080)],
    },
  ];
}

/** api_integration/core-anp-np-banp.yaml: an ANP Deny (patched to Pass), a NetworkPolicy allowing slytherin, a BANP Deny. */
function integrationCases(): AdminConformanceCase[] {
  const upstream: Upstream = { test: "AdminNetworkPolicyIntegration", file: "admin-network-policy-core-integration.go" };
  const gryffindor = namespaces(houseLabel("gryffindor"));
  const slytherin = [namespaces(houseLabel("slytherin"))];
  const anp = (ingress: "Deny" | "Pass", egress: "Deny" | "Pass"): AdminSpec =>
    admin("pass-example", 10, gryffindor, {
      ingress: [rule("deny-all-ingress-from-slytherin", ingress, slytherin)],
      egress: [rule("deny-all-egress-to-slytherin", egress, slytherin)],
    });
  const banp = baseline("default", gryffindor, {
    ingress: [rule("deny-all-ingress-from-slytherin", "Deny", slytherin)],
    egress: [rule("deny-all-egress-to-slytherin", "Deny", slytherin)],
  });
  const np = policy(ns("gryffindor"), "allow-gress-from-to-slytherin-to-gryffindor", {
    podSelector: {},
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [{ namespaceSelector: houseLabel("slytherin") }] }],
    egress: [{ to: [{ namespaceSelector: houseLabel("slytherin") }] }],
  });
  return [
    {
      upstream,
      name: "Should Deny traffic from slytherin to gryffindor respecting ANP (the Admin Deny before the NetworkPolicy that allows it)",
      written: "v1alpha1",
      policies: [anp("Deny", "Deny"), banp],
      objects: [np],
      expect: [denied(DRACO0, HP0, 80), denied(DRACO1, HP0, 8080)],
    },
    {
      upstream,
      name: "Should Deny traffic to slytherin from gryffindor respecting ANP",
      written: "v1alpha1",
      policies: [anp("Deny", "Deny"), banp],
      objects: [np],
      expect: [denied(HP0, DRACO0, 80), denied(HP1, DRACO0, 8080)],
    },
    {
      upstream,
      name: "Should support a 'pass-ingress' policy for ANP and respect the match for network policy (ingress rule patched to Pass: the NetworkPolicy's Allow decides)",
      written: "v1alpha1",
      policies: [anp("Pass", "Deny"), banp],
      objects: [np],
      expect: [allowed(DRACO0, HP0, 80), allowed(DRACO1, HP0, 8080)],
    },
    {
      upstream,
      name: "Should support a 'pass-egress' policy for ANP and respect the match for network policy (egress rule patched to Pass too)",
      written: "v1alpha1",
      policies: [anp("Pass", "Pass"), banp],
      objects: [np],
      expect: [allowed(HP0, DRACO0, 80), allowed(HP1, DRACO0, 8080)],
    },
    {
      upstream,
      name: "Should support a 'pass-ingress' policy for ANP and respect the match for baseline admin network policy (NetworkPolicy deleted: the BANP Deny decides)",
      written: "v1alpha1",
      policies: [anp("Pass", "Pass"), banp],
      expect: [denied(DRACO0, HP0, 80), denied(DRACO1, HP0, 8080)],
    },
    {
      upstream,
      name: "Should support a 'pass-egress' policy for ANP and respect the match for baseline admin network policy (NetworkPolicy deleted)",
      written: "v1alpha1",
      policies: [anp("Pass", "Pass"), banp],
      expect: [denied(HP0, DRACO0, 80), denied(HP1, DRACO0, 8080)],
    },
  ];
}

/**
 * Named ports (extended): upstream replaces the rule "allow to hufflepuff at TCP 8080" (index 5 of
 * egress-tcp) by `namedPort: web`, "defined as TCP at port 80 in pod spec".
 */
function namedPortCases(): AdminConformanceCase[] {
  const egress = protocolRules(TCP, "egress", false).map((r, i) => (i === 5 ? { ...r, name: "allow-to-hufflepuff-at-web", ports: [namedPort("web")] } : r));
  const ingress = protocolRules(TCP, "ingress", false).map((r, i) => (i === 5 ? { ...r, name: "allow-from-hufflepuff-at-web", ports: [namedPort("web")] } : r));
  const bEgress = protocolRules(TCP, "egress", true).map((r, i) => (i === 3 ? { ...r, name: "allow-to-hufflepuff-at-web", ports: [namedPort("web")] } : r));
  const bIngress = protocolRules(TCP, "ingress", true).map((r, i) => (i === 3 ? { ...r, name: "allow-from-hufflepuff-at-web", ports: [namedPort("web")] } : r));
  return [
    {
      upstream: { test: "AdminNetworkPolicyEgressNamedPort", file: "admin-network-policy-extended-egress-rules.go" },
      name: "Should support an 'allow-egress' policy for named port (web: TCP 80 on the destination pod; the rest of hufflepuff denied)",
      written: "v1alpha1",
      policies: [admin("egress-tcp", 6, GRYFFINDOR, { egress })],
      expect: [allowed(HP0, CEDRIC1, 80), denied(HP1, CEDRIC1, 8080), denied(HP0, CEDRIC1, 80, "UDP")],
    },
    {
      upstream: { test: "AdminNetworkPolicyIngressNamedPort", file: "admin-network-policy-extended-ingress-rules.go" },
      name: "Should support an 'allow-ingress' policy for named port (web: TCP 80 on the subject pod)",
      written: "v1alpha1",
      policies: [admin("ingress-tcp", 3, GRYFFINDOR, { ingress })],
      expect: [allowed(CEDRIC0, HP1, 80), denied(CEDRIC1, HP1, 8080)],
    },
    {
      upstream: { test: "BaselineAdminNetworkPolicyEgressNamedPort", file: "baseline-admin-network-policy-extended-egress-rules.go" },
      name: "Should support an 'allow-egress' policy for named port",
      written: "v1alpha1",
      policies: [baseline("default", GRYFFINDOR, { egress: bEgress })],
      expect: [allowed(HP0, CEDRIC1, 80), denied(HP1, CEDRIC1, 8080)],
    },
    {
      upstream: { test: "BaselineAdminNetworkPolicyIngressNamedPort", file: "baseline-admin-network-policy-extended-ingress-rules.go" },
      name: "Should support an 'allow-ingress' policy for named port",
      written: "v1alpha1",
      policies: [baseline("default", GRYFFINDOR, { ingress: bIngress })],
      expect: [allowed(CEDRIC0, HP1, 80), denied(CEDRIC1, HP1, 8080)],
    },
  ];
}

/**
 * Node peers (extended-egress-selector-rules.yaml): Allow TCP 36363 to Linux nodes, Pass UDP 5353,
 * then Deny slytherin pods and the nodes. The server is centaur-1, a host-network pod: its IP is
 * node-2's. "It selects the nodeIPs as the peer type by matching on the IPs present in the
 * node.Status.Addresses field of the node": node-2's ExternalIP too.
 */
function nodeCases(): AdminConformanceCase[] {
  const gryffindorPods = pods(houseLabel("gryffindor"), houseLabel("gryffindor"));
  const slytherinPods = pods(houseLabel("slytherin"), houseLabel("slytherin"));
  return [
    {
      upstream: { test: "AdminNetworkPolicyEgressNodePeers", file: "admin-network-policy-extended-egress-rules.go" },
      name: "Should support an 'allow-egress', a 'pass-egress' and a 'deny-egress' rule policy for egress-node-peer",
      written: "v1alpha1",
      policies: [
        admin("node-selector-as-peer-example", 75, gryffindorPods, {
          egress: [
            rule("allow-egress-to-36363-on-nodes", "Allow", [nodes(LINUX_NODES)], [port("TCP", 36363)]),
            rule("pass-egress-to-5353-on-nodes", "Pass", [nodes(LINUX_NODES)], [port("UDP", 5353)]),
            rule("deny-egress-to-slytherin-and-nodes", "Deny", [slytherinPods, nodes(LINUX_NODES)]),
          ],
        }),
      ],
      expect: [
        allowed(HP0, CENTAUR, 36363),
        allowed(HP1, CENTAUR, 5353, "UDP"),
        denied(HP1, CENTAUR, 36364),
        denied(HP1, CENTAUR, 53, "UDP"),
        denied(HP1, CENTAUR, 9003, "SCTP"),
        // The same node at an address other than its pod's: every address of status.addresses.
        allowed(HP0, NODE_2_EXTERNAL_IP, 36363),
        denied(HP0, NODE_2_EXTERNAL_IP, 443),
        denied(HP0, DRACO0, 80),
      ],
    },
    {
      upstream: { test: "BaselineAdminNetworkPolicyEgressNodePeers", file: "baseline-admin-network-policy-extended-egress-rules.go" },
      name: "Should support an 'allow-egress' and a 'deny-egress' rule policy for egress-node-peer",
      written: "v1alpha1",
      policies: [
        baseline("default", gryffindorPods, {
          egress: [
            rule("allow-egress-to-36363-on-nodes", "Allow", [nodes(LINUX_NODES)], [port("TCP", 36363)]),
            rule("deny-egress-to-slytherin-and-nodes", "Deny", [slytherinPods, nodes(LINUX_NODES)]),
          ],
        }),
      ],
      expect: [allowed(HP0, CENTAUR, 36363), denied(HP1, CENTAUR, 36364), denied(HP1, CENTAUR, 53, "UDP"), denied(HP0, DRACO0, 80)],
    },
  ];
}

/** standard-egress-inline-cidr-rules.yaml: Accept slytherin pods, Deny 0.0.0.0/0 and ::/0; then an Accept of two pod IPs inserted first. */
function inlineCidrCases(tier: "Admin" | "Baseline"): AdminConformanceCase[] {
  const upstream: Upstream =
    tier === "Admin"
      ? { test: "CNPAdminTierEgressInlineCIDRPeers", file: "admin-network-policy-standard-egress-inline-cidr-rules.go" }
      : { test: "CNPBaselineTierEgressInlineCIDRPeers", file: "baseline-admin-network-policy-standard-egress-inline-cidr-rules.go" };
  const gryffindorPods = pods(houseLabel("gryffindor"), houseLabel("gryffindor"));
  const base = [
    rule("allow-egress-to-slytherin", "Allow", [pods(houseLabel("slytherin"), houseLabel("slytherin"))]),
    rule("deny-egress-to-internet", "Deny", [networks("0.0.0.0/0", "::/0")]),
  ];
  const spec = (egress: readonly Rule[]): AdminSpec[] => [
    tier === "Admin" ? admin("inline-cidr-as-peers-example", 85, gryffindorPods, { egress }) : baseline("default", gryffindorPods, { egress }),
  ];
  const all = (from: string, to: string, verdict: "allowed" | "denied"): Expectation[] =>
    ([["TCP", 80], ["UDP", 53], ["SCTP", 9003]] as const).map(([protocol, p]) => ({ from, to, port: p, protocol, verdict }));
  return [
    {
      upstream,
      name: "Should support a 'deny-egress' rule policy for egress-cidr-peer (\"cluster-internal traffic will be checked against the rule as well\": pod IPs are in 0.0.0.0/0)",
      written: "v1alpha2",
      policies: spec(base),
      expect: [...all(HP1, LUNA0, "denied"), ...all(HP1, CEDRIC0, "denied"), ...all(HP1, DRACO0, "allowed"), denied(HP0, "8.8.8.8", 443)],
    },
    {
      upstream,
      name: "Should support an 'allow-egress' rule policy for egress-cidr-peer (Accept luna-lovegood-0/32 and cedric-diggory-0/32 inserted at index 0)",
      written: "v1alpha2",
      policies: spec([rule("allow-egress-to-specific-podIPs", "Allow", [networks(`${studentIp("ravenclaw", 0)}/32`, `${studentIp("hufflepuff", 0)}/32`)]), ...base]),
      expect: [...all(HP1, LUNA0, "allowed"), ...all(HP1, CEDRIC0, "allowed"), ...all(HP1, LUNA1, "denied"), ...all(HP1, CEDRIC1, "denied")],
    },
  ];
}

/** standard-port-range-rules-combined.yaml: Accept a TCP, a UDP and an SCTP range per house, then Deny every house. */
function portRangeCases(): AdminConformanceCase[] {
  const everyHouse = namespaces({ matchExpressions: [{ key: "conformance-house", operator: "Exists" }] });
  const list = (way: "to" | "from"): Rule[] => [
    rule(`allow-${way}-ravenclaw-tcp-port-range`, "Allow", [namespaces(nsName("ravenclaw"))], [portRange("TCP", 80, 8080)]),
    rule(`allow-${way}-hufflepuff-udp-port-range`, "Allow", [namespaces(nsName("hufflepuff"))], [portRange("UDP", 53, 5353)]),
    rule(`allow-${way}-slytherin-sctp-port-range`, "Allow", [namespaces(nsName("slytherin"))], [portRange("SCTP", 9003, 9005)]),
    rule(`deny-all-${way === "to" ? "egress" : "ingress"}`, "Deny", [everyHouse]),
  ];
  return [
    {
      upstream: { test: "CNPAdminTierPortRange", file: "admin-network-policy-standard-port-range-rules.go" },
      name: "Should support port ranges for TCP, UDP and SCTP, both directions (start and end are inclusive); other protocols and ports of those houses denied",
      written: "v1alpha2",
      policies: [admin("port-range-rules", 9, GRYFFINDOR, { egress: list("to"), ingress: list("from") })],
      expect: [
        allowed(HP0, LUNA0, 80),
        allowed(HP0, LUNA0, 8080),
        denied(HP0, LUNA0, 53, "UDP"),
        allowed(HP0, CEDRIC0, 53, "UDP"),
        allowed(HP0, CEDRIC0, 5353, "UDP"),
        denied(HP0, CEDRIC0, 80),
        allowed(HP0, DRACO0, 9003, "SCTP"),
        allowed(HP0, DRACO0, 9005, "SCTP"),
        denied(HP0, DRACO0, 80),
        allowed(LUNA1, HP1, 8080),
        denied(LUNA1, HP1, 9003, "SCTP"),
        allowed(CEDRIC1, HP1, 5353, "UDP"),
        denied(CEDRIC1, HP1, 8080),
        allowed(DRACO1, HP1, 9005, "SCTP"),
        denied(DRACO1, HP1, 53, "UDP"),
      ],
    },
  ];
}

/** standard-same-priority.yaml (admin_tier and baseline_tier): policies of the same priority whose rules do not overlap all apply. */
function samePriorityCases(tier: "Admin" | "Baseline"): AdminConformanceCase[] {
  const denyAt = (name: string, subject: "gryffindor" | "hufflepuff", peer: "slytherin" | "hufflepuff", p: number): AdminSpec => {
    const rules = {
      ingress: [rule(`deny-from-${peer}-at-port-${p}`, "Deny", [namespaces(nsName(peer))], [port("TCP", p)])],
      egress: [rule(`deny-to-${peer}-at-port-${p}`, "Deny", [namespaces(nsName(peer))], [port("TCP", p)])],
    };
    // The Baseline ClusterNetworkPolicies all get the same priority (v1alpha2's, 1000).
    return tier === "Admin" ? admin(name, 15, namespaces(nsName(subject)), rules) : baseline(name, namespaces(nsName(subject)), rules);
  };
  return [
    {
      upstream:
        tier === "Admin"
          ? { test: "CNPAdminTierSamePriority", file: "admin-network-policy-standard-same-priority.go" }
          : { test: "CNPBaselineTierSamePriority", file: "baseline-admin-network-policy-standard-same-priority.go" },
      name: `Three ${tier} policies at the same priority: each one's Deny applies (gryffindor-slytherin 80, gryffindor-hufflepuff 80, hufflepuff-slytherin 8080); other ports are open`,
      written: "v1alpha2",
      ...(tier === "Baseline" ? { onlyV1alpha2: "v1alpha1 has one BaselineAdminNetworkPolicy per cluster (named default)" } : {}),
      policies: [
        denyAt("same-priority-gryffindor-slytherin", "gryffindor", "slytherin", 80),
        denyAt("same-priority-gryffindor-hufflepuff", "gryffindor", "hufflepuff", 80),
        denyAt("same-priority-hufflepuff-slytherin", "hufflepuff", "slytherin", 8080),
      ],
      expect: [
        denied(HP0, DRACO0, 80),
        denied(DRACO0, HP0, 80),
        allowed(HP0, DRACO0, 8080),
        denied(HP1, CEDRIC1, 80),
        denied(CEDRIC1, HP1, 80),
        denied(CEDRIC0, DRACO1, 8080),
        denied(DRACO1, CEDRIC0, 8080),
        allowed(CEDRIC0, DRACO1, 80),
      ],
    },
  ];
}

/** standard-{egress,ingress}-isolation.yaml: "CNPs with no ingress rules do not affect ingress traffic" (and the converse). */
function isolationCases(): AdminConformanceCase[] {
  return [
    {
      upstream: { test: "CNPAdminTierEgressRulesIngressUnaffected", file: "admin-network-policy-standard-ingress-egress-isolation.go" },
      name: "An Admin policy with only egress rules denies its egress and leaves the subject's ingress open",
      written: "v1alpha2",
      policies: [admin("admin-egress-isolation", 20, GRYFFINDOR, { egress: [rule("deny-to-slytherin", "Deny", [namespaces(nsName("slytherin"))])] })],
      expect: [denied(HP0, DRACO0, 80), allowed(DRACO0, HP0, 80), allowed(LUNA0, HP0, 8080)],
    },
    {
      upstream: { test: "CNPAdminTierIngressRulesEgressUnaffected", file: "admin-network-policy-standard-ingress-egress-isolation.go" },
      name: "An Admin policy with only ingress rules denies its ingress and leaves the subject's egress open",
      written: "v1alpha2",
      policies: [admin("admin-ingress-isolation", 20, GRYFFINDOR, { ingress: [rule("deny-from-slytherin", "Deny", [namespaces(nsName("slytherin"))])] })],
      expect: [denied(DRACO0, HP0, 80), allowed(HP0, DRACO0, 80)],
    },
    {
      upstream: { test: "CNPBaselineTierIngressRulesEgressUnaffected", file: "baseline-admin-network-policy-standard-ingress-egress-isolation.go" },
      name: "A Baseline policy with only ingress rules denies its ingress and leaves the subject's egress open",
      written: "v1alpha2",
      policies: [baseline("default", GRYFFINDOR, { ingress: [rule("deny-from-slytherin", "Deny", [namespaces(nsName("slytherin"))])] })],
      expect: [denied(DRACO0, HP0, 80), allowed(HP0, DRACO0, 80)],
    },
  ];
}

/**
 * standard-pod-selector-rules.yaml: a `pods` subject and peers without namespaceSelector select by
 * pod label across all namespaces (v1alpha2: "If namespaceSelector is not set, all namespaces are
 * selected"); a pod-name subject selects that one pod.
 */
function podSelectorCases(): AdminConformanceCase[] {
  return [
    {
      upstream: { test: "CNPAdminTierPodSelector", file: "admin-network-policy-standard-pod-selector-rules.go" },
      name: "Pod selectors without namespaceSelector (subject and peers), and a subject of one pod by name",
      written: "v1alpha2",
      onlyV1alpha2: "v1alpha1's NamespacedPod requires namespaceSelector",
      policies: [
        admin("pod-selector-rules", 20, pods(null, houseLabel("gryffindor")), {
          egress: [
            rule("deny-to-ravenclaw-pods", "Deny", [pods(null, houseLabel("ravenclaw"))]),
            rule("deny-to-cedric-diggory-0", "Deny", [pods(houseLabel("hufflepuff"), podName("cedric-diggory-0"))]),
          ],
          ingress: [
            rule("deny-from-slytherin-pods", "Deny", [pods(null, houseLabel("slytherin"))]),
            rule("deny-from-cedric-diggory-0", "Deny", [pods(houseLabel("hufflepuff"), podName("cedric-diggory-0"))]),
          ],
        }),
        admin("pod-name-subject-rules", 21, pods(houseLabel("ravenclaw"), podName("luna-lovegood-0")), {
          egress: [rule("deny-to-slytherin", "Deny", [namespaces(nsName("slytherin"))])],
        }),
      ],
      expect: [
        denied(HP0, LUNA1, 80),
        denied(HP1, CEDRIC0, 8080),
        allowed(HP1, CEDRIC1, 8080),
        denied(DRACO0, HP0, 80),
        denied(CEDRIC0, HP1, 80),
        allowed(CEDRIC1, HP1, 80),
        // The other houses are not subjects: their traffic is open.
        allowed(DRACO0, LUNA1, 80),
        denied(LUNA0, DRACO0, 80),
        allowed(LUNA1, DRACO0, 80),
      ],
    },
  ];
}

/**
 * hairpin-rules.yaml: a Service of the gryffindor pods, and an Admin Deny of ingress from
 * gryffindor. "A Pod connecting to its own Pod IP is not subject to CNP. A Pod connecting to a
 * Service IP that the service proxy load-balances back to the same Pod is subject to
 * ClusterNetworkPolicy" (network-policy-api site-src/api-overview.md).
 */
function hairpinCases(): AdminConformanceCase[] {
  const upstream: Upstream = { test: "CNPAdminTierHairpin", file: "admin-network-policy-hairpin-rules.go" };
  const denyGryffindor = admin("hairpin-ingress-deny", 15, GRYFFINDOR, { ingress: [rule("deny-gryffindor-ingress", "Deny", [GRYFFINDOR])] });
  const passGryffindor = admin("hairpin-ingress-pass", 15, GRYFFINDOR, { ingress: [rule("pass-gryffindor-ingress", "Pass", [GRYFFINDOR])] });
  const baselineDeny = baseline("default", GRYFFINDOR, { ingress: [rule("deny-gryffindor-ingress", "Deny", [GRYFFINDOR])] });
  const isolateIngress = policy(ns("gryffindor"), "deny-all-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
  const hairpin = (verdict: "allowed" | "denied"): AdminExpectation => ({ from: HP0, to: HP0, port: 80, protocol: "TCP", verdict, viaService: true });
  return [
    {
      upstream,
      name: "Should enforce CNP ingress deny policy on hairpin service traffic (harry-potter-0 through the Service back to itself: denied; to its own Pod IP: not subject to CNP)",
      written: "v1alpha2",
      policies: [denyGryffindor],
      objects: [HAIRPIN_SERVICE],
      expect: [hairpin("denied"), { ...denied(HP0, HP1, 80), viaService: true }, allowed(HP0, HP0, 80)],
    },
    {
      upstream,
      name: "Hairpin through a Service passed by the Admin tier: the Baseline tier decides for a pod NetworkPolicy does not isolate",
      written: "v1alpha2",
      policies: [passGryffindor, baselineDeny],
      objects: [HAIRPIN_SERVICE],
      expect: [hairpin("denied"), allowed(HP0, HP0, 80)],
    },
    {
      upstream,
      name: "Hairpin through a Service passed by the Admin tier to an isolated pod: NetworkPolicy never blocks a pod's traffic to itself, and its verdict is final",
      written: "v1alpha2",
      policies: [passGryffindor, baselineDeny],
      objects: [HAIRPIN_SERVICE, isolateIngress],
      expect: [hairpin("allowed"), { ...denied(HP0, HP1, 80), viaService: true }],
    },
  ];
}

export const ADMIN_CONFORMANCE: readonly AdminConformanceCase[] = [
  ...[TCP, UDP, SCTP].flatMap((p) => (["egress", "ingress"] as const).flatMap((d) => [...protocolCases(p, d, "admin"), ...protocolCases(p, d, "baseline")])),
  ...gressCases("admin"),
  ...gressCases("baseline"),
  ...priorityCases(),
  ...integrationCases(),
  ...namedPortCases(),
  ...nodeCases(),
  ...inlineCidrCases("Admin"),
  ...inlineCidrCases("Baseline"),
  ...portRangeCases(),
  ...samePriorityCases("Admin"),
  ...samePriorityCases("Baseline"),
  ...isolationCases(),
  ...podSelectorCases(),
  ...hairpinCases(),
];
