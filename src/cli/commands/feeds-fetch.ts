/**
 * `feeds fetch PROVIDER -o FILE`: the one networked step (docs/feeds/fetch.md). The download (bounded:
 * feeds-io/fetch.ts) must parse as the provider's feed and pass the guards before it replaces FILE:
 * not empty, no range wider than /8 (IPv4) or /20 (IPv6) unless --allow-wide, the checksum when one is
 * known (--md5, Content-MD5), and a version not older than FILE's own (unless --force). The same version
 * with the same bytes is "already current" and FILE is not touched. FILE is replaced atomically; on any
 * failure it keeps its bytes: exit 4 when the download failed, 5 when a guard refused what came.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { wideRanges } from "../../feeds/breadth.js";
import { compareVersions, parseFeed } from "../../feeds/parsers.js";
import { providerSource } from "../../feeds/providers.js";
import type { Feed, FeedVersion } from "../../feeds/types.js";
import { fetchFeedBytes } from "../../feeds-io/fetch.js";
import { writeAtomically } from "../../feeds-io/write-atomic.js";
import { decodeText } from "../../io/text.js";
import type { FeedsOptions } from "../feeds-options.js";
import { type CommandResult, done, usage } from "./result.js";

type FetchOptions = Extract<FeedsOptions, { action: "fetch" }>;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const versionText = (v: FeedVersion | null): string => (v === null ? "no version" : `version ${v.text}`);

function refused(file: string, why: string): CommandResult {
  return done("refused", "", `portcullis: feeds fetch refused the download: ${why}; ${file} was not changed\n`);
}

/** The feed in `bytes`, or why it is not one (the file's name and the JSON path). */
function parse(o: FetchOptions, name: string, bytes: Uint8Array): { ok: true; feed: Feed } | { ok: false; message: string } {
  const text = decodeText(bytes);
  if (!text.ok) return { ok: false, message: `${name}: ${text.problem}` };
  if (text.text.trim() === "") return { ok: false, message: `${name}: empty` };
  const parsed = parseFeed(o.provider, [{ name, text: text.text, sha256: sha256(bytes) }]);
  if (!parsed.ok) return { ok: false, message: parsed.errors.map((e) => `${name}: ${e.path}: ${e.message}`).join("; ") };
  if (parsed.feed.records.length === 0) return { ok: false, message: `${name}: no ranges at all (an empty feed is never read as "no ranges")` };
  return { ok: true, feed: parsed.feed };
}

/** FILE's feed when it exists and parses (else null: nothing to compare with, it is replaced). */
async function current(o: FetchOptions): Promise<Feed | null> {
  try {
    const bytes = await readFile(o.file);
    const r = parse(o, o.file, bytes);
    return r.ok ? r.feed : null;
  } catch {
    return null;
  }
}

function checksumProblem(o: FetchOptions, bytes: Uint8Array): string | null {
  if (o.md5 === null) return null;
  const got = createHash("md5").update(bytes).digest("hex");
  return got === o.md5 ? null : `its md5 is ${got}, not ${o.md5} (--md5)`;
}

export async function runFeedsFetch(o: FetchOptions): Promise<CommandResult> {
  const source = providerSource(o.provider);
  const url = o.url ?? source.url;
  if (url === null) return usage(`feeds fetch ${o.provider} needs --url: ${source.why ?? "the provider publishes no fixed address"}`);
  const got = await fetchFeedBytes(url, { maxBytes: o.maxBytes, timeoutMs: o.timeoutMs });
  if (!got.ok) return done("internal", "", `portcullis: feeds fetch: ${got.message}; ${o.file} was not changed\n`);
  const parsed = parse(o, got.url, got.bytes);
  if (!parsed.ok) return refused(o.file, `not a valid ${o.provider} feed: ${parsed.message}`);
  const feed = parsed.feed;
  const wide = wideRanges(feed);
  if (wide.length > 0 && !o.allowWide) {
    const listed = wide.slice(0, 5).map((w) => `${w.cidr} (${w.key})`).join(", ");
    return refused(o.file, `${wide.length} range(s) wider than /8 (IPv4) or /20 (IPv6): ${listed}${wide.length > 5 ? ", ..." : ""} (--allow-wide accepts them)`);
  }
  const checksum = checksumProblem(o, got.bytes);
  if (checksum !== null) return refused(o.file, checksum);
  const old = await current(o);
  if (old !== null && old.sha256 === feed.sha256) return done("ok", `${o.file} is already current (${o.provider} ${versionText(feed.version)}, sha256 ${feed.sha256})\n`);
  if (old !== null && old.version !== null && feed.version !== null && compareVersions(feed.version, old.version) < 0 && !o.force) {
    return refused(o.file, `its ${versionText(feed.version)} is older than the file's ${old.version.text} (--force accepts it)`);
  }
  const written = await writeAtomically(o.file, got.bytes);
  if (!written.ok) return done("internal", "", `portcullis: feeds fetch: ${written.message}; ${o.file} was not changed\n`);
  const was = old === null ? "" : `, was ${versionText(old.version)}`;
  return done("ok", `wrote ${o.file}: ${o.provider} ${versionText(feed.version)}${was}, ${feed.records.length} ranges, sha256 ${feed.sha256}, from ${got.url}\n`);
}
