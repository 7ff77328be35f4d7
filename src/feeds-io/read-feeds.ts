/**
 * The edge that reads feeds: each `--feed` source's bytes (a file, or a URL through fetch.ts), their
 * sha256, the provider (given, or told from the content), and the parsed `Feed` per provider. Errors
 * name the file (or URL) and the JSON path or line, as every Portcullis input error does.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { detectProvider } from "../feeds/detect.js";
import { type FeedFile, parseFeed } from "../feeds/parsers.js";
import type { Feed, FeedProvider } from "../feeds/types.js";
import { decodeText } from "../io/text.js";
import type { FeedLocation, FeedSource } from "../cli/feeds-options.js";
import { fetchFeedBytes } from "./fetch.js";

/** Feeds by provider, or the messages (one per problem) saying why not. */
export type FeedsRead = { readonly ok: true; readonly feeds: ReadonlyMap<FeedProvider, Feed> } | { readonly ok: false; readonly messages: readonly string[] };

/** Above this a feed file is refused unread (the largest published feed, Azure's, is ~5 MB). */
export const MAX_FEED_BYTES = 64 * 1024 * 1024;

function where(location: FeedLocation): string {
  return location.kind === "file" ? location.path : location.url;
}

async function bytesOf(location: FeedLocation): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  if (location.kind === "url") return fetchFeedBytes(location.url, { maxBytes: MAX_FEED_BYTES });
  try {
    const bytes = await readFile(location.path);
    if (bytes.length > MAX_FEED_BYTES) return { ok: false, message: `larger than ${MAX_FEED_BYTES} bytes` };
    return { ok: true, bytes };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a feed file" : e instanceof Error ? e.message : String(e) };
  }
}

interface Loaded {
  readonly provider: FeedProvider;
  readonly file: FeedFile;
}

async function load(source: FeedSource): Promise<{ ok: true; loaded: Loaded } | { ok: false; message: string }> {
  const name = where(source.location);
  const read = await bytesOf(source.location);
  if (!read.ok) return { ok: false, message: `${name}: ${read.message}` };
  const text = decodeText(read.bytes);
  if (!text.ok) return { ok: false, message: `${name}: ${text.problem}` };
  if (text.text.trim() === "") return { ok: false, message: `${name}: empty: a feed with no ranges is never read as "no ranges"` };
  const provider = source.provider ?? detectProvider(text.text);
  if (provider === null) return { ok: false, message: `${name}: not a feed format Portcullis can tell (a plain list of CIDRs, such as Cloudflare's ips-v4/ips-v6, is read only when named); name the provider: --feed PROVIDER=${name}` };
  return { ok: true, loaded: { provider, file: { name, text: text.text, sha256: createHash("sha256").update(read.bytes).digest("hex") } } };
}

/** Every source read and parsed; files of one provider parsed together (google-apis: goog.json and cloud.json). */
export async function readFeeds(sources: readonly FeedSource[]): Promise<FeedsRead> {
  const messages: string[] = [];
  const byProvider = new Map<FeedProvider, FeedFile[]>();
  for (const source of sources) {
    const r = await load(source);
    if (!r.ok) messages.push(r.message);
    else byProvider.set(r.loaded.provider, [...(byProvider.get(r.loaded.provider) ?? []), r.loaded.file]);
  }
  // google-apis is goog.json minus cloud.json: a cloud.json given for `google` serves the subtraction too.
  const apis = byProvider.get("google-apis");
  const cloud = byProvider.get("google");
  if (apis !== undefined && apis.length === 1 && cloud !== undefined) byProvider.set("google-apis", [...apis, ...cloud]);
  const feeds = new Map<FeedProvider, Feed>();
  for (const [provider, files] of byProvider) {
    const parsed = parseFeed(provider, files);
    if (parsed.ok) feeds.set(provider, parsed.feed);
    else messages.push(...parsed.errors.map((e) => `${files.map((f) => f.name).join(" + ")}: ${e.path}: ${e.message}`));
  }
  return messages.length > 0 ? { ok: false, messages } : { ok: true, feeds };
}
