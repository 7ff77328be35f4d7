import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Peer, Policy, Rule } from "../model/cluster.js";
import { MATCH_ALL } from "../model/selector.js";
import { codes } from "./codes.js";
import { decodeYaml, markedLine, networkPolicy } from "./testing.js";

function decodePolicy(spec: string): Policy {
  const result = decodeYaml(networkPolicy(spec));
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const policy = result.value.policies[0];
  assert.ok(policy !== undefined, "policy decoded");
  return policy;
}

function peersOf(rule: Rule | undefined): readonly Peer[] {
  assert.ok(rule !== undefined && Array.isArray(rule.peers), "rule with peers");
  return rule.peers as readonly Peer[];
}

/** Peers without locations, to compare shapes. */
function shape(peers: readonly Peer[]): unknown[] {
  return peers.map(({ at: _at, ...rest }) => rest);
}

describe("policyTypes defaulting", () => {
  const cases: { rule: string; spec: string; ingress: boolean; egress: boolean; declared: boolean }[] = [
    {
      rule: "policy without policyTypes affects Ingress always",
      spec: "podSelector: {}",
      ingress: true,
      egress: false,
      declared: false,
    },
    {
      rule: "policy without policyTypes affects Egress only when it has egress rules",
      spec: "podSelector: {}\negress:\n  - to: [{podSelector: {}}]",
      ingress: true,
      egress: true,
      declared: false,
    },
    {
      rule: "policy without policyTypes and with egress: [] does not affect Egress (len(spec.Egress) == 0)",
      spec: "podSelector: {}\negress: []",
      ingress: true,
      egress: false,
      declared: false,
    },
    {
      rule: "policy without policyTypes with only ingress rules affects Ingress only",
      spec: "podSelector: {}\ningress:\n  - from: [{podSelector: {}}]",
      ingress: true,
      egress: false,
      declared: false,
    },
    {
      rule: "policyTypes: [] is defaulted like an absent field",
      spec: "podSelector: {}\npolicyTypes: []\negress:\n  - {}",
      ingress: true,
      egress: true,
      declared: false,
    },
    {
      rule: "an egress-only policy must specify policyTypes [Egress]",
      spec: "podSelector: {}\npolicyTypes: [Egress]",
      ingress: false,
      egress: true,
      declared: true,
    },
    {
      rule: "policyTypes [Ingress, Egress] affects both",
      spec: "podSelector: {}\npolicyTypes: [Ingress, Egress]",
      ingress: true,
      egress: true,
      declared: true,
    },
    {
      rule: "policyTypes [Ingress] with egress rules does not affect Egress",
      spec: "podSelector: {}\npolicyTypes: [Ingress]\negress:\n  - {}",
      ingress: true,
      egress: false,
      declared: true,
    },
  ];
  for (const c of cases) {
    test(c.rule, () => {
      const policy = decodePolicy(c.spec);
      assert.deepEqual(policy.affects, { ingress: c.ingress, egress: c.egress });
      assert.equal(policy.policyTypesDeclared, c.declared);
    });
  }

  test("rules are kept when policyTypes omits their direction (lint reports them)", () => {
    const policy = decodePolicy("podSelector: {}\npolicyTypes: [Egress]\ningress:\n  - from: [{podSelector: {}}]");
    assert.equal(policy.ingress.length, 1);
    assert.equal(policy.affects.ingress, false);
  });
});

describe("rules: empty or missing from/to/ports match everything", () => {
  const cases: { rule: string; spec: string; peers: "all" | number; ports: "all" | number }[] = [
    { rule: "to missing: this rule matches all destinations", spec: "egress:\n  - ports: [{port: 53}]", peers: "all", ports: 1 },
    { rule: "to empty: this rule matches all destinations", spec: "egress:\n  - to: []\n    ports: [{port: 53}]", peers: "all", ports: 1 },
    { rule: "ports missing: this rule matches all ports", spec: "egress:\n  - to: [{podSelector: {}}]", peers: 1, ports: "all" },
    { rule: "ports empty: this rule matches all ports", spec: "egress:\n  - to: [{podSelector: {}}]\n    ports: []", peers: 1, ports: "all" },
    { rule: "an empty rule {} matches all destinations and ports", spec: "egress:\n  - {}", peers: "all", ports: "all" },
    { rule: "a null rule is decoded as {} (Go zero value) and matches everything", spec: "egress:\n  -", peers: "all", ports: "all" },
    { rule: "from missing: this rule matches all sources", spec: "ingress:\n  - ports: [{port: 80}]", peers: "all", ports: 1 },
  ];
  for (const c of cases) {
    test(c.rule, () => {
      const policy = decodePolicy(`podSelector: {}\npolicyTypes: [Ingress, Egress]\n${c.spec}`);
      const rule = policy.egress[0] ?? policy.ingress[0];
      assert.ok(rule !== undefined);
      assert.equal(typeof rule.peers === "string" ? rule.peers : rule.peers.length, c.peers);
      assert.equal(typeof rule.ports === "string" ? rule.ports : rule.ports.length, c.ports);
    });
  }
});

describe("peers", () => {
  const tier = { requirements: [{ key: "tier", operator: "In", values: ["db"] }] };
  const team = { requirements: [{ key: "team", operator: "In", values: ["shop"] }] };
  const cases: { rule: string; to: string; peers: unknown[] }[] = [
    {
      rule: "podSelector alone selects pods in the policy's own namespace",
      to: "- podSelector: {matchLabels: {tier: db}}",
      peers: [{ kind: "pods", namespaces: { kind: "own" }, pods: tier }],
    },
    {
      rule: "namespaceSelector alone selects all pods in the selected namespaces",
      to: "- namespaceSelector: {matchLabels: {team: shop}}",
      peers: [{ kind: "pods", namespaces: { kind: "selected", selector: team }, pods: MATCH_ALL }],
    },
    {
      rule: "namespaceSelector and podSelector in one peer select the matching pods in the selected namespaces (AND)",
      to: "- namespaceSelector: {matchLabels: {team: shop}}\n  podSelector: {matchLabels: {tier: db}}",
      peers: [{ kind: "pods", namespaces: { kind: "selected", selector: team }, pods: tier }],
    },
    {
      rule: "namespaceSelector and podSelector in two peers are combined with OR",
      to: "- namespaceSelector: {matchLabels: {team: shop}}\n- podSelector: {matchLabels: {tier: db}}",
      peers: [
        { kind: "pods", namespaces: { kind: "selected", selector: team }, pods: MATCH_ALL },
        { kind: "pods", namespaces: { kind: "own" }, pods: tier },
      ],
    },
    {
      rule: "an empty podSelector selects all pods in the policy's namespace",
      to: "- podSelector: {}",
      peers: [{ kind: "pods", namespaces: { kind: "own" }, pods: MATCH_ALL }],
    },
    {
      rule: "an empty namespaceSelector selects all namespaces",
      to: "- namespaceSelector: {}",
      peers: [{ kind: "pods", namespaces: { kind: "selected", selector: MATCH_ALL }, pods: MATCH_ALL }],
    },
    {
      rule: "a null podSelector beside a namespaceSelector is absent",
      to: "- namespaceSelector: {}\n  podSelector: null",
      peers: [{ kind: "pods", namespaces: { kind: "selected", selector: MATCH_ALL }, pods: MATCH_ALL }],
    },
  ];
  for (const c of cases) {
    test(c.rule, () => {
      const to = c.to
        .split("\n")
        .map((l) => `      ${l}`)
        .join("\n");
      const policy = decodePolicy(`podSelector: {}\npolicyTypes: [Egress]\negress:\n  - to:\n${to}`);
      assert.deepEqual(shape(peersOf(policy.egress[0])), c.peers);
    });
  }

  test("ipBlock keeps cidr and except", () => {
    const policy = decodePolicy(
      "podSelector: {}\npolicyTypes: [Egress]\negress:\n  - to:\n      - ipBlock:\n          cidr: 169.254.0.0/16\n          except: [169.254.169.254/32]",
    );
    const [peer] = peersOf(policy.egress[0]);
    assert.ok(peer?.kind === "ipBlock");
    assert.deepEqual(
      { first: peer.cidr.first, prefix: peer.cidr.prefix, except: peer.except.map((c) => [c.first, c.prefix]) },
      { first: 0xa9fe0000n, prefix: 16, except: [[0xa9fea9fen, 32]] },
    );
  });

  test("IPv6 ipBlock with except", () => {
    const policy = decodePolicy("podSelector: {}\npolicyTypes: [Egress]\negress:\n  - to:\n      - ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}");
    const [peer] = peersOf(policy.egress[0]);
    assert.ok(peer?.kind === "ipBlock");
    assert.equal(peer.cidr.family, 6);
    assert.equal(peer.except[0]?.prefix, 48);
  });
});

describe("selectors", () => {
  test("an empty spec.podSelector selects all pods in the namespace", () => {
    assert.deepEqual(decodePolicy("podSelector: {}").podSelector, MATCH_ALL);
  });

  test("a null spec.podSelector is read as {} with a warning", () => {
    const result = decodeYaml(networkPolicy("podSelector:\npolicyTypes: [Egress]"));
    assert.deepEqual(result.value.policies[0]?.podSelector, MATCH_ALL);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.code, d.at?.path]),
      [["warning", codes.nullPodSelector, "spec.podSelector"]],
    );
  });

  test("matchLabels entries are In requirements with one value; matchExpressions follow, ANDed", () => {
    const policy = decodePolicy(`
      podSelector:
        matchLabels: {app: web, app.kubernetes.io/part-of: shop}
        matchExpressions:
          - {key: tier, operator: In, values: [a, b]}
          - {key: env, operator: NotIn, values: [dev]}
          - {key: canary, operator: Exists}
          - {key: legacy, operator: DoesNotExist, values: []}
    `);
    assert.deepEqual(policy.podSelector.requirements, [
      { key: "app", operator: "In", values: ["web"] },
      { key: "app.kubernetes.io/part-of", operator: "In", values: ["shop"] },
      { key: "tier", operator: "In", values: ["a", "b"] },
      { key: "env", operator: "NotIn", values: ["dev"] },
      { key: "canary", operator: "Exists" },
      { key: "legacy", operator: "DoesNotExist" },
    ]);
  });

  test("an empty label value is valid", () => {
    const policy = decodePolicy("podSelector:\n  matchLabels: {role: ''}");
    assert.deepEqual(policy.podSelector.requirements, [{ key: "role", operator: "In", values: [""] }]);
  });
});

describe("ports", () => {
  const cases: { rule: string; port: string; expected: unknown }[] = [
    { rule: "protocol defaults to TCP; a missing port matches all ports", port: "{}", expected: { protocol: "TCP", port: { kind: "any" } } },
    { rule: "a numeric port is the range port..port", port: "{port: 443}", expected: { protocol: "TCP", port: { kind: "range", from: 443, to: 443 } } },
    {
      rule: "endPort: the range of ports from port to endPort, inclusive",
      port: "{protocol: UDP, port: 32000, endPort: 32768}",
      expected: { protocol: "UDP", port: { kind: "range", from: 32000, to: 32768 } },
    },
    { rule: "endPort equal to port is one port", port: "{port: 80, endPort: 80}", expected: { protocol: "TCP", port: { kind: "range", from: 80, to: 80 } } },
    { rule: "a string port is a named port", port: "{protocol: SCTP, port: metrics}", expected: { protocol: "SCTP", port: { kind: "named", name: "metrics" } } },
    { rule: "a null port is {}: every TCP port", port: "null", expected: { protocol: "TCP", port: { kind: "any" } } },
  ];
  for (const c of cases) {
    test(c.rule, () => {
      const policy = decodePolicy(`podSelector: {}\npolicyTypes: [Egress]\negress:\n  - ports:\n      - ${c.port}`);
      const ports = policy.egress[0]?.ports;
      assert.ok(Array.isArray(ports));
      const { at: _at, ...rest } = ports[0] ?? { at: undefined };
      assert.deepEqual(rest, c.expected);
    });
  }
});

describe("locations", () => {
  test("policy, rule, peer and port carry the location of their own field", () => {
    const text = networkPolicy(`
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - podSelector: {}
        - to:
            - podSelector: {}
            - ipBlock: #< peer
                cidr: 10.0.0.0/8
          ports:
            - port: 53
            - port: 443 #< port
    `);
    const policy = decodeYaml(text).value.policies[0];
    assert.ok(policy !== undefined);
    const lineOf = (marker: string): number => text.split("\n").findIndex((l) => l.includes(`#< ${marker}`)) + 1;
    assert.deepEqual(policy.at, { file: "test.yaml", line: 1, column: 1, document: 0, path: "" });
    const rule = policy.egress[1];
    assert.ok(rule !== undefined);
    assert.deepEqual([rule.at.path, rule.at.line, rule.at.column], ["spec.egress[1]", 12, 7]);
    const peer = peersOf(rule)[1];
    assert.deepEqual([peer?.at.path, peer?.at.line, peer?.at.column], ["spec.egress[1].to[1]", lineOf("peer"), 11]);
    const port = Array.isArray(rule.ports) ? rule.ports[1] : undefined;
    assert.deepEqual([port?.at.path, port?.at.line], ["spec.egress[1].ports[1]", lineOf("port")]);
    assert.equal(markedLine(text), lineOf("peer"));
  });

  test("annotations are kept", () => {
    const text = networkPolicy("podSelector: {}").replace("namespace: production", "namespace: production\n  annotations:\n    owner: team-shop@example.com");
    assert.deepEqual([...(decodeYaml(text).value.policies[0]?.annotations ?? [])], [["owner", "team-shop@example.com"]]);
  });

  test("a policy without metadata.namespace is in default", () => {
    const text = networkPolicy("podSelector: {}").replace("  namespace: production\n", "");
    assert.equal(decodeYaml(text).value.policies[0]?.id, "default/app-egress");
  });
});
