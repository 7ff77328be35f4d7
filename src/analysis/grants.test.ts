import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AddressSet } from "../net/address-set.js";
import { IntervalSet } from "../net/interval-set.js";
import { ConnSet } from "./connset.js";
import { type Grants, grantSets } from "./grants.js";
import { type Action, walkTiers } from "../engine/tiers.js";

// A small world: TCP ports 1-4 with a peer at the IPv4 addresses 0-3, so every set of
// (connection, address) pairs can be listed and the grant operations checked against plain sets.
const PORTS = [1, 2, 3, 4];
const ADDRS = [0n, 1n, 2n, 3n];
const WHOLE = AddressSet.of(IntervalSet.range(0n, 3n), IntervalSet.EMPTY);
const SETS = grantSets(WHOLE);

const conns = (ports: readonly number[]): ConnSet => ports.reduce((c, p) => c.union(ConnSet.port("TCP", p)), ConnSet.EMPTY);
const addrs = (values: readonly bigint[]): AddressSet => AddressSet.of(IntervalSet.of(values.map((v) => ({ lo: v, hi: v }))), IntervalSet.EMPTY);

/** The pairs of a grant, as `port@address` strings. */
function pairs(g: Grants): string[] {
  const out = new Set<string>();
  for (const port of PORTS) {
    for (const a of ADDRS) {
      const one = addrs([a]);
      const hit = (g.full.has("TCP", port) && WHOLE.overlaps(one)) || g.partials.some((p) => p.conns.has("TCP", port) && p.admitted.overlaps(one));
      if (hit) out.add(`${port}@${a}`);
    }
  }
  return [...out].sort();
}

const grant = fc
  .record({
    full: fc.subarray(PORTS),
    partials: fc.array(fc.record({ ports: fc.subarray(PORTS), addrs: fc.subarray(ADDRS, { minLength: 1, maxLength: 3 }) }), { maxLength: 3 }),
  })
  .map((g): Grants => ({ full: conns(g.full), partials: g.partials.map((p) => ({ conns: conns(p.ports), admitted: addrs(p.addrs) })) }));

test("grants: union, intersection and difference are those of the (connection, address) pairs they stand for", () => {
  fc.assert(
    fc.property(grant, grant, (a, b) => {
      const pa = new Set(pairs(a));
      const pb = new Set(pairs(b));
      assert.deepEqual(pairs(SETS.union(a, b)), [...new Set([...pa, ...pb])].sort());
      assert.deepEqual(pairs(SETS.intersect(a, b)), [...pa].filter((x) => pb.has(x)).sort());
      assert.deepEqual(pairs(SETS.subtract(a, b)), [...pa].filter((x) => !pb.has(x)).sort());
      assert.equal(SETS.isEmpty(a), pa.size === 0);
    }),
    { numRuns: 300 },
  );
});

test("grants: a tier walk over connections — an Admin deny of port 1 for addresses 0-1 is final, v1 accepts ports 1-2 for all", () => {
  const rule = (action: Action, g: Grants): { action: Action; match: Grants } => ({ action, match: g });
  const allowed = walkTiers(SETS, { full: ConnSet.ALL, partials: [] }, [
    { rules: [rule("deny", { full: ConnSet.EMPTY, partials: [{ conns: conns([1]), admitted: addrs([0n, 1n]) }] })], end: "next" },
    { rules: [rule("accept", { full: conns([1, 2]), partials: [] })], end: "deny" },
  ]);
  assert.deepEqual(pairs(allowed), ["1@2", "1@3", "2@0", "2@1", "2@2", "2@3"]);
});
