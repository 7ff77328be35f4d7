import { readFileSync } from "node:fs";
import { Engine } from "../engine/engine.js";
import { type CommandOptions, parseCommandLine } from "./args.js";
import { runCheck } from "./commands/check.js";
import { runConnlist } from "./commands/connlist.js";
import { runEgress } from "./commands/egress.js";
import { runExplain } from "./commands/explain.js";
import { runMatrix } from "./commands/matrix.js";
import { runDiff } from "./commands/diff.js";
import { runGraph } from "./commands/graph.js";
import { runLint } from "./commands/lint.js";
import type { CommandResult } from "./commands/result.js";
import { runScaffold } from "./commands/scaffold.js";
import { exitCode, type Status } from "./exit.js";
import { commandHelp, globalHelp, usageHint } from "./help.js";
import { isIncomplete } from "../k8s/live.js";
import { adminPolicyHandling, engineOptions, type LiveLoadIo, loadInput, withPodNetwork, withSnapshot } from "./load.js";
import { done } from "./commands/result.js";
import type { ReadingOptions } from "./options.js";
import type { CommandName } from "./spec.js";
import type { UiServer } from "../ui-server/server.js";

/** The probe agent's argv[0] (`portcullis probe-agent`), the container command of verify's probe pods. */
const PROBE_AGENT = "probe-agent";

export interface CliIo extends LiveLoadIo {
  readonly stdout: (text: string) => void;
  /** `ui`: resolves when its server should stop; default: the first SIGINT or SIGTERM (tests stop it themselves). */
  readonly stopped?: (server: UiServer) => Promise<void>;
}

function processIo(): CliIo {
  // A reader that stops early (`| head`) closes the pipe: that ends the output, not in an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") process.stderr.write(`portcullis: cannot write output: ${error.message}\n`);
    process.exit(error.code === "EPIPE" ? (process.exitCode ?? 0) : exitCode("internal"));
  });
  return { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) };
}

/** Runs the command line; returns the exit code. Never throws, never prints a stack trace without --debug. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // The probe pods' process (docs/verify.md): not a command of the help, loaded only there.
  if (argv[0] === PROBE_AGENT) return (await import("../verify/agent.js")).probeAgentMain(argv.slice(1));
  const parsed = parseCommandLine(argv);
  if (!parsed.ok) return exitCode(usageError(io, [parsed.error.message], parsed.error.command));
  const invocation = parsed.value;
  if (invocation.kind === "help") {
    io.stdout(invocation.topic === null ? globalHelp() : commandHelp(invocation.topic));
    return exitCode("ok");
  }
  if (invocation.kind === "version") {
    io.stdout(`portcullis ${version()}\n`);
    return exitCode("ok");
  }
  try {
    const result = await run(invocation.command, io);
    if (result.kind === "usage") return exitCode(usageError(io, result.messages, invocation.command.name));
    io.stdout(result.stdout);
    if (result.stderr !== "") io.stderr(result.stderr);
    return exitCode(result.status);
  } catch (error) {
    io.stderr(`portcullis: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    io.stderr(invocation.debug && error instanceof Error && error.stack !== undefined ? `${error.stack}\n` : "(run with --debug for the stack trace)\n");
    return exitCode("internal");
  }
}

/** Runs a command: the analyses load one cluster and compile one engine; the others do their own reading. */
async function run(command: CommandOptions, io: CliIo): Promise<CommandResult> {
  switch (command.name) {
    case "scaffold":
      return runScaffold(command, io);
    case "diff":
      return runDiff(command, io);
    // The adapters of nftables and the lab load only when asked for.
    case "enforce":
      return (await import("./commands/enforce.js")).runEnforce(command, io);
    case "lab":
      return (await import("./commands/lab.js")).runLabCommand(command, io);
    case "verify":
      return (await import("./commands/verify.js")).runVerifyCommand(command, io);
    case "feeds":
      return (await import("./commands/feeds.js")).runFeeds(command);
    // The page's server streams its own output (the URL) and runs until Ctrl-C.
    case "ui":
      return (await import("./commands/ui.js")).runUi(command, io);
    case "lint": {
      const loaded = await loadInput(command.common, io, adminPolicyHandling(command.name, command.common.snapshot !== undefined));
      if (loaded.kind === "ended") return loaded.result;
      const { cluster } = loaded;
      const common = await withSnapshot(withPodNetwork(loaded.common, cluster, io), command.common.snapshot, cluster, io);
      if (common === null) return done("invalid-input", "");
      return incompleteIf(common, await runLint({ ...command, common }, cluster, version()));
    }
    default: {
      const loaded = await loadInput(command.common, io, adminPolicyHandling(command.name, command.common.snapshot !== undefined));
      if (loaded.kind === "ended") return loaded.result;
      const { cluster } = loaded;
      const common = await withSnapshot(withPodNetwork(loaded.common, cluster, io), command.common.snapshot, cluster, io);
      if (common === null) return done("invalid-input", "");
      return incompleteIf(common, analyse(lookupInReadNamespace({ ...command, common }), Engine.compile(cluster, engineOptions(common))));
    }
  }
}

type Analysis = Extract<CommandOptions, { name: "egress" | "check" | "explain" | "matrix" | "connlist" | "graph" }>;

/**
 * kubectl looks bare names up in the context's namespace: so does `check --from NAME` when the
 * cluster was read without -n or -A (only the context's namespace was read). Only check: for the
 * other commands -n also filters, and the read already holds that namespace alone.
 */
function lookupInReadNamespace(command: Analysis): Analysis {
  const input = command.common.input;
  const read = command.common.live?.namespace ?? null;
  if (command.name !== "check" || command.namespace !== null || input.kind !== "cluster" || input.scope.kind !== "context" || read === null) return command;
  return { ...command, namespace: read };
}

/**
 * Never a silent partial answer: an answer (allowed or denied, findings or none) from a live read
 * that could not see what it depends on ends with exit 6, not 0 or 1 (k8s/live.ts decides per kind).
 */
function incompleteIf(common: ReadingOptions, result: CommandResult): CommandResult {
  if (common.live === undefined || !isIncomplete(common.live.unseen) || result.kind !== "done") return result;
  return result.status === "ok" || result.status === "negative" ? { ...result, status: "incomplete" } : result;
}

function analyse(command: Analysis, engine: Engine): CommandResult {
  switch (command.name) {
    case "egress":
      return runEgress(command, engine);
    case "check":
      return runCheck(command, engine);
    case "explain":
      return runExplain(command, engine);
    case "matrix":
      return runMatrix(command, engine);
    case "connlist":
      return runConnlist(command, engine);
    case "graph":
      return runGraph(command, engine);
  }
}

function usageError(io: CliIo, messages: readonly string[], command: CommandName | null): Status {
  io.stderr(`${messages.map((m) => `portcullis: ${m}\n`).join("")}${usageHint(command)}`);
  return "usage";
}

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
  return typeof pkg === "object" && pkg !== null && "version" in pkg ? String(pkg.version) : "unknown";
}
