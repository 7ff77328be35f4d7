import type { Endpoint } from "../../model/cluster.js";

/**
 * The addresses of a class's members, when each member has exactly one address and all of one
 * family: the lowest and the highest. A new ipBlock boundary then splits the class exactly when it
 * falls inside (`min < b <= max`), so a change that adds boundaries looks at each class once
 * instead of at each endpoint. `null` for any other class (several addresses, mixed families).
 * Member lists are never changed in place, so a span is kept with its list.
 */
export type Span = { readonly family: 4 | 6; readonly min: bigint; readonly max: bigint } | null;

const spans = new WeakMap<readonly Endpoint[], Span>();

export function spanOf(members: readonly Endpoint[]): Span {
  if (spans.has(members)) return spans.get(members) as Span;
  let span: Span = null;
  let family: 4 | 6 | undefined;
  let min = 0n;
  let max = 0n;
  let uniform = members.length > 0;
  for (const e of members) {
    const ip = e.ips.length === 1 ? e.ips[0] : undefined;
    if (ip === undefined || (family !== undefined && ip.family !== family)) {
      uniform = false;
      break;
    }
    if (family === undefined) {
      family = ip.family;
      min = ip.value;
      max = ip.value;
    } else if (ip.value < min) min = ip.value;
    else if (ip.value > max) max = ip.value;
  }
  if (uniform && family !== undefined) span = { family, min, max };
  spans.set(members, span);
  return span;
}

/** Whether one of `bounds` lies inside the span: the members fall on different sides of it. */
export function spanCut(span: NonNullable<Span>, bounds: { readonly v4: readonly bigint[]; readonly v6: readonly bigint[] }): boolean {
  for (const b of span.family === 4 ? bounds.v4 : bounds.v6) if (span.min < b && b <= span.max) return true;
  return false;
}
