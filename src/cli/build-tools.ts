/** Options of diff, graph, scaffold, enforce and lint from the flags given; refused combinations are usage errors. */
import { inNetns } from "../enforce/process.js";
import { DEFAULT_MAX_SHRINK_PERCENT } from "../enforce/shrink.js";
import { RULES, unknownRuleIds } from "../lint/index.js";
import { dns1123LabelProblem } from "../k8s/validate.js";
import { LAB_PREFIX } from "../lab/netns.js";
import { parseTo } from "../labrun/to.js";
import type { ExternalTarget } from "../labrun/types.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { choice, clusterFlags, commonOptions, liveScope, readOptions, DEFAULT_POD_CIDR, type Given, list, metadataFlag, namespaceScope, one, parseCidrs, parseDuration, parseOutput, refuse, required, wellKnownFlags } from "./flags.js";
import type { AgentDnsFlags, AgentFlags, CommandOptions, CommonOptions, EnforceTarget, LintFailOn, ProbingFlags, ReadOptions } from "./options.js";
import { DEFAULT_IMAGE } from "../verify/twin.js";
import { feedSource } from "./build-feeds.js";
import { DEFAULT_HOLD_MAX_MS, parseDnsProxy, parseListen } from "../agent/listen.js";
import { DEFAULT_CAPS, DEFAULT_TIMEOUTS } from "../dns/learn.js";
import { suggest } from "./suggest.js";

type Options<N extends CommandOptions["name"]> = Extract<CommandOptions, { name: N }>;

export function buildDiff(common: CommonOptions, given: Given): Options<"diff"> {
  const against = given.get("against");
  const base = one(given, "base");
  const failOn = choice("fail-on", one(given, "fail-on") ?? "never", ["widened", "never"] as const);
  if (given.has("against-cluster")) {
    if (against !== undefined || base !== undefined) refuse(`--against-cluster cannot be used with ${against !== undefined ? "--against" : "--base"}: the old version is the live cluster, the new one the -f files applied to it`);
    return { name: "diff", common, versions: { kind: "against-cluster", flags: clusterFlags(given), scope: liveScope(given) }, failOn, wellKnown: wellKnownFlags(given) };
  }
  for (const flag of ["kubeconfig", "context", "namespace", "all-namespaces"]) {
    if (given.has(flag)) refuse(`--${flag} is valid for "portcullis diff" only with --against-cluster`);
  }
  if (against !== undefined && base !== undefined) {
    refuse(`--against and --base cannot be used together: --against names the new version, --base takes the old one from git`);
  }
  if (base !== undefined) {
    if (base.startsWith("-") || base.trim() === "") refuse(`invalid git revision "${base}" for --base`);
    if (common.files.includes("-")) refuse(`--base reads the -f paths from git: it cannot take stdin (-f -)`);
    return { name: "diff", common, versions: { kind: "base", ref: base }, failOn, wellKnown: wellKnownFlags(given) };
  }
  if (against === undefined) refuse(`missing --against NEW or --base GIT_REF: diff compares two versions`);
  if ([...common.files, ...against].filter((f) => f === "-").length > 1) refuse(`stdin (-) is read once: give it to -f or to --against, not both`);
  return { name: "diff", common, versions: { kind: "against", paths: against }, failOn, wellKnown: wellKnownFlags(given) };
}

export function buildGraph(common: ReadOptions, given: Given): Options<"graph"> {
  return { name: "graph", common, namespace: namespaceScope(given), metadata: metadataFlag(given) };
}

/** The port `ui` serves on without --port. */
export const UI_DEFAULT_PORT = 7070;

export function buildUi(common: ReadOptions, given: Given): Options<"ui"> {
  const against = given.get("against");
  const base = one(given, "base");
  if (against !== undefined && base !== undefined) refuse(`--against and --base cannot be used together: both name the old version (--against as files, --base from git)`);
  if ((against !== undefined || base !== undefined) && common.input.kind !== "files") refuse(`--${against !== undefined ? "against" : "base"} compares files: give the new version with -f`);
  if (base !== undefined && (base.startsWith("-") || base.trim() === "")) refuse(`invalid git revision "${base}" for --base`);
  if (base !== undefined && common.input.kind === "files" && common.input.files.includes("-")) refuse(`--base reads the -f paths from git: it cannot take stdin (-f -)`);
  if (against?.includes("-") === true) refuse(`--against cannot read stdin: the page reads its files again when asked`);
  const compare = against !== undefined ? { kind: "against" as const, paths: against } : base !== undefined ? { kind: "base" as const, ref: base } : null;
  const portText = one(given, "port");
  const port = portText === undefined ? UI_DEFAULT_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? "0") || !Number.isInteger(port) || port > 65535) refuse(`invalid --port "${portText ?? ""}": a port number, 0-65535 (0: a free port)`);
  return { name: "ui", common, compare, port, open: given.has("open"), namespace: namespaceScope(given), wellKnown: wellKnownFlags(given) };
}

/** The flags of a namespace's baseline, which mean nothing for the cluster's guardrails. */
const NAMESPACE_SCAFFOLD_FLAGS = ["namespace", "allow-dns", "block-metadata", "allow-to"] as const;

export function buildScaffold(given: Given): Options<"scaffold"> {
  parseOutput("scaffold", one(given, "output"));
  if (given.has("cluster")) {
    for (const flag of NAMESPACE_SCAFFOLD_FLAGS) if (given.has(flag)) refuse(`--${flag} cannot be used with --cluster: it shapes one namespace's baseline`);
    const files = given.get("filename") ?? [];
    if (files.filter((f) => f === "-").length > 1) refuse(`stdin (-f -) given more than once`);
    return { name: "scaffold", cluster: { files, api: choice("api", one(given, "api") ?? "v1alpha2", ["v1alpha2", "v1alpha1"] as const) }, ...wellKnownFlags(given) };
  }
  if (given.has("filename")) refuse(`flag -f is valid for "portcullis scaffold" only with --cluster: a namespace's baseline reads no manifests`);
  if (given.has("api")) refuse(`--api is valid only with --cluster (the API version of the admin policies)`);
  return {
    name: "scaffold",
    namespace: required(given, "namespace"),
    allowDns: given.has("allow-dns"),
    blockMetadata: given.has("block-metadata"),
    // Not split at commas: a SPEC holds them (db/app=x,tier=y:53/UDP,53/TCP).
    allowTo: given.get("allow-to") ?? [],
    ...wellKnownFlags(given),
  };
}

const APPLY_FLAGS = ["netns", "host", "watch", "log", "counters", "allow-shrink", "max-shrink"] as const;

/** Where to apply: `--dry-run` or `-o nft` (nowhere), `--netns NAME`, or `--host`; exactly one. */
function enforceTarget(common: CommonOptions, given: Given): EnforceTarget {
  const explicitOutput = one(given, "output");
  if (given.has("dry-run") && explicitOutput !== undefined && common.output !== "nft") {
    refuse(`--dry-run prints the nftables ruleset: it cannot write -o ${common.output}`);
  }
  if (given.has("dry-run") || common.output === "nft") {
    for (const flag of APPLY_FLAGS) if (given.has(flag)) refuse(`--${flag} cannot be used with ${given.has("dry-run") ? "--dry-run" : "-o nft"}: a dry run applies nothing`);
    return { kind: "dry-run" };
  }
  const netns = one(given, "netns");
  if (netns !== undefined && given.has("host")) refuse(`--netns and --host cannot be used together`);
  if (netns !== undefined) {
    const valid = inNetns(netns, []);
    if (!valid.ok) refuse(valid.error.message);
    return { kind: "netns", name: netns };
  }
  if (given.has("host")) return { kind: "host" };
  return refuse(`where to apply? give --netns NAME (a network namespace), --host (this process's own, the host's), or --dry-run to print the ruleset`);
}

/** The flags only the node agent takes, and those it refuses (its input is the API, it always watches, it has its own log). */
const DNS_PROXY_FLAGS = ["dns-upstream", "dns-min-ttl", "dns-grace", "dns-hold-max", "dns-cap-per-name", "dns-cap-per-pod", "dns-cap-total", "dns-writer"] as const;
const AGENT_ONLY_FLAGS = ["node", "on-exit", "listen", "log-format", "log-level", "idle-gc", "kubeconfig", "context", "dns-proxy", ...DNS_PROXY_FLAGS] as const;
const NOT_WITH_AGENT = ["host", "dry-run", "watch", "log", "counters", "node-pods", "node-pod-cidr", "output"] as const;

function agentFlags(given: Given): AgentFlags {
  for (const flag of NOT_WITH_AGENT) if (given.has(flag)) refuse(`--${flag} cannot be used with --kubernetes: the node agent applies in its own network namespace (or --netns), always watches, and logs with --log-format`);
  const node = one(given, "node");
  if (node === undefined || node.trim() === "") refuse(`--kubernetes needs --node NAME: this node's name (in a DaemonSet, from the downward API: spec.nodeName)`);
  const listen = parseListen(one(given, "listen") ?? "0.0.0.0:9842");
  if (typeof listen === "string") refuse(listen);
  return {
    node,
    onExit: choice("on-exit", one(given, "on-exit") ?? "keep", ["keep", "remove"] as const),
    listen,
    logFormat: choice("log-format", one(given, "log-format") ?? "json", ["json", "text"] as const),
    logLevel: choice("log-level", one(given, "log-level") ?? "info", ["info", "debug"] as const),
    idleGc: choice("idle-gc", one(given, "idle-gc") ?? "off", ["auto", "off"] as const),
    cluster: clusterFlags(given),
    ...dnsProxyFlags(given),
  };
}

/** `--dns-proxy ADDR:PORT` and its tuning flags (defaults: docs/dns-names/enforcement.md). */
function dnsProxyFlags(given: Given): { dns?: AgentDnsFlags } {
  const proxy = one(given, "dns-proxy");
  if (proxy === undefined) {
    for (const flag of DNS_PROXY_FLAGS) if (given.has(flag)) refuse(`--${flag} tunes the DNS proxy: use it with --dns-proxy ADDR:PORT`);
    return {};
  }
  const address = (flag: string, text: string): { host: string; port: number } => {
    const parsed = parseListen(text);
    return typeof parsed === "string" ? refuse(parsed.replace("--listen", `--${flag}`)) : parsed;
  };
  const listen = address("dns-proxy", proxy);
  const checked = parseDnsProxy(listen.host, listen.port);
  if (typeof checked === "string") refuse(checked);
  const upstream = one(given, "dns-upstream");
  const seconds = (flag: string, fallback: number): number => {
    const text = one(given, flag);
    return text === undefined ? fallback : parseDuration(flag, text) / 1000;
  };
  const count = (flag: string, fallback: number): number => {
    const text = one(given, flag);
    if (text === undefined) return fallback;
    return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : refuse(`invalid --${flag} "${text}": expected a whole number of elements from 1`);
  };
  return {
    dns: {
      listen,
      upstream: upstream === undefined ? null : address("dns-upstream", upstream),
      minTtl: seconds("dns-min-ttl", DEFAULT_TIMEOUTS.minTtl),
      grace: seconds("dns-grace", DEFAULT_TIMEOUTS.grace),
      holdMaxMs: parseDuration("dns-hold-max", one(given, "dns-hold-max") ?? `${DEFAULT_HOLD_MAX_MS}ms`),
      caps: { perName: count("dns-cap-per-name", DEFAULT_CAPS.perName), perPod: count("dns-cap-per-pod", DEFAULT_CAPS.perPod), total: count("dns-cap-total", DEFAULT_CAPS.total) },
      writer: choice("dns-writer", one(given, "dns-writer") ?? "auto", ["auto", "netlink", "nft"] as const),
    },
  };
}

function agentTarget(given: Given): EnforceTarget {
  const netns = one(given, "netns");
  if (netns === undefined) return { kind: "host" };
  const valid = inNetns(netns, []);
  return valid.ok ? { kind: "netns", name: netns } : refuse(valid.error.message);
}

export function buildEnforce(common: CommonOptions, given: Given): Options<"enforce"> {
  const agent = given.has("kubernetes") ? agentFlags(given) : null;
  if (agent === null) for (const flag of AGENT_ONLY_FLAGS) if (given.has(flag)) refuse(`--${flag} is valid for "portcullis enforce" only with --kubernetes (the node agent)`);
  const target = agent === null ? enforceTarget(common, given) : agentTarget(given);
  if (given.has("watch") && common.files.includes("-")) refuse(`--watch cannot watch stdin (-f -): give files or directories`);
  if (given.has("log") && !given.has("watch")) refuse(`--log follows denials while the enforcer runs: use it with --watch`);
  if (given.has("counters") && given.has("watch")) refuse(`--counters reads the applied table once and applies nothing: it cannot be used with --watch`);
  for (const flag of ["allow-shrink", "max-shrink"]) if (given.has("counters") && given.has(flag)) refuse(`--${flag} cannot be used with --counters: --counters applies nothing`);
  if (given.has("allow-shrink") && given.has("max-shrink")) refuse(`--allow-shrink and --max-shrink cannot be used together: --allow-shrink applies any shrink`);
  const nodePods = list(given, "node-pods", (s) => {
    const name = s.trim();
    if (name === "") refuse(`--node-pods: an empty name in the list`);
    return name;
  });
  const nodePodCidrs = (given.get("node-pod-cidr") ?? []).map((text) => {
    const r = parseCidr(text);
    return r.ok ? r.cidr : refuse(`--node-pod-cidr: "${text}" is not a CIDR (${r.reason})`);
  });
  return {
    name: "enforce",
    // The enforcer reads strictly always (enforce/load.ts): a policy file must not be skipped.
    common: { ...common, strict: true, ...(target.kind === "dry-run" ? { output: "nft" as const } : {}) },
    target,
    watch: given.has("watch"),
    audit: given.has("audit"),
    log: given.has("log"),
    counters: given.has("counters"),
    nodePods,
    nodePodCidrs,
    allowShrink: given.has("allow-shrink"),
    maxShrinkPercent: parsePercent("max-shrink", one(given, "max-shrink")) ?? DEFAULT_MAX_SHRINK_PERCENT,
    agent,
  };
}

function parsePercent(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  return value <= 100 ? value : refuse(`invalid value "${text}" for --${flag}: expected a whole percentage from 0 to 100`);
}

function ruleIds(given: Given, flag: "enable" | "disable"): string[] | null {
  const ids = list(given, flag, (s) => s.trim());
  for (const id of unknownRuleIds(ids ?? [])) {
    const hint = suggest(id, RULES.map((r) => r.id));
    refuse(`unknown lint rule "${id}" in --${flag}${hint === null ? "" : ` (did you mean "${hint}"?)`}; the rules are listed in docs/lint.md`);
  }
  return ids;
}

/**
 * `warning`, not `error`: what opens the internet (egress-internet-open) or the cloud metadata
 * service (metadata-reachable) is a warning, and a security gate in CI must stop it by default.
 */
export const LINT_FAIL_ON_DEFAULT: LintFailOn = "warning";

export function buildLint(common: ReadOptions, given: Given): Options<"lint"> {
  const cidrs = given.get("service-cidr");
  const enable = ruleIds(given, "enable");
  const disable = ruleIds(given, "disable") ?? [];
  const both = disable.find((id) => enable?.includes(id));
  if (both !== undefined) refuse(`rule "${both}" is given to both --enable and --disable: name it in one of them`);
  return {
    name: "lint",
    common,
    failOn: choice<LintFailOn>("fail-on", one(given, "fail-on") ?? LINT_FAIL_ON_DEFAULT, ["error", "warning", "info", "never"]),
    enable,
    disable,
    wellKnown: wellKnownFlags(given),
    serviceCidr: cidrs === undefined ? null : parseCidrs("--service-cidr", cidrs),
    namespace: namespaceScope(given),
    systemNamespaces: systemNamespaces(given),
    feeds: (given.get("feed") ?? []).map(feedSource),
  };
}

/** `--system-namespaces`: namespace names (an empty value: none, so every namespace is reported); null when not given. */
function systemNamespaces(given: Given): string[] | null {
  const names = list(given, "system-namespaces", (s) => s.trim());
  if (names === null) return null;
  const named = names.filter((name) => name !== "");
  for (const name of named) {
    const problem = dns1123LabelProblem(name);
    if (problem !== undefined) refuse(`invalid namespace "${name}" in --system-namespaces: ${problem}`);
  }
  return named;
}

const LAB_ACTIONS = ["run", "up", "probe", "down", "list"] as const;
type LabAction = (typeof LAB_ACTIONS)[number];

function labAction(positionals: readonly string[]): LabAction {
  const word = positionals[0];
  if (word === undefined) refuse(`missing the lab action: run, up, probe, down or list`);
  if (!(LAB_ACTIONS as readonly string[]).includes(word)) {
    const hint = suggest(word, LAB_ACTIONS);
    refuse(`unknown lab action "${word}"${hint === null ? "" : ` (did you mean "${hint}"?)`}: expected run, up, probe, down or list`);
  }
  return word as LabAction;
}

function labTarget(text: string): ExternalTarget {
  const r = parseTo(text);
  if (!r.ok) refuse(`invalid --to "${text}": ${r.message}`);
  return r.target;
}

/** `--pod-cidr` values as CIDRs (commonOptions has already refused bad ones). */
function podCidrs(given: Given): Cidr[] {
  return (given.get("pod-cidr") ?? [DEFAULT_POD_CIDR]).flatMap((text) => {
    const r = parseCidr(text);
    return r.ok ? [r.cidr] : [];
  });
}

const TOPOLOGIES = ["routed", "bridge"] as const;

/** `--topology routed|bridge`; default routed. */
function labTopology(given: Given): (typeof TOPOLOGIES)[number] {
  const word = one(given, "topology") ?? "routed";
  if (!(TOPOLOGIES as readonly string[]).includes(word)) {
    const hint = suggest(word, TOPOLOGIES);
    refuse(`invalid --topology "${word}"${hint === null ? "" : ` (did you mean "${hint}"?)`}: expected routed or bridge`);
  }
  return word as (typeof TOPOLOGIES)[number];
}

const MANIFEST_FLAGS = ["filename", "verbose", "strict", "pod-cidr", "ipblock-matches-pods"] as const;

const LAB_DOES = { probe: "probes what lab up planned", down: "removes what lab up made", list: "lists the labs on this machine" } as const;

export function buildLab(positionals: readonly string[], given: Given): Options<"lab"> {
  const action = labAction(positionals);
  if (action === "run" || action === "up") {
    if (given.has("lab")) refuse(`--lab names a kept lab for lab probe and lab down; lab ${action} makes a new one`);
    if (given.has("clean") && action === "up") refuse(`--clean removes orphaned labs before lab run; use lab list and lab down --lab PREFIX with lab up`);
    const common = commonOptions("lab", given);
    const to = given.get("to");
    return { name: "lab", action, common, podCidrs: podCidrs(given), to: to === undefined ? null : to.map(labTarget), metadata: metadataFlag(given), clean: given.has("clean"), topology: labTopology(given) };
  }
  for (const flag of [...MANIFEST_FLAGS, "to", "metadata", "clean", "topology", ...(action === "list" ? ["lab"] : [])]) {
    if (given.has(flag)) refuse(`--${flag === "filename" ? "filename (-f)" : flag} cannot be used with lab ${action}: it ${LAB_DOES[action]}`);
  }
  if (action === "list") return { name: "lab", action, output: parseOutput("lab", one(given, "output")) };
  const prefix = required(given, "lab");
  if (!LAB_PREFIX.test(prefix)) refuse(`invalid --lab "${prefix}": a lab prefix is pc- and 6 hex digits, as lab up prints it`);
  return { name: "lab", action, output: parseOutput("lab", one(given, "output")), prefix };
}

function probingFlags(given: Given): ProbingFlags {
  return {
    image: one(given, "image") ?? DEFAULT_IMAGE,
    timeoutMs: parseDuration("timeout", one(given, "timeout") ?? "2s"),
    podStartTimeoutMs: parseDuration("pod-start-timeout", one(given, "pod-start-timeout") ?? "2m"),
  };
}

/** The flags only a verify of workloads takes (not --smoke, not --cleanup). */
const VERIFY_RUN_FLAGS = ["from", "to", "no-twins", "metadata", "all-namespaces", "pod-cidr", "ipblock-matches-pods", "strict", "verbose"];

export function buildVerify(given: Given): Options<"verify"> {
  if (given.has("filename")) refuse(`-f cannot be used with verify: it probes a live cluster (--kubeconfig, --context); lab run proves files with network namespaces`);
  const output = parseOutput("verify", one(given, "output"));
  if (given.has("smoke") && given.has("cleanup")) refuse(`--smoke and --cleanup cannot be used together: a smoke test cleans up after itself`);
  if (given.has("smoke") || given.has("cleanup")) {
    const action = given.has("smoke") ? "smoke" : "cleanup";
    const refusedHere = [...VERIFY_RUN_FLAGS.filter((f) => action === "smoke" || f !== "all-namespaces"), ...(action === "smoke" ? ["namespace"] : ["image", "timeout", "pod-start-timeout"])];
    for (const flag of refusedHere) if (given.has(flag)) refuse(`--${flag} cannot be used with --${action}: ${action === "smoke" ? "the smoke test makes its own namespace and pods" : "--cleanup deletes by label"}`);
    if (output === "junit" && action === "cleanup") refuse(`"verify --cleanup" cannot write -o junit: use text or json`);
    if (action === "smoke") return { name: "verify", action, output, cluster: clusterFlags(given), probing: probingFlags(given) };
    return { name: "verify", action, output, cluster: clusterFlags(given), namespace: namespaceScope(given) };
  }
  const common = readOptions("verify", given);
  const to = given.get("to");
  return {
    name: "verify",
    action: "run",
    common,
    from: given.get("from") ?? null,
    to: to === undefined ? null : to.map(labTarget),
    noTwins: given.has("no-twins"),
    metadata: metadataFlag(given),
    probing: probingFlags(given),
  };
}
