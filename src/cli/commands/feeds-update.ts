/**
 * `feeds update -f PATH... --feed F [--dry-run] [--force] [--max-shrink PERCENT]`: every policy bound to a
 * feed (portcullis.dev/feed-selector) refreshed in place from the feeds given (docs/feeds/update.md).
 *
 * All or nothing: every file is read and every update computed first; a file that cannot be refreshed
 * (exit 2) or a guard that refuses (exit 5, unless --force) means no file is written. A file whose text
 * does not change is not written at all (its mtime stays). A changed file is written atomically: a
 * temporary file in the same directory, with the file's mode, renamed over it.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { describeGuard, type Guard } from "../../feeds/guards.js";
import { unifiedDiff } from "../../feeds/unified-diff.js";
import { type FileUpdate, type PolicyUpdate, updateText } from "../../feeds/update.js";
import { readFeeds } from "../../feeds-io/read-feeds.js";
import { readSources } from "../../io/read-sources.js";
import type { FeedsOptions } from "../feeds-options.js";
import { render } from "../output.js";
import { type CommandResult, done } from "./result.js";

type UpdateOptions = Extract<FeedsOptions, { action: "update" }>;

/** `-o json`: one entry per file read that holds a bound policy (docs/json.md, `feeds update`). */
interface UpdateView {
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Every file was written (or, with --dry-run, would be): no error and no refusal stood in the way. */
  readonly written: boolean;
  readonly files: ReadonlyArray<{ readonly file: string; readonly changed: boolean; readonly written: boolean; readonly policies: readonly PolicyView[] }>;
}

interface PolicyView extends Omit<PolicyUpdate, "refused"> {
  readonly refused: ReadonlyArray<Guard & { readonly message: string }>;
}

const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

function policyView(p: PolicyUpdate): PolicyView {
  return { ...p, refused: p.refused.map((g) => ({ ...g, message: describeGuard(g) })) };
}

function who(p: PolicyUpdate): string {
  return `${p.kind} ${[p.namespace, p.name].filter((x) => x !== null).join("/")}`;
}

function policyLine(file: string, p: PolicyUpdate): string {
  const what = !p.changed ? "current" : `+${p.added.length} -${p.removed.length} CIDRs${p.versionBefore === p.versionAfter ? "" : `, version ${p.versionBefore ?? "(none)"} -> ${p.versionAfter ?? "(none)"}`}`;
  return `${file}:${p.line}: ${who(p)}: ${what}${p.refused.length > 0 ? " (refused)" : ""}`;
}

function renderText(view: UpdateView): string {
  const lines: string[] = [];
  for (const f of view.files) for (const p of f.policies) lines.push(policyLine(f.file, p));
  const changed = view.files.filter((f) => f.changed).length;
  const verb = view.dryRun ? "would be rewritten" : view.written ? "rewritten" : "to rewrite, none written";
  const policies = view.files.reduce((n, f) => n + f.policies.length, 0);
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  lines.push(`${plural(policies, "bound policy", "bound policies")} in ${plural(view.files.length, "file", "files")}: ${plural(changed, "file", "files")} ${verb}`);
  return `${lines.join("\n")}\n`;
}

function renderMd(view: UpdateView): string {
  const rows = view.files.flatMap((f) => f.policies.map((p) => `| ${f.file}:${p.line} | ${who(p)} | ${p.added.map((c) => `\`${c}\``).join(" ")} | ${p.removed.map((c) => `\`${c}\``).join(" ")} | ${p.versionBefore ?? ""} → ${p.versionAfter ?? ""} | ${p.refused.map((g) => g.message).join("; ")} |`));
  return `| Policy | Kind | Added | Removed | Version | Refused |\n|---|---|---|---|---|---|\n${rows.join("\n")}\n`;
}

/** Writes `text` over `file` atomically, keeping its mode and a UTF-8 byte-order mark it had; refuses a file changed since it was read. */
async function writeInPlace(file: string, read: string, text: string): Promise<string | null> {
  const bytes = await readFile(file);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return `${file}: a UTF-16 file: feeds update rewrites UTF-8 files only`;
  if (new TextDecoder("utf-8").decode(bom ? bytes.subarray(3) : bytes) !== read) return `${file}: changed while feeds update ran: not written`;
  const { mode } = await stat(file);
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const body = Buffer.from(text, "utf8");
  try {
    await writeFile(temp, bom ? Buffer.concat([UTF8_BOM, body]) : body, { mode: mode & 0o7777, flag: "wx" });
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    return `${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
  return null;
}

export async function runFeedsUpdate(o: UpdateOptions): Promise<CommandResult> {
  const feeds = await readFeeds(o.feeds);
  if (!feeds.ok) return done("invalid-input", "", feeds.messages.map((m) => `portcullis: ${m}\n`).join(""));
  const read = await readSources(o.files);
  const readErrors = read.diagnostics.filter((d) => d.severity === "error").map((d) => d.at === undefined ? d.message : `${d.at.file}:${d.at.line}: ${d.message}`);
  if (readErrors.length > 0) return done("invalid-input", "", readErrors.map((m) => `portcullis: ${m}\n`).join(""));
  const settings = { maxShrinkPercent: o.guards.maxShrinkPercent, metadata: o.wellKnown.metadata, force: o.force };
  const updates: Array<{ file: string; read: string; update: FileUpdate }> = read.sources.map((s) => ({ file: s.file, read: s.text, update: updateText(s.text, feeds.feeds, settings) }));
  const errors = updates.flatMap((u) => u.update.errors.map((e) => `${u.file}:${e.line}: ${e.message}`));
  if (errors.length > 0) return done("invalid-input", "", `${errors.map((m) => `portcullis: ${m}\n`).join("")}portcullis: nothing written\n`);
  const refusals = updates.flatMap((u) => u.update.policies.flatMap((p) => p.refused.map((g) => `${u.file}:${p.line}: ${who(p)}: ${describeGuard(g)}`)));
  const refused = refusals.length > 0 && !o.force;
  const bound = updates.filter((u) => u.update.policies.length > 0);
  const writes: string[] = [];
  if (!refused && !o.dryRun) {
    for (const u of bound) {
      if (!u.update.changed) continue;
      const problem = await writeInPlace(u.file, u.read, u.update.text);
      if (problem !== null) return done("internal", "", `portcullis: ${problem}\n`);
      writes.push(u.file);
    }
  }
  const view: UpdateView = {
    dryRun: o.dryRun,
    force: o.force,
    written: !refused && !o.dryRun,
    files: bound.map((u) => ({ file: u.file, changed: u.update.changed, written: writes.includes(u.file), policies: u.update.policies.map(policyView) })),
  };
  const diffs = o.dryRun && o.output === "text" ? bound.map((u) => unifiedDiff(u.file, u.read, u.update.text)).join("") : "";
  const stdout = diffs + render(o.output, view, { text: renderText, md: renderMd });
  const notes = refusals.map((m) => `portcullis: ${o.force ? "forced past" : "refused"}: ${m}\n`).join("");
  if (refused) return done("refused", stdout, `${notes}portcullis: nothing written: a guard refused (--force writes anyway)\n`);
  return done("ok", stdout, notes);
}
