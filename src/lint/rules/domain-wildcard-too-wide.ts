import { adminObject } from "../describe.js";
import { domainEntries } from "../domains.js";
import { lintMessages as m } from "../messages.js";
import { publicSuffixKind } from "../public-suffix.js";
import type { Draft, LintRule } from "../types.js";

export const domainWildcardTooWide: LintRule = {
  id: "domain-wildcard-too-wide",
  severity: "warning",
  summary: "A `domainNames` wildcard wider than a registrable domain (`*.co.uk`, `*.github.io`).",
  description:
    "\"'*', the wildcard specifier, matches one or more entire labels\": `*.com` matches every name under com. A wildcard whose parent is a public suffix of the Public Suffix List (https://publicsuffix.org/list/, read through the tldts package) allows every domain anyone registers under it: ICANN suffixes (`co.uk`, `com.au`), private ones (`github.io`, `s3.amazonaws.com`, where each name belongs to another customer). The CRD's pattern already refuses `*.com` (two labels after `*.`). One finding per entry.",
  docs: "docs/rules/domain-wildcard-too-wide.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const e of domainEntries(ctx.cluster)) {
      if (e.pattern?.kind !== "subdomains") continue;
      const kind = publicSuffixKind(e.pattern.parent);
      if (kind === null) continue;
      drafts.push({
        message: m.domainWildcardTooWide(e.name.text, e.pattern.parent, kind),
        object: adminObject(e.policy),
        at: e.name.at,
        endpoints: ctx.adminSubjects(e.policy, "egress").map((s) => s.id),
        hint: m.domainWildcardTooWideHint(e.pattern.parent),
      });
    }
    return drafts;
  },
};
