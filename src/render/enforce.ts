/**
 * The progress of `portcullis enforce` as lines: text for people, one JSON object per line for
 * machines. Both render the same events (src/enforce/loop.ts); nothing here runs anything.
 */
import type { EnforceEvent } from "../enforce/loop.js";
import { renderDenial } from "../nft/describe.js";
import type { ObjectChanges } from "../nft/diff.js";
import type { ShrinkRefusal } from "../nft/enforced.js";
import type { CompileIssue, CompileStats } from "../nft/types.js";

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

function stats(s: CompileStats): string {
  return `${plural(s.sets, "set")}, ${plural(s.elements, "element")}, ${plural(s.rules, "rule")}, ${plural(s.chains, "chain")}`;
}

/** `1 set added, 2 chains removed`: the non-zero counts of one kind of object. */
function objectsText(noun: string, c: ObjectChanges): string[] {
  const parts: [number, string][] = [
    [c.added, "added"],
    [c.removed, "removed"],
    [c.changed, "redefined"],
  ];
  return parts.filter(([n]) => n > 0).map(([n, verb]) => `${plural(n, noun)} ${verb}`);
}

/** Why a pod or policy is not enforced as written: one sentence per issue. */
export function describeIssue(issue: CompileIssue): string {
  switch (issue.kind) {
    case "no-ip":
      return `${issue.endpoint} has no known pod IP: its traffic is not enforced (the ruleset names pods by address)`;
    case "host-network":
      return `${issue.endpoint} uses the host network: NetworkPolicy does not govern it`;
    case "unknown-mode":
      return `NetworkPolicy ${issue.policy.namespace}/${issue.policy.name}: unknown portcullis.dev/mode "${issue.value}": enforced`;
  }
}

/** The stdout line of an event that has one: applied and denial (the others are problems, for stderr). */
export function enforceEventText(event: EnforceEvent): string | null {
  switch (event.kind) {
    case "applied": {
      const what =
        event.change === "replace"
          ? "replaced the table"
          : event.change === "objects" && event.objects !== undefined
            ? [...objectsText("set", event.objects.sets), ...objectsText("chain", event.objects.chains), `${plural(event.added, "element")} added, ${event.removed} removed`].join(", ")
            : event.change === "elements" || event.change === "objects"
              ? `${plural(event.added, "element")} added, ${event.removed} removed`
              : "unchanged, nothing sent";
      return `applied: ${what} (${stats(event.stats)}) in ${event.ms} ms`;
    }
    case "denial":
      return renderDenial(event.denial);
    default:
      return null;
  }
}

/** The problem an event reports, for stderr; null for the events of enforceEventText. */
export function enforceProblemText(event: EnforceEvent): string | null {
  switch (event.kind) {
    case "load-failed":
      return "not applied: the input has errors; the table stays as last applied";
    case "drift":
      return `the table is not as applied (${event.detail}): applying it again`;
    case "shrink-refused":
      return `not applied: ${shrinkText(event)}; the table stays as it is (--allow-shrink applies it)`;
    case "apply-failed":
      return `nft failed: ${event.error.message}${event.error.stderr === "" ? "" : `: ${event.error.stderr}`}`;
    case "error":
      return event.message;
    default:
      return null;
  }
}

/** What a refused state would have dropped. */
function shrinkText(s: ShrinkRefusal): string {
  const enforced = `${plural(s.before, "rule id")} (policy rules and isolated groups)`;
  if (s.all) return `the input enforces no policy, the table enforces ${enforced}`;
  return `the input enforces ${s.after} of the ${enforced} the table enforces (${s.percent}% fewer, more than --max-shrink ${s.maxPercent}%)`;
}

/** One JSON object per event; diagnostics are left to stderr, where every command prints them. */
export function enforceEventJson(event: EnforceEvent): object {
  switch (event.kind) {
    case "applied":
      return { event: "applied", change: event.change, ...(event.objects === undefined ? {} : { objects: event.objects }), added: event.added, removed: event.removed, stats: event.stats, issues: event.issues, ms: event.ms };
    case "denial":
      return { event: "denial", ...event.denial };
    case "load-failed":
      return { event: "load-failed", errors: event.diagnostics.filter((d) => d.severity === "error").length };
    case "apply-failed":
      return { event: "apply-failed", message: event.error.message, stderr: event.error.stderr };
    case "error":
      return { event: "error", message: event.message };
    case "drift":
      return { event: "drift", detail: event.detail };
    case "shrink-refused":
      return { event: "shrink-refused", before: event.before, after: event.after, shrinkPercent: event.percent, maxShrinkPercent: event.maxPercent, all: event.all };
  }
}
