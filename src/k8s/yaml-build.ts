/**
 * One composed YAML document to plain data in one pass, keeping where each field was written in a
 * compact tree (`Spots`) instead of the document's syntax tree, which is dropped afterwards.
 *
 * Values are those of yaml's own `toJS`: mappings become plain objects (keys as strings, `<<`
 * merges), lists arrays, an alias the very value of its anchor (shared, not copied). What differs:
 * an alias is found in a table of anchors (yaml's `toJS` and `Alias.resolve` search the document,
 * which made aliases quadratic), the nodes aliases add are counted against a cap, an alias to an
 * anchor still being read (a cycle) is an error, and a key that is a mapping or list is an error
 * (Kubernetes has none; yaml would turn it into text with a console warning).
 */
import { type Document, type Node, isAlias, isMap, isScalar, isSeq, type Pair } from "yaml";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import type { FieldPath } from "./path.js";

/** Where the entries of one written mapping or list sit. */
export interface Spots {
  /** A mapping's keys as written (in the order of `at`); undefined for a list. */
  readonly keys: readonly string[] | undefined;
  /** The offset of each entry: its key (mapping) or the item (list). */
  readonly at: readonly number[];
  /** The spots of each entry's value, when that value is a mapping or list; undefined when none is. */
  readonly kids: readonly (Spots | undefined)[] | undefined;
}

/** Aliases may add at most this many nodes (scalars, mappings, lists) to one file. */
export const MAX_ALIAS_NODES = 1_000_000;

/** Shared by the documents of one file: how many nodes its aliases have added so far. */
export interface AliasBudget {
  added: number;
}

export type BuildResult =
  | { readonly ok: true; readonly value: unknown; readonly spots: Spots | undefined }
  | { readonly ok: false; readonly offset: number; readonly code: string; readonly message: string };

interface Built {
  readonly value: unknown;
  readonly spots: Spots | undefined;
  /** Nodes in the value, aliases expanded. */
  readonly size: number;
}

/** Ends a build early; caught in `buildDocument`, never seen outside this module. */
class Refusal {
  constructor(
    readonly offset: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

const MERGE_KEY = "<<";

export function buildDocument(doc: Document.Parsed, budget: AliasBudget): BuildResult {
  const builder = new Builder(budget);
  try {
    const built = builder.node(doc.contents, doc.contents?.range[0] ?? 0);
    return { ok: true, value: built.value, spots: built.spots };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, offset: error.offset, code: error.code, message: error.message };
    throw error;
  }
}

class Builder {
  /** Anchors read so far, by name: a later anchor of the same name replaces an earlier one, as in YAML. */
  private readonly anchors = new Map<string, Built>();
  /** Anchors whose node is being read: an alias to one of them is a cycle. */
  private readonly open = new Set<string>();

  constructor(private readonly budget: AliasBudget) {}

  /** `at`: the offset to report for this node when it has no range of its own. */
  node(node: unknown, at: number): Built {
    if (isAlias(node)) return this.alias(node.source, node.range?.[0] ?? at);
    const anchor = isMap(node) || isSeq(node) || isScalar(node) ? node.anchor : undefined;
    if (anchor !== undefined) this.open.add(anchor);
    const built = isMap(node) ? this.map(node.items, node.range?.[0] ?? at) : isSeq(node) ? this.seq(node.items, node.range?.[0] ?? at) : scalar(node);
    if (anchor !== undefined) {
      this.open.delete(anchor);
      this.anchors.set(anchor, built);
    }
    return built;
  }

  private alias(name: string, at: number): Built {
    const target = this.anchors.get(name);
    if (target === undefined || this.open.has(name)) {
      const detail = this.open.has(name) ? `alias *${name} refers to the node that holds it` : `alias *${name} has no anchor &${name} before it`;
      throw new Refusal(at, codes.yamlSyntax, messages.yamlSyntax(detail));
    }
    this.budget.added += target.size;
    if (this.budget.added > MAX_ALIAS_NODES) throw new Refusal(at, codes.yamlAliasesTooLarge, messages.yamlAliasesTooLarge(MAX_ALIAS_NODES));
    return target;
  }

  private seq(items: readonly unknown[], at: number): Built {
    const value: unknown[] = [];
    const offsets: number[] = [];
    const kids = new Kids();
    let size = 1;
    for (const item of items) {
      const offset = isNodeWithRange(item) ? item.range[0] : at;
      const built = this.node(item, offset);
      value.push(built.value);
      offsets.push(offset);
      kids.push(built.spots);
      size += built.size;
    }
    return { value, spots: { keys: undefined, at: offsets, kids: kids.list() }, size };
  }

  private map(pairs: readonly Pair<unknown, unknown>[], at: number): Built {
    const value: Record<string, unknown> = {};
    const keys: string[] = [];
    const offsets: number[] = [];
    const kids = new Kids();
    let size = 1;
    for (const pair of pairs) {
      const keyAt = isNodeWithRange(pair.key) ? pair.key.range[0] : at;
      if (isMergeKey(pair.key)) {
        const merged = this.node(pair.value, keyAt);
        for (const key of this.merge(value, merged, keyAt)) {
          keys.push(key);
          offsets.push(keyAt);
          kids.push(undefined);
        }
        size += merged.size;
        continue;
      }
      if (isMap(pair.key) || isSeq(pair.key) || isAlias(pair.key)) {
        throw new Refusal(keyAt, codes.yamlSyntax, messages.yamlSyntax("a mapping key must be a plain value, not a mapping, list or alias"));
      }
      const key = keyText(scalar(pair.key).value);
      const built = this.node(pair.value, keyAt);
      define(value, key, built.value);
      keys.push(key);
      offsets.push(keyAt);
      kids.push(built.spots);
      size += built.size;
    }
    return { value, spots: { keys, at: offsets, kids: kids.list() }, size };
  }

  /**
   * `<<: *base` or `<<: [*a, *b]` (YAML 1.1 merge): each source's entries that `target` does not
   * have yet; earlier sources win. Returns the keys added.
   */
  private merge(target: Record<string, unknown>, merged: Built, at: number): string[] {
    const sources = Array.isArray(merged.value) ? (merged.value as unknown[]) : [merged.value];
    const added: string[] = [];
    for (const source of sources) {
      if (typeof source !== "object" || source === null || Array.isArray(source)) {
        throw new Refusal(at, codes.yamlSyntax, messages.yamlSyntax("merge sources must be mappings or aliases of mappings"));
      }
      for (const key of Object.keys(source)) {
        if (Object.prototype.hasOwnProperty.call(target, key)) continue;
        define(target, key, (source as Record<string, unknown>)[key]);
        added.push(key);
      }
    }
    return added;
  }
}

/** The spots of a collection's entries, kept only when some entry has any. */
class Kids {
  private readonly items: (Spots | undefined)[] = [];
  private any = false;

  push(spots: Spots | undefined): void {
    this.items.push(spots);
    if (spots !== undefined) this.any = true;
  }

  list(): (Spots | undefined)[] | undefined {
    return this.any ? this.items : undefined;
  }
}

function scalar(node: unknown): Built {
  const raw: unknown = isScalar(node) ? node.value : null;
  return { value: typeof raw === "bigint" ? Number(raw) : raw, spots: undefined, size: 1 };
}

function isNodeWithRange(node: unknown): node is Node & { range: [number, number, number] } {
  return typeof node === "object" && node !== null && "range" in node && Array.isArray(node.range);
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v: unknown = key.value;
  return (typeof v === "symbol" && v.description === MERGE_KEY) || (v === MERGE_KEY && (key.type === undefined || key.type === "PLAIN"));
}

/** A scalar key as a property name, as yaml's toJS makes it. */
function keyText(key: unknown): string {
  if (key === null || key === undefined) return "";
  return typeof key === "object" ? JSON.stringify(key) : String(key);
}

/** Sets an own property, even one named like an inherited one (`__proto__`, `toString`). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key in target) Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** Key indexes of large mappings, built on first use (a small mapping is searched). */
const keyIndexes = new WeakMap<readonly string[], Map<string, number>>();
const SEARCHED_KEYS = 16;

/** The entry of a mapping key; the last when a merged key is also written (the written value wins). */
function keyIndex(keys: readonly string[], key: string): number {
  if (keys.length <= SEARCHED_KEYS) return keys.lastIndexOf(key);
  let index = keyIndexes.get(keys);
  if (index === undefined) {
    index = new Map();
    for (let i = 0; i < keys.length; i++) index.set(keys[i] as string, i);
    keyIndexes.set(keys, index);
  }
  return index.get(key) ?? -1;
}

/** The offset of a field path: that of the deepest field on it that was written. */
export function offsetOf(root: Spots | undefined, rootOffset: number, path: FieldPath): number {
  let spots = root;
  let offset = rootOffset;
  for (const segment of path) {
    if (spots === undefined) break;
    const { keys } = spots;
    const index = typeof segment === "number" ? (keys === undefined ? segment : -1) : keys === undefined ? -1 : keyIndex(keys, segment);
    const at = spots.at[index];
    if (at === undefined) break;
    offset = at;
    spots = spots.kids?.[index];
  }
  return offset;
}
