import { RULES } from "./registry.js";
import type { Finding, LintRule, Severity } from "./types.js";

export interface SarifOptions {
  /** The rules to describe in tool.driver.rules (default: all). Results of other rules are dropped. */
  readonly rules?: readonly LintRule[];
  /**
   * An absolute URI the docs pages sit under (e.g. the repository's web view of its main branch,
   * ending in `/`): each rule's helpUri is this plus `docs/rules/<id>.md`. SARIF requires helpUri
   * to be an absolute URI, so without a base none is written (help.text still names the page).
   */
  readonly docsBaseUri?: string;
  readonly toolVersion?: string;
}

const LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = { error: "error", warning: "warning", info: "note" };

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** A SARIF 2.1.0 log of the findings: one run, the rules in tool.driver.rules, one result per finding. */
export function sarifLog(findings: readonly Finding[], options: SarifOptions = {}): object {
  const rules = options.rules ?? RULES;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const driver = {
    name: "portcullis",
    ...(options.toolVersion === undefined ? {} : { version: options.toolVersion }),
    rules: rules.map((r) => ruleDescriptor(r, options.docsBaseUri)),
  };
  const results = findings.flatMap((f) => {
    const ruleIndex = index.get(f.rule);
    return ruleIndex === undefined ? [] : [result(f, ruleIndex)];
  });
  return { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [{ tool: { driver }, results }] };
}

export function renderSarif(findings: readonly Finding[], options: SarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(findings, options), null, 2)}\n`;
}

function ruleDescriptor(r: LintRule, base: string | undefined): object {
  return {
    id: r.id,
    name: r.id,
    shortDescription: { text: r.summary },
    fullDescription: { text: r.description },
    help: { text: `${r.description} How to fix it, with an example: ${r.docs}.` },
    ...(base === undefined ? {} : { helpUri: `${base}${r.docs}` }),
    defaultConfiguration: { level: LEVEL[r.severity] },
  };
}

function result(f: Finding, ruleIndex: number): object {
  const at = f.location;
  const region = at.file !== undefined && at.line >= 1 ? { region: { startLine: at.line, startColumn: Math.max(1, at.column) } } : {};
  // A live object has no file: its location is logical only (SARIF 3.28: a location with no physicalLocation).
  const physical = at.file === undefined ? {} : { physicalLocation: { artifactLocation: { uri: fileUri(at.file) }, ...region } };
  return {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.object}: ${f.message}. Hint: ${f.hint}.` },
    locations: [
      {
        ...physical,
        logicalLocations: [{ fullyQualifiedName: f.location.path === "" ? f.object : `${f.object}/${f.location.path}`, kind: "object" }],
      },
    ],
    properties: { object: f.object, path: f.location.path, endpoints: [...f.endpoints], hint: f.hint },
  };
}

/** A relative path stays a relative URI reference; an absolute one becomes a file: URI. */
export function fileUri(file: string): string {
  const slashed = file.replace(/\\/g, "/");
  const encoded = slashed.split("/").map((s) => encodeURIComponent(s)).join("/");
  if (/^[A-Za-z]:\//.test(slashed)) return `file:///${slashed.slice(0, 2)}${encoded.slice(encoded.indexOf("/"))}`;
  return slashed.startsWith("/") ? `file://${encoded}` : encoded;
}
