/** Helpers for the tests of this folder (not used by the decoder). */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { DecodeResult } from "./decode.js";
import { loadCluster } from "./load.js";

export function decodeYaml(text: string, file = "test.yaml"): DecodeResult {
  return loadCluster([{ file, text }]);
}

/** Strips the common indentation and the first newline, so cases can be written indented. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, "").replace(/\n\s*$/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return `${lines.map((l) => l.slice(indent)).join("\n")}\n`;
}

/** A NetworkPolicy `production/app-egress` with the given spec (lines 7 on). */
export function networkPolicy(spec: string, name = "app-egress"): string {
  const body = yaml(spec)
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: production\nspec:\n${body}`;
}

/** The 1-based line of the line that carries the marker `#<`. */
export function markedLine(text: string): number {
  const index = text.split("\n").findIndex((l) => l.includes("#<"));
  if (index < 0) throw new Error("no #< marker in case");
  return index + 1;
}

export function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

/** `code path` of each diagnostic: a compact form to compare. */
export function summary(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.at?.path ?? ""}`);
}
