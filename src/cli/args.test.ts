import assert from "node:assert/strict";
import { test } from "node:test";
import { type Invocation, parseCommandLine } from "./args.js";

/** The invocation as plain data (address sets as text), so cases can state it literally. */
function plain(v: Invocation): unknown {
  if (v.kind !== "run") return v;
  const { common, ...rest } = v.command;
  return { ...rest, debug: v.debug, ...common, podNetwork: common.podNetwork.toString() };
}

const BASE = { output: "text", verbose: false, podNetwork: "10.244.0.0/16", ipBlockMatchesPods: true, debug: false };

type Case = { readonly name: string; readonly argv: readonly string[] } & (
  | { readonly expect: unknown }
  | { readonly error: RegExp; readonly command?: string | null }
);

const cases: readonly Case[] = [
  // Valid lines.
  { name: "no arguments shows help", argv: [], expect: { kind: "help", topic: null } },
  { name: "default command", argv: ["-f", "examples/egress"], expect: { name: "egress", files: ["examples/egress"], ...BASE } },
  { name: "default command by name", argv: ["egress", "-f", "a.yaml"], expect: { name: "egress", files: ["a.yaml"], ...BASE } },
  { name: "global flags before the command", argv: ["-f", "a.yaml", "-o", "json", "connlist"], expect: { name: "connlist", files: ["a.yaml"], ...BASE, output: "json" } },
  { name: "repeated -f, stdin", argv: ["-f", "a.yaml", "-f", "-", "--filename=dir"], expect: { name: "egress", files: ["a.yaml", "-", "dir"], ...BASE } },
  { name: "-f- joined", argv: ["-f-"], expect: { name: "egress", files: ["-"], ...BASE } },
  { name: "combined short flags", argv: ["-vf", "a.yaml"], expect: { name: "egress", files: ["a.yaml"], ...BASE, verbose: true } },
  {
    name: "check with every flag",
    argv: ["check", "-f", "a", "--from", "ns/a", "--to", "10.0.0.0/8", "--port", "443", "--protocol", "udp", "-o", "yaml", "--debug"],
    expect: { name: "check", from: "ns/a", to: "10.0.0.0/8", port: 443, protocol: "UDP", files: ["a"], ...BASE, output: "yaml", debug: true },
  },
  { name: "check protocol defaults to TCP", argv: ["check", "-f", "a", "--from", "x/y", "--to", "1.2.3.4", "--port=80"], expect: { name: "check", from: "x/y", to: "1.2.3.4", port: 80, protocol: "TCP", files: ["a"], ...BASE } },
  { name: "explain without target", argv: ["explain", "-f", "a"], expect: { name: "explain", target: null, files: ["a"], ...BASE } },
  { name: "explain with target", argv: ["explain", "-f", "a", "production/web-api"], expect: { name: "explain", target: "production/web-api", files: ["a"], ...BASE } },
  { name: "matrix ports, repeated and comma-separated", argv: ["matrix", "-f", "a", "--port", "80,443", "--port", "8080", "--protocol", "TCP"], expect: { name: "matrix", ports: [80, 443, 8080], protocols: ["TCP"], files: ["a"], ...BASE } },
  { name: "matrix csv", argv: ["matrix", "-f", "a", "-o", "csv"], expect: { name: "matrix", ports: null, protocols: null, files: ["a"], ...BASE, output: "csv" } },
  { name: "connlist dot", argv: ["connlist", "-f", "a", "-o", "dot"], expect: { name: "connlist", files: ["a"], ...BASE, output: "dot" } },
  { name: "IPv6 and repeated pod CIDRs", argv: ["-f", "a", "--pod-cidr", "10.1.0.0/16", "--pod-cidr", "fd00::/64"], expect: { name: "egress", files: ["a"], ...BASE, podNetwork: "10.1.0.0/16,fd00::/64" } },
  { name: "ipBlock option false", argv: ["-f", "a", "--ipblock-matches-pods=false"], expect: { name: "egress", files: ["a"], ...BASE, ipBlockMatchesPods: false } },
  { name: "ipBlock option with a separate value", argv: ["-f", "a", "--ipblock-matches-pods", "true"], expect: { name: "egress", files: ["a"], ...BASE } },
  { name: "help flag wins", argv: ["check", "--from", "x", "-h"], expect: { kind: "help", topic: "check" } },
  { name: "help flag wins over an unknown flag", argv: ["check", "--frm", "x", "--help"], expect: { kind: "help", topic: "check" } },
  { name: "global help flag", argv: ["--help"], expect: { kind: "help", topic: null } },
  { name: "help command", argv: ["help", "matrix"], expect: { kind: "help", topic: "matrix" } },
  { name: "version", argv: ["--version"], expect: { kind: "version" } },
  { name: "positional after --", argv: ["explain", "-f", "a", "--", "-odd/name"], expect: { name: "explain", target: "-odd/name", files: ["a"], ...BASE } },

  // Usage errors (exit 3).
  { name: "unknown flag with suggestion", argv: ["check", "-f", "a", "--frm", "x"], error: /^unknown flag --frm \(did you mean --from\?\)$/, command: "check" },
  { name: "unknown short flag", argv: ["-x", "-f", "a"], error: /^unknown flag -x$/, command: null },
  { name: "negated boolean is unknown", argv: ["-f", "a", "--no-verbose"], error: /^unknown flag --no-verbose/ },
  { name: "flag of another command", argv: ["matrix", "-f", "a", "--from", "x"], error: /^flag --from is not valid for "portcullis matrix"$/, command: "matrix" },
  { name: "check flag on the default command", argv: ["-f", "a", "--port", "80"], error: /^flag --port is not valid for "portcullis egress"$/ },
  { name: "unknown command with suggestion", argv: ["chek", "-f", "a"], error: /^unknown command "chek" \(did you mean "check"\?\)$/ },
  { name: "commands not available are unknown", argv: ["lint", "-f", "a"], error: /^unknown command "lint"/ },
  { name: "no input", argv: ["connlist"], error: /^no input/, command: "connlist" },
  { name: "stdin twice", argv: ["-f", "-", "-f", "-"], error: /stdin \(-f -\) given more than once/ },
  { name: "missing value", argv: ["-f", "a", "-o"], error: /^flag -o needs a value/ },
  { name: "a flag is not a value", argv: ["-o", "-f", "a"], error: /^flag -o needs a value/ },
  { name: "boolean with value", argv: ["-f", "a", "--verbose=yes"], error: /^flag --verbose takes no value$/ },
  { name: "output not supported by the command", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "-o", "dot"], error: /cannot write -o dot: use one of text, json, yaml$/ },
  { name: "unknown output", argv: ["-f", "a", "-o", "xml"], error: /cannot write -o xml/ },
  { name: "output twice", argv: ["-f", "a", "-o", "json", "-o", "yaml"], error: /^flag --output given more than once$/ },
  { name: "check port twice", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "--port", "2"], error: /^flag --port given more than once$/ },
  { name: "check without --from", argv: ["check", "-f", "a", "--to", "x/z", "--port", "1"], error: /^missing required flag --from$/ },
  { name: "check without --port", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z"], error: /^missing required flag --port$/ },
  { name: "port zero", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "0"], error: /^invalid port "0"/ },
  { name: "port too large", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "65536"], error: /^invalid port "65536"/ },
  { name: "port by name", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "http"], error: /^invalid port "http"/ },
  { name: "unknown protocol", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "--protocol", "ICMP"], error: /^invalid protocol "ICMP"/ },
  { name: "matrix bad port in list", argv: ["matrix", "-f", "a", "--port", "80,x"], error: /^invalid port "x"/ },
  { name: "bad pod CIDR", argv: ["-f", "a", "--pod-cidr", "10.244.0.0"], error: /^invalid --pod-cidr "10.244.0.0": missing '\/prefix'$/ },
  { name: "pod CIDR with host bits", argv: ["-f", "a", "--pod-cidr", "10.244.1.0/16"], error: /host bits are set \(did you mean 10.244.0.0\/16\?\)$/ },
  { name: "ipBlock option needs true or false", argv: ["-f", "a", "--ipblock-matches-pods=yes"], error: /^invalid value "yes" for --ipblock-matches-pods/ },
  { name: "bare ipBlock option", argv: ["-f", "a", "--ipblock-matches-pods"], error: /^flag --ipblock-matches-pods needs a value/ },
  { name: "extra positional", argv: ["explain", "-f", "a", "x/y", "x/z"], error: /^unexpected argument "x\/z" for "portcullis explain"$/, command: "explain" },
  { name: "positional for connlist", argv: ["connlist", "-f", "a", "x/y"], error: /^unexpected argument "x\/y"/ },
  { name: "help for an unknown command", argv: ["help", "lint"], error: /^unknown command "lint"/ },
];

for (const c of cases) {
  test(`args: ${c.name}`, () => {
    const r = parseCommandLine(c.argv);
    if ("expect" in c) {
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      assert.deepEqual(plain(r.value), c.expect);
    } else {
      assert.ok(!r.ok, "expected a usage error");
      assert.match(r.error.message, c.error);
      if (c.command !== undefined) assert.equal(r.error.command, c.command);
    }
  });
}
