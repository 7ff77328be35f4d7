/** The lint API: `lintCluster(cluster, options) → Finding[]`, the rule registry, and the renderers. */
export { lintCluster, failLevel, selectedRules, countBySeverity, compareFindings, type FailOn } from "./lint.js";
export { RULES, ruleById, unknownRuleIds } from "./registry.js";
export { IGNORE_ANNOTATION } from "./ignore.js";
export { renderText, type TextOptions } from "./render-text.js";
export { renderJson, findingsJson } from "./render-json.js";
export { renderSarif, sarifLog, type SarifOptions } from "./render-sarif.js";
export type { Finding, FindingLocation, LintOptions, DnsOptions, LintRule, Draft, Severity } from "./types.js";
