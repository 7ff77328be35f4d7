import type { ConnSetJson } from "../analysis/connset.js";
import { formatConns as formatConnsJson } from "../render/conns.js";
import { describeSide } from "./addresses.js";
import type { DiffChange, DiffReport } from "./types.js";

/** `TCP 443; UDP 53`, `All Connections`, or the empty string for none. */
export function formatConns(json: ConnSetJson): string {
  if (typeof json !== "string" && Object.keys(json).length === 0) return "";
  return formatConnsJson(json);
}

/** `widened 1, narrowed 1, added 0, removed 0` */
export function kindCounts(report: DiffReport): string {
  const s = report.summary;
  return `${s.widened} widened, ${s.narrowed} narrowed, ${s.added} added, ${s.removed} removed`;
}

export function changeEnds(c: DiffChange): { src: string; dst: string } {
  return { src: describeSide(c.src), dst: describeSide(c.dst) };
}
