/** A small block-style YAML writer for plain data: what `kubectl get -o yaml` output looks like. */

const PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
/** YAML 1.1 reads these as booleans or null when plain. */
const RESERVED = /^(y|n|yes|no|on|off|true|false|null)$/i;

function scalar(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = String(value);
  return PLAIN.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

function emit(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === "object" && item !== null && !isEmpty(item)) {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        const first = lines[0] ?? "";
        out.push(`${indent}- ${first.slice(indent.length + 2)}`, ...lines.slice(1));
      } else {
        out.push(`${indent}- ${isEmpty(item) ? (Array.isArray(item) ? "[]" : "{}") : scalar(item)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "object" && v !== null && !isEmpty(v)) {
      out.push(`${indent}${scalar(k)}:`);
      emit(v, Array.isArray(v) ? indent : `${indent}  `, out);
    } else {
      out.push(`${indent}${scalar(k)}: ${isEmpty(v) ? (Array.isArray(v) ? "[]" : "{}") : scalar(v)}`);
    }
  }
}

/** Objects as one multi-document YAML text. */
export function toYaml(objects: readonly unknown[]): string {
  const out: string[] = [];
  for (const o of objects) {
    out.push("---");
    emit(o, "", out);
  }
  out.push("");
  return out.join("\n");
}
