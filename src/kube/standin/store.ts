/**
 * The stand-in's etcd: objects by type, one resourceVersion counter for the whole store (as etcd's
 * revision), and the history of changes since the last compaction, so that a watch can start from
 * an older resourceVersion and a list continue token can read the snapshot it started from.
 * Stored objects are never mutated (a change stores a new object), so lists, changes and watch
 * events share them without copies: 50k pods page in well under a second per page.
 */
import { randomUUID } from "node:crypto";
import { type ResourceType, groupVersion } from "./resources.js";

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  readonly rv: number;
  readonly type: ChangeType;
  readonly resource: ResourceType;
  /** The object after the change; for DELETED, its last state stamped with the deletion's resourceVersion. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly previous: KubeObject | undefined;
}

/** "ns/name", or "name" for a cluster-scoped object: the sort order of lists, as etcd keys sort. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === "" ? name : `${namespace}/${name}`;
}

const typeId = (t: ResourceType): string => `${t.group}/${t.resource}`;
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One type's objects, with their keys kept sorted between additions and deletions. */
class Bucket {
  readonly objects = new Map<string, KubeObject>();
  #sorted: string[] | undefined;

  set(key: string, o: KubeObject): void {
    if (!this.objects.has(key)) this.#sorted = undefined;
    this.objects.set(key, o);
  }

  delete(key: string): void {
    this.objects.delete(key);
    this.#sorted = undefined;
  }

  get keys(): readonly string[] {
    this.#sorted ??= [...this.objects.keys()].sort(byKey);
    return this.#sorted;
  }
}

/** A sorted list of entries, the keys in order. */
export interface Listing {
  readonly keys: readonly string[];
  readonly objects: ReadonlyMap<string, KubeObject>;
}
const clone = (o: KubeObject): KubeObject => structuredClone(o);
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class Store {
  #rv = 1;
  /** Watches and continue tokens from a resourceVersion below this are too old (410). */
  #oldest = 1;
  readonly #objects = new Map<string, Bucket>();
  #history: Change[] = [];
  readonly #listeners = new Set<(c: Change) => void>();

  /** The latest resourceVersion. */
  get rv(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion a watch or continue can start from. */
  get oldest(): number {
    return this.#oldest;
  }

  #bucket(t: ResourceType): Bucket {
    let b = this.#objects.get(typeId(t));
    if (b === undefined) {
      b = new Bucket();
      this.#objects.set(typeId(t), b);
    }
    return b;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.#bucket(t).objects.get(objectKey(namespace, name));
    return o === undefined ? undefined : clone(o);
  }

  /** Creates or replaces an object: a new resourceVersion, uid and creationTimestamp kept across updates. */
  put(t: ResourceType, input: KubeObject): Change {
    const bucket = this.#bucket(t);
    const key = objectKey(input.metadata.namespace, input.metadata.name);
    const previous = bucket.objects.get(key);
    const object = clone(input);
    object.apiVersion = groupVersion(t);
    object.kind = t.kind;
    const rv = ++this.#rv;
    object.metadata = {
      ...object.metadata,
      uid: previous?.metadata["uid"] ?? object.metadata["uid"] ?? randomUUID(),
      creationTimestamp: previous?.metadata["creationTimestamp"] ?? now(),
      resourceVersion: String(rv),
    };
    bucket.set(key, object);
    return this.#record({ rv, type: previous === undefined ? "ADDED" : "MODIFIED", resource: t, object, previous });
  }

  remove(t: ResourceType, namespace: string | undefined, name: string): Change | undefined {
    const bucket = this.#bucket(t);
    const key = objectKey(namespace, name);
    const previous = bucket.objects.get(key);
    if (previous === undefined) return undefined;
    bucket.delete(key);
    const rv = ++this.#rv;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    return this.#record({ rv, type: "DELETED", resource: t, object, previous });
  }

  #record(c: Change): Change {
    this.#history.push(c);
    for (const l of this.#listeners) l(c);
    return c;
  }

  /** Forgets the history: watches and continue tokens from before now are 410 Gone. */
  compact(): void {
    this.#oldest = this.#rv;
    this.#history = [];
  }

  /**
   * The objects of a type at a resourceVersion (the latest when undefined), keys sorted; undefined
   * when compacted away. Shared, not copied: read only.
   */
  list(t: ResourceType, at?: number): Listing | undefined {
    if (at !== undefined && at < this.#oldest) return undefined;
    const bucket = this.#bucket(t);
    const later: Change[] = [];
    for (let i = this.#history.length - 1; at !== undefined && i >= 0; i--) {
      const c = this.#history[i] as Change;
      if (c.rv <= at) break;
      if (c.resource === t) later.push(c);
    }
    if (later.length === 0) return { keys: bucket.keys, objects: bucket.objects };
    const state = new Map(bucket.objects);
    for (const c of later) {
      const key = objectKey(c.object.metadata.namespace, c.object.metadata.name);
      if (c.previous === undefined) state.delete(key);
      else state.set(key, c.previous);
    }
    return { keys: [...state.keys()].sort(byKey), objects: state };
  }

  /** Changes after a resourceVersion, oldest first; undefined when that resourceVersion was compacted away. */
  changesSince(rv: number): Change[] | undefined {
    if (rv < this.#oldest) return undefined;
    return this.#history.filter((c) => c.rv > rv);
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
