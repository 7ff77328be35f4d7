/**
 * Domain names as ClusterNetworkPolicy `domainNames` peers compare them (network-policy-api
 * v1alpha2, `DomainName`): "DomainName can be an exact match, or use the wildcard specifier '*' to
 * match one or more labels. '*', the wildcard specifier, matches one or more entire labels. It does
 * not support partial matches. '*' may only be specified as a prefix."
 *
 * One definition for every command: the engine (offline answers), lint, and the node agent's DNS
 * proxy (which names of an answer a rule admits).
 */

/**
 * A name as compared: ASCII lower case (DNS compares names case-insensitively, RFC 4343: only A-Z
 * fold), no trailing dot, labels of 1-63 octets, at most 253 characters. Made only by `dnsName`.
 */
export type DnsName = string & { readonly __dnsName: unique symbol };

const MAX_NAME = 253;
const MAX_LABEL = 63;

/** `text` as a DnsName (one trailing dot dropped, A-Z folded); null when it is no name (empty label, too long). */
export function dnsName(text: string): DnsName | null {
  const bare = text.endsWith(".") ? text.slice(0, -1) : text;
  if (bare === "" || bare.length > MAX_NAME) return null;
  const labels = bare.split(".");
  if (labels.some((l) => l === "" || l.length > MAX_LABEL)) return null;
  return bare.replace(/[A-Z]/g, (c) => c.toLowerCase()) as DnsName;
}

/** How many labels a name has (`api.stripe.com`: 3). */
export function labelCount(name: DnsName): number {
  return name.split(".").length;
}

/**
 * A `domainNames` entry: `exact` matches only that name ("`kubernetes.io` matches only
 * `kubernetes.io`"); `subdomains` matches every name one or more labels below `parent`
 * ("`*.kubernetes.io` matches subdomains of kubernetes.io ... however "kubernetes.io" ... [does]
 * not").
 */
export type DomainPattern = { readonly kind: "exact"; readonly name: DnsName } | { readonly kind: "subdomains"; readonly parent: DnsName };

/** The pattern of a DomainName as written (`*.example.com.`, `Example.com`); null when it is none. */
export function domainPattern(text: string): DomainPattern | null {
  if (text.startsWith("*.")) {
    const parent = dnsName(text.slice(2));
    return parent === null || parent.includes("*") ? null : { kind: "subdomains", parent };
  }
  const name = dnsName(text);
  return name === null || name.includes("*") ? null : { kind: "exact", name };
}

/** Whether `pattern` matches `name`: the exact name, or a name whole labels below the wildcard's parent. */
export function patternMatches(pattern: DomainPattern, name: DnsName): boolean {
  if (pattern.kind === "exact") return name === pattern.name;
  return name.length > pattern.parent.length + 1 && name.endsWith(`.${pattern.parent}`);
}

/** The pattern in its canonical form (`*.example.com`, `api.stripe.com`). */
export function formatPattern(pattern: DomainPattern): string {
  return pattern.kind === "exact" ? pattern.name : `*.${pattern.parent}`;
}
