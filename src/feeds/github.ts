/**
 * GitHub's `GET /meta` (https://api.github.com/meta; "Meta" in the GitHub REST API docs, "About
 * GitHub's IP addresses"): an object whose keys name what the addresses are for (`hooks`, `web`, `api`,
 * `git`, `packages`, `pages`, `importer`, `actions`, `actions_macos`, `codespaces`, `dependabot`,
 * `copilot`, `github_enterprise_importer` ...), each a list of CIDRs, IPv4 and IPv6 mixed; beside them
 * keys that are not addresses (`verifiable_password_authentication`, `ssh_key_fingerprints`,
 * `ssh_keys`, `domains`).
 * The rule, not a list of names (GitHub adds keys): a key is a key of the feed when its value is a list
 * whose every item is written as an address or CIDR (digits, hex, `.`, `:`, one `/`); then each item
 * must be a valid CIDR without host bits. Any other value is skipped. A list that mixes CIDR-looking and
 * other strings is an error (neither rule can be trusted). No version token: GitHub publishes none.
 * Records: key = the meta key; region null; field `key`.
 */
import { Errors, type Json } from "./read.js";
import { cidrsAt, finish, readDocument } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

/** How an address or a CIDR is written: nothing else in /meta looks like this (ssh keys have spaces and letters beyond hex). */
const ADDRESS_LIKE = /^[0-9a-fA-F.:]+(\/\d+)?$/;

function looksLikeCidr(v: Json): boolean {
  return typeof v === "string" && ADDRESS_LIKE.test(v) && (v.includes(".") || v.includes(":"));
}

export function parseGithub(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "lists of CIDRs by key (hooks, web, api, git, actions ...)");
  if (!read.ok) return read;
  const errors = new Errors();
  const records: FeedRecord[] = [];
  for (const [key, value] of Object.entries(read.doc)) {
    if (!Array.isArray(value)) continue;
    const list = value as readonly Json[];
    const cidrLike = list.filter(looksLikeCidr).length;
    if (cidrLike === 0) continue;
    if (cidrLike < list.length) {
      const first = list.findIndex((v) => !looksLikeCidr(v));
      errors.add(`${key}[${first}]`, `${JSON.stringify(list[first])} among CIDRs: a list of CIDRs holds nothing else`);
      continue;
    }
    for (const cidr of cidrsAt(list, key, null, errors)) records.push({ provider: "github", key, region: null, family: cidr.family, cidr, attributes: { key: [key] } });
  }
  return finish(errors, { provider: "github", version: null, published: null, sha256, records });
}
