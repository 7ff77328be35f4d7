/**
 * A renderer for the subset of Helm's Go templates that charts/portcullis uses, for its tests:
 * helm cannot be installed on the machines the tests run on (no package, no downloads). The
 * reference stays `helm template portcullis charts/portcullis`; this renders the same text for
 * what it supports and refuses anything else (an error naming the file and the action, never a
 * construct skipped or printed as is):
 *
 * - `{{ .Values.a.b }}`, `{{ .Release.Name }}`, `{{ .Release.Namespace }}`; a missing value is an
 *   error (stricter than helm, which prints nothing: a typo in a template fails here);
 * - `{{- if PIPELINE }}` … `{{- end }}` (Go's truth: false, 0, "", empty list or map, nil are false);
 * - pipelines of `toYaml`, `nindent N`, `quote`, `default X`; string and integer literals;
 * - `{{-` and `-}}` trim the whitespace before and after, as text/template does.
 *
 * Printing follows Go's fmt `%v` where the two agree (strings, booleans, integers below 1e6; Go
 * prints 1e+06 for a float64 million, so larger numbers are refused); `toYaml` sorts map keys as
 * helm's (sigs.k8s.io/yaml) does. Tests compare the rendered objects as parsed YAML, not bytes.
 */
import { parseAllDocuments, stringify } from "yaml";

export interface Release {
  readonly name: string;
  readonly namespace: string;
}

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

type Value = unknown;

interface Scope {
  readonly values: Value;
  readonly release: Release;
  /** For messages: `daemonset.yaml`. */
  readonly file: string;
}

type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "print"; readonly pipeline: string }
  | { readonly kind: "if"; readonly pipeline: string; readonly body: readonly Node[] };

interface Action {
  readonly body: string;
  readonly trimLeft: boolean;
  readonly trimRight: boolean;
}

/** Text and actions in order; text between two actions is trimmed as their dashes say. */
function lex(template: string, file: string): (string | Action)[] {
  const out: (string | Action)[] = [];
  let at = 0;
  for (let open = template.indexOf("{{", at); open !== -1; open = template.indexOf("{{", at)) {
    const close = template.indexOf("}}", open);
    if (close === -1) throw new TemplateError(`${file}: "{{" without "}}"`);
    out.push(template.slice(at, open));
    const raw = template.slice(open + 2, close);
    const trimLeft = raw.startsWith("- ");
    const trimRight = raw.endsWith(" -");
    out.push({ body: raw.slice(trimLeft ? 2 : 0, trimRight ? -2 : undefined).trim(), trimLeft, trimRight });
    at = close + 2;
  }
  out.push(template.slice(at));
  return out.map((part, i) => {
    if (typeof part !== "string") return part;
    const before = out[i - 1];
    const after = out[i + 1];
    let text = part;
    if (typeof before === "object" && before.trimRight) text = text.trimStart();
    if (typeof after === "object" && after.trimLeft) text = text.trimEnd();
    return text;
  });
}

function parse(parts: readonly (string | Action)[], file: string): Node[] {
  const stack: { pipeline: string; body: Node[] }[] = [{ pipeline: "", body: [] }];
  for (const part of parts) {
    const top = stack[stack.length - 1] as { body: Node[] };
    if (typeof part === "string") {
      if (part !== "") top.body.push({ kind: "text", text: part });
      continue;
    }
    const word = /^(\S+)/.exec(part.body)?.[1] ?? "";
    if (word === "if") stack.push({ pipeline: part.body.slice(2).trim(), body: [] });
    else if (word === "end") {
      const done = stack.pop();
      const parent = stack[stack.length - 1];
      if (done === undefined || parent === undefined) throw new TemplateError(`${file}: {{ end }} without {{ if }}`);
      parent.body.push({ kind: "if", pipeline: done.pipeline, body: done.body });
    } else if (word.startsWith(".") || /^(toYaml|nindent|quote|default)$/.test(word) || /^"/.test(word)) top.body.push({ kind: "print", pipeline: part.body });
    else throw new TemplateError(`${file}: {{ ${part.body} }} is outside the subset this renderer supports (see src/testing/deploy/helm-subset.ts)`);
  }
  if (stack.length !== 1) throw new TemplateError(`${file}: {{ if }} without {{ end }}`);
  return (stack[0] as { body: Node[] }).body;
}

/** The words of one command: quoted strings kept whole. */
function words(command: string, scope: Scope): string[] {
  const out = [...command.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((m) => m[0]);
  if (out.length === 0) throw new TemplateError(`${scope.file}: an empty command in a pipeline`);
  return out;
}

function lookup(path: string, scope: Scope): Value {
  const [root, ...keys] = path.slice(1).split(".");
  let value: Value;
  if (root === "Values") value = scope.values;
  else if (root === "Release" && keys.length === 1 && (keys[0] === "Name" || keys[0] === "Namespace")) return keys[0] === "Name" ? scope.release.name : scope.release.namespace;
  else throw new TemplateError(`${scope.file}: ${path} is outside the subset this renderer supports`);
  for (const key of keys) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) throw new TemplateError(`${scope.file}: ${path}: no such value`);
    value = (value as Record<string, Value>)[key];
  }
  return value;
}

function operand(word: string, scope: Scope): Value {
  if (word.startsWith(".")) return lookup(word, scope);
  if (word.startsWith('"')) return JSON.parse(word) as string;
  if (/^-?\d+$/.test(word)) return Number(word);
  throw new TemplateError(`${scope.file}: operand ${word} is outside the subset this renderer supports`);
}

/** Go's truth for `if`: "The empty values are false, 0, any nil pointer or interface value, and any array, slice, map, or string of length zero." */
function truthy(value: Value): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** fmt's %v for the values this chart prints. */
function print(value: Value, scope: Scope): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  throw new TemplateError(`${scope.file}: printing ${JSON.stringify(value)} is outside the subset (Go's %v differs from JavaScript's there: use toYaml or quote a string)`);
}

/** helm's toYaml: sigs.k8s.io/yaml (keys sorted), without the final newline. */
function toYaml(value: Value): string {
  return stringify(value, { sortMapEntries: true }).replace(/\n$/, "");
}

function call(name: string, args: readonly Value[], scope: Scope): Value {
  const arity: Readonly<Record<string, number>> = { toYaml: 1, quote: 1, nindent: 2, default: 2 };
  if (!(name in arity)) throw new TemplateError(`${scope.file}: function ${name} is outside the subset this renderer supports`);
  if (args.length !== arity[name]) throw new TemplateError(`${scope.file}: ${name} takes ${arity[name]} arguments, got ${args.length}`);
  const [a, b] = args;
  switch (name) {
    case "toYaml":
      return toYaml(a);
    case "quote": {
      // Go's %q and JSON agree on printable ASCII.
      const text = print(a, scope);
      if (!/^[\x20-\x7e]*$/.test(text)) throw new TemplateError(`${scope.file}: quote of a string beyond printable ASCII is outside the subset`);
      return JSON.stringify(text);
    }
    case "nindent": {
      if (typeof a !== "number") throw new TemplateError(`${scope.file}: nindent wants a number first`);
      const pad = " ".repeat(a);
      return `\n${print(b, scope).split("\n").map((line) => pad + line).join("\n")}`;
    }
    default:
      return truthy(b) ? b : a;
  }
}

function evaluate(pipeline: string, scope: Scope): Value {
  const commands = pipeline.split("|").map((c) => c.trim());
  let value: Value = undefined;
  commands.forEach((command, i) => {
    const [head = "", ...rest] = words(command, scope);
    const args = rest.map((w) => operand(w, scope));
    if (head.startsWith(".") || head.startsWith('"') || /^-?\d+$/.test(head)) {
      if (i > 0 || rest.length > 0) throw new TemplateError(`${scope.file}: {{ ${pipeline} }}: a value cannot take arguments`);
      value = operand(head, scope);
    } else value = call(head, i === 0 ? args : [...args, value], scope);
  });
  return value;
}

function renderNodes(nodes: readonly Node[], scope: Scope): string {
  return nodes
    .map((node) => {
      if (node.kind === "text") return node.text;
      if (node.kind === "print") return print(evaluate(node.pipeline, scope), scope);
      return truthy(evaluate(node.pipeline, scope)) ? renderNodes(node.body, scope) : "";
    })
    .join("");
}

/** One template file's text, rendered. */
export function renderTemplate(template: string, file: string, values: Value, release: Release): string {
  return renderNodes(parse(lex(template, file), file), { values, release, file });
}

/** The objects of rendered text (empty documents dropped, as helm drops them). */
export function objectsOf(rendered: string, file: string): Record<string, unknown>[] {
  return parseAllDocuments(rendered).flatMap((doc) => {
    if (doc.errors.length > 0) throw new TemplateError(`${file}: the rendered text is not YAML: ${doc.errors[0]?.message ?? ""}`);
    const object: unknown = doc.toJS();
    return object === null ? [] : [object as Record<string, unknown>];
  });
}
