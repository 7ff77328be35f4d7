import { parseArgs } from "node:util";
import { buildFeeds } from "./build-feeds.js";
import { buildDiff, buildEnforce, buildGraph, buildLab, buildLint, buildScaffold, buildUi, buildVerify } from "./build-tools.js";
import { commonOptions, filelessOptions, readOptions, type Given, list, namespaceScope, parsePort, parsePortOrName, parseProtocol, refuse, Refused, required, wellKnownFlags } from "./flags.js";
import type { CommandOptions, Invocation } from "./options.js";
import { type CommandName, COMMANDS, type FlagSpec, allFlags, commandSpec, GLOBAL_FLAGS, VERSION_FLAG } from "./spec.js";
import { suggest } from "./suggest.js";

export type { CommandOptions, Invocation } from "./options.js";

export interface UsageError {
  readonly message: string;
  /** The command whose usage line to show, when known. */
  readonly command: CommandName | null;
}

export type ParseResult = { readonly ok: true; readonly value: Invocation } | { readonly ok: false; readonly error: UsageError };

/** Parses the command line into typed options, or a usage error. Never throws. */
export function parseCommandLine(argv: readonly string[]): ParseResult {
  if (argv.length === 0) return { ok: true, value: { kind: "help", topic: null } };
  const { tokens, name, explicit, positionals } = tokenize(argv);
  const command = explicit && name !== "help" ? name : null;
  // Asking for help or the version wins over anything else wrong on the line.
  const asked = (flag: string): boolean => tokens.some((t) => t.kind === "option" && t.name === flag);
  if (asked("help")) return { ok: true, value: { kind: "help", topic: command } };
  if (asked("version")) return { ok: true, value: { kind: "version" } };
  try {
    const given = collectFlags(tokens, name);
    if (!explicit && positionals.length > 0) refuse(unknownCommand(positionals[0] ?? ""));
    if (name === "help") return { ok: true, value: { kind: "help", topic: helpTopic(positionals) } };
    return { ok: true, value: { kind: "run", debug: given.has("debug"), command: build(name, positionals, given) } };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, error: { message: e.message, command } };
    throw e;
  }
}

const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);

function isCommandName(s: string): s is CommandName {
  return COMMAND_NAMES.includes(s);
}

type Token = ReturnType<typeof parseArgs>["tokens"] extends (infer T)[] | undefined ? T : never;

/** Splits the line into tokens and finds the command: the first positional, else the default. */
function tokenize(argv: readonly string[]): { tokens: Token[]; name: CommandName | "help"; explicit: boolean; positionals: string[] } {
  const options = Object.fromEntries(
    [...allFlags().values()].map((f) => [f.name, { type: f.type, multiple: f.multiple ?? false, ...(f.short === undefined ? {} : { short: f.short }) }]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const positionals = tokens.flatMap((t) => (t.kind === "positional" ? [t.value] : []));
  const first = positionals[0];
  const explicit = first !== undefined && (isCommandName(first) || first === "help");
  if (explicit) positionals.shift();
  return { tokens, name: explicit ? (first as CommandName | "help") : "egress", explicit, positionals };
}

/** The global flags a command takes: without those about manifests when it reads none. */
function globalFlags(name: CommandName | "help"): readonly FlagSpec[] {
  const reads = name === "help" || commandSpec(name).readsManifests !== false;
  return GLOBAL_FLAGS.filter((f) => reads || f.manifests !== true);
}

/** The flags given, checked against the ones the command allows. */
function collectFlags(tokens: readonly Token[], name: CommandName | "help"): Given {
  const known = allFlags();
  // The command's own specs: `--port` is repeatable in matrix and single in check.
  const allowed = new Map<string, FlagSpec>([...globalFlags(name), VERSION_FLAG, ...(name === "help" ? [] : commandSpec(name).flags)].map((f) => [f.name, f]));
  const given = new Map<string, string[]>();
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = allowed.get(t.name);
    if (spec === undefined) refuse(unknownFlag(t.rawName, t.name, name, known.get(t.name), [...allowed.keys()]));
    given.set(spec.name, [...(given.get(spec.name) ?? []), flagValue(spec, t.rawName, t.value, t.inlineValue)]);
  }
  for (const [flag, values] of given) {
    const spec = allowed.get(flag);
    if (spec !== undefined && spec.type === "string" && !(spec.multiple ?? false) && values.length > 1) refuse(`flag --${flag} given more than once`);
  }
  return given;
}

function unknownFlag(raw: string, name: string, command: CommandName | "help", knownElsewhere: FlagSpec | undefined, allowed: string[]): string {
  if (knownElsewhere?.manifests === true) return `flag ${raw} is not valid for "portcullis ${command}": it reads no manifests`;
  if (knownElsewhere !== undefined) return `flag ${raw} is not valid for "portcullis ${command}"`;
  const hint = suggest(name, allowed);
  return `unknown flag ${raw}${hint === null ? "" : ` (did you mean --${hint}?)`}`;
}

function unknownCommand(word: string): string {
  const hint = suggest(word, COMMAND_NAMES);
  return `unknown command "${word}"${hint === null ? "" : ` (did you mean "${hint}"?)`}`;
}

function flagValue(spec: FlagSpec, raw: string, value: string | undefined, inline: boolean | undefined): string {
  if (spec.type === "boolean") {
    if (value !== undefined) refuse(`flag ${raw} takes no value`);
    return "true";
  }
  // As in strict parsing: `-o -f` is a forgotten value, not the value "-f" (write `-o=-f` to mean it).
  if (value === undefined || (inline !== true && value.length > 1 && value.startsWith("-"))) refuse(`flag ${raw} needs a value (${spec.value ?? "VALUE"})`);
  // kubectl's `-o=json`: node reads a short flag's inline value as "=json".
  return inline === true && raw.length === 2 && value.startsWith("=") ? value.slice(1) : value;
}

function helpTopic(positionals: readonly string[]): CommandName | null {
  if (positionals.length > 1) refuse(`"portcullis help" takes at most one command`);
  const topic = positionals[0];
  if (topic === undefined) return null;
  if (!isCommandName(topic)) refuse(unknownCommand(topic));
  return topic;
}

function build(name: CommandName, positionals: readonly string[], given: Given): CommandOptions {
  const spec = commandSpec(name);
  if (positionals.length > spec.positionals) {
    refuse(`unexpected argument "${positionals[spec.positionals] ?? ""}" for "portcullis ${name}"`);
  }
  if (name === "scaffold") return buildScaffold(given);
  if (name === "lab") return buildLab(positionals, given);
  if (name === "feeds") return buildFeeds(positionals, given);
  if (name === "verify") return buildVerify(given);
  if (name === "diff") return buildDiff(commonOptions(name, given), given);
  if (name === "enforce") return buildEnforce(given.has("kubernetes") ? filelessOptions(name, given) : commonOptions(name, given), given);
  const common = readOptions(name, given);
  switch (name) {
    case "egress":
      return { name, common, namespace: namespaceScope(given), wellKnown: wellKnownFlags(given) };
    case "connlist":
      return { name, common, namespace: namespaceScope(given) };
    case "explain":
      return { name, common, namespace: namespaceScope(given), target: positionals[0] ?? null };
    case "check":
      return {
        name,
        common,
        from: required(given, "from"),
        to: required(given, "to"),
        port: given.has("port") ? parsePortOrName(required(given, "port")) : null,
        protocol: given.has("protocol") ? parseProtocol(required(given, "protocol")) : null,
        namespace: namespaceScope(given),
      };
    case "matrix":
      return { name, common, namespace: namespaceScope(given), ports: list(given, "port", parsePort), protocols: list(given, "protocol", parseProtocol) };
    case "graph":
      return buildGraph(common, given);
    case "ui":
      return buildUi(common, given);
    case "lint":
      return buildLint(common, given);
  }
}
