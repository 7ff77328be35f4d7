/** The lint API: `lintCluster(cluster, options) → Finding[]`, the rule registry, and the renderers. */
export { lintCluster, failLevel, selectedRules } from "./lint.js";
export { RULES, unknownRuleIds } from "./registry.js";
export { DEFAULT_SYSTEM_NAMESPACES } from "./rules/egress-not-isolated.js";
export { renderText } from "./render-text.js";
export { findingsJson } from "./render-json.js";
export { renderSarif } from "./render-sarif.js";
export type { LintOptions } from "./types.js";
