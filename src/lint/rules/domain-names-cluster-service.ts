import { type DomainPattern, dnsName, patternMatches } from "../../dns/names.js";
import type { Service } from "../../model/cluster.js";
import { serviceName } from "../../model/service.js";
import { CLUSTER_DOMAIN } from "../../model/well-known.js";
import { formatIp } from "../../net/ip.js";
import { adminObject } from "../describe.js";
import { domainEntries } from "../domains.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const domainNamesClusterService: LintRule = {
  id: "domain-names-cluster-service",
  severity: "warning",
  summary: "A `domainNames` entry naming a ClusterIP Service of the cluster, or a wildcard over the cluster domain.",
  description:
    "The cluster DNS answers `<service>.<namespace>.svc.cluster.local` with the Service's ClusterIP; a connection to it is translated to a pod IP before policy sees it, so a domain rule naming a ClusterIP Service never matches (a headless Service's name resolves to its pods and does). An exact name that is a ClusterIP (or NodePort, LoadBalancer) Service of the input is reported, with the pods peer that selects its pods; so is a wildcard over the cluster domain (`*.svc.cluster.local`, `*.shop.svc.cluster.local`, `*.cluster.local`, `*.local`), naming the ClusterIP Services of the input it matches. The cluster domain is model/well-known.ts's (cluster.local).",
  docs: "docs/rules/domain-names-cluster-service.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    const named = ctx.cluster.services.flatMap((s) => {
      const name = dnsName(`${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN}`);
      return name === null ? [] : [{ service: s, name }];
    });
    for (const e of domainEntries(ctx.cluster)) {
      if (e.pattern === null) continue;
      const pattern = e.pattern;
      const clusterIp = named.filter((n) => hasClusterIp(n.service) && patternMatches(pattern, n.name)).map((n) => n.service);
      const common = { object: adminObject(e.policy), at: e.name.at, endpoints: ctx.adminSubjects(e.policy, "egress").map((s) => s.id) };
      if (pattern.kind === "exact") {
        const service = clusterIp[0];
        if (service === undefined) continue;
        drafts.push({ ...common, message: m.domainNameClusterIp(e.name.text, serviceName(service), service.clusterIps.map(formatIp)), hint: m.domainNameClusterIpHint(service.namespace, selectorText(service)) });
      } else if (overClusterDomain(pattern)) {
        drafts.push({ ...common, message: m.domainNameClusterWildcard(e.name.text, CLUSTER_DOMAIN, clusterIp.map(serviceName)), hint: m.domainNameClusterWildcardHint() });
      }
    }
    return drafts;
  },
};

/** A Service whose name resolves to a virtual address: not headless, not ExternalName (a CNAME to a name outside). */
function hasClusterIp(s: Service): boolean {
  return !s.headless && s.type !== "ExternalName";
}

/** A wildcard that matches names of the cluster domain: its parent is the domain, under it, or above it (`*.local`). */
function overClusterDomain(pattern: Extract<DomainPattern, { kind: "subdomains" }>): boolean {
  const p: string = pattern.parent;
  return p === CLUSTER_DOMAIN || p.endsWith(`.${CLUSTER_DOMAIN}`) || CLUSTER_DOMAIN.endsWith(`.${p}`);
}

/** `{app: web}`: the Service's selector as a matchLabels map (`{}` for one without). */
function selectorText(s: Service): string {
  return `{${[...(s.selector ?? new Map<string, string>())].map(([k, v]) => `${k}: ${v}`).join(", ")}}`;
}
