import { test } from "node:test";
import assert from "node:assert/strict";
import { formatAddressRange } from "./elements.js";

test("elements print CIDR blocks, single addresses and ranges", () => {
  assert.equal(formatAddressRange(4, 0x0a000000n, 0x0affffffn), "10.0.0.0/8");
  assert.equal(formatAddressRange(4, 0x0a000001n, 0x0a000001n), "10.0.0.1");
  assert.equal(formatAddressRange(4, 0x0a000001n, 0x0a000005n), "10.0.0.1-10.0.0.5");
  assert.equal(formatAddressRange(6, 0n, (1n << 128n) - 1n), "::/0");
});
