/** Feed selectors: `aws:service=S3,region=eu-west-1` parsed, printed and matched. */
import { FEED_PROVIDERS, type FeedProvider, type FeedRecord, type FeedSelector } from "./types.js";

export type SelectorParse = { readonly ok: true; readonly selector: FeedSelector } | { readonly ok: false; readonly message: string };

const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;

function isProvider(text: string): text is FeedProvider {
  return (FEED_PROVIDERS as readonly string[]).includes(text);
}

/** `PROVIDER[:FIELD=VALUE[|VALUE],...]`; a field given twice accepts either value. */
export function parseSelector(text: string): SelectorParse {
  const colon = text.indexOf(":");
  const provider = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
  if (!isProvider(provider)) return { ok: false, message: `unknown feed provider "${provider}" in "${text}": expected one of ${FEED_PROVIDERS.join(", ")}` };
  const filters = new Map<string, string[]>();
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  if (colon >= 0 && rest.trim() === "") return { ok: false, message: `empty filter list after "${provider}:" in "${text}"` };
  for (const part of rest === "" ? [] : rest.split(",")) {
    const eq = part.indexOf("=");
    const field = (eq < 0 ? part : part.slice(0, eq)).trim();
    const values = eq < 0 ? [] : part.slice(eq + 1).split("|").map((v) => v.trim());
    if (eq < 0 || !FIELD.test(field) || values.some((v) => v === "")) return { ok: false, message: `invalid filter "${part}" in "${text}": expected FIELD=VALUE (values joined with |)` };
    filters.set(field, [...(filters.get(field) ?? []), ...values]);
  }
  return { ok: true, selector: { provider, filters } };
}

/** The canonical text: `aws:service=S3,region=eu-west-1` (the form annotations record). */
export function formatSelector(s: FeedSelector): string {
  const filters = [...s.filters].map(([field, values]) => `${field}=${values.join("|")}`);
  return filters.length === 0 ? s.provider : `${s.provider}:${filters.join(",")}`;
}

/** Every filter's field holds one of its values (case-insensitive); a field the record lacks never matches. */
export function selectorMatches(s: FeedSelector, r: FeedRecord): boolean {
  for (const [field, wanted] of s.filters) {
    const have = r.attributes[field];
    if (have === undefined) return false;
    const lower = new Set(have.map((v) => v.toLowerCase()));
    if (!wanted.some((w) => lower.has(w.toLowerCase()))) return false;
  }
  return true;
}

/** Fields this feed's records carry, for an error naming a misspelt one. */
export function knownFields(records: readonly FeedRecord[]): readonly string[] {
  const out = new Set<string>();
  for (const r of records) for (const f of Object.keys(r.attributes)) out.add(f);
  return [...out].sort();
}
