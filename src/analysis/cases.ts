/**
 * One question that means several cases: a Service and its backends (kube-proxy picks one per
 * connection), or an owner whose pods differ. Each case is answered on its own; the answer to the
 * question is the verdicts together. Independent of what the cases stand for.
 */
import type { Verdict } from "../engine/types.js";

/** A case that is answered, or one that is listed with why it is left out (e.g. a backend without the port). */
export type Case<T> = { readonly label: string; readonly subject: T } | { readonly label: string; readonly skipped: string };

/** The cases of one question, and the sentence that says how the question became them. */
export interface Cases<T> {
  readonly translation: string;
  readonly cases: readonly Case<T>[];
}

/** Allowed when every answered case is, denied when every one is, else depends. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length > 0 && verdicts.every((v) => v === "allowed")) return "allowed";
  if (verdicts.length > 0 && verdicts.every((v) => v === "denied")) return "denied";
  return "depends";
}

/** Answers each case with `answer`; skipped cases stay as they are. */
export function answerCases<T, A>(cases: Cases<T>, answer: (subject: T) => A): Cases<A> {
  return {
    translation: cases.translation,
    cases: cases.cases.map((c) => ("skipped" in c ? c : { label: c.label, subject: answer(c.subject) })),
  };
}
