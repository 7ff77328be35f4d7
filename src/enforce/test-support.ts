/**
 * Test support for the namespace tests: they run as root with `ip` and `nft`; elsewhere they are
 * skipped, except in CI (CI=true), where a skip would hide a broken dataplane and so fails.
 */
import assert from "node:assert/strict";
import { createNetns, deleteNetns, netnsSupport } from "./netns.js";
import { findElementsHelper } from "./netlink-elements.js";

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

/**
 * `nft list table` in a form that two tables with the same content share, however they were built:
 * sets, maps and chains sorted by name, elements sorted (nft lists concatenated interval sets in
 * insertion order), counters zeroed (a full replace restarts them).
 */
export function canonicalListing(listing: string): string {
  const blocks: string[] = [];
  let current: string[] | null = null;
  for (const line of listing.split("\n")) {
    if (/^\t(set|map|chain) /.test(line)) current = [line];
    else if (current !== null) {
      current.push(line.replace(/counter packets \d+ bytes \d+/, "counter"));
      if (line === "\t}") {
        blocks.push(current.join("\n").replace(/elements = \{([^}]*)\}/g, (_m, body: string) => `elements = { ${body.split(",").map((e) => e.trim()).sort().join(", ")} }`));
        current = null;
      }
    }
  }
  return blocks.sort().join("\n");
}

/**
 * The netlink helper (native/build/portcullis-nft-elements, `npm run build:native`) for the tests
 * that run it: skipped where it is not built, except in CI (CI=true), where it must be.
 */
export function elementsHelper(t: { skip(message?: string): void }): string | null {
  const helper = findElementsHelper();
  if (helper !== null) return helper;
  const why = "the netlink helper is not built (npm run build:native)";
  if (process.env["CI"] === "true") assert.fail(`netlink helper tests must run in CI: ${why}`);
  t.skip(why);
  return null;
}
