import assert from "node:assert/strict";
import { test } from "node:test";
import { failureOf } from "./prober.js";
import { isProbe } from "./servers.js";

test("socket errors map to probe outcomes", () => {
  assert.deepEqual(
    ["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "EWHATEVER"].map((c) => failureOf(c).outcome),
    ["refused", "reset", "unreachable", "timeout", "error"],
  );
});

test("the probe payload is recognised whole, as a prefix, and not otherwise", () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.deepEqual(
    [isProbe(bytes("portcullis-probe\n")), isProbe(bytes("portc")), isProbe(bytes("\u0000\u001c"))],
    [true, "partial", false],
  );
});
