/** A compact way to print a region of the IP space, and to read one back from JSON. */
import { AddressSet } from "../net/address-set.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { compactAddresses } from "../render/addresses.js";

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
