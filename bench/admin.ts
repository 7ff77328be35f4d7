/**
 * Admin policies for the bench (issue 9): 100 Admin and 20 Baseline ClusterNetworkPolicies over a
 * synthetic cluster's namespaces, and the Nodes their `nodes` peers select. The patterns platform
 * teams write: deny cloud metadata (v4 and v6) for every pod, accept DNS to kube-dns, let the
 * monitoring namespace scrape the `metrics` named port, keep pods off the kubelet port of nodes;
 * per team: Pass within the team's namespaces, Deny egress from non-prod to prod pods, Deny partner
 * networks except on a port range, Accept a named port; Baseline: default-deny egress and ingress
 * from other teams for some teams' namespaces.
 */
import type { Obj } from "./objects.js";
import { TEAMS } from "./policies.js";
import type { Prng } from "./prng.js";

const ADMIN = 100;
const BASELINE = 20;
const NODES = 20;

const match = (labels: Record<string, string>): Obj => ({ matchLabels: labels });

function cnp(name: string, tier: "Admin" | "Baseline", priority: number, spec: Obj): Obj {
  return { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name }, spec: { tier, priority, ...spec } };
}

function node(i: number): Obj {
  const ip = `192.168.7.${10 + i}`;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: `node-${i}`, labels: { "node-role.kubernetes.io/worker": "", zone: `zone-${i % 3}` } },
    status: { addresses: [{ type: "InternalIP", address: ip }, { type: "Hostname", address: `node-${i}` }] },
  };
}

/** The guardrails every cluster starts from (four Admin policies). */
function guardrails(): Obj[] {
  const all = { namespaces: {} };
  return [
    cnp("deny-metadata", "Admin", 0, {
      subject: all,
      egress: [{ name: "imds", action: "Deny", to: [{ networks: ["169.254.169.254/32", "fd00:ec2::254/128"] }] }],
    }),
    cnp("accept-dns", "Admin", 1, {
      subject: all,
      egress: [
        {
          name: "kube-dns",
          action: "Accept",
          to: [{ pods: { namespaceSelector: match({ "kubernetes.io/metadata.name": "kube-system" }), podSelector: match({ "k8s-app": "kube-dns" }) } }],
          protocols: [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { number: 53 } } }],
        },
      ],
    }),
    cnp("monitoring-scrapes", "Admin", 2, {
      subject: all,
      ingress: [{ name: "scrape", action: "Accept", from: [{ namespaces: match({ "kubernetes.io/metadata.name": "monitoring" }) }], protocols: [{ destinationNamedPort: "metrics" }] }],
    }),
    cnp("no-kubelet", "Admin", 3, {
      subject: { namespaces: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system", "monitoring"] }] } },
      egress: [{ name: "kubelet", action: "Deny", to: [{ nodes: { matchExpressions: [{ key: "node-role.kubernetes.io/worker", operator: "Exists" }] } }], protocols: [{ tcp: { destinationPort: { number: 10250 } } }] }],
    }),
  ];
}

/** Per-team Admin policies (the rest of the 100), with selectors on namespaces and pods. */
function teamAdmin(k: number, r: Prng): Obj {
  const team = `team-${k % TEAMS}`;
  const priority = 10 + k;
  switch (k % 4) {
    case 0:
      // Within the team's namespaces, leave the decision to NetworkPolicy.
      return cnp(`team-pass-${k}`, "Admin", priority, {
        subject: { namespaces: match({ team }) },
        egress: [{ name: "own-team", action: "Pass", to: [{ namespaces: match({ team }) }] }],
        ingress: [{ name: "own-team", action: "Pass", from: [{ namespaces: match({ team }) }] }],
      });
    case 1:
      // Non-prod pods of the team never reach prod data stores.
      return cnp(`no-prod-data-${k}`, "Admin", priority, {
        subject: { pods: { namespaceSelector: { matchLabels: { team }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, podSelector: {} } },
        egress: [{ name: "prod-data", action: "Deny", to: [{ pods: { namespaceSelector: match({ env: "prod" }), podSelector: match({ tier: "data" }) } }] }],
      });
    case 2:
      // Partner networks only on a port range; the rest of them denied.
      return cnp(`partner-${k}`, "Admin", priority, {
        subject: { pods: { namespaceSelector: match({ team }), podSelector: match({ tier: r.pick(["backend", "data"]) }) } },
        egress: [
          { name: "partner-ports", action: "Accept", to: [{ networks: ["172.16.0.0/12"] }], protocols: [{ tcp: { destinationPort: { range: { start: 30000, end: 32767 } } } }] },
          { name: "partner-rest", action: "Deny", to: [{ networks: ["172.16.0.0/12", `198.51.100.${(k * 8) % 256}/29`] }] },
        ],
      });
    default:
      // The team's apis accept its frontends on the http named port.
      return cnp(`frontends-${k}`, "Admin", priority, {
        subject: { pods: { namespaceSelector: match({ team }), podSelector: match({ app: "api" }) } },
        ingress: [{ name: "frontends", action: "Accept", from: [{ pods: { namespaceSelector: match({ team }), podSelector: match({ tier: "frontend" }) } }], protocols: [{ destinationNamedPort: "http" }] }],
      });
  }
}

/** Baseline policies: default-deny egress to the internet, and ingress from other teams' namespaces. */
function teamBaseline(k: number): Obj {
  const team = `team-${k % TEAMS}`;
  return cnp(`baseline-${k}`, "Baseline", k, {
    subject: { namespaces: match({ team }) },
    egress: [{ name: "internet", action: "Deny", to: [{ networks: ["0.0.0.0/0", "::/0"] }] }],
    ingress: [
      { name: "own-team", action: "Accept", from: [{ namespaces: match({ team }) }] },
      { name: "other-teams", action: "Deny", from: [{ namespaces: { matchExpressions: [{ key: "team", operator: "Exists" }] } }] },
    ],
  });
}

/** 100 Admin and 20 Baseline ClusterNetworkPolicies, and 20 Nodes. */
export function adminObjects(r: Prng): Obj[] {
  const out: Obj[] = [];
  for (let i = 0; i < NODES; i++) out.push(node(i));
  const rails = guardrails();
  out.push(...rails);
  for (let k = 0; k < ADMIN - rails.length; k++) out.push(teamAdmin(k, r));
  for (let k = 0; k < BASELINE; k++) out.push(teamBaseline(k));
  return out;
}
