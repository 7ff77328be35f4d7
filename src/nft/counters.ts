import { RULE_ID_PATTERN } from "./ids.js";
import { isObject, parseNftJson } from "./json.js";

export interface Counter {
  readonly packets: number;
  readonly bytes: number;
}

export type CountersParse = { readonly ok: true; readonly counters: ReadonlyMap<string, Counter> } | { readonly ok: false; readonly error: string };

/**
 * Counters per rule id from `nft -j list table inet portcullis`: every rule whose comment is a rule
 * id and which has a `counter` adds to that id (a rule id has one lookup per set, so several rules).
 * Sorted by id.
 */
export function parseCounters(json: string): CountersParse {
  const parsed = parseNftJson(json);
  if (!parsed.ok) return parsed;
  const sums = new Map<string, { packets: number; bytes: number }>();
  for (const item of parsed.items) {
    const rule = item["rule"];
    if (!isObject(rule) || typeof rule["comment"] !== "string" || !Array.isArray(rule["expr"])) continue;
    const id = RULE_ID_PATTERN.exec(rule["comment"])?.[0];
    if (id === undefined) continue;
    for (const expr of rule["expr"]) {
      const c = isObject(expr) ? expr["counter"] : undefined;
      if (!isObject(c) || typeof c["packets"] !== "number" || typeof c["bytes"] !== "number") continue;
      const sum = sums.get(id) ?? { packets: 0, bytes: 0 };
      sums.set(id, { packets: sum.packets + c["packets"], bytes: sum.bytes + c["bytes"] });
    }
  }
  const sorted = [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { ok: true, counters: new Map(sorted) };
}
