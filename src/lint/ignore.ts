import type { Labels } from "../model/labels.js";

/** `portcullis.dev/ignore: rule-id[,rule-id]` on an object silences those rules' findings about it. */
export const IGNORE_ANNOTATION = "portcullis.dev/ignore";

/** The rule ids an object's annotations silence. */
export function ignoredRules(annotations: Labels | undefined): ReadonlySet<string> {
  const text = annotations?.get(IGNORE_ANNOTATION);
  if (text === undefined) return new Set();
  return new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""));
}
