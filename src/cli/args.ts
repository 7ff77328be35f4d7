import { parseArgs } from "node:util";
import { isProtocol, type Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { formatCidr, parseCidr } from "../net/cidr.js";
import { type CommandName, COMMANDS, type FlagSpec, type OutputFormat, allFlags, commandSpec, GLOBAL_FLAGS, VERSION_FLAG } from "./spec.js";
import { suggest } from "./suggest.js";

/** Options every command that reads manifests shares. */
export interface CommonOptions {
  readonly files: readonly string[];
  readonly output: OutputFormat;
  readonly verbose: boolean;
  readonly podNetwork: AddressSet;
  readonly ipBlockMatchesPods: boolean;
}

export type CommandOptions =
  | { readonly name: "egress"; readonly common: CommonOptions }
  | {
      readonly name: "check";
      readonly common: CommonOptions;
      readonly from: string;
      readonly to: string;
      readonly port: number;
      readonly protocol: Protocol;
    }
  | { readonly name: "explain"; readonly common: CommonOptions; readonly target: string | null }
  | {
      readonly name: "matrix";
      readonly common: CommonOptions;
      readonly ports: readonly number[] | null;
      readonly protocols: readonly Protocol[] | null;
    }
  | { readonly name: "connlist"; readonly common: CommonOptions };

export type Invocation =
  | { readonly kind: "help"; readonly topic: CommandName | null }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly debug: boolean; readonly command: CommandOptions };

export interface UsageError {
  readonly message: string;
  /** The command whose usage line to show, when known. */
  readonly command: CommandName | null;
}

export type ParseResult = { readonly ok: true; readonly value: Invocation } | { readonly ok: false; readonly error: UsageError };

export const DEFAULT_POD_CIDR = "10.244.0.0/16";

/** The flags given, by long name, in order: values for string flags, `true` for boolean ones. */
type Given = Map<string, string[]>;

class Refused extends Error {}

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

function refuse(message: string): never {
  throw new Refused(message);
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

/** The flags given, checked against the ones the command allows. */
function collectFlags(tokens: readonly Token[], name: CommandName | "help"): Given {
  const known = allFlags();
  // The command's own specs: `--port` is repeatable in matrix and single in check.
  const allowed = new Map<string, FlagSpec>([...GLOBAL_FLAGS, VERSION_FLAG, ...(name === "help" ? [] : commandSpec(name).flags)].map((f) => [f.name, f]));
  const given: Given = new Map();
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = allowed.get(t.name);
    if (spec === undefined) refuse(unknownFlag(t.rawName, t.name, name, known.has(t.name), [...allowed.keys()]));
    given.set(spec.name, [...(given.get(spec.name) ?? []), flagValue(spec, t.rawName, t.value, t.inlineValue)]);
  }
  for (const [flag, values] of given) {
    const spec = allowed.get(flag);
    if (spec !== undefined && spec.type === "string" && !(spec.multiple ?? false) && values.length > 1) refuse(`flag --${flag} given more than once`);
  }
  return given;
}

function unknownFlag(raw: string, name: string, command: CommandName | "help", knownElsewhere: boolean, allowed: string[]): string {
  if (knownElsewhere) return `flag ${raw} is not valid for "portcullis ${command}"`;
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
  return value;
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
  const common = commonOptions(name, given);
  switch (name) {
    case "egress":
    case "connlist":
      return { name, common };
    case "explain":
      return { name, common, target: positionals[0] ?? null };
    case "check":
      return {
        name,
        common,
        from: required(given, "from"),
        to: required(given, "to"),
        port: parsePort(required(given, "port")),
        protocol: parseProtocol(one(given, "protocol") ?? "TCP"),
      };
    case "matrix":
      return { name, common, ports: list(given, "port", parsePort), protocols: list(given, "protocol", parseProtocol) };
  }
}

function one(given: Given, flag: string): string | undefined {
  return given.get(flag)?.[0];
}

function required(given: Given, flag: string): string {
  const v = one(given, flag);
  if (v === undefined) refuse(`missing required flag --${flag}`);
  return v;
}

function list<T>(given: Given, flag: string, parse: (s: string) => T): T[] | null {
  const values = given.get(flag);
  if (values === undefined) return null;
  return values.flatMap((v) => v.split(",")).map(parse);
}

function commonOptions(name: CommandName, given: Given): CommonOptions {
  const files = given.get("filename") ?? [];
  if (files.length === 0) refuse(`no input: give manifests with -f FILE, -f DIR, or -f - for stdin`);
  if (files.filter((f) => f === "-").length > 1) refuse(`stdin (-f -) given more than once`);
  return {
    files,
    output: parseOutput(name, one(given, "output") ?? "text"),
    verbose: given.has("verbose"),
    podNetwork: parsePodNetwork(given.get("pod-cidr") ?? [DEFAULT_POD_CIDR]),
    ipBlockMatchesPods: parseBool("--ipblock-matches-pods", one(given, "ipblock-matches-pods") ?? "true"),
  };
}

function parseOutput(name: CommandName, text: string): OutputFormat {
  const outputs: readonly string[] = commandSpec(name).outputs;
  if (!outputs.includes(text)) refuse(`"portcullis ${name}" cannot write -o ${text}: use one of ${outputs.join(", ")}`);
  return text as OutputFormat;
}

export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) refuse(`invalid port "${text}": expected a number 1-65535`);
  return Number(text);
}

function parseProtocol(text: string): Protocol {
  const upper = text.toUpperCase();
  if (!isProtocol(upper)) refuse(`invalid protocol "${text}": expected TCP, UDP or SCTP`);
  return upper;
}

function parseBool(flag: string, text: string): boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  return refuse(`invalid value "${text}" for ${flag}: expected true or false`);
}

function parsePodNetwork(texts: readonly string[]): AddressSet {
  let set = AddressSet.EMPTY;
  for (const text of texts) {
    const parsed = parseCidr(text);
    if (!parsed.ok) refuse(`invalid --pod-cidr "${text}": ${parsed.reason}`);
    if (parsed.hostBitsSet) refuse(`invalid --pod-cidr "${text}": host bits are set (did you mean ${formatCidr(parsed.cidr)}?)`);
    set = set.union(AddressSet.fromCidr(parsed.cidr));
  }
  return set;
}
