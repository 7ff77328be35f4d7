import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCidr } from "../net/cidr.js";
import { decodeYaml, summary } from "./testing.js";

const node = (spec: string): string => `apiVersion: v1\nkind: Node\nmetadata: {name: worker-1}\nspec: ${spec}\n`;

const CASES: readonly [string, string, string[] | null, string[]][] = [
  ["spec.podCIDRs, both families", node("{podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24, 'fd00:10:244:1::/64']}"), ["10.244.1.0/24", "fd00:10:244:1::/64"], []],
  ["spec.podCIDR alone", node("{podCIDR: 10.244.2.0/24}"), ["10.244.2.0/24"], []],
  ["no pod range", node("{providerID: x}"), [], []],
  ["an invalid range is an error at its field path; the Node is left out", node("{podCIDRs: [10.244.1.0/24, 10.244.300.0/24]}"), null, ["error invalid-cidr spec.podCIDRs[1]"]],
  ["a range that is not text is an error", node("{podCIDR: 7}"), null, ["error wrong-type spec.podCIDR"]],
];

for (const [name, yaml, cidrs, problems] of CASES) {
  test(`Node: ${name}`, () => {
    const decoded = decodeYaml(yaml);
    assert.deepEqual(summary(decoded.diagnostics), problems);
    assert.deepEqual(decoded.value.nodes?.map((n) => n.podCidrs.map(formatCidr)), cidrs === null ? undefined : [cidrs]);
  });
}

test("Node: decoded, not skipped, and no namespace reference", () => {
  const decoded = decodeYaml(node("{podCIDR: 10.244.2.0/24}"));
  assert.deepEqual(decoded.skipped, []);
  assert.deepEqual([...decoded.value.namespaces.keys()], []);
  assert.equal(decoded.value.nodes?.[0]?.name, "worker-1");
});
