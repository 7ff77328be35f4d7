/**
 * The whole input path (read, parse, lists, decode, endpoints, engine compile) at 300,000 objects
 * in one file: no step may spread the objects into a call's arguments or recurse once per object
 * (`push(...items)` overflowed the stack at about 120,000).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Engine } from "../engine/engine.js";
import { readSources } from "../io/read-sources.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { loadCluster } from "./load.js";

const OBJECTS = 300_000;

function podNetwork(): AddressSet {
  const r = parseCidr("10.0.0.0/8");
  assert.ok(r.ok);
  return AddressSet.fromCidr(r.cidr);
}

const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function loadAndCompile(text: string): Promise<{ errors: number; endpoints: number; namespaces: number }> {
  const read = await readSources(["-"], () => Promise.resolve(text));
  assert.deepEqual(read.diagnostics, []);
  const loaded = loadCluster(read.sources);
  Engine.compile(loaded.value, { podNetwork: podNetwork(), ipBlockMatchesPods: true }).selectAll();
  const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
  return { errors, endpoints: loaded.value.endpoints.length, namespaces: loaded.value.namespaces.size };
}

test(`kubectl get pods -A -o json with ${OBJECTS} pods in one List loads and compiles`, { timeout: 300_000 }, async () => {
  const items: string[] = [];
  for (let i = 0; i < OBJECTS; i++) {
    items.push(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p${i}","namespace":"ns${i % 100}","labels":{"app":"a${i % 7}"}},"spec":{"containers":[{"name":"c"}]},"status":{"podIP":"${ip(i)}"}}`);
  }
  const result = await loadAndCompile(`{"apiVersion":"v1","kind":"List","items":[\n${items.join(",\n")}\n]}\n`);
  assert.deepEqual(result, { errors: 0, endpoints: OBJECTS, namespaces: 100 });
});

test(`${OBJECTS} YAML documents in one file load and compile`, { timeout: 300_000 }, async () => {
  const docs: string[] = [];
  for (let i = 0; i < OBJECTS; i++) docs.push(`---\nkind: Namespace\napiVersion: v1\nmetadata: {name: n${i}}\n`);
  const result = await loadAndCompile(docs.join(""));
  assert.deepEqual(result, { errors: 0, endpoints: 0, namespaces: OBJECTS });
});
