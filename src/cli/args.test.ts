import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCidr } from "../net/cidr.js";
import { formatIp } from "../net/ip.js";
import { type Invocation, parseCommandLine } from "./args.js";

/** The invocation as plain data (address sets as text), so cases can state it literally. */
function plain(v: Invocation): unknown {
  if (v.kind !== "run") return v;
  if (!("common" in v.command)) return { ...v.command, debug: v.debug };
  const { common, ...rest } = v.command;
  const extra = "serviceCidr" in rest && rest.serviceCidr !== null ? { serviceCidr: rest.serviceCidr.toString() } : {};
  // --metadata and --dns: shown when given (the commands that take them default to none).
  const { wellKnown, ...others } = { wellKnown: undefined, ...rest };
  const facts = { metadata: wellKnown?.metadata ?? ("metadata" in rest ? rest.metadata : []), dns: wellKnown?.dns ?? [] };
  const dns = Object.fromEntries(Object.entries(facts).filter(([, ips]) => ips.length > 0).map(([k, ips]) => [k, ips.map(formatIp)]));
  const node = "nodePodCidrs" in rest ? { nodePodCidrs: rest.nodePodCidrs.map(formatCidr) } : {};
  const lab =
    "podCidrs" in rest
      ? { podCidrs: rest.podCidrs.map(formatCidr), to: rest.to?.map((t) => `${formatIp(t.ip)}${t.port === undefined ? "" : ` ${t.port.protocol} ${t.port.port}`}`) ?? null }
      : {};
  const { metadata: _metadata, ...kept } = { metadata: undefined, ...others };
  // Files as `files` (the cases predate live reads); a live read as `cluster`.
  const { input, ...reading } = { input: undefined, ...common };
  const source = input === undefined ? {} : input.kind === "files" ? { files: input.files } : { cluster: { ...input.flags, scope: input.scope, asked: input.asked } };
  return { ...kept, ...extra, ...dns, ...lab, ...node, debug: v.debug, ...source, ...reading, podNetwork: common.podNetwork.toString() };
}

const BASE = { output: "text", verbose: false, strict: false, podNetwork: "10.244.0.0/16", podNetworkFrom: "default", ipBlockMatchesPods: true, debug: false };
/** enforce reads strictly always: a policy file must not be skipped as "not a manifest". */
const ENFORCE = { name: "enforce", watch: false, audit: false, log: false, counters: false, nodePods: null, nodePodCidrs: [], allowShrink: false, maxShrinkPercent: 50, agent: null, files: ["d"], ...BASE, strict: true };

type Case = { readonly name: string; readonly argv: readonly string[] } & (
  | { readonly expect: unknown }
  | { readonly error: RegExp; readonly command?: string | null }
);

const cases: readonly Case[] = [
  // Valid lines.
  { name: "no arguments shows help", argv: [], expect: { kind: "help", topic: null } },
  { name: "default command", argv: ["-f", "examples/egress"], expect: { name: "egress", namespace: null, files: ["examples/egress"], ...BASE } },
  { name: "default command by name", argv: ["egress", "-f", "a.yaml"], expect: { name: "egress", namespace: null, files: ["a.yaml"], ...BASE } },
  { name: "global flags before the command", argv: ["-f", "a.yaml", "-o", "json", "connlist"], expect: { name: "connlist", namespace: null, files: ["a.yaml"], ...BASE, output: "json" } },
  { name: "repeated -f, stdin", argv: ["-f", "a.yaml", "-f", "-", "--filename=dir"], expect: { name: "egress", namespace: null, files: ["a.yaml", "-", "dir"], ...BASE } },
  { name: "-f- joined", argv: ["-f-"], expect: { name: "egress", namespace: null, files: ["-"], ...BASE } },
  { name: "combined short flags", argv: ["-vf", "a.yaml"], expect: { name: "egress", namespace: null, files: ["a.yaml"], ...BASE, verbose: true } },
  { name: "--strict: every file must be a manifest", argv: ["lint", "-f", "dir", "--strict", "--fail-on", "never"], expect: { name: "lint", namespace: null, files: ["dir"], ...BASE, strict: true, failOn: "never", enable: null, disable: [], serviceCidr: null, systemNamespaces: null, feeds: [] } },
  {
    name: "check with every flag",
    argv: ["check", "-f", "a", "--from", "ns/a", "--to", "10.0.0.0/8", "--port", "443", "--protocol", "udp", "-o", "yaml", "--debug"],
    expect: { name: "check", from: "ns/a", to: "10.0.0.0/8", port: 443, protocol: "UDP", namespace: null, files: ["a"], ...BASE, output: "yaml", debug: true },
  },
  { name: "check protocol not given (TCP, or the named port's)", argv: ["check", "-f", "a", "--from", "x/y", "--to", "1.2.3.4", "--port=80"], expect: { name: "check", from: "x/y", to: "1.2.3.4", port: 80, protocol: null, namespace: null, files: ["a"], ...BASE } },
  { name: "check with a named port", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "http"], expect: { name: "check", from: "x/y", to: "x/z", port: "http", protocol: null, namespace: null, files: ["a"], ...BASE } },
  { name: "check with a port name that is no IANA service name", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "Http_1"], error: /^invalid port "Http_1": expected a number 1-65535 or a port name \(lowercase letters, digits and '-', at most 15\)$/ },
  { name: "explain without target", argv: ["explain", "-f", "a"], expect: { name: "explain", namespace: null, target: null, files: ["a"], ...BASE } },
  { name: "explain with target", argv: ["explain", "-f", "a", "production/web-api"], expect: { name: "explain", namespace: null, target: "production/web-api", files: ["a"], ...BASE } },
  { name: "matrix ports, repeated and comma-separated", argv: ["matrix", "-f", "a", "--port", "80,443", "--port", "8080", "--protocol", "TCP"], expect: { name: "matrix", namespace: null, ports: [80, 443, 8080], protocols: ["TCP"], files: ["a"], ...BASE } },
  { name: "matrix csv", argv: ["matrix", "-f", "a", "-o", "csv"], expect: { name: "matrix", namespace: null, ports: null, protocols: null, files: ["a"], ...BASE, output: "csv" } },
  { name: "connlist dot", argv: ["connlist", "-f", "a", "-o", "dot"], expect: { name: "connlist", namespace: null, files: ["a"], ...BASE, output: "dot" } },
  { name: "IPv6 and repeated pod CIDRs", argv: ["-f", "a", "--pod-cidr", "10.1.0.0/16", "--pod-cidr", "fd00::/64"], expect: { name: "egress", namespace: null, files: ["a"], ...BASE, podNetwork: "10.1.0.0/16,fd00::/64", podNetworkFrom: "flag" } },
  { name: "ipBlock option false", argv: ["-f", "a", "--ipblock-matches-pods=false"], expect: { name: "egress", namespace: null, files: ["a"], ...BASE, ipBlockMatchesPods: false } },
  { name: "ipBlock option with a separate value", argv: ["-f", "a", "--ipblock-matches-pods", "true"], expect: { name: "egress", namespace: null, files: ["a"], ...BASE } },
  { name: "help flag wins", argv: ["check", "--from", "x", "-h"], expect: { kind: "help", topic: "check" } },
  { name: "help flag wins over an unknown flag", argv: ["check", "--frm", "x", "--help"], expect: { kind: "help", topic: "check" } },
  { name: "global help flag", argv: ["--help"], expect: { kind: "help", topic: null } },
  { name: "help command", argv: ["help", "matrix"], expect: { kind: "help", topic: "matrix" } },
  { name: "version", argv: ["--version"], expect: { kind: "version" } },
  { name: "positional after --", argv: ["explain", "-f", "a", "--", "-odd/name"], expect: { name: "explain", namespace: null, target: "-odd/name", files: ["a"], ...BASE } },

  // Usage errors (exit 3).
  { name: "unknown flag with suggestion", argv: ["check", "-f", "a", "--frm", "x"], error: /^unknown flag --frm \(did you mean --from\?\)$/, command: "check" },
  { name: "unknown short flag", argv: ["-x", "-f", "a"], error: /^unknown flag -x$/, command: null },
  { name: "negated boolean is unknown", argv: ["-f", "a", "--no-verbose"], error: /^unknown flag --no-verbose/ },
  { name: "flag of another command", argv: ["matrix", "-f", "a", "--from", "x"], error: /^flag --from is not valid for "portcullis matrix"$/, command: "matrix" },
  { name: "check flag on the default command", argv: ["-f", "a", "--port", "80"], error: /^flag --port is not valid for "portcullis egress"$/ },
  { name: "unknown command with suggestion", argv: ["chek", "-f", "a"], error: /^unknown command "chek" \(did you mean "check"\?\)$/ },
  { name: "commands not available are unknown", argv: ["audit", "-f", "a"], error: /^unknown command "audit"/ },
  // Without -f a read command reads the configured cluster, if any (when it runs: live.ts); with none, "no input" then.
  { name: "no -f: the configured cluster, if any", argv: ["connlist"], expect: { name: "connlist", namespace: null, cluster: { kubeconfig: null, context: null, scope: { kind: "context" }, asked: false }, ...BASE } },
  { name: "--kubeconfig and --context, -n scopes the read", argv: ["check", "--kubeconfig", "/k/config", "--context=prod", "-n", "shop", "--from", "web", "--to", "1.1.1.1", "--port", "443"], expect: { name: "check", from: "web", to: "1.1.1.1", port: 443, protocol: null, namespace: "shop", cluster: { kubeconfig: "/k/config", context: "prod", scope: { kind: "namespace", name: "shop" }, asked: true }, ...BASE } },
  { name: "--kubeconfig=PATH and -A: every namespace read", argv: ["lint", "--kubeconfig=/k/config", "-A"], expect: { name: "lint", failOn: "warning", enable: null, disable: [], serviceCidr: null, namespace: null, systemNamespaces: null, feeds: [], cluster: { kubeconfig: "/k/config", context: null, scope: { kind: "all" }, asked: true }, ...BASE } },
  { name: "-f with --kubeconfig is refused (read files or a cluster)", argv: ["egress", "-f", "a", "--kubeconfig", "k"], error: /^-f and --kubeconfig cannot be used together/, command: "egress" },
  { name: "-f with --context is refused", argv: ["graph", "-f", "a", "--context", "prod"], error: /^-f and --context cannot be used together/, command: "graph" },
  { name: "diff --against-cluster: -f is the proposed change", argv: ["diff", "--against-cluster", "-f", "proposed", "--context", "prod", "-n", "shop"], expect: { name: "diff", versions: { kind: "against-cluster", flags: { kubeconfig: null, context: "prod" }, scope: { kind: "namespace", name: "shop" } }, failOn: "never", files: ["proposed"], ...BASE } },
  { name: "diff --kubeconfig without --against-cluster is refused", argv: ["diff", "-f", "a", "--against", "b", "--kubeconfig", "k"], error: /^--kubeconfig is valid for "portcullis diff" only with --against-cluster/, command: "diff" },
  { name: "diff --against-cluster with --against is refused", argv: ["diff", "--against-cluster", "-f", "a", "--against", "b"], error: /^--against-cluster cannot be used with --against/, command: "diff" },
  { name: "diff --against-cluster needs the proposed files", argv: ["diff", "--against-cluster"], error: /^no input/, command: "diff" },
  { name: "--kubeconfig on enforce with files: only the node agent reads a cluster", argv: ["enforce", "-f", "a", "--dry-run", "--kubeconfig", "k"], error: /--kubeconfig is valid for "portcullis enforce" only with --kubernetes \(the node agent\)/, command: "enforce" },
  { name: "--kubeconfig on a command that reads no cluster", argv: ["scaffold", "-n", "shop", "--kubeconfig", "k"], error: /--kubeconfig is not valid for "portcullis scaffold"/, command: "scaffold" },
  { name: "stdin twice", argv: ["-f", "-", "-f", "-"], error: /stdin \(-f -\) given more than once/ },
  { name: "missing value", argv: ["-f", "a", "-o"], error: /^flag -o needs a value/ },
  { name: "a flag is not a value", argv: ["-o", "-f", "a"], error: /^flag -o needs a value/ },
  { name: "boolean with value", argv: ["-f", "a", "--verbose=yes"], error: /^flag --verbose takes no value$/ },
  { name: "output not supported by the command", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "-o", "dot"], error: /cannot write -o dot: use one of text, json, yaml$/ },
  { name: "unknown output", argv: ["-f", "a", "-o", "xml"], error: /cannot write -o xml/ },
  { name: "-o=json as kubectl writes it", argv: ["-f", "a", "-o=json"], expect: { name: "egress", namespace: null, files: ["a"], ...BASE, output: "json" } },
  { name: "--output=json", argv: ["-f", "a", "--output=json"], expect: { name: "egress", namespace: null, files: ["a"], ...BASE, output: "json" } },
  { name: "output twice", argv: ["-f", "a", "-o", "json", "-o", "yaml"], error: /^flag --output given more than once$/ },
  { name: "check port twice", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "--port", "2"], error: /^flag --port given more than once$/ },
  { name: "check without --from", argv: ["check", "-f", "a", "--to", "x/z", "--port", "1"], error: /^missing required flag --from$/ },
  { name: "port zero", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "0"], error: /^invalid port "0"/ },
  { name: "port too large", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "65536"], error: /^invalid port "65536"/ },
  { name: "unknown protocol", argv: ["check", "-f", "a", "--from", "x/y", "--to", "x/z", "--port", "1", "--protocol", "ICMP"], error: /^invalid protocol "ICMP"/ },
  { name: "matrix bad port in list", argv: ["matrix", "-f", "a", "--port", "80,x"], error: /^invalid port "x"/ },
  { name: "bad pod CIDR", argv: ["-f", "a", "--pod-cidr", "10.244.0.0"], error: /^invalid --pod-cidr "10.244.0.0": missing '\/prefix'$/ },
  { name: "pod CIDR with host bits", argv: ["-f", "a", "--pod-cidr", "10.244.1.0/16"], error: /host bits are set \(did you mean 10.244.0.0\/16\?\)$/ },
  { name: "ipBlock option needs true or false", argv: ["-f", "a", "--ipblock-matches-pods=yes"], error: /^invalid value "yes" for --ipblock-matches-pods/ },
  { name: "bare ipBlock option", argv: ["-f", "a", "--ipblock-matches-pods"], error: /^flag --ipblock-matches-pods needs a value/ },
  { name: "extra positional", argv: ["explain", "-f", "a", "x/y", "x/z"], error: /^unexpected argument "x\/z" for "portcullis explain"$/, command: "explain" },
  { name: "positional for connlist", argv: ["connlist", "-f", "a", "x/y"], error: /^unexpected argument "x\/y"/ },
  { name: "help for an unknown command", argv: ["help", "audit"], error: /^unknown command "audit"/ },
  // diff
  { name: "diff against, default fail-on never", argv: ["diff", "-f", "old", "--against", "new", "--against", "more"], expect: { name: "diff", versions: { kind: "against", paths: ["new", "more"] }, failOn: "never", files: ["old"], ...BASE } },
  { name: "diff against stdin", argv: ["diff", "-f", "old", "--against", "-", "-o", "md", "--fail-on", "widened"], expect: { name: "diff", versions: { kind: "against", paths: ["-"] }, failOn: "widened", files: ["old"], ...BASE, output: "md" } },
  { name: "diff base", argv: ["diff", "-f", "k8s", "--base", "origin/main"], expect: { name: "diff", versions: { kind: "base", ref: "origin/main" }, failOn: "never", files: ["k8s"], ...BASE } },
  { name: "diff against and base refused", argv: ["diff", "-f", "a", "--against", "b", "--base", "main"], error: /^--against and --base cannot be used together/, command: "diff" },
  { name: "diff needs a second version", argv: ["diff", "-f", "a"], error: /^missing --against NEW or --base GIT_REF/ },
  { name: "diff base cannot read stdin", argv: ["diff", "-f", "-", "--base", "HEAD"], error: /^--base reads the -f paths from git: it cannot take stdin/ },
  { name: "diff stdin on both sides", argv: ["diff", "-f", "-", "--against", "-"], error: /^stdin \(-\) is read once/ },
  { name: "diff fail-on value", argv: ["diff", "-f", "a", "--against", "b", "--fail-on", "narrowed"], error: /^invalid value "narrowed" for --fail-on: expected widened, never$/ },
  { name: "diff base that looks like a flag", argv: ["diff", "-f", "a", "--base=-x"], error: /^invalid git revision "-x"/ },
  { name: "diff has no dot output", argv: ["diff", "-f", "a", "--against", "b", "-o", "dot"], error: /cannot write -o dot: use one of text, json, yaml, md$/ },
  // graph
  { name: "graph defaults to mermaid", argv: ["graph", "-f", "a"], expect: { name: "graph", namespace: null, files: ["a"], ...BASE, output: "mermaid" } },
  { name: "-n on a read command", argv: ["matrix", "-f", "a", "-n", "production"], expect: { name: "matrix", namespace: "production", ports: null, protocols: null, files: ["a"], ...BASE } },
  { name: "--namespace=NS", argv: ["-f", "a", "--namespace=production"], expect: { name: "egress", namespace: "production", files: ["a"], ...BASE } },
  { name: "-A is every namespace, the default", argv: ["connlist", "-f", "a", "-A"], expect: { name: "connlist", namespace: null, files: ["a"], ...BASE } },
  { name: "explain -n with a bare target", argv: ["explain", "-f", "a", "-n", "production", "web-api"], expect: { name: "explain", namespace: "production", target: "web-api", files: ["a"], ...BASE } },
  { name: "-n with -A", argv: ["-f", "a", "-n", "production", "-A"], error: /^-n and -A cannot be used together: -A means every namespace$/ },
  { name: "check -n with -A", argv: ["check", "-f", "a", "--from", "x", "--to", "y", "--port", "80", "-n", "x", "--all-namespaces"], error: /^-n and -A cannot be used together/ },
  { name: "-A on diff without --against-cluster (files have no namespace to read)", argv: ["diff", "-f", "a", "--against", "b", "-A"], error: /^--all-namespaces is valid for "portcullis diff" only with --against-cluster$/ },
  { name: "graph namespace and dot", argv: ["graph", "-f", "a", "-n", "production", "-o", "dot"], expect: { name: "graph", namespace: "production", files: ["a"], ...BASE, output: "dot" } },
  { name: "graph has no text output", argv: ["graph", "-f", "a", "-o", "text"], error: /cannot write -o text: use one of mermaid, dot, json$/ },
  // scaffold: no manifests
  { name: "scaffold", argv: ["scaffold", "-n", "shop", "--allow-dns", "--allow-to", "db/app=x,tier=y:53/UDP,53/TCP", "--allow-to", "0.0.0.0/0:443"], expect: { name: "scaffold", namespace: "shop", allowDns: true, blockMetadata: false, allowTo: ["db/app=x,tier=y:53/UDP,53/TCP", "0.0.0.0/0:443"], metadata: [], dns: [], debug: false } },
  { name: "scaffold needs a namespace", argv: ["scaffold", "--allow-dns"], error: /^missing required flag --namespace$/, command: "scaffold" },
  { name: "scaffold reads no manifests for a namespace", argv: ["scaffold", "-n", "shop", "-f", "a"], error: /^flag -f is valid for "portcullis scaffold" only with --cluster: a namespace's baseline reads no manifests$/ },
  // scaffold --cluster: the guardrails; -f optional, --api v1alpha2 by default.
  { name: "scaffold --cluster", argv: ["scaffold", "--cluster", "-f", "a.yaml", "-f", "b"], expect: { name: "scaffold", cluster: { files: ["a.yaml", "b"], api: "v1alpha2" }, metadata: [], dns: [], debug: false } },
  { name: "scaffold --cluster without input", argv: ["scaffold", "--cluster", "--api", "v1alpha1"], expect: { name: "scaffold", cluster: { files: [], api: "v1alpha1" }, metadata: [], dns: [], debug: false } },
  { name: "scaffold --cluster takes no namespace flags", argv: ["scaffold", "--cluster", "--allow-dns"], error: /^--allow-dns cannot be used with --cluster: it shapes one namespace's baseline$/ },
  { name: "scaffold --cluster -n", argv: ["scaffold", "--cluster", "-n", "shop"], error: /^--namespace cannot be used with --cluster/ },
  { name: "scaffold --api without --cluster", argv: ["scaffold", "-n", "shop", "--api", "v1alpha1"], error: /^--api is valid only with --cluster/ },
  { name: "scaffold --cluster --api unknown", argv: ["scaffold", "--cluster", "--api", "v1"], error: /^invalid value "v1" for --api: expected v1alpha2, v1alpha1$/ },
  { name: "scaffold --cluster has no pod network", argv: ["scaffold", "--cluster", "--pod-cidr", "10.0.0.0/8"], error: /^flag --pod-cidr is not valid for "portcullis scaffold"/ },
  { name: "scaffold has no pod network", argv: ["scaffold", "-n", "shop", "--pod-cidr", "10.0.0.0/8"], error: /^flag --pod-cidr is not valid for "portcullis scaffold"/ },
  { name: "scaffold writes yaml only", argv: ["scaffold", "-n", "shop", "-o", "json"], error: /cannot write -o json: use one of yaml$/ },
  // enforce: where to apply is never implied
  { name: "enforce dry run", argv: ["enforce", "-f", "d", "--dry-run"], expect: { ...ENFORCE, target: { kind: "dry-run" }, output: "nft" } },
  { name: "enforce -o nft is a dry run", argv: ["enforce", "-f", "d", "-o", "nft", "--audit", "--node-pods", "a/b,c/d", "--node-pods", "e/f"], expect: { ...ENFORCE, target: { kind: "dry-run" }, output: "nft", audit: true, nodePods: ["a/b", "c/d", "e/f"] } },
  { name: "enforce in a namespace, watching", argv: ["enforce", "-f", "d", "--netns", "lab1", "--watch", "--log", "-o", "json"], expect: { ...ENFORCE, target: { kind: "netns", name: "lab1" }, watch: true, log: true, output: "json" } },
  { name: "enforce on the host", argv: ["enforce", "-f", "d", "--host"], expect: { ...ENFORCE, target: { kind: "host" } } },
  { name: "enforce --counters reads a namespace's table", argv: ["enforce", "-f", "d", "--netns", "lab1", "--counters", "-o", "json"], expect: { ...ENFORCE, target: { kind: "netns", name: "lab1" }, counters: true, output: "json" } },
  { name: "enforce --counters applies nothing, so it does not watch", argv: ["enforce", "-f", "d", "--host", "--counters", "--watch"], error: /^--counters reads the applied table once and applies nothing: it cannot be used with --watch$/ },
  { name: "enforce --counters needs a table, not a dry run", argv: ["enforce", "-f", "d", "--dry-run", "--counters"], error: /^--counters cannot be used with --dry-run: a dry run applies nothing$/ },
  { name: "enforce needs a place", argv: ["enforce", "-f", "d"], error: /^where to apply\? give --netns NAME .*--host .*--dry-run/ },
  { name: "enforce netns and host", argv: ["enforce", "-f", "d", "--netns", "x", "--host"], error: /^--netns and --host cannot be used together$/ },
  { name: "enforce bad netns name", argv: ["enforce", "-f", "d", "--netns", "../x"], error: /^invalid network namespace name "..\/x"$/ },
  { name: "enforce dry run applies nothing", argv: ["enforce", "-f", "d", "--dry-run", "--watch"], error: /^--watch cannot be used with --dry-run: a dry run applies nothing$/ },
  { name: "enforce -o nft with a namespace", argv: ["enforce", "-f", "d", "-o", "nft", "--netns", "x"], error: /^--netns cannot be used with -o nft/ },
  { name: "enforce dry run as json", argv: ["enforce", "-f", "d", "--dry-run", "-o", "json"], error: /^--dry-run prints the nftables ruleset: it cannot write -o json$/ },
  { name: "enforce watch stdin", argv: ["enforce", "-f", "-", "--host", "--watch"], error: /^--watch cannot watch stdin/ },
  { name: "enforce log without watch", argv: ["enforce", "-f", "d", "--host", "--log"], error: /^--log follows denials while the enforcer runs: use it with --watch$/ },
  { name: "enforce --node-pod-cidr for fail closed", argv: ["enforce", "-f", "d", "--dry-run", "--node-pod-cidr", "10.244.1.0/24", "--node-pod-cidr", "fd00:1::/64"], expect: { ...ENFORCE, target: { kind: "dry-run" }, output: "nft", nodePodCidrs: ["10.244.1.0/24", "fd00:1::/64"] } },
  { name: "enforce --node-pod-cidr must be a CIDR", argv: ["enforce", "-f", "d", "--dry-run", "--node-pod-cidr", "10.244.1.0"], error: /^--node-pod-cidr: "10.244.1.0" is not a CIDR/ },
  { name: "enforce --allow-shrink", argv: ["enforce", "-f", "d", "--host", "--allow-shrink"], expect: { ...ENFORCE, target: { kind: "host" }, allowShrink: true } },
  { name: "enforce --max-shrink", argv: ["enforce", "-f", "d", "--netns", "lab1", "--watch", "--max-shrink", "20"], expect: { ...ENFORCE, target: { kind: "netns", name: "lab1" }, watch: true, maxShrinkPercent: 20 } },
  {
    name: "enforce --kubernetes: the node agent as the chart runs it (node from the downward API; defaults: keep the table, 0.0.0.0:9842, JSON logs, in-cluster config)",
    argv: ["enforce", "--kubernetes", "--node", "worker-1"],
    expect: { ...ENFORCE, files: [], strict: true, target: { kind: "host" }, agent: { node: "worker-1", onExit: "keep", listen: { host: "0.0.0.0", port: 9842 }, logFormat: "json", logLevel: "info", idleGc: "off", cluster: { kubeconfig: null, context: null } } },
  },
  {
    name: "enforce --kubernetes in a namespace, every flag",
    argv: ["enforce", "--kubernetes", "--node", "n1", "--netns", "lab1", "--audit", "--on-exit=remove", "--listen", "127.0.0.1:0", "--log-format", "text", "--log-level", "debug", "--idle-gc=off", "--kubeconfig", "k", "--context", "c", "--max-shrink", "10"],
    expect: { ...ENFORCE, files: [], strict: true, target: { kind: "netns", name: "lab1" }, audit: true, maxShrinkPercent: 10, agent: { node: "n1", onExit: "remove", listen: { host: "127.0.0.1", port: 0 }, logFormat: "text", logLevel: "debug", idleGc: "off", cluster: { kubeconfig: "k", context: "c" } } },
  },
  {
    name: "enforce --kubernetes --dns-proxy: the proxy at a node address, defaults for the rest (issue 12: min TTL 5 s, grace 5 s, hold max 1 s, caps)",
    argv: ["enforce", "--kubernetes", "--node", "worker-1", "--dns-proxy", "169.254.53.53:5353"],
    expect: {
      ...ENFORCE,
      files: [],
      strict: true,
      target: { kind: "host" },
      agent: {
        node: "worker-1",
        onExit: "keep",
        listen: { host: "0.0.0.0", port: 9842 },
        logFormat: "json",
        logLevel: "info",
        idleGc: "off",
        cluster: { kubeconfig: null, context: null },
        dns: { listen: { host: "169.254.53.53", port: 5353 }, upstream: null, minTtl: 5, grace: 5, holdMaxMs: 1000, caps: { perName: 1024, perPod: 16384, total: 262144 }, writer: "auto" },
      },
    },
  },
  {
    name: "enforce --kubernetes --dns-proxy, every DNS flag",
    argv: ["enforce", "--kubernetes", "--node", "n", "--dns-proxy", "10.0.0.4:53", "--dns-upstream", "10.96.0.10:53", "--dns-min-ttl", "30", "--dns-grace", "2s", "--dns-hold-max", "250ms", "--dns-cap-per-name", "200", "--dns-cap-per-pod", "2000", "--dns-cap-total", "100000", "--dns-writer", "nft"],
    expect: {
      ...ENFORCE,
      files: [],
      strict: true,
      target: { kind: "host" },
      agent: {
        node: "n",
        onExit: "keep",
        listen: { host: "0.0.0.0", port: 9842 },
        logFormat: "json",
        logLevel: "info",
        idleGc: "off",
        cluster: { kubeconfig: null, context: null },
        dns: { listen: { host: "10.0.0.4", port: 53 }, upstream: { host: "10.96.0.10", port: 53 }, minTtl: 30, grace: 2, holdMaxMs: 250, caps: { perName: 200, perPod: 2000, total: 100000 }, writer: "nft" },
      },
    },
  },
  { name: "enforce --dns-proxy: a loopback address cannot be the DNAT target of a pod's packet (martian)", argv: ["enforce", "--kubernetes", "--node", "n", "--dns-proxy", "127.0.0.1:5353"], error: /loopback/, command: "enforce" },
  { name: "enforce --dns-proxy: 0.0.0.0 is no DNAT target", argv: ["enforce", "--kubernetes", "--node", "n", "--dns-proxy", "0.0.0.0:5353"], error: /unspecified/, command: "enforce" },
  { name: "enforce --dns-writer is netlink, nft or auto", argv: ["enforce", "--kubernetes", "--node", "n", "--dns-proxy", "10.0.0.4:53", "--dns-writer", "kernel"], error: /dns-writer/, command: "enforce" },
  { name: "enforce --dns-writer without --dns-proxy", argv: ["enforce", "--kubernetes", "--node", "n", "--dns-writer", "nft"], error: /--dns-writer tunes the DNS proxy: use it with --dns-proxy/, command: "enforce" },
  { name: "enforce --dns-grace without --dns-proxy", argv: ["enforce", "--kubernetes", "--node", "n", "--dns-grace", "3"], error: /--dns-grace tunes the DNS proxy: use it with --dns-proxy/, command: "enforce" },
  { name: "enforce --dns-proxy without --kubernetes", argv: ["enforce", "-f", "d", "--host", "--dns-proxy", "10.0.0.4:53"], error: /--dns-proxy is valid for "portcullis enforce" only with --kubernetes/, command: "enforce" },
  { name: "enforce --kubernetes needs --node", argv: ["enforce", "--kubernetes"], error: /--kubernetes needs --node NAME/, command: "enforce" },
  { name: "enforce --kubernetes reads no files", argv: ["enforce", "--kubernetes", "--node", "n", "-f", "d"], error: /-f cannot be used with --kubernetes/, command: "enforce" },
  { name: "enforce --kubernetes always watches", argv: ["enforce", "--kubernetes", "--node", "n", "--watch"], error: /--watch cannot be used with --kubernetes/, command: "enforce" },
  { name: "enforce --kubernetes: --on-exit is keep or remove", argv: ["enforce", "--kubernetes", "--node", "n", "--on-exit", "flush"], error: /on-exit/, command: "enforce" },
  { name: "enforce --kubernetes: --idle-gc is auto or off", argv: ["enforce", "--kubernetes", "--node", "n", "--idle-gc", "always"], error: /idle-gc/, command: "enforce" },
  { name: "enforce --idle-gc without --kubernetes", argv: ["enforce", "-f", "d", "--host", "--watch", "--idle-gc", "off"], error: /--idle-gc is valid for "portcullis enforce" only with --kubernetes/, command: "enforce" },
  { name: "enforce --node without --kubernetes", argv: ["enforce", "-f", "d", "--host", "--node", "n"], error: /--node is valid for "portcullis enforce" only with --kubernetes/, command: "enforce" },
  { name: "enforce --max-shrink 100 (only dropping everything is refused)", argv: ["enforce", "-f", "d", "--host", "--max-shrink", "100"], expect: { ...ENFORCE, target: { kind: "host" }, maxShrinkPercent: 100 } },
  { name: "enforce --max-shrink is a percentage", argv: ["enforce", "-f", "d", "--host", "--max-shrink", "150"], error: /^invalid value "150" for --max-shrink: expected a whole percentage from 0 to 100$/ },
  { name: "enforce --max-shrink is a number", argv: ["enforce", "-f", "d", "--host", "--max-shrink", "50%"], error: /^invalid value "50%" for --max-shrink: expected a whole percentage from 0 to 100$/ },
  { name: "enforce --allow-shrink and --max-shrink contradict", argv: ["enforce", "-f", "d", "--host", "--allow-shrink", "--max-shrink", "10"], error: /^--allow-shrink and --max-shrink cannot be used together: --allow-shrink applies any shrink$/ },
  { name: "enforce --allow-shrink with a dry run", argv: ["enforce", "-f", "d", "--dry-run", "--allow-shrink"], error: /^--allow-shrink cannot be used with --dry-run: a dry run applies nothing$/ },
  { name: "enforce --max-shrink with --counters", argv: ["enforce", "-f", "d", "--host", "--counters", "--max-shrink", "10"], error: /^--max-shrink cannot be used with --counters: --counters applies nothing$/ },
  { name: "enforce empty node pod", argv: ["enforce", "-f", "d", "--dry-run", "--node-pods", "a/b,"], error: /^--node-pods: an empty name/ },
  // lint
  { name: "lint fails on warnings by default (metadata-reachable, egress-internet-open)", argv: ["lint", "-f", "a"], expect: { name: "lint", failOn: "warning", enable: null, disable: [], serviceCidr: null, namespace: null, systemNamespaces: null, feeds: [], files: ["a"], ...BASE } },
  {
    name: "lint with every flag",
    argv: ["lint", "-f", "a", "-o", "sarif", "--fail-on", "info", "--enable", "dns-tcp-missing,metadata-reachable", "--disable", "redundant-rule", "--dns", "169.254.20.10", "--service-cidr", "10.96.0.0/12", "--system-namespaces", "kube-system,cattle-system", "--feed", "aws=feeds/ip-ranges.json"],
    expect: { name: "lint", failOn: "info", enable: ["dns-tcp-missing", "metadata-reachable"], disable: ["redundant-rule"], dns: ["169.254.20.10"], serviceCidr: "10.96.0.0/12", namespace: null, systemNamespaces: ["kube-system", "cattle-system"], feeds: [{ provider: "aws", location: { kind: "file", path: "feeds/ip-ranges.json" } }], files: ["a"], ...BASE, output: "sarif" },
  },
  { name: "lint --system-namespaces '': every namespace reported", argv: ["lint", "-f", "a", "--system-namespaces", ""], expect: { name: "lint", failOn: "warning", enable: null, disable: [], serviceCidr: null, namespace: null, systemNamespaces: [], feeds: [], files: ["a"], ...BASE } },
  { name: "lint --system-namespaces with a name that is no namespace", argv: ["lint", "-f", "a", "--system-namespaces", "Kube_System"], error: /^invalid namespace "Kube_System" in --system-namespaces: must consist of lowercase letters/ },
  { name: "lint unknown rule", argv: ["lint", "-f", "a", "--disable", "dns-tcp-mising"], error: /^unknown lint rule "dns-tcp-mising" in --disable \(did you mean "dns-tcp-missing"\?\)/ },
  {
    name: "lint: a rule both enabled and disabled is refused",
    argv: ["lint", "-f", "a", "--enable", "dns-tcp-missing,redundant-rule", "--disable", "redundant-rule"],
    error: /^rule "redundant-rule" is given to both --enable and --disable: name it in one of them$/,
  },
  { name: "lint fail-on value", argv: ["lint", "-f", "a", "--fail-on", "warn"], error: /^invalid value "warn" for --fail-on: expected error, warning, info, never$/ },
  {
    name: "--metadata and --dns on the commands that use the well-known facts",
    argv: ["egress", "-f", "a", "--metadata", "169.254.170.2,fd00:ec2::23", "--dns", "169.254.20.10"],
    expect: { name: "egress", namespace: null, files: ["a"], ...BASE, metadata: ["169.254.170.2", "fd00:ec2::23"], dns: ["169.254.20.10"] },
  },
  { name: "graph --metadata", argv: ["graph", "-f", "a", "--metadata", "169.254.170.2"], expect: { name: "graph", namespace: null, files: ["a"], ...BASE, output: "mermaid", metadata: ["169.254.170.2"] } },
  { name: "diff --dns", argv: ["diff", "-f", "a", "--against", "b", "--dns", "169.254.20.10"], expect: { name: "diff", versions: { kind: "against", paths: ["b"] }, failOn: "never", files: ["a"], ...BASE, dns: ["169.254.20.10"] } },
  { name: "bad --metadata", argv: ["graph", "-f", "a", "--metadata", "imds"], error: /^invalid --metadata "imds": expected an IP address$/ },
  { name: "--metadata is refused where no metadata is reported", argv: ["matrix", "-f", "a", "--metadata", "169.254.170.2"], error: /^flag --metadata is not valid for "portcullis matrix"$/ },
  { name: "--dns is refused by graph, which draws no DNS", argv: ["graph", "-f", "a", "--dns", "169.254.20.10"], error: /^flag --dns is not valid for "portcullis graph"$/ },
  { name: "--metadata is refused by lab probe", argv: ["lab", "probe", "--lab", "pc-1a2b3c", "--metadata", "169.254.170.2"], error: /^--metadata cannot be used with lab probe/ },
  { name: "lint bad dns", argv: ["lint", "-f", "a", "--dns", "kube-dns"], error: /^invalid --dns "kube-dns": expected an IP address$/ },
  { name: "lint service CIDR with host bits", argv: ["lint", "-f", "a", "--service-cidr", "10.96.0.1/12"], error: /^invalid --service-cidr "10.96.0.1\/12": host bits are set/ },
  // lab
  { name: "lab run", argv: ["lab", "run", "-f", "a", "--to", "203.0.113.7:443", "--to", "[2001:db8::1]:53/udp", "-o", "json"], expect: { name: "lab", action: "run", podCidrs: ["10.244.0.0/16"], to: ["203.0.113.7 TCP 443", "2001:db8::1 UDP 53"], clean: false, topology: "routed", files: ["a"], ...BASE, output: "json" } },
  { name: "lab run --clean", argv: ["lab", "run", "-f", "a", "--clean"], expect: { name: "lab", action: "run", podCidrs: ["10.244.0.0/16"], to: null, clean: true, topology: "routed", files: ["a"], ...BASE } },
  { name: "lab run on the bridge topology", argv: ["lab", "run", "-f", "a", "--topology", "bridge"], expect: { name: "lab", action: "run", podCidrs: ["10.244.0.0/16"], to: null, clean: false, topology: "bridge", files: ["a"], ...BASE } },
  { name: "lab --topology typo", argv: ["lab", "up", "-f", "a", "--topology", "bridged"], error: /^invalid --topology "bridged" \(did you mean "bridge"\?\): expected routed or bridge$/ },
  { name: "lab probe takes no --topology (the lab has one)", argv: ["lab", "probe", "--lab", "pc-1a2b3c", "--topology", "bridge"], error: /^--topology cannot be used with lab probe: it probes what lab up planned$/ },
  { name: "lab up takes no --clean", argv: ["lab", "up", "-f", "a", "--clean"], error: /^--clean removes orphaned labs before lab run/ },
  { name: "lab list", argv: ["lab", "list", "-o", "json"], expect: { name: "lab", action: "list", output: "json", debug: false } },
  { name: "lab list takes no --lab", argv: ["lab", "list", "--lab", "pc-1a2b3c"], error: /^--lab cannot be used with lab list: it lists the labs on this machine$/ },
  { name: "lab down takes no --clean", argv: ["lab", "down", "--lab", "pc-1a2b3c", "--clean"], error: /^--clean cannot be used with lab down/ },
  { name: "lab up with pod CIDRs", argv: ["lab", "up", "-f", "a", "--pod-cidr", "10.1.0.0/16"], expect: { name: "lab", action: "up", podCidrs: ["10.1.0.0/16"], to: null, clean: false, topology: "routed", files: ["a"], ...BASE, podNetwork: "10.1.0.0/16", podNetworkFrom: "flag" } },
  { name: "lab probe", argv: ["lab", "probe", "--lab", "pc-1a2b3c"], expect: { name: "lab", action: "probe", output: "text", prefix: "pc-1a2b3c", debug: false } },
  { name: "lab down as json", argv: ["lab", "down", "--lab", "pc-1a2b3c", "-o", "json"], expect: { name: "lab", action: "down", output: "json", prefix: "pc-1a2b3c", debug: false } },
  { name: "lab without an action", argv: ["lab", "-f", "a"], error: /^missing the lab action: run, up, probe, down or list$/, command: "lab" },
  { name: "lab action typo", argv: ["lab", "prbe", "--lab", "pc-1a2b3c"], error: /^unknown lab action "prbe" \(did you mean "probe"\?\)/ },
  { name: "lab run with a kept lab", argv: ["lab", "run", "-f", "a", "--lab", "pc-1a2b3c"], error: /^--lab names a kept lab for lab probe and lab down; lab run makes a new one$/ },
  { name: "lab probe reads no manifests", argv: ["lab", "probe", "--lab", "pc-1a2b3c", "-f", "a"], error: /^--filename \(-f\) cannot be used with lab probe: it probes what lab up planned$/ },
  { name: "lab down takes no --to", argv: ["lab", "down", "--lab", "pc-1a2b3c", "--to", "1.2.3.4"], error: /^--to cannot be used with lab down/ },
  { name: "lab probe needs --lab", argv: ["lab", "probe"], error: /^missing required flag --lab$/ },
  { name: "lab prefix shape", argv: ["lab", "down", "--lab", "../etc"], error: /^invalid --lab "..\/etc": a lab prefix is pc- and 6 hex digits/ },
  { name: "lab bad --to", argv: ["lab", "run", "-f", "a", "--to", "203.0.113.7:http"], error: /^invalid --to "203.0.113.7:http": port "http" is not 1-65535$/ },
  { name: "lab two actions", argv: ["lab", "run", "up", "-f", "a"], error: /^unexpected argument "up" for "portcullis lab"$/ },
  { name: "lab writes no yaml", argv: ["lab", "run", "-f", "a", "-o", "yaml"], error: /cannot write -o yaml: use one of text, json$/ },
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
