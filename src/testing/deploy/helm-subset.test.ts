/**
 * The subset renderer against the documented behaviour of Go's text/template and Helm's functions
 * (the sentences quoted), and its refusals: what it does not know is an error, never passed through.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { objectsOf, renderTemplate, TemplateError } from "./helm-subset.js";

const RELEASE = { name: "portcullis", namespace: "ops" };
const VALUES = {
  namespace: "portcullis-system",
  audit: false,
  on: true,
  port: 9842,
  empty: "",
  zero: 0,
  none: null,
  list: [],
  map: {},
  args: ["--verbose", "--x=1"],
  resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "768Mi" } },
  image: { repository: "registry.example.com/portcullis", tag: "0.1.0" },
  million: 1000000,
  half: 0.5,
  unicode: "é",
};
const render = (template: string): string => renderTemplate(template, "t.yaml", VALUES, RELEASE);

const CASES: readonly { name: string; template: string; out: string }[] = [
  { name: "text without actions is copied", template: "a: b\n", out: "a: b\n" },
  { name: ".Values path", template: "ns: {{ .Values.namespace }}", out: "ns: portcullis-system" },
  { name: "nested .Values path", template: '"{{ .Values.image.repository }}:{{ .Values.image.tag }}"', out: '"registry.example.com/portcullis:0.1.0"' },
  { name: ".Release.Name and .Release.Namespace", template: "{{ .Release.Name }}/{{ .Release.Namespace }}", out: "portcullis/ops" },
  { name: "an integer prints as Go's %v does", template: "port: {{ .Values.port }}", out: "port: 9842" },
  { name: "a boolean prints true/false", template: "{{ .Values.audit }} {{ .Values.on }}", out: "false true" },
  // text/template: "all trailing white space is trimmed from the immediately preceding text"
  { name: "{{- trims the white space before, newlines included", template: "a:\n  b\n  {{- .Values.port }}", out: "a:\n  b9842" },
  // text/template: "all leading white space is trimmed from the immediately following text"
  { name: "-}} trims the white space after", template: "{{ .Values.port -}}\n   x", out: "9842x" },
  // text/template: "If the value of the pipeline is empty, no output is generated; otherwise, T1 is executed."
  { name: "if true renders its body", template: "a\n{{- if .Values.on }}\nb\n{{- end }}\n", out: "a\nb\n" },
  { name: "if false renders nothing", template: "a\n{{- if .Values.audit }}\nb\n{{- end }}\n", out: "a\n" },
  // text/template: "The empty values are false, 0, any nil pointer or interface value, and any array, slice, map, or string of length zero."
  ...["empty", "zero", "none", "list", "map"].map((key) => ({ name: `if on ${key} is false`, template: `{{- if .Values.${key} }}x{{- end }}`, out: "" })),
  { name: "if on a non-empty list is true", template: "{{- if .Values.args }}x{{- end }}", out: "x" },
  { name: "nested ifs", template: "{{- if .Values.on }}a{{- if .Values.audit }}b{{- end }}c{{- end }}", out: "ac" },
  // Helm: "toYaml" and "nindent ... prepends a new line to the beginning of the string" then indents every line.
  { name: "toYaml | nindent: keys sorted, every line indented, a newline first", template: "resources:\n  {{- toYaml .Values.resources | nindent 2 }}", out: "resources:\n  limits:\n    memory: 768Mi\n  requests:\n    cpu: 100m\n    memory: 256Mi" },
  { name: "toYaml of a list", template: "args:\n{{- toYaml .Values.args | nindent 2 }}", out: "args:\n  - --verbose\n  - --x=1" },
  // Helm: "The quote function will wrap a string in double quotes"
  { name: "quote", template: "v: {{ .Values.image.tag | quote }}", out: 'v: "0.1.0"' },
  { name: "quote of a number prints it first", template: "v: {{ quote .Values.port }}", out: 'v: "9842"' },
  // Helm: "default ... if the value is empty, the default is used"
  { name: "default on an empty value", template: '{{ .Values.empty | default "x" }}', out: "x" },
  { name: "default on a set value", template: '{{ .Values.namespace | default "x" }}', out: "portcullis-system" },
  { name: "a string literal", template: '{{ "lit" }}', out: "lit" },
];

for (const c of CASES) {
  test(`helm subset: ${c.name}`, () => assert.equal(render(c.template), c.out));
}

const REFUSED: readonly { name: string; template: string; message: RegExp }[] = [
  { name: "include (a named template)", template: '{{ include "portcullis.labels" . }}', message: /outside the subset/ },
  { name: "else", template: "{{- if .Values.on }}a{{- else }}b{{- end }}", message: /outside the subset/ },
  { name: "range", template: "{{- range .Values.args }}x{{- end }}", message: /outside the subset/ },
  { name: "with", template: "{{- with .Values.args }}x{{- end }}", message: /outside the subset/ },
  { name: "a comment", template: "{{/* note */}}", message: /outside the subset/ },
  { name: "a function it does not know", template: "{{ .Values.namespace | upper }}", message: /function upper is outside the subset/ },
  { name: "printf", template: '{{ printf "%s" .Values.namespace }}', message: /printf .* is outside the subset/ },
  { name: ".Chart", template: "{{ .Chart.AppVersion }}", message: /\.Chart\.AppVersion is outside the subset/ },
  { name: "a missing value (helm prints nothing: a typo would pass)", template: "{{ .Values.namspace }}", message: /\.Values\.namspace: no such value/ },
  { name: "a path through a list", template: "{{ .Values.args.first }}", message: /no such value/ },
  { name: "printing a million (Go prints 1e+06)", template: "{{ .Values.million }}", message: /outside the subset/ },
  { name: "printing a fraction", template: "{{ .Values.half }}", message: /outside the subset/ },
  { name: "printing a map without toYaml", template: "{{ .Values.resources }}", message: /outside the subset/ },
  { name: "quote beyond printable ASCII (Go's %q and JSON differ there)", template: "{{ .Values.unicode | quote }}", message: /beyond printable ASCII/ },
  { name: "if without end", template: "{{- if .Values.on }}a", message: /without \{\{ end \}\}/ },
  { name: "end without if", template: "a{{- end }}", message: /without \{\{ if \}\}/ },
  { name: "an unclosed action", template: "a {{ .Values.on", message: /without "\}\}"/ },
  { name: "nindent with its arguments the wrong way round", template: "{{ nindent .Values.namespace 2 }}", message: /nindent wants a number first/ },
  { name: "toYaml with two arguments", template: "{{ toYaml .Values.args .Values.args }}", message: /takes 1 arguments, got 2/ },
];

for (const c of REFUSED) {
  test(`helm subset refuses ${c.name}`, () => {
    assert.throws(() => render(c.template), (e: unknown) => e instanceof TemplateError && c.message.test(e.message) && e.message.startsWith("t.yaml: "));
  });
}

test("helm subset: a rendered file's empty documents are dropped, as helm drops them", () => {
  assert.deepEqual(objectsOf("---\n# only a comment\n---\na: 1\n---\n", "t.yaml"), [{ a: 1 }]);
});

test("helm subset: rendered text that is not YAML is an error naming the file", () => {
  assert.throws(() => objectsOf("a: [1\n", "t.yaml"), /^TemplateError: t\.yaml: the rendered text is not YAML/);
});
