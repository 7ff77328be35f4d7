/**
 * Test support for the namespace tests: they run as root with `ip` and `nft`; elsewhere they are
 * skipped, except in CI (CI=true), where a skip would hide a broken dataplane and so fails.
 */
import assert from "node:assert/strict";
import { createNetns, deleteNetns, netnsSupport } from "./netns.js";

export async function canUseNetns(t: { skip(message?: string): void }): Promise<boolean> {
  const support = await netnsSupport();
  if (support.ok) return true;
  if (process.env["CI"] === "true") assert.fail(`namespace tests must run in CI: ${support.reason}`);
  t.skip(support.reason);
  return false;
}

/** Runs `fn` with `count` fresh namespaces, deleted afterwards whatever happens. */
export async function withNetns<T>(count: number, fn: (names: string[]) => Promise<T>): Promise<T> {
  const names: string[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const r = await createNetns();
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      names.push(r.value);
    }
    return await fn(names);
  } finally {
    for (const name of names) await deleteNetns(name);
  }
}
