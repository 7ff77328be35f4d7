/**
 * The upstream admin policy conformance cases (src/conformance/admin-cases.ts) at the CLI: the built
 * `portcullis check` as a child process on the case's manifest set (the conformance cluster, its
 * policies as upstream writes them, its other objects), for a handful of the expectations: the exit
 * code (0 allowed, 1 denied: docs/exit-codes.md) and the verdict line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ADMIN_CONFORMANCE, type AdminConformanceCase, asWritten } from "../conformance/admin-cases.js";
import { HAIRPIN_SERVICE_IP } from "../conformance/admin-world.js";
import { ROOT, run } from "./e2e-support.js";

const DIR = mkdtempSync(join(tmpdir(), "portcullis-admin-conformance-"));

function caseNamed(test: string, start: string): AdminConformanceCase {
  const c = ADMIN_CONFORMANCE.find((x) => x.upstream.test === test && x.name.startsWith(start));
  assert.ok(c, `no case ${test}: ${start}`);
  return c;
}

/** The case's manifest set as upstream writes it, one file. */
function manifests(c: AdminConformanceCase, file: string): string {
  const path = join(DIR, file);
  writeFileSync(path, asWritten(c, c.written).objects.map((o) => JSON.stringify(o, null, 1)).join("\n---\n") + "\n");
  return path;
}

const GRYFFINDOR = "network-policy-conformance-gryffindor";

interface Probe {
  readonly args: readonly string[];
  readonly code: 0 | 1;
  readonly line: string;
}

const SCENARIOS: readonly { readonly c: AdminConformanceCase; readonly file: string; readonly probes: readonly Probe[] }[] = [
  {
    c: caseNamed("AdminNetworkPolicyEgressTCP", "Should support an 'allow-egress' policy for TCP protocol at the specified port"),
    file: "egress-tcp.yaml",
    probes: [
      {
        args: ["--from", `${GRYFFINDOR}/harry-potter-0`, "--to", "network-policy-conformance-hufflepuff/cedric-diggory-1", "--port", "8080"],
        code: 0,
        line: `ALLOWED: ${GRYFFINDOR}/harry-potter-0 (Pod) → network-policy-conformance-hufflepuff/cedric-diggory-1 (Pod), TCP port 8080`,
      },
      {
        args: ["--from", `${GRYFFINDOR}/harry-potter-1`, "--to", "network-policy-conformance-hufflepuff/cedric-diggory-1", "--port", "80"],
        code: 1,
        line: `DENIED: ${GRYFFINDOR}/harry-potter-1 (Pod) → network-policy-conformance-hufflepuff/cedric-diggory-1 (Pod), TCP port 80`,
      },
    ],
  },
  {
    c: caseNamed("AdminNetworkPolicyIntegration", "Should Deny traffic from slytherin to gryffindor respecting ANP"),
    file: "anp-np-banp.yaml",
    probes: [
      {
        args: ["--from", "network-policy-conformance-slytherin/draco-malfoy-0", "--to", `${GRYFFINDOR}/harry-potter-0`, "--port", "80"],
        code: 1,
        line: `DENIED: network-policy-conformance-slytherin/draco-malfoy-0 (Pod) → ${GRYFFINDOR}/harry-potter-0 (Pod), TCP port 80`,
      },
    ],
  },
  {
    c: caseNamed("AdminNetworkPolicyEgressNodePeers", "Should support an 'allow-egress'"),
    file: "node-peers.yaml",
    probes: [
      {
        args: ["--from", `${GRYFFINDOR}/harry-potter-0`, "--to", "network-policy-conformance-forbidden-forrest/centaur-1", "--port", "36363"],
        code: 0,
        line: `ALLOWED: ${GRYFFINDOR}/harry-potter-0 (Pod) → network-policy-conformance-forbidden-forrest/centaur-1 (Pod), TCP port 36363`,
      },
      {
        args: ["--from", `${GRYFFINDOR}/harry-potter-1`, "--to", "198.51.100.3", "--port", "443"],
        code: 1,
        line: `DENIED: ${GRYFFINDOR}/harry-potter-1 (Pod) → 198.51.100.3, TCP port 443`,
      },
    ],
  },
  {
    c: caseNamed("CNPAdminTierHairpin", "Should enforce CNP ingress deny policy on hairpin service traffic"),
    file: "hairpin.yaml",
    probes: [
      {
        args: ["--from", `${GRYFFINDOR}/harry-potter-0`, "--to", HAIRPIN_SERVICE_IP, "--port", "80"],
        code: 1,
        line: `DENIED: ${HAIRPIN_SERVICE_IP}:80/TCP is Service ${GRYFFINDOR}/harry-potter-hairpin-service → 2 backends, port 80 → 80/TCP`,
      },
      {
        // Its own Pod IP: "A Pod connecting to its own Pod IP is not subject to CNP".
        args: ["--from", `${GRYFFINDOR}/harry-potter-0`, "--to", `${GRYFFINDOR}/harry-potter-0`, "--port", "80"],
        code: 0,
        line: `ALLOWED: ${GRYFFINDOR}/harry-potter-0 (Pod) → ${GRYFFINDOR}/harry-potter-0 (Pod), TCP port 80`,
      },
    ],
  },
];

for (const { c, file, probes } of SCENARIOS) {
  for (const p of probes) {
    test(`portcullis check on ${c.upstream.test}'s manifests (${c.written}): ${p.line}; exit ${p.code}`, async () => {
      const path = manifests(c, file);
      const r = await run(["check", "-f", path, ...p.args], ROOT);
      assert.equal(r.code, p.code, r.stdout + r.stderr);
      assert.equal(r.stdout.split("\n")[0], p.line);
      assert.equal(r.stderr, "");
    });
  }
}

test("the hairpin through the Service names both backends denied by the Admin rule, harry-potter-0 (itself) included", async () => {
  const path = manifests(caseNamed("CNPAdminTierHairpin", "Should enforce"), "hairpin-lines.yaml");
  const r = await run(["check", "-f", path, "--from", `${GRYFFINDOR}/harry-potter-0`, "--to", HAIRPIN_SERVICE_IP, "--port", "80"], ROOT);
  assert.deepEqual(r.stdout.split("\n").slice(1, 3), [`  Pod/${GRYFFINDOR}/harry-potter-0 TCP 80: denied`, `  Pod/${GRYFFINDOR}/harry-potter-1 TCP 80: denied`]);
  assert.match(r.stdout, /Admin ClusterNetworkPolicy hairpin-ingress-deny \(priority 15\) rule 0 "deny-gryffindor-ingress" Deny → final/);
});
