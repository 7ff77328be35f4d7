import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { IntervalSet } from "./interval-set.js";
import { AddressSet } from "./address-set.js";
import { parseCidr } from "./cidr.js";

const MAX = 64n;
const arbSet = fc
  .array(fc.tuple(fc.bigInt({ min: 0n, max: MAX }), fc.bigInt({ min: 0n, max: MAX })), { maxLength: 6 })
  .map((pairs) => IntervalSet.of(pairs.map(([a, b]) => (a <= b ? { lo: a, hi: b } : { lo: b, hi: a }))));
const members = (s: IntervalSet): Set<bigint> => {
  const out = new Set<bigint>();
  for (let v = 0n; v <= MAX; v++) if (s.has(v)) out.add(v);
  return out;
};

test("interval sets are normalised: sorted, non-overlapping, non-touching", () => {
  fc.assert(
    fc.property(arbSet, (s) => {
      s.intervals.forEach((iv, k) => {
        assert.ok(iv.lo <= iv.hi);
        const next = s.intervals[k + 1];
        if (next !== undefined) assert.ok(iv.hi + 1n < next.lo);
      });
    }),
  );
});

test("union, intersect and subtract agree with element-wise sets", () => {
  fc.assert(
    fc.property(arbSet, arbSet, (a, b) => {
      const ma = members(a);
      const mb = members(b);
      assert.deepEqual(members(a.union(b)), new Set([...ma, ...mb]));
      assert.deepEqual(members(a.intersect(b)), new Set([...ma].filter((v) => mb.has(v))));
      assert.deepEqual(members(a.subtract(b)), new Set([...ma].filter((v) => !mb.has(v))));
      assert.equal(a.contains(b), [...mb].every((v) => ma.has(v)));
    }),
  );
});

test("address sets print as the smallest CIDR list", () => {
  const cidr = (t: string) => {
    const r = parseCidr(t);
    assert.ok(r.ok);
    return AddressSet.fromCidr(r.cidr);
  };
  assert.equal(cidr("0.0.0.0/0").subtract(cidr("169.254.169.254/32")).toCidrs().length, 32);
  assert.equal(cidr("10.0.0.0/24").subtract(cidr("10.0.0.0/25")).toString(), "10.0.0.128/25");
  assert.equal(AddressSet.ALL.toString(), "0.0.0.0/0,::/0");
  assert.equal(cidr("2001:db8::/32").toString(), "2001:db8::/32");
});
