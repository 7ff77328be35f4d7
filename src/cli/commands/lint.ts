import { findingsJson, lintCluster, failLevel, renderSarif, renderText, selectedRules, type LintOptions } from "../../lint/index.js";
import type { Cluster } from "../../model/cluster.js";
import type { CommandOptions } from "../options.js";
import { engineOptions } from "../load.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

type LintCommand = Extract<CommandOptions, { name: "lint" }>;

function lintOptions(o: LintCommand): LintOptions {
  return {
    engine: engineOptions(o.common),
    dns: { ips: o.wellKnown.dns },
    metadata: o.wellKnown.metadata,
    ...(o.serviceCidr === null ? {} : { serviceCidr: o.serviceCidr }),
    ...(o.enable === null ? {} : { enable: o.enable }),
    disable: o.disable,
    ...(o.namespace === null ? {} : { namespace: o.namespace }),
    ...(o.systemNamespaces === null ? {} : { systemNamespaces: o.systemNamespaces }),
  };
}

/** `lint`: the findings; negative (exit 1) when one reaches `--fail-on`. */
export function runLint(options: LintCommand, cluster: Cluster, version: string): CommandResult {
  const unknown = unknownNamespace(options.namespace, cluster);
  if (unknown !== null) return usage(unknown);
  const lint = lintOptions(options);
  const findings = lintCluster(cluster, lint);
  const view = findingsJson(findings);
  const stdout = render(options.common, view, {
    text: (v) => renderText(v.findings, { color: false }),
    sarif: (v) => renderSarif(v.findings, { rules: selectedRules(lint), toolVersion: version }),
  });
  return done(failLevel(findings, options.failOn) ? "negative" : "ok", stdout);
}
