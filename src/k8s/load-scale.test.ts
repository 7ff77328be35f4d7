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

async function loadAndCompile(...texts: string[]): Promise<{ errors: number; endpoints: number; namespaces: number }> {
  const sources = [];
  for (const text of texts) {
    const read = await readSources(["-"], () => Promise.resolve(text));
    assert.deepEqual(read.diagnostics, []);
    for (const s of read.sources) sources.push(s);
  }
  const loaded = loadCluster(sources);
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

// Two files: one would be above the YAML size limit.
test(`${OBJECTS} YAML documents in two files load and compile`, { timeout: 300_000 }, async () => {
  const file = (from: number): string => {
    const docs: string[] = [];
    for (let i = from; i < from + OBJECTS / 2; i++) docs.push(`---\nkind: Namespace\napiVersion: v1\nmetadata: {name: n${i}}\n`);
    return docs.join("");
  };
  const result = await loadAndCompile(file(0), file(OBJECTS / 2));
  assert.deepEqual(result, { errors: 0, endpoints: 0, namespaces: OBJECTS });
});
