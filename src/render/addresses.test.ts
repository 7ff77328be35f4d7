import assert from "node:assert/strict";
import { test } from "node:test";
import { cidrSet, compactAddresses } from "./addresses.js";

const cases: readonly [readonly string[], string][] = [
  [[], "no address"],
  [["10.0.0.1/32"], "10.0.0.1"],
  [["10.0.0.0/8", "192.168.0.0/16"], "10.0.0.0/8, 192.168.0.0/16"],
  // Fewer parts as "cover except holes": 3 blocks become 1 cover and 1 hole.
  [["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], "0.0.0.0/0 except 224.0.0.0/3"],
  // As many parts either way: the plain list.
  [["10.0.0.0/9", "10.192.0.0/10"], "10.0.0.0/9, 10.192.0.0/10"],
  // 169.254.0.0/16 without one address is 16 blocks.
  [["169.254.0.0/17", "169.254.128.0/19", "169.254.160.0/21", "169.254.168.0/24", "169.254.169.0/25", "169.254.169.128/26", "169.254.169.192/27", "169.254.169.224/28", "169.254.169.240/29", "169.254.169.248/30", "169.254.169.252/31", "169.254.169.255/32", "169.254.170.0/23", "169.254.172.0/22", "169.254.176.0/20", "169.254.192.0/18"], "169.254.0.0/16 except 169.254.169.254"],
  [["fd00::1/128", "10.0.0.0/8"], "10.0.0.0/8, fd00::1"],
  [["0.0.0.0/0", "::/0"], "0.0.0.0/0, ::/0"],
];

for (const [cidrs, expected] of cases) {
  test(`compactAddresses: ${expected}`, () => {
    assert.equal(compactAddresses(cidrSet(cidrs)), expected);
  });
}
