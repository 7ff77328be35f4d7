/** The objects of `nft -j` output (`{"nftables": [...]}`), or why it cannot be read. */
export type NftJson = { readonly ok: true; readonly items: readonly Record<string, unknown>[] } | { readonly ok: false; readonly error: string };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseNftJson(json: string): NftJson {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return { ok: false, error: `nft printed invalid JSON: ${(e as Error).message}` };
  }
  if (!isObject(doc) || !Array.isArray(doc["nftables"])) return { ok: false, error: "nft JSON without an nftables array" };
  return { ok: true, items: doc["nftables"].filter(isObject) };
}
