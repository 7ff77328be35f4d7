/** Which provider's format a feed file is in, told from its content; null when nothing says. */
import type { FeedProvider } from "./types.js";

export function detectProvider(text: string): FeedProvider | null {
  // A first cut: AWS only. The other formats' signatures: feeds-parsers work.
  return /"syncToken"/.test(text) && /"ip_prefix"|"ipv6_prefix"/.test(text) ? "aws" : null;
}
