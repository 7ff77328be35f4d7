/**
 * What a domain pattern means to each implementation that has one, for patterns found outside
 * `domainNames` (annotations, rules migrated from a CNI's own policy kinds). Each reading cites its
 * source; docs/rules/domain-pattern-ambiguous.md quotes them.
 *
 * - The API (network-policy-api v1alpha2 `DomainName`): "'*', the wildcard specifier, matches one
 *   or more entire labels. It does not support partial matches. '*' may only be specified as a
 *   prefix." (src/dns/names.ts).
 * - Cilium (`toFQDNs.matchPattern`, pkg/fqdn/matchpattern `ToRegexp`): `*` alone matches every
 *   name; otherwise each `*` is "0 or more DNS valid characters" (`[-a-zA-Z0-9]*`), within one label.
 * - Calico (`domains`, docs.tigera.io "DNS policy"): "With a single asterisk in any part of the
 *   domain name, it matches 1 or more path components at that position."
 * - Antrea (`toFQDN`/`fqdn`, docs/antrea-network-policy.md): "the `*` character can match multiple
 *   subdomains (e.g. `*foobar.com` will match `foobar.com`, `www.foobar.com` and
 *   `test.uswest.foobar.com`)": any characters, dots included.
 */

/** Where the `*` of a pattern stands; `plain`: there is none. */
export type PatternShape =
  | { readonly kind: "plain" }
  | { readonly kind: "all" }
  | { readonly kind: "prefix"; readonly rest: string }
  | { readonly kind: "partial"; readonly label: string; readonly rest: string }
  | { readonly kind: "middle"; readonly before: string; readonly after: string }
  | { readonly kind: "several" };

/** The shape of a pattern as written (case and one trailing dot ignored). */
export function patternShape(text: string): PatternShape {
  const t = text.toLowerCase().replace(/\.$/, "");
  const stars = t.split("*").length - 1;
  if (stars === 0) return { kind: "plain" };
  if (stars > 1) return { kind: "several" };
  if (t === "*") return { kind: "all" };
  const labels = t.split(".");
  const at = labels.findIndex((l) => l.includes("*"));
  const label = labels[at] ?? "";
  const rest = labels.slice(at + 1).join(".");
  if (label !== "*") return { kind: "partial", label, rest };
  if (at === 0) return { kind: "prefix", rest };
  return { kind: "middle", before: labels.slice(0, at).join("."), after: rest };
}

/** Each implementation's reading of a pattern with a `*`, in the order the finding lists them. */
export function readings(shape: Exclude<PatternShape, { kind: "plain" }>): string[] {
  const join = (...parts: string[]): string => parts.filter((p) => p !== "").join(".");
  switch (shape.kind) {
    case "all":
      return [
        `the API rejects it ("'*' may only be specified as a prefix" of a name)`,
        `Cilium matches every name`,
        `Calico matches every name (one or more labels)`,
        `Antrea matches every name`,
      ];
    case "prefix":
      return [
        `the API matches one or more labels below ${shape.rest} (a.${shape.rest} and a.b.${shape.rest})`,
        `Cilium matches exactly one label below it (a.${shape.rest}, not a.b.${shape.rest})`,
        `Calico and Antrea match one or more labels`,
      ];
    case "partial": {
      const one = join(shape.label.replace("*", "x"), shape.rest);
      // A leading `*`: Antrea's own example (`*foobar.com` matches `www.foobar.com`); elsewhere, a dot inside the star.
      const deep = join(shape.label.startsWith("*") ? `www.${shape.label.slice(1)}` : shape.label.replace("*", "a.b"), shape.rest);
      return [
        `the API rejects it ("It does not support partial matches")`,
        `Cilium reads * as any characters within that one label (${one}, not ${deep})`,
        `Calico has no documented meaning for it (its * stands for whole labels)`,
        `Antrea reads * as any characters, dots included (${one} and ${deep})`,
      ];
    }
    case "middle":
      return [
        `the API rejects it ("'*' may only be specified as a prefix")`,
        `Cilium matches exactly one label there (${shape.before}.a.${shape.after})`,
        `Calico matches one or more labels there (${shape.before}.a.${shape.after}, ${shape.before}.a.b.${shape.after})`,
        `Antrea matches any characters there, dots included`,
      ];
    case "several":
      return [
        `the API rejects it (one '*', as a prefix)`,
        `Cilium reads each * within its label`,
        `Calico has no documented meaning for it (a single asterisk)`,
        `Antrea reads each * as any characters, dots included`,
      ];
  }
}

/** What to write instead, in the API's form (which Calico and Antrea read alike). */
export function suggestion(shape: Exclude<PatternShape, { kind: "plain" }>): string {
  switch (shape.kind) {
    case "all":
      return `the names the pods need, one by one: allowing every name allows every address a pod resolves`;
    case "prefix":
      return `*.${shape.rest} means one or more labels in domainNames; if one label was meant (Cilium's reading), list those names`;
    case "partial": {
      const base = shape.label === "*" || shape.label.startsWith("*") ? `${shape.label.slice(1)}${shape.rest === "" ? "" : `.${shape.rest}`}` : "";
      return base === "" || base.startsWith(".") ? `the exact names` : `${base} and *.${base} (its subdomains), or the exact names`;
    }
    case "middle":
    case "several":
      return `the exact names`;
  }
}
