import { test } from "node:test";
import assert from "node:assert/strict";
import { formatIp, parseIp } from "./ip.js";
import { formatCidr, isStrictSubset, parseCidr } from "./cidr.js";

const roundTrips: [string, string][] = [
  ["10.0.0.1", "10.0.0.1"],
  ["0.0.0.0", "0.0.0.0"],
  ["255.255.255.255", "255.255.255.255"],
  // Octets with the high bit set (formatted through 32-bit arithmetic): a sign slip would show here.
  ["128.0.0.1", "128.0.0.1"],
  ["192.168.1.254", "192.168.1.254"],
  ["10.244.128.255", "10.244.128.255"],
  ["::", "::"],
  ["::1", "::1"],
  ["2001:DB8::1", "2001:db8::1"],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
  ["fd00:ec2::254", "fd00:ec2::254"],
  ["::ffff:10.0.0.1", "::ffff:a00:1"],
  ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
];

for (const [input, expected] of roundTrips) {
  test(`parses and formats ${input}`, () => {
    const ip = parseIp(input);
    assert.ok(ip, "parsed");
    assert.equal(formatIp(ip), expected);
  });
}

const invalid = ["", "10.0.0", "10.0.0.256", "01.0.0.1", "1.2.3.4.5", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "a.b.c.d", " 10.0.0.1"];
for (const input of invalid) {
  test(`rejects invalid address ${JSON.stringify(input)}`, () => assert.equal(parseIp(input), undefined));
}

test("a cidr with host bits set means its network (as the API server's ParseCIDR does)", () => {
  const r = parseCidr("10.1.2.3/16");
  assert.ok(r.ok);
  assert.equal(formatCidr(r.cidr), "10.1.0.0/16");
  assert.equal(r.hostBitsSet, true);
});

test("cidr parse errors say why", () => {
  for (const [text, reason] of [
    ["10.0.0.0", "missing '/prefix'"],
    ["10.0.0.0/33", "prefix length above 32"],
    ["::/129", "prefix length above 128"],
    ["10.0.0.0/-1", "invalid prefix length"],
    ["x/8", "invalid IP address"],
  ] as const) {
    const r = parseCidr(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.equal(r.reason, reason);
  }
});

test("except must be a strict subset of its cidr", () => {
  const c = (t: string) => {
    const r = parseCidr(t);
    assert.ok(r.ok);
    return r.cidr;
  };
  assert.equal(isStrictSubset(c("10.0.1.0/24"), c("10.0.0.0/16")), true);
  assert.equal(isStrictSubset(c("10.0.0.0/16"), c("10.0.0.0/16")), false);
  assert.equal(isStrictSubset(c("10.1.0.0/24"), c("10.0.0.0/16")), false);
  assert.equal(isStrictSubset(c("::1/128"), c("10.0.0.0/8")), false);
});
