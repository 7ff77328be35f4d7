import { scaffold, type ScaffoldError } from "../../scaffold/index.js";
import type { CommandOptions } from "../options.js";
import { type CommandResult, done, usage } from "./result.js";

type ScaffoldCommand = Extract<CommandOptions, { name: "scaffold" }>;

/** `scaffold`: YAML from options alone; every problem with the options is a usage error, all listed. */
export function runScaffold(options: ScaffoldCommand): CommandResult {
  const { namespace, allowDns, blockMetadata, allowTo, metadata, dns } = options;
  const r = scaffold({ namespace, allowDns, blockMetadata, allowTo, metadata, dns });
  if (r.ok) return done("ok", r.value);
  const [first, ...rest] = r.errors.map((e) => `${flagOf(e, options)}: ${e.message}`);
  return usage(first ?? "invalid options", ...rest);
}

/** The flag an error is about, as written: `-n`, or `--allow-to "SPEC"` (field `allow-to[i]`). */
function flagOf(e: ScaffoldError, options: ScaffoldCommand): string {
  const index = /^allow-to\[(\d+)\]$/.exec(e.field)?.[1];
  if (index === undefined) return e.field === "namespace" ? "-n" : `--${e.field}`;
  return `--allow-to ${JSON.stringify(options.allowTo[Number(index)] ?? "")}`;
}
