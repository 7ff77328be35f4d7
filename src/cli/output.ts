import { stringify } from "yaml";
import type { OutputFormat } from "./spec.js";

/** How a command writes its view in the formats it supports beyond json and yaml. */
export type Renderers<T> = Partial<Record<Exclude<OutputFormat, "json" | "yaml">, (view: T) => string>>;

/**
 * Writes one view in the chosen format: json and yaml serialise the very object the other
 * renderers print. The argument parser has already refused formats a command does not list.
 */
export function render<T>(format: OutputFormat, view: T, renderers: Renderers<T>): string {
  if (format === "json") return `${JSON.stringify(view, null, 2)}\n`;
  if (format === "yaml") return stringify(view, { lineWidth: 0, aliasDuplicateObjects: false });
  const renderer = renderers[format];
  if (renderer === undefined) throw new Error(`no ${format} renderer`);
  return renderer(view);
}
