/**
 * The store's promises, on random histories: a list at an older resourceVersion is the state as it
 * was then ("a consistent snapshot", what continue tokens page over), and the changes after it,
 * replayed onto it, give the state now (what a watch from that resourceVersion delivers).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RESOURCES, type ResourceType } from "./resources.js";
import { type KubeObject, Store, objectKey } from "./store.js";

const PODS = RESOURCES.find((t) => t.resource === "pods") as ResourceType;
const SERVICES = RESOURCES.find((t) => t.resource === "services") as ResourceType;

type Op = { kind: "put"; services: boolean; ns: string; name: string; v: number } | { kind: "remove"; services: boolean; ns: string; name: string } | { kind: "mark" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), services: fc.boolean(), ns: fc.constantFrom("a", "b"), name: fc.constantFrom("x", "y", "z"), v: fc.nat(5) }),
  fc.record({ kind: fc.constant("remove" as const), services: fc.boolean(), ns: fc.constantFrom("a", "b"), name: fc.constantFrom("x", "y", "z") }),
  fc.constant({ kind: "mark" as const }),
);

/** key → label v, for one type. */
function stateOf(store: Store, t: ResourceType, at?: number): Map<string, string | undefined> {
  const l = store.list(t, at);
  assert.ok(l !== undefined);
  assert.deepEqual([...l.keys], [...l.keys].sort(), "keys come sorted");
  return new Map(l.keys.map((k) => [k, (l.objects.get(k) as KubeObject).metadata.labels?.["v"]]));
}

test("store: a list at an older resourceVersion is the state as it was then; the changes since, replayed onto it, are the state now (random histories)", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const store = new Store();
      const marks: { rv: number; pods: Map<string, string | undefined>; services: Map<string, string | undefined> }[] = [];
      for (const o of ops) {
        const t = o.kind === "mark" ? PODS : o.services ? SERVICES : PODS;
        if (o.kind === "put") store.put(t, { apiVersion: "v1", kind: t.kind, metadata: { name: o.name, namespace: o.ns, labels: { v: String(o.v) } } });
        else if (o.kind === "remove") store.remove(t, o.ns, o.name);
        else marks.push({ rv: store.rv, pods: stateOf(store, PODS), services: stateOf(store, SERVICES) });
      }
      for (const m of marks) {
        assert.deepEqual(stateOf(store, PODS, m.rv), m.pods);
        assert.deepEqual(stateOf(store, SERVICES, m.rv), m.services);
        const replayed = new Map(m.pods);
        for (const c of store.changesSince(m.rv) ?? assert.fail("not compacted")) {
          if (c.resource !== PODS) continue;
          const key = objectKey(c.object.metadata.namespace, c.object.metadata.name);
          if (c.type === "DELETED") replayed.delete(key);
          else replayed.set(key, c.object.metadata.labels?.["v"]);
          assert.equal(c.type === "ADDED", c.previous === undefined);
        }
        assert.deepEqual(replayed, stateOf(store, PODS));
      }
    }),
    { numRuns: 200 },
  );
});

test("store: after compact(), lists and changes from before it are gone (410 material); from the compaction's resourceVersion on they are whole", () => {
  const store = new Store();
  store.put(PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "n" } });
  const before = store.rv;
  store.put(PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "b", namespace: "n" } });
  store.compact();
  const at = store.rv;
  assert.equal(store.list(PODS, before), undefined);
  assert.equal(store.changesSince(before), undefined);
  assert.deepEqual(store.list(PODS, at)?.keys, ["n/a", "n/b"]);
  assert.deepEqual(store.changesSince(at), []);
  store.remove(PODS, "n", "a");
  assert.deepEqual(store.changesSince(at)?.map((c) => c.type), ["DELETED"]);
  assert.deepEqual(store.list(PODS, at)?.keys, ["n/a", "n/b"]);
});

test("store: one resourceVersion counter for every kind (etcd's revision); updates keep uid and creationTimestamp", () => {
  const store = new Store();
  const first = store.put(PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "n" } }).object;
  store.put(SERVICES, { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" } });
  const again = store.put(PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "n", labels: { x: "y" } } }).object;
  assert.deepEqual([first.metadata.resourceVersion, again.metadata.resourceVersion], ["2", "4"]);
  assert.equal(again.metadata["uid"], first.metadata["uid"]);
  assert.equal(again.metadata["creationTimestamp"], first.metadata["creationTimestamp"]);
});
