/**
 * Syntax-safe node ids: `production/web-api` becomes `production_web_api`. Every character other
 * than a letter or digit becomes `_`, an id starts with a letter; ids that would collide get `_2`, `_3`, ... in the order asked.
 */
const RESERVED = new Set(["end", "subgraph", "graph", "flowchart", "class", "classdef", "style", "click", "linkstyle", "direction", "default", "node", "edge", "digraph", "strict"]);

export class NodeIds {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** The id for `key` (any text that tells nodes apart), built from `readable`. */
  idOf(key: string, readable: string = key): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const safe = `${readable.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`;
    // Ids start with a letter (DOT and Mermaid both accept that unquoted).
    const lettered = /^[A-Za-z]/.test(safe) ? safe : `n_${safe}`;
    // Mermaid reads these words as statements wherever they stand alone ("end" closes a subgraph).
    const base = RESERVED.has(lettered.toLowerCase()) ? `${lettered}_` : lettered;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.byKey.set(key, id);
    this.taken.add(id);
    return id;
  }
}
