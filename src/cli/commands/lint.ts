import { findingsJson, lintCluster, failLevel, renderSarif, renderText, selectedRules, type LintOptions } from "../../lint/index.js";
import { readFeeds } from "../../feeds-io/read-feeds.js";
import type { Cluster } from "../../model/cluster.js";
import type { CommandOptions } from "../options.js";
import { engineOptions } from "../load.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

type LintCommand = Extract<CommandOptions, { name: "lint" }>;

function lintOptions(o: LintCommand, feeds: LintOptions["feeds"]): LintOptions {
  return {
    ...(feeds === undefined ? {} : { feeds }),
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

/** `lint`: the findings; negative (exit 1) when one reaches `--fail-on`. `--feed` files that cannot be read end it with invalid input. */
export async function runLint(options: LintCommand, cluster: Cluster, version: string): Promise<CommandResult> {
  const unknown = unknownNamespace(options.namespace, cluster);
  if (unknown !== null) return usage(unknown);
  const feeds = options.feeds.length === 0 ? undefined : await readFeeds(options.feeds);
  if (feeds !== undefined && !feeds.ok) return done("invalid-input", "", feeds.messages.map((m) => `portcullis: ${m}\n`).join(""));
  const lint = lintOptions(options, feeds?.feeds);
  const findings = lintCluster(cluster, lint);
  const view = findingsJson(findings);
  const stdout = render(options.common, view, {
    text: (v) => renderText(v.findings, { color: false }),
    sarif: (v) => renderSarif(v.findings, { rules: selectedRules(lint), toolVersion: version }),
  });
  return done(failLevel(findings, options.failOn) ? "negative" : "ok", stdout);
}
