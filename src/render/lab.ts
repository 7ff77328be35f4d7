/** What `lab up` and `lab down` print: pure. `lab run` and `lab probe` print the report (src/labrun/render.ts). */
import type { LabUpInfo } from "../labrun/index.js";

export function renderLabUpText(info: LabUpInfo): string {
  return [
    `lab ${info.prefix} is up: ${info.pods} pod${info.pods === 1 ? "" : "s"}, ${info.probes} probe${info.probes === 1 ? "" : "s"} planned (up ${info.upMs} ms, enforce ${info.enforceMs} ms)`,
    `state: ${info.statePath}`,
    `probe it:     portcullis lab probe --lab ${info.prefix}`,
    `take it down: portcullis lab down --lab ${info.prefix}`,
    "",
  ].join("\n");
}

export interface LabDownView {
  readonly prefix: string;
  /** Network namespaces removed. */
  readonly removed: number;
}

export function renderLabDownText(view: LabDownView): string {
  return `lab ${view.prefix} removed (${view.removed} network namespace${view.removed === 1 ? "" : "s"})\n`;
}
