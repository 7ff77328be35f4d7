/**
 * The page's questions answered by the commands themselves: a what-if is `portcullis check`, a
 * click on a workload is `portcullis explain`. The argv is built and read by the CLI's own parser
 * (the same refusals, the same messages); the command runs against the session's engine, once
 * for the JSON and once for the text, so the page shows exactly what the terminal would.
 */
import { parseCommandLine } from "../cli/args.js";
import { runCheck } from "../cli/commands/check.js";
import { runExplain } from "../cli/commands/explain.js";
import type { CommandResult } from "../cli/commands/result.js";
import type { CommandOptions, ReadingOptions } from "../cli/options.js";
import type { Engine } from "../engine/engine.js";
import { isIncomplete } from "../k8s/live.js";
import type { CheckAnswer, CheckRequest } from "../ui-model/types.js";

/** What a question runs against: the engine, the reading options of the session, its namespace (-n). */
export interface Asked {
  readonly engine: Engine;
  readonly reading: ReadingOptions;
  readonly namespace: string | null;
}

/** A question the command refuses: its usage message (HTTP 400). */
export interface Refusal {
  readonly error: string;
}

type Format = "json" | "text";

/** `check --from X --to Y --port P [--protocol Q]`, as the CLI reads it and answers it. */
export function askCheck(question: CheckRequest, asked: Asked): CheckAnswer | Refusal {
  const argv = ["check", `--from=${question.from}`, `--to=${question.to}`, `--port=${question.port}`, ...(question.protocol === undefined ? [] : [`--protocol=${question.protocol}`]), ...namespaceFlag(asked)];
  const run = (format: Format): CommandResult | Refusal => {
    const command = parsed(argv, "check");
    return "error" in command ? command : runCheck({ ...command, common: { ...command.common, ...asked.reading, output: format } }, asked.engine);
  };
  const both = bothFormats(run);
  if ("error" in both) return both;
  const verdict = (both.json as { verdict?: unknown }).verdict;
  const status = both.status === "ok" ? "ok" : "negative";
  return { question, status: incomplete(asked.reading) ? "incomplete" : status, verdict: typeof verdict === "string" ? verdict : "unknown", text: both.text, json: both.json };
}

/** `explain TARGET`: the text and JSON explain prints for one endpoint (or anything explain takes). */
export function askExplain(target: string, asked: Asked): { readonly text: string; readonly json: unknown } | Refusal {
  const argv = ["explain", ...namespaceFlag(asked), "--", target];
  const run = (format: Format): CommandResult | Refusal => {
    const command = parsed(argv, "explain");
    return "error" in command ? command : runExplain({ ...command, common: { ...command.common, ...asked.reading, output: format } }, asked.engine);
  };
  const both = bothFormats(run);
  return "error" in both ? both : { text: both.text, json: both.json };
}

function namespaceFlag(asked: Asked): string[] {
  return asked.namespace === null ? [] : [`--namespace=${asked.namespace}`];
}

/** The command's options from its argv, or the parser's refusal. */
function parsed<N extends "check" | "explain">(argv: readonly string[], name: N): Extract<CommandOptions, { name: N }> | Refusal {
  const result = parseCommandLine(argv);
  if (!result.ok) return { error: result.error.message };
  const invocation = result.value;
  if (invocation.kind !== "run" || invocation.command.name !== name) return { error: `not a ${name} question` };
  return invocation.command as Extract<CommandOptions, { name: N }>;
}

interface Printed {
  readonly status: string;
  readonly text: string;
  readonly json: unknown;
}

/** Runs the command for JSON and for text; a usage error (the first message) is a refusal. */
function bothFormats(run: (format: Format) => CommandResult | Refusal): Printed | Refusal {
  const json = run("json");
  if ("error" in json) return json;
  if (json.kind === "usage") return { error: json.messages.join("; ") };
  const text = run("text");
  if ("error" in text) return text;
  if (text.kind === "usage") return { error: text.messages.join("; ") };
  return { status: json.status, text: text.stdout, json: JSON.parse(json.stdout) as unknown };
}

/** A live read that could not see what answers depend on: never a silent partial answer (check's exit 6). */
function incomplete(reading: ReadingOptions): boolean {
  return reading.live !== undefined && isIncomplete(reading.live.unseen);
}
