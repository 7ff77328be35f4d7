import { type Counter, parseCounters } from "../nft/counters.js";
import { enforcedIds, tableLines } from "../nft/enforced.js";
import { TABLE } from "../nft/types.js";
import { type RunError, type RunResult, inNetns, run } from "./process.js";

export type NftError = RunError;
export type NftResult<T> = RunResult<T>;

/** A failure of a long-lived writer (nft -i, the netlink helper): no exit code, its stderr trimmed. */
export const writerFailure = (code: NftError["code"], message: string, stderr = ""): NftResult<never> => ({ ok: false, error: { code, message, stderr: stderr.trim(), exitCode: null } });

/** Runs `nft args` (inside `netns` when given); errors are values carrying nft's stderr. */
export async function runNft(args: readonly string[], netns?: string, input?: string): Promise<NftResult<string>> {
  const command = inNetns(netns, ["nft", ...args]);
  if (!command.ok) return command;
  const [program, argv] = command.value;
  return run(program, argv, input === undefined ? {} : { input });
}

/** Applies an `nft -f` script (read from stdin) as one transaction. */
export async function applyRuleset(text: string, netns?: string): Promise<NftResult<void>> {
  const r = await runNft(["-f", "-"], netns, text);
  return r.ok ? { ok: true, value: undefined } : r;
}

/** `nft list table inet portcullis`: the table as the kernel holds it. */
export function listTable(netns?: string): Promise<NftResult<string>> {
  return runNft(["list", "table", "inet", TABLE], netns);
}

/**
 * `nft -t -j list table inet portcullis`: the table's chains and rules without set elements, in one
 * read; null when nft says the table does not exist.
 */
export async function listTableTerse(netns?: string): Promise<NftResult<string | null>> {
  const r = await runNft(["-t", "-j", "list", "table", "inet", TABLE], netns);
  if (!r.ok && r.error.code === "exit" && /No such file or directory/.test(r.error.stderr)) return { ok: true, value: null };
  return r;
}

/**
 * Packet and byte counters per rule id (lookups, default denies, fail-closed drops), read tersely
 * (`-t`: counters sit on rules, so the set elements, most of a large table, are not fetched).
 */
export async function readCounters(netns?: string): Promise<NftResult<ReadonlyMap<string, Counter>>> {
  const r = await runNft(["-t", "-j", "list", "table", "inet", TABLE], netns);
  if (!r.ok) return r;
  const parsed = parseCounters(r.value);
  return parsed.ok ? { ok: true, value: parsed.counters } : { ok: false, error: { code: "exit", message: parsed.error, stderr: "", exitCode: 0 } };
}

/**
 * The ids the table in the kernel enforces (see enforcedIds); none when there is no table. Read
 * from `nft -t list ruleset` (set elements left out), which nft 1.0 answers several times faster
 * than `nft -t list table` or even `nft list tables` on a table with large sets (those fetch the
 * elements: 3-8 s against 0.8-1.1 s for a node of the 10k-pod benchmark cluster).
 */
export async function readEnforcedIds(netns?: string): Promise<NftResult<ReadonlySet<string>>> {
  const listed = await runNft(["-t", "list", "ruleset"], netns);
  return listed.ok ? { ok: true, value: enforcedIds(tableLines(listed.value, "inet", TABLE)) } : listed;
}
