/**
 * The Public Suffix List (https://publicsuffix.org/list/), through `tldts` (docs/dependencies.md):
 * whether a name is a public suffix, under which anyone may register a domain (`com`, `co.uk`), or
 * a private one (`github.io`: every site under it belongs to someone else). Pure: the list ships
 * compiled into the package, nothing is fetched.
 */
import { parse } from "tldts";
import type { DnsName } from "../dns/names.js";

/**
 * `icann`: in the list's ICANN section (`com`, `co.uk`); `private`: in its private section
 * (`github.io`, `s3.amazonaws.com`). A name the list does not hold is a suffix only as a single
 * label (its default rule, "If no rules match, the prevailing rule is *"), which a `domainNames`
 * wildcard cannot have: the CRD's pattern wants two labels after `*.` (`*.com` is refused).
 */
export type PublicSuffixKind = "icann" | "private";

/** The kind of public suffix `name` is, or null when it is not one (it is, or is under, a registrable domain). */
export function publicSuffixKind(name: DnsName): PublicSuffixKind | null {
  const parsed = parse(name, { allowPrivateDomains: true });
  if (parsed.publicSuffix !== name) return null;
  if (parsed.isIcann === true) return "icann";
  return parsed.isPrivate === true ? "private" : null;
}
