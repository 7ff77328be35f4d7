import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnSet } from "../analysis/connset.js";
import { IntervalSet } from "../net/interval-set.js";
import { formatAddressRange, partition, segmentElements } from "./elements.js";

const tcp = (lo: number, hi: number) => ConnSet.of("TCP", IntervalSet.range(BigInt(lo), BigInt(hi)));
const addrs = (lo: number, hi: number) => IntervalSet.range(BigInt(lo), BigInt(hi));

test("overlapping contributions become disjoint segments carrying the union of ports", () => {
  const segs = partition([
    { addresses: addrs(0, 9), conns: tcp(80, 80) },
    { addresses: addrs(5, 14), conns: tcp(443, 443) },
  ]);
  assert.deepEqual(
    segs.map((s) => [s.lo, s.hi, s.conns.toString()]),
    [
      [0n, 4n, "TCP 80"],
      [5n, 9n, "TCP 80,443"],
      [10n, 14n, "TCP 443"],
    ],
  );
});

test("touching segments with equal ports merge, whatever the input order", () => {
  const a = partition([
    { addresses: addrs(5, 9), conns: tcp(80, 80) },
    { addresses: addrs(0, 4), conns: tcp(80, 80) },
  ]);
  assert.deepEqual(a.map((s) => [s.lo, s.hi]), [[0n, 9n]]);
});

test("elements print CIDR blocks, single addresses and ranges", () => {
  assert.equal(formatAddressRange(4, 0x0a000000n, 0x0affffffn), "10.0.0.0/8");
  assert.equal(formatAddressRange(4, 0x0a000001n, 0x0a000001n), "10.0.0.1");
  assert.equal(formatAddressRange(4, 0x0a000001n, 0x0a000005n), "10.0.0.1-10.0.0.5");
  assert.equal(formatAddressRange(6, 0n, (1n << 128n) - 1n), "::/0");
  assert.deepEqual(segmentElements(4, [{ lo: 1n, hi: 1n, conns: tcp(1, 65535) }]), ["0.0.0.1 . tcp . 1-65535"]);
});
