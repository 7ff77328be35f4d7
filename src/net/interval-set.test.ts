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

test("describe() prefers 'enclosing except holes' when it is shorter", () => {
  const cidr = (t: string) => {
    const r = parseCidr(t);
    assert.ok(r.ok);
    return AddressSet.fromCidr(r.cidr);
  };
  assert.equal(cidr("169.254.0.0/16").subtract(cidr("169.254.169.254/32")).describe(), "169.254.0.0/16 except 169.254.169.254/32");
  assert.equal(cidr("203.0.113.0/24").describe(), "203.0.113.0/24");
  assert.equal(cidr("10.0.0.0/8").union(cidr("192.168.0.0/16")).describe(), "10.0.0.0/8,192.168.0.0/16");
  assert.equal(AddressSet.ALL.subtract(cidr("10.0.0.0/8")).describe(), "0.0.0.0/0 except 10.0.0.0/8 and ::/0");
  assert.equal(AddressSet.EMPTY.describe(), "none");
});
