import { exitCode } from "./exit.js";
import { type CommandName, type CommandSpec, COMMANDS, commandSpec, type FlagSpec, GLOBAL_FLAGS, VERSION_FLAG } from "./spec.js";

function flagLines(flags: readonly FlagSpec[]): string[] {
  const label = (f: FlagSpec): string =>
    `${f.short === undefined ? "    " : `-${f.short}, `}--${f.name}${f.value === undefined ? "" : ` ${f.value}`}`;
  const width = Math.max(...flags.map((f) => label(f).length));
  return flags.map((f) => `  ${label(f).padEnd(width)}  ${f.help}`);
}

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "portcullis: Kubernetes NetworkPolicy egress control",
    "",
    "Usage:",
    "  portcullis [COMMAND] -f PATH... [flags]",
    "  portcullis scaffold -n NAMESPACE [flags]",
    "  portcullis lab probe|down --lab PREFIX [flags]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Flags:",
    ...flagLines([...GLOBAL_FLAGS, VERSION_FLAG]),
    "",
    "Examples:",
    ...COMMANDS.flatMap((c) => c.examples.slice(0, 1)).map((e) => `  ${e}`),
    "",
    `Run "portcullis COMMAND --help" for a command's flags. Exit codes: see docs/exit-codes.md.`,
    "",
  ].join("\n");
}

export function commandHelp(name: CommandName): string {
  const spec = commandSpec(name);
  return [
    `portcullis ${spec.name}: ${spec.summary}`,
    "",
    "Usage:",
    `  ${spec.usage} [flags]`,
    "",
    ...(spec.flags.length === 0 ? [] : ["Flags:", ...flagLines(spec.flags), ""]),
    "Global flags:",
    ...flagLines(GLOBAL_FLAGS.filter((f) => spec.readsManifests !== false || f.manifests !== true)),
    "",
    `Output formats (-o): ${spec.outputs.join(", ")}; default ${spec.defaultOutput ?? "text"}`,
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
    ...exitLines(spec),
    "",
  ].join("\n");
}

/** The command's exit codes: what 0 and 1 mean for it, then the meanings every command shares. */
function exitLines(spec: CommandSpec): string[] {
  const line = (code: number, text: string): string => `  ${code}  ${text}`;
  return [
    "Exit codes:",
    line(exitCode("ok"), spec.exits.ok),
    ...(spec.exits.negative === undefined ? [] : [line(exitCode("negative"), spec.exits.negative)]),
    ...(spec.readsManifests === false ? [] : [line(exitCode("invalid-input"), "invalid input: the manifests have errors (printed)")]),
    line(exitCode("usage"), "usage error: the command line is wrong"),
    line(exitCode("internal"), "internal or environment error (see docs/exit-codes.md)"),
    ...(spec.exits.refused === undefined ? [] : [line(exitCode("refused"), spec.exits.refused)]),
    ...(spec.readsCluster === true
      ? [
          line(exitCode("incomplete"), "reading a cluster: objects the answer depends on could not be read (RBAC); printed from what was seen, and says what was not"),
          line(exitCode("cluster-unreachable"), "reading a cluster: it cannot be reached"),
          line(exitCode("cluster-credentials"), "reading a cluster: the credentials were rejected, or none could be obtained"),
          line(exitCode("kubeconfig"), "reading a cluster: the kubeconfig (or in-cluster configuration) cannot be used"),
        ]
      : []),
  ];
}

/** The short usage shown under a usage error. */
export function usageHint(name: CommandName | null): string {
  if (name === null) return `Run "portcullis --help" for usage.\n`;
  return `Usage: ${commandSpec(name).usage}\nRun "portcullis ${name} --help" for more.\n`;
}
