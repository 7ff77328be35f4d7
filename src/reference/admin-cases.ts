/**
 * The named cases of the admin tiers (ClusterNetworkPolicy v1alpha2; AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy v1alpha1), each a YAML input with probes and the verdict the API text
 * gives, and the one place they are run from: the reference evaluator and the fast engine must
 * both answer every probe as expected (src/reference/admin.test.ts, src/engine/admin-tiers.test.ts).
 */
import type { Cluster, Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { cidrOf } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import type { Connection, EngineOptions, Target, Verdict } from "../engine/types.js";
import { decodeYaml, errors } from "../k8s/testing.js";

/**
 * A small cluster: shop/web and shop/api, other/db, a host-network agent on node-1, and node-1
 * itself (InternalIP 192.168.0.10, ExternalIP 203.0.113.10). shop/api names TCP 8080 `http` and
 * UDP 8080 `stats`, so a named port must match on name, protocol and number.
 */
const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.244.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{name: http, containerPort: 8080}, {name: stats, containerPort: 8080, protocol: UDP}, {name: admin, containerPort: 9090}]}]}
status: {podIP: 10.244.1.6}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: other, labels: {app: db}}
spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
status: {podIP: 10.244.2.7}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system, labels: {app: agent}}
spec: {hostNetwork: true, containers: [{name: agent, image: agent, ports: [{name: metrics, containerPort: 9100}]}]}
status: {podIP: 192.168.0.10}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {role: worker}}
status:
  addresses:
  - {type: InternalIP, address: 192.168.0.10}
  - {type: ExternalIP, address: 203.0.113.10}
  - {type: Hostname, address: node-1}
`;

const cnp = (name: string, spec: string): string => `---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const anp = (name: string, spec: string): string => `---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const banp = (spec: string): string => `---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: ${spec}\n`;
const np = (namespace: string, name: string, spec: string): string =>
  `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: ${spec}\n`;

/** shop/web's NetworkPolicy: egress anywhere (it isolates web for egress). */
const WEB_EGRESS_ANYWHERE = np("shop", "web-egress", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}");
/** shop/web's NetworkPolicy: egress isolated, nothing allowed. */
const WEB_EGRESS_NONE = np("shop", "web-deny-egress", "{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}");
/** other/db's NetworkPolicy: ingress isolated, nothing allowed. */
const DB_INGRESS_NONE = np("other", "db-deny-ingress", "{podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}");

/** One connection: `ns/name` of a pod in CLUSTER, or an IP outside the model. */
export interface Probe {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: Protocol;
  readonly expect: Verdict;
}

export interface Case {
  readonly name: string;
  readonly policies: string;
  readonly probes: readonly Probe[];
  readonly ipBlockMatchesPods?: boolean;
}

function targetOf(endpoints: readonly Endpoint[], text: string): Target {
  const ip = parseIp(text);
  if (ip !== undefined) return { kind: "external", addresses: AddressSet.fromIp(ip) };
  const endpoint = endpoints.find((e) => `${e.namespace}/${e.name}` === text);
  if (endpoint === undefined) throw new Error(`no endpoint ${text}`);
  return { kind: "endpoint", endpoint };
}

/** An evaluator's verdict for a connection in a decoded cluster. */
export type Evaluate = (cluster: Cluster, options: EngineOptions, conn: Connection) => Verdict;

/** The verdict of `evaluate` for each probe, as `from → to port/PROTO: verdict` lines (so a failure shows every probe). */
export function verdicts(evaluate: Evaluate, policies: string, probes: readonly Probe[], ipBlockMatchesPods = true): string[] {
  const decoded = decodeYaml(CLUSTER + policies);
  const problems = errors(decoded.diagnostics);
  if (problems.length > 0) throw new Error(`the case does not decode: ${JSON.stringify(problems)}`);
  const cluster = decoded.value;
  const options: EngineOptions = { podNetwork: AddressSet.fromCidr(cidrOf(parseIp("10.244.0.0") as Ip, 16)), ipBlockMatchesPods };
  return probes.map((p) => {
    const protocol = p.protocol ?? "TCP";
    const conn = { from: targetOf(cluster.endpoints, p.from), to: targetOf(cluster.endpoints, p.to), port: p.port, protocol };
    return `${p.from} → ${p.to} ${p.port}/${protocol}: ${evaluate(cluster, options, conn)}`;
  });
}

export const expected = (probes: readonly Probe[]): string[] => probes.map((p) => `${p.from} → ${p.to} ${p.port}/${p.protocol ?? "TCP"}: ${p.expect}`);

/** The metadata guardrail of issue 9 (src/cli/testdata/admin-policies.yaml): every pod, Admin Deny 169.254.169.254/32. */
const DENY_METADATA = cnp("deny-metadata", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{name: block-imds, action: Deny, to: [{networks: [169.254.169.254/32]}]}]}");

export const CASES: readonly Case[] = [
  {
    name: 'metadata guardrail: "Policy tiers are evaluated in the following order: Admin tier, NetworkPolicy tier, Baseline tier": an Admin Deny of 169.254.169.254/32 beats a NetworkPolicy allowing 0.0.0.0/0',
    policies: DENY_METADATA + WEB_EGRESS_ANYWHERE,
    probes: [
      { from: "shop/web", to: "169.254.169.254", port: 80, expect: "denied" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "allowed" },
      { from: "shop/api", to: "169.254.169.254", port: 80, expect: "denied" },
    ],
  },
  {
    name: "Admin Pass ends the Admin tier (the later Admin Accept is skipped); the NetworkPolicy tier then decides, and denies",
    policies:
      cnp("pass-shop", "{tier: Admin, priority: 10, subject: {namespaces: {matchLabels: {team: shop}}}, egress: [{action: Pass, to: [{namespaces: {}}]}]}") +
      cnp("accept-all", "{tier: Admin, priority: 20, subject: {namespaces: {}}, egress: [{action: Accept, to: [{namespaces: {}}]}]}") +
      WEB_EGRESS_NONE,
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "denied" },
      // shop/api is not isolated by NetworkPolicy: Pass, then no NetworkPolicy, no Baseline: default allow.
      { from: "shop/api", to: "other/db", port: 5432, expect: "allowed" },
    ],
  },
  {
    name: "Admin Accept beats NetworkPolicy egress isolation (egress Accept ends egress evaluation), but the destination's ingress still applies: a connection needs both directions",
    policies: cnp("accept-to-other", "{tier: Admin, priority: 10, subject: {namespaces: {matchLabels: {team: shop}}}, egress: [{action: Accept, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]}") + WEB_EGRESS_NONE,
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" },
    ],
  },
  {
    name: "Admin Accept on egress; the destination's NetworkPolicy ingress isolation still denies",
    policies:
      cnp("accept-to-other", "{tier: Admin, priority: 10, subject: {namespaces: {matchLabels: {team: shop}}}, egress: [{action: Accept, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]}") +
      WEB_EGRESS_NONE +
      DB_INGRESS_NONE,
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "denied" }],
  },
  {
    name: "Admin Deny on the destination's ingress denies though the source's egress is open: a connection needs both directions",
    policies: cnp("db-ingress", "{tier: Admin, priority: 10, subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: shop}}}]}]}"),
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "denied" },
      { from: "kube-system/agent", to: "other/db", port: 5432, expect: "allowed" },
    ],
  },
  {
    name: "Baseline Deny applies only to pods NetworkPolicy does not isolate in that direction (an isolated pod's NetworkPolicy verdict is final)",
    policies: banp("{subject: {namespaces: {}}, egress: [{name: default-deny-egress, action: Deny, to: [{networks: [0.0.0.0/0]}]}]}") + WEB_EGRESS_ANYWHERE,
    probes: [
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "allowed" },
      { from: "shop/api", to: "1.1.1.1", port: 443, expect: "denied" },
      // Baseline egress only: ingress of db is not touched by it, web's egress is NetworkPolicy's.
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
    ],
  },
  {
    name: "Baseline Pass skips the rest of the Baseline tier: default allow",
    policies:
      cnp("baseline-pass", "{tier: Baseline, priority: 10, subject: {namespaces: {}}, egress: [{action: Pass, to: [{networks: [1.1.1.0/24]}]}]}") +
      cnp("baseline-deny", "{tier: Baseline, priority: 20, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    probes: [
      { from: "shop/api", to: "1.1.1.1", port: 443, expect: "allowed" },
      { from: "shop/api", to: "8.8.8.8", port: 443, expect: "denied" },
    ],
  },
  {
    name: '"Policies with lower priority values have higher precedence": Deny at priority 10 beats Accept at priority 20, whatever the input order',
    policies:
      cnp("accept-db", "{tier: Admin, priority: 20, subject: {namespaces: {}}, egress: [{action: Accept, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}]}") +
      cnp("deny-db", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}]}"),
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "denied" }],
  },
  {
    name: '"Policies with lower priority values have higher precedence": Accept at priority 10 beats Deny at priority 20',
    policies:
      cnp("deny-db", "{tier: Admin, priority: 20, subject: {namespaces: {}}, egress: [{action: Deny, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}]}") +
      cnp("accept-db", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}]}"),
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "allowed" }],
  },
  {
    name: "same priority: the API leaves the order to the implementation; the reference breaks the tie by name (a-accept before b-deny), not input order",
    policies:
      cnp("b-deny", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}]}]}") +
      cnp("a-accept", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{namespaces: {}}]}]}"),
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "allowed" }],
  },
  {
    name: "same priority, by name: a-deny before b-accept",
    policies:
      cnp("b-accept", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{namespaces: {}}]}]}") +
      cnp("a-deny", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {}}]}]}"),
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "denied" }],
  },
  {
    name: 'rule order: "a rule that appears at the top of the ... rules would take the highest precedence" (Accept db, then Deny 0.0.0.0/0)',
    policies: cnp("ordered", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}, {action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" },
    ],
  },
  {
    name: "rule order reversed: Deny 0.0.0.0/0 first also denies db (networks match pod IPs)",
    policies: cnp("ordered", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}, {action: Accept, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}]}"),
    probes: [{ from: "shop/web", to: "other/db", port: 5432, expect: "denied" }],
  },
  {
    name: "destinationNamedPort resolves on the destination pod by name AND protocol AND number (api: http = TCP 8080, stats = UDP 8080)",
    policies: cnp("deny-http", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{pods: {podSelector: {matchLabels: {app: api}}}}], protocols: [{destinationNamedPort: http}]}]}"),
    probes: [
      { from: "shop/web", to: "shop/api", port: 8080, expect: "denied" },
      { from: "shop/web", to: "shop/api", port: 8080, protocol: "UDP", expect: "allowed" },
      { from: "shop/web", to: "shop/api", port: 9090, expect: "allowed" },
      // db names no port http.
      { from: "shop/web", to: "other/db", port: 8080, expect: "allowed" },
    ],
  },
  {
    name: "protocols: tcp destinationPort number and range; another protocol does not match",
    policies: cnp("deny-ports", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}], protocols: [{tcp: {destinationPort: {number: 25}}}, {udp: {destinationPort: {range: {start: 6000, end: 6010}}}}]}]}"),
    probes: [
      { from: "shop/web", to: "1.1.1.1", port: 25, expect: "denied" },
      { from: "shop/web", to: "1.1.1.1", port: 25, protocol: "UDP", expect: "allowed" },
      { from: "shop/web", to: "1.1.1.1", port: 6010, protocol: "UDP", expect: "denied" },
      { from: "shop/web", to: "1.1.1.1", port: 6011, protocol: "UDP", expect: "allowed" },
    ],
  },
  {
    name: "a pod connecting to itself is not subject to ClusterNetworkPolicy (Admin Deny everything both ways)",
    policies: cnp("deny-all", "{tier: Admin, priority: 10, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}], egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    probes: [
      { from: "shop/web", to: "shop/web", port: 8080, expect: "allowed" },
      { from: "shop/web", to: "shop/api", port: 8080, expect: "denied" },
    ],
  },
  {
    name: '"Note that host-networked pods are not included in subject selection": an Admin Deny for every namespace leaves the host-network agent alone',
    policies: cnp("deny-egress", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    probes: [
      { from: "kube-system/agent", to: "1.1.1.1", port: 443, expect: "allowed" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" },
    ],
  },
  {
    name: '"Note that host-networked pods are not included in this type of peer": a Deny to namespaces/pods peers does not match the host-network agent',
    policies: cnp("deny-kube-system", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}, {pods: {podSelector: {matchLabels: {app: agent}}}}]}]}"),
    probes: [{ from: "shop/web", to: "kube-system/agent", port: 9100, expect: "allowed" }],
  },
  {
    name: '"It selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses field of the node": every address, the host-network pod at the node IP too',
    policies: cnp("deny-nodes", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{nodes: {matchLabels: {role: worker}}}]}]}"),
    probes: [
      { from: "shop/web", to: "192.168.0.10", port: 10250, expect: "denied" },
      { from: "shop/web", to: "203.0.113.10", port: 443, expect: "denied" },
      { from: "shop/web", to: "192.168.0.11", port: 10250, expect: "allowed" },
      { from: "shop/web", to: "kube-system/agent", port: 9100, expect: "denied" },
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
    ],
  },
  {
    name: "a nodes peer whose selector matches no Node matches nothing",
    policies: cnp("deny-nodes", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{nodes: {matchLabels: {role: control-plane}}}]}]}"),
    probes: [{ from: "shop/web", to: "192.168.0.10", port: 10250, expect: "allowed" }],
  },
  {
    name: 'networks: "cluster-internal traffic will be checked against the rule as well": Deny 10.244.0.0/16 denies pod-to-pod, even where ipBlock ignores pods',
    policies: cnp("deny-pods", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [10.244.0.0/16]}]}]}"),
    ipBlockMatchesPods: false,
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "denied" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "allowed" },
    ],
  },
  {
    name: "domainNames peers: an Accept rule \"matches only addresses the pod resolved through DNS\": offline the answer depends on DNS where the rule would decide it",
    policies: cnp("accept-example", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: [example.com]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}]}") + WEB_EGRESS_NONE,
    probes: [
      { from: "shop/web", to: "93.184.215.14", port: 443, expect: "depends" },
      // Its protocols do not admit port 80: the rule decides nothing, NetworkPolicy denies.
      { from: "shop/web", to: "93.184.215.14", port: 80, expect: "denied" },
    ],
  },
  {
    name: "domainNames peers: a rule that would decide as NetworkPolicy does anyway leaves the answer as it is (an Accept of a name, for a pod no NetworkPolicy isolates: allowed either way)",
    policies: cnp("accept-example", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{domainNames: [example.com]}]}]}"),
    probes: [{ from: "shop/web", to: "93.184.215.14", port: 443, expect: "allowed" }],
  },
  {
    name: "fail closed: \"For \"Deny\" and \"Pass\" rules, \"fail closed\" means: \"treat the rule as a 'Deny all' rule\"\" (a Pass rule with a protocol of a newer CRD denies everything)",
    policies: cnp("newer", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Pass, to: [{networks: [10.0.0.0/8]}], protocols: [{icmp: {type: 8}}]}]}"),
    probes: [
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" },
      { from: "shop/web", to: "other/db", port: 5432, expect: "denied" },
    ],
  },
  {
    name: "fail closed: \"For \"Accept\" rules, \"fail closed\" means: \"treat the rule as matching no traffic\"\" (an Accept with a peer of a newer CRD; NetworkPolicy then denies)",
    policies: cnp("newer", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Accept, to: [{networks: [0.0.0.0/0]}, {externalNetworkSet: {name: partners}}]}]}") + WEB_EGRESS_NONE,
    probes: [{ from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" }],
  },
];

/** The same guardrails written in v1alpha1 (AdminNetworkPolicy `Allow`, `ports`; BaselineAdminNetworkPolicy) and v1alpha2 (ClusterNetworkPolicy). */
export const MAPPED: readonly { readonly name: string; readonly v1alpha1: string; readonly v1alpha2: string; readonly probes: readonly Probe[] }[] = [
  {
    name: "AdminNetworkPolicy = the Admin tier with its priority; `Allow` = `Accept`; portNumber = tcp destinationPort number",
    v1alpha1:
      anp("allow-db", "{priority: 5, subject: {namespaces: {}}, egress: [{action: Allow, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}]}") +
      anp("deny-rest", "{priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    v1alpha2:
      cnp("allow-db", "{tier: Admin, priority: 5, subject: {namespaces: {}}, egress: [{action: Accept, to: [{pods: {podSelector: {matchLabels: {app: db}}}}], protocols: [{tcp: {destinationPort: {number: 5432}}}]}]}") +
      cnp("deny-rest", "{tier: Admin, priority: 10, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0]}]}]}"),
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
      { from: "shop/web", to: "other/db", port: 5433, expect: "denied" },
      { from: "shop/web", to: "1.1.1.1", port: 443, expect: "denied" },
    ],
  },
  {
    name: "BaselineAdminNetworkPolicy = the Baseline tier: its Deny applies only where NetworkPolicy does not isolate",
    v1alpha1: banp("{subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}") + DB_INGRESS_NONE.replace("policyTypes: [Ingress]", "policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}}]}]"),
    v1alpha2:
      cnp("baseline", "{tier: Baseline, priority: 0, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}") +
      DB_INGRESS_NONE.replace("policyTypes: [Ingress]", "policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}}]}]"),
    probes: [
      { from: "shop/web", to: "other/db", port: 5432, expect: "allowed" },
      { from: "shop/web", to: "shop/api", port: 8080, expect: "denied" },
    ],
  },
];


/** A cluster with NetworkPolicies only: the answers are those of NetworkPolicy as before. */
export const NO_ADMIN_POLICIES: { readonly policies: string; readonly probes: readonly Probe[] } = {
  policies: WEB_EGRESS_ANYWHERE + DB_INGRESS_NONE,
  probes: [
    { from: "shop/web", to: "169.254.169.254", port: 80, expect: "allowed" },
    { from: "shop/api", to: "other/db", port: 5432, expect: "denied" },
  ],
};
