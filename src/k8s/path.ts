/** One step of a field path: a mapping key or a list index. */
export type Segment = string | number;
export type FieldPath = readonly Segment[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `["spec", "egress", 1, "to", 0]` → `spec.egress[1].to[0]`. Keys that are not plain
 * identifiers (label keys such as `app.kubernetes.io/name`) are written `labels["app.kubernetes.io/name"]`,
 * so a path always reads back to one field.
 */
export function formatPath(path: FieldPath): string {
  // Pieces joined once: one flat string. Built step by
  // step it would be a tree of 32-byte nodes, and decoded objects keep their locations as long as
  // they live (the node agent: 14 per NetworkPolicy, 22 MiB of such trees at 10k).
  const pieces: string[] = [];
  for (const segment of path) {
    if (typeof segment === "number") pieces.push(`[${segment}]`);
    else if (PLAIN_KEY.test(segment)) pieces.push(pieces.length === 0 ? segment : `.${segment}`);
    else pieces.push(`[${JSON.stringify(segment)}]`);
  }
  return pieces.join("");
}

const SEGMENT = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** The inverse of `formatPath`; undefined for text that is not a path. */
export function parsePath(text: string): FieldPath | undefined {
  const out: Segment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const start = SEGMENT.lastIndex;
    const m = SEGMENT.exec(text);
    if (m === null || (start === 0 && m[0].startsWith("."))) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] ?? '""') as string);
  }
  return out;
}
