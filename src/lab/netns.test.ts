import assert from "node:assert/strict";
import { test } from "node:test";
import { markerAlive, ofPrefix, ownerMarker, parseNetnsList } from "./netns.js";

test("`ip netns list` lines give the names, with or without an id", () => {
  assert.deepEqual(parseNetnsList("pc-abc123-1 (id: 3)\npcnft-x\n\npc-abc123-0\n"), ["pc-abc123-1", "pcnft-x", "pc-abc123-0"]);
});

test("a prefix selects only its own lab's namespaces, never look-alikes", () => {
  const names = ["pc-abc123-0", "pc-abc123-12", "pc-abc1234-0", "pc-abc123-x", "pcnft-abc123-0", "pc-def456-0"];
  assert.deepEqual(ofPrefix(names, "pc-abc123"), ["pc-abc123-0", "pc-abc123-12"]);
});

test("the owner marker of this process is alive; a marker with another start time is not", () => {
  const mine = ownerMarker();
  assert.ok(markerAlive(mine));
  assert.equal(markerAlive(mine.replace(/since=\d+/, "since=1")), false);
  assert.equal(markerAlive("something else"), false);
});
