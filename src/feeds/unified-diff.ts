/** A unified text diff (`diff -u` shape, 3 lines of context) of a file before and after: what `feeds update --dry-run` prints. */

const CONTEXT = 3;
/** Above this many cells the middle is shown as one replacement instead of searched for common lines. */
const MAX_LCS_CELLS = 4_000_000;

type Op = { readonly kind: " " | "-" | "+"; readonly line: string };

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Common lines by longest common subsequence (the middle of the file only, after trimming equal ends). */
function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  if (a.length * b.length > MAX_LCS_CELLS) return [...a.map((line) => ({ kind: "-" as const, line })), ...b.map((line) => ({ kind: "+" as const, line }))];
  const w = b.length + 1;
  const len = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) len[i * w + j] = a[i] === b[j] ? (len[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(len[(i + 1) * w + j] ?? 0, len[i * w + j + 1] ?? 0);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i++] ?? "" });
      j++;
    } else if ((len[(i + 1) * w + j] ?? 0) >= (len[i * w + j + 1] ?? 0)) ops.push({ kind: "-", line: a[i++] ?? "" });
    else ops.push({ kind: "+", line: b[j++] ?? "" });
  }
  while (i < a.length) ops.push({ kind: "-", line: a[i++] ?? "" });
  while (j < b.length) ops.push({ kind: "+", line: b[j++] ?? "" });
  return ops;
}

function ops(before: string, after: string): Op[] {
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (lines: string[]): Op[] => lines.map((line) => ({ kind: " ", line }));
  return [...same(a.slice(0, head)), ...lcsOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)), ...same(a.slice(a.length - tail))];
}

/** `--- FILE`, `+++ FILE` (the name as given: `patch -p0` applies it) and the hunks; "" when the texts are equal. A CRLF file's lines keep their carriage return. */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return "";
  const all = ops(before, after);
  const changed = all.map((o, k) => (o.kind === " " ? -1 : k)).filter((k) => k >= 0);
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const last = hunks[hunks.length - 1];
    if (last !== undefined && k - last[1] <= 2 * CONTEXT + 1) last[1] = k;
    else hunks.push([k, k]);
  }
  const out = [`--- ${file}`, `+++ ${file}`];
  for (const [first, lastChange] of hunks) {
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(all.length - 1, lastChange + CONTEXT);
    const before_ = all.slice(0, from);
    const oldStart = before_.filter((o) => o.kind !== "+").length + 1;
    const newStart = before_.filter((o) => o.kind !== "-").length + 1;
    const body = all.slice(from, to + 1);
    const oldCount = body.filter((o) => o.kind !== "+").length;
    const newCount = body.filter((o) => o.kind !== "-").length;
    out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`);
    for (const o of body) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join("\n")}\n`;
}
