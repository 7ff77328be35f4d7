/** Named regions of the IP space that the diff classifies against, and a compact way to print a region. */
import { AddressSet } from "../net/address-set.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { compactAddresses } from "../render/addresses.js";

function cidrs(texts: readonly string[]): AddressSet {
  return AddressSet.fromCidrs(
    texts.map((t) => {
      const r = parseCidr(t);
      if (!r.ok) throw new Error(`bad built-in CIDR ${t}`);
      return r.cidr;
    }),
  );
}

function ips(texts: readonly string[]): AddressSet {
  return AddressSet.fromIps(
    texts.map((t) => {
      const ip = parseIp(t);
      if (ip === undefined) throw new Error(`bad built-in address ${t}`);
      return ip;
    }),
  );
}

/** RFC 1918, shared address space (RFC 6598), link-local, IPv6 unique-local and link-local. */
export const PRIVATE_RANGES: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
];

/** Cloud instance metadata endpoints: AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba Cloud. */
export const METADATA_ADDRESSES: readonly string[] = ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"];

export const PRIVATE = cidrs(PRIVATE_RANGES);
export const METADATA = ips(METADATA_ADDRESSES);

/** The part of `set` on the public internet (outside every private range). */
export function publicPart(set: AddressSet): AddressSet {
  return set.subtract(PRIVATE);
}

/**
 * A region for people: `0.0.0.0/0 except 169.254.169.254` rather than the 32 blocks it stands
 * for (the same form the other commands print). JSON keeps the exact CIDR list.
 */
export function describeAddresses(set: AddressSet): string {
  return compactAddresses(set);
}

/** Parses a comma-separated CIDR list (as in JSON `src`/`dst`); undefined when it is not one. */
export function parseCidrList(text: string): AddressSet | undefined {
  if (text === "") return undefined;
  const out: Cidr[] = [];
  for (const part of text.split(",")) {
    const r = parseCidr(part);
    if (!r.ok) return undefined;
    out.push(r.cidr);
  }
  return AddressSet.fromCidrs(out);
}

/** An endpoint name is kept; a CIDR list is described compactly. */
export function describeSide(text: string): string {
  const set = parseCidrList(text);
  return set === undefined ? text : describeAddresses(set);
}
