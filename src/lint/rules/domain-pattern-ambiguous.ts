import type { Location } from "../../diag/location.js";
import type { ObjectRef } from "../../model/cluster.js";
import type { Labels } from "../../model/labels.js";
import { adminObject, policyObject } from "../describe.js";
import { patternShape, readings, suggestion } from "../domain-dialects.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const domainPatternAmbiguous: LintRule = {
  id: "domain-pattern-ambiguous",
  severity: "warning",
  summary: "A domain pattern in an annotation whose `*` Cilium, Calico, Antrea and the API read differently.",
  description:
    "Domain lists also live outside `domainNames`: in annotations that tools and migrations read (`portcullis.dev/domains`, a CNI's FQDN list copied next to the policy). Their `*` does not mean one thing: the API matches \"one or more entire labels\" and only as a prefix; Cilium's matchPattern reads `*` as characters within one label (and `*` alone as every name); Calico's as one or more labels at its position; Antrea's as any characters, dots included (`*foobar.com` matches `www.foobar.com`). Every entry with a `*` of an annotation whose key names domains or FQDNs (the part after the `/` contains `domain` or `fqdn`, any case), on a NetworkPolicy or an admin policy, is reported with each reading: a warning when the readings match different names, info for `*.example.com`, which only Cilium reads as one label. The value is a JSON list of strings, or names separated by commas or spaces.",
  docs: "docs/rules/domain-pattern-ambiguous.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    const owners: { object: ObjectRef; annotations: Labels | undefined; at: Location; endpoints: () => string[] }[] = [
      ...ctx.cluster.policies.map((p) => ({ object: policyObject(p), annotations: p.annotations, at: p.at, endpoints: () => ctx.matchedBy(p).filter((e) => !e.hostNetwork).map((e) => e.id) })),
      ...(ctx.cluster.adminPolicies ?? []).map((p) => ({ object: adminObject(p), annotations: p.annotations, at: p.at, endpoints: () => ctx.adminSubjects(p, "egress").map((e) => e.id) })),
    ];
    for (const owner of owners) {
      for (const [key, value] of owner.annotations ?? []) {
        if (!namesDomains(key)) continue;
        const path = `metadata.annotations["${key}"]`;
        for (const text of domainList(value)) {
          const shape = patternShape(text);
          if (shape.kind === "plain") continue;
          drafts.push({
            message: m.domainPatternAmbiguous(text, path, readings(shape)),
            object: owner.object,
            at: { ...owner.at, path },
            endpoints: owner.endpoints(),
            hint: m.domainPatternAmbiguousHint(suggestion(shape)),
            ...(owner.annotations === undefined ? {} : { annotations: owner.annotations }),
            ...(shape.kind === "prefix" ? { severity: "info" as const } : {}),
          });
        }
      }
    }
    return drafts;
  },
};

/** An annotation key whose name (after the prefix's `/`) says it holds domains: `portcullis.dev/egress-domains`, `example.com/fqdns`. */
export function namesDomains(key: string): boolean {
  const name = key.slice(key.indexOf("/") + 1).toLowerCase();
  return name.includes("domain") || name.includes("fqdn");
}

/** The entries of an annotation value: a JSON list of strings, or names separated by commas or white space. */
export function domainList(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.filter((x): x is string => typeof x === "string").map((x) => x.trim()).filter((x) => x !== "");
    } catch {
      // Not JSON: read it as a list of words below.
    }
  }
  return trimmed.split(/[\s,]+/).map((x) => x.replace(/^["'[]+|["'\]]+$/g, "")).filter((x) => x !== "");
}
