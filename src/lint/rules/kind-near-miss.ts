import { lintMessages as m } from "../messages.js";
import type { LintRule } from "../types.js";

export const kindNearMiss: LintRule = {
  id: "kind-near-miss",
  severity: "error",
  summary: "An object whose kind is a typo of a kind Portcullis reads is skipped.",
  description:
    "An object whose kind differs from NetworkPolicy, Deployment, Pod or another kind Portcullis reads only by case or a letter or two (`Networkpolicy`, `Deploymnet`) is no object the API server accepts. Portcullis skips it, so a policy with such a typo silently vanishes from every check and from enforcement.",
  docs: "docs/rules/kind-near-miss.md",
  check: (ctx) =>
    (ctx.cluster.kindNearMisses ?? []).map((miss) => ({
      message: m.kindNearMiss(miss.kind, miss.suggestion),
      object: miss.ref,
      at: miss.at,
      endpoints: [],
      hint: m.kindNearMissHint(miss.suggestion),
    })),
};
