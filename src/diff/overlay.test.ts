import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConnSet } from "../analysis/connset.js";
import type { AddressConns } from "../analysis/reach.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { IntervalSet } from "../net/interval-set.js";
import { regionDeltas } from "./overlay.js";
import { describeSide } from "./addresses.js";

const cidr = (t: string): AddressSet => {
  const r = parseCidr(t);
  assert.ok(r.ok, t);
  return AddressSet.fromCidr(r.cidr);
};
const tcp = (...ports: number[]): ConnSet => ports.reduce((acc, p) => acc.union(ConnSet.port("TCP", p)), ConnSet.EMPTY);

test("overlaying two region lists gives added and removed per region", () => {
  const before: AddressConns[] = [{ addresses: cidr("10.0.0.0/8"), conns: tcp(80) }];
  const after: AddressConns[] = [{ addresses: cidr("10.0.0.0/16"), conns: tcp(80, 443) }];
  const deltas = regionDeltas(before, after).map((d) => `${d.addresses} +${d.added} -${d.removed}`);
  assert.deepEqual(deltas, [
    "10.0.0.0/16 +TCP 443 -none",
    "10.1.0.0/16,10.2.0.0/15,10.4.0.0/14,10.8.0.0/13,10.16.0.0/12,10.32.0.0/11,10.64.0.0/10,10.128.0.0/9 +none -TCP 80",
  ]);
});

/** Random disjoint regions over a small slice of the IPv4 space (10.0.0.0/24), ports 1-4. */
const arbRegions = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.subarray([1, 2, 3, 4])), { maxLength: 5 })
  .map((raw) => {
    let used = AddressSet.EMPTY;
    const out: AddressConns[] = [];
    for (const [a, b, ports] of raw) {
      const lo = 0x0a000000n + BigInt(Math.min(a, b));
      const hi = 0x0a000000n + BigInt(Math.max(a, b));
      const addresses = AddressSet.of(IntervalSet.range(lo, hi), IntervalSet.EMPTY).subtract(used);
      used = used.union(addresses);
      if (!addresses.isEmpty()) out.push({ addresses, conns: tcp(...ports) });
    }
    return out;
  });

test("at every address, the delta is what the new regions allow less the old, and the reverse", () => {
  const at = (regions: readonly AddressConns[], v: bigint): ConnSet =>
    regions.find((r) => r.addresses.has({ family: 4, value: v }))?.conns ?? ConnSet.EMPTY;
  fc.assert(
    fc.property(arbRegions, arbRegions, fc.integer({ min: 0, max: 255 }), (before, after, offset) => {
      const v = 0x0a000000n + BigInt(offset);
      const d = regionDeltas(before, after).find((r) => r.addresses.has({ family: 4, value: v }));
      const added = at(after, v).subtract(at(before, v));
      const removed = at(before, v).subtract(at(after, v));
      assert.ok((d?.added ?? ConnSet.EMPTY).equals(added));
      assert.ok((d?.removed ?? ConnSet.EMPTY).equals(removed));
    }),
  );
});

test("regions print compactly; endpoint names are kept", () => {
  assert.equal(describeSide(cidr("0.0.0.0/0").subtract(cidr("169.254.169.254/32")).toString()), "0.0.0.0/0 except 169.254.169.254");
  assert.equal(describeSide("production/web-api[Deployment]"), "production/web-api[Deployment]");
});
