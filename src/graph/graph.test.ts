import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { Source } from "../k8s/parse.js";
import { engineOf, overlay } from "../diff/testkit.js";
import { buildEgressGraph } from "./build.js";
import { dotString, renderDot } from "./dot.js";
import { connsLabel } from "./label.js";
import { mermaidString, renderMermaid } from "./mermaid.js";
import type { EgressGraph, GraphOptions } from "./types.js";
import { ConnSet } from "../analysis/connset.js";
import { IntervalSet } from "../net/interval-set.js";
import { NodeIds } from "./ids.js";
import { ROOT, golden as goldenIn, readTree } from "../testing/files.js";

const TESTDATA = new URL("src/graph/testdata/", ROOT);

const golden = (name: string, actual: string): string => goldenIn(TESTDATA, name, actual);

const example = readTree(new URL("examples/egress/", ROOT));

function graphOf(sources: readonly Source[], options: GraphOptions = { namespace: null }): EgressGraph {
  const { engine, errors } = engineOf(sources);
  assert.deepEqual(errors, [], "manifests decode without errors");
  return buildEgressGraph(engine, options);
}

const edges = (g: EgressGraph): string[] => {
  const label = new Map(g.nodes.map((n) => [n.id, n.label]));
  return g.edges.map((e) => `${label.get(e.from)} ${e.style} ${label.get(e.to)} ${e.label}`);
};

const SCENARIOS: readonly { name: string; options: GraphOptions }[] = [
  { name: "egress", options: { namespace: null } },
  { name: "egress-production", options: { namespace: "production" } },
];

for (const { name, options } of SCENARIOS) {
  const graph = graphOf(example, options);
  test(`graph ${name}: mermaid output matches its golden`, () => {
    const actual = renderMermaid(graph);
    assert.equal(actual, golden(`${name}.mmd`, actual));
  });
  test(`graph ${name}: dot output matches its golden`, () => {
    const actual = renderDot(graph);
    assert.equal(actual, golden(`${name}.dot`, actual));
  });
}

test("web-api's allowed edges carry their ports; DNS reads UDP/TCP 53", () => {
  const g = graphOf(example, { namespace: "production" });
  const webApi = edges(g).filter((e) => e.startsWith("web-api "));
  assert.deepEqual(webApi, [
    "web-api allowed coredns UDP/TCP 53",
    "web-api allowed postgres TCP 5432",
    "web-api allowed 169.254.0.0/16 except 169.254.169.254 TCP 80",
    "web-api allowed 203.0.113.0/24 TCP 443",
    "web-api blocked metadata (169.254.169.254, fd00:ec2::254, 100.100.100.200) blocked",
  ]);
});

test("an isolated pod that reaches no public address has the internet drawn blocked", () => {
  const g = graphOf(example, { namespace: "production" });
  assert.ok(edges(g).includes("postgres blocked internet (public addresses) blocked"));
  // web-api reaches 203.0.113.0/24, a public range: its internet is not blocked.
  assert.ok(!edges(g).some((e) => e.startsWith("web-api blocked internet")));
});

test("once 0.0.0.0/0 is allowed on 443, the metadata address is no longer drawn blocked", () => {
  const pr = overlay(example, readTree(new URL("src/diff/testdata/internet-443/", ROOT)));
  const g = graphOf(pr, { namespace: "production" });
  assert.ok(!edges(g).some((e) => e.startsWith("web-api blocked")));
  assert.ok(edges(g).some((e) => e.startsWith("postgres blocked metadata")));
});

test("-n restricts sources to one namespace; destinations elsewhere are still drawn", () => {
  const g = graphOf(example, { namespace: "production" });
  const sources = new Set(g.edges.map((e) => g.nodes.find((n) => n.id === e.from)?.namespace));
  assert.deepEqual([...sources], ["production"]);
  assert.deepEqual(
    g.groups.map((x) => x.namespace),
    ["kube-system", "production"],
  );
});

test("a source no egress policy selects gets one unrestricted edge", () => {
  const g = graphOf(example);
  assert.deepEqual(
    edges(g).filter((e) => e.startsWith("coredns ")),
    ["coredns unrestricted anywhere no egress policy"],
  );
});

test("edge labels group protocols with the same ports", () => {
  const tcp = (lo: number, hi = lo) => ConnSet.of("TCP", IntervalSet.range(BigInt(lo), BigInt(hi)));
  const udp = (p: number) => ConnSet.port("UDP", p);
  assert.equal(connsLabel(tcp(53).union(udp(53))), "UDP/TCP 53");
  assert.equal(connsLabel(tcp(443).union(udp(53))), "UDP 53; TCP 443");
  assert.equal(connsLabel(tcp(1, 65535)), "TCP all ports");
  assert.equal(connsLabel(ConnSet.ALL), "all");
  assert.equal(connsLabel(tcp(8000, 8080).union(tcp(443))), "TCP 443,8000-8080");
});

test("labels are quoted and escaped so no text breaks Mermaid or DOT", () => {
  assert.equal(mermaidString('a "b" <c> & d'), '"a #quot;b#quot; #lt;c#gt; #amp; d"');
  assert.equal(dotString('a "b" \\ c\nd'), '"a \\"b\\" \\\\ c\\nd"');
});

/** Every line is one of the statements the renderer emits; ids are plain and never a keyword. */
test("the Mermaid output is a flowchart of well-formed statements", () => {
  const text = renderMermaid(graphOf(example));
  const ID = "[A-Za-z][A-Za-z0-9_]*";
  const STR = '"[^"]*"';
  const statement = new RegExp(
    [
      "^flowchart LR$",
      `^  subgraph ${ID}\\[${STR}\\]$`,
      "^  end$",
      `^ {2,4}${ID}(\\[${STR}\\]|\\(${STR}\\))$`,
      `^  ${ID} (-->|-\\.->|==>)\\|${STR}\\| ${ID}$`,
      "^  classDef blocked stroke-dasharray: 4 4$",
      `^  class ${ID}(,${ID})* blocked$`,
    ].join("|"),
  );
  const lines = text.trimEnd().split("\n");
  for (const line of lines) assert.match(line, statement);
  const ids = lines.flatMap((l) => l.match(new RegExp(`^ +(${ID})[[(]`))?.slice(1) ?? []);
  for (const keyword of ["end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "click", "linkStyle"]) {
    assert.ok(!ids.includes(keyword), keyword);
  }
  assert.equal(lines.filter((l) => l.includes("subgraph")).length, lines.filter((l) => l === "  end").length);
});

const dot = spawnSync("dot", ["-V"], { encoding: "utf8" });
test("graphviz accepts the DOT output", { skip: dot.error === undefined ? false : "graphviz (dot) is not installed" }, () => {
  for (const options of SCENARIOS.map((s) => s.options)) {
    const r = spawnSync("dot", ["-Tsvg"], { input: renderDot(graphOf(example, options)), encoding: "utf8" });
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.match(r.stdout, /<svg/);
  }
});

test("node ids are plain, never a keyword, and distinct even when names collide once made safe", () => {
  const ids = new NodeIds();
  assert.equal(ids.idOf("production/web-api"), "production_web_api");
  assert.equal(ids.idOf("production/web.api"), "production_web_api_2");
  assert.equal(ids.idOf("production/web-api"), "production_web_api");
  assert.equal(ids.idOf("x end", "end"), "end_");
  assert.equal(ids.idOf("1abc/x"), "n_1abc_x");
});
