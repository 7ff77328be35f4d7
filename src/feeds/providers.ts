/**
 * Where each provider publishes its ranges, and what it offers to check the download with. Pure data:
 * `feeds fetch` (src/cli/commands/feeds-fetch.ts) reads it; docs/feeds/fetch.md is the user's view.
 *
 * Checksums: no provider publishes a digest next to its file. AWS puts an `md5` of ip-ranges.json in the
 * `AmazonIpSpaceChanged` SNS notification ("AWS IP address ranges notifications", Amazon VPC User Guide:
 * "md5: The cryptographic hash value of the ip-ranges.json file. You can use this value to check whether
 * the downloaded file is corrupted."), so it can be checked only by whoever received the notification
 * (`feeds fetch aws --md5 HEX`). Any server may send `Content-MD5` (RFC 1864); when it does, fetch checks it.
 */
import type { FeedProvider } from "./types.js";

/** How the provider lets a download be checked. */
export type ProviderChecksum =
  /** An md5 of the file, published elsewhere (AWS: the SNS notification); given with `--md5`. */
  | { readonly kind: "md5-notified"; readonly where: string }
  | { readonly kind: "none" };

/**
 * A provider's published address. `url` null: the address changes with every publication (Azure), so
 * `--url` is required; `why` says so.
 */
export interface ProviderSource {
  readonly provider: FeedProvider;
  readonly url: string | null;
  readonly why: string | null;
  readonly checksum: ProviderChecksum;
  /** Where the format and address are documented. */
  readonly documented: string;
}

const NONE: ProviderChecksum = { kind: "none" };

const SOURCES: Readonly<Record<FeedProvider, ProviderSource>> = {
  aws: {
    provider: "aws",
    url: "https://ip-ranges.amazonaws.com/ip-ranges.json",
    why: null,
    checksum: { kind: "md5-notified", where: "the md5 field of the AmazonIpSpaceChanged SNS notification (arn:aws:sns:us-east-1:806199016981:AmazonIpSpaceChanged)" },
    documented: "https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-ranges.html",
  },
  google: {
    provider: "google",
    url: "https://www.gstatic.com/ipranges/cloud.json",
    why: null,
    checksum: NONE,
    documented: "https://cloud.google.com/compute/docs/faq#find_ip_range",
  },
  "google-apis": {
    provider: "google-apis",
    url: null,
    why: "google-apis is computed from two files, goog.json (https://www.gstatic.com/ipranges/goog.json) minus cloud.json: fetch each (google for cloud.json) and pass both with --feed",
    checksum: NONE,
    documented: "https://support.google.com/a/answer/10026322",
  },
  azure: {
    provider: "azure",
    url: null,
    why:
      "Azure publishes its Service Tags as a new file each week, ServiceTags_Public_YYYYMMDD.json under download.microsoft.com, linked from the download page https://www.microsoft.com/en-us/download/details.aspx?id=56519 (an HTML page, not a feed): pass the week's file address with --url",
    checksum: NONE,
    documented: "https://learn.microsoft.com/en-us/azure/virtual-network/service-tags-overview#discover-service-tags-by-using-downloadable-json-files",
  },
  github: {
    provider: "github",
    url: "https://api.github.com/meta",
    why: null,
    checksum: NONE,
    documented: "https://docs.github.com/en/rest/meta/meta#get-github-meta-information",
  },
  cloudflare: {
    provider: "cloudflare",
    url: "https://api.cloudflare.com/client/v4/ips",
    why: null,
    checksum: NONE,
    documented: "https://developers.cloudflare.com/api/resources/ips/methods/list/ (the text lists https://www.cloudflare.com/ips-v4 and ips-v6 are two files: fetch the JSON API instead)",
  },
  atlassian: {
    provider: "atlassian",
    url: "https://ip-ranges.atlassian.com/",
    why: null,
    checksum: NONE,
    documented: "https://support.atlassian.com/organization-administration/docs/ip-addresses-and-domains-for-atlassian-cloud-products/",
  },
  fastly: {
    provider: "fastly",
    url: "https://api.fastly.com/public-ip-list",
    why: null,
    checksum: NONE,
    documented: "https://www.fastly.com/documentation/reference/api/utils/public-ip-list/",
  },
  oracle: {
    provider: "oracle",
    url: "https://docs.oracle.com/en-us/iaas/tools/public_ip_ranges.json",
    why: null,
    checksum: NONE,
    documented: "https://docs.oracle.com/en-us/iaas/Content/General/Concepts/addressranges.htm",
  },
};

export function providerSource(provider: FeedProvider): ProviderSource {
  return SOURCES[provider];
}
