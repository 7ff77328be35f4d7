/** The flags given on a line, and how their values become typed options; a bad value is refused. */
import { isProtocol, type Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { formatCidr, parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import type { ClusterFlags, CommonOptions, Input, LiveScope, ReadingOptions, ReadOptions, SnapshotFlags, WellKnownFlags } from "./options.js";
import { resolveFlagRecords } from "../dns/records-file.js";
import { type CommandName, commandSpec, type OutputFormat } from "./spec.js";

/** The flags given, by long name, in order: values for string flags, `"true"` for boolean ones. */
export type Given = ReadonlyMap<string, readonly string[]>;

/** A usage error found while building options; parseCommandLine turns it into a value. */
export class Refused extends Error {}

export function refuse(message: string): never {
  throw new Refused(message);
}

export const DEFAULT_POD_CIDR = "10.244.0.0/16";

export function one(given: Given, flag: string): string | undefined {
  return given.get(flag)?.[0];
}

export function required(given: Given, flag: string): string {
  const v = one(given, flag);
  if (v === undefined) refuse(`missing required flag --${flag}`);
  return v;
}

/** A repeatable flag whose values may also be comma-separated; null when not given. */
export function list<T>(given: Given, flag: string, parse: (s: string) => T): T[] | null {
  const values = given.get(flag);
  if (values === undefined) return null;
  return values.flatMap((v) => v.split(",")).map(parse);
}

/** A value out of a fixed set, refused with the set named. */
export function choice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) refuse(`invalid value "${text}" for --${flag}: expected ${allowed.join(", ")}`);
  return text as T;
}

export const NO_INPUT = "no input: give manifests with -f FILE, -f DIR, or -f - for stdin (or configure a cluster: --kubeconfig, KUBECONFIG, ~/.kube/config)";

/** The options of a command that reads files only: -f is required. */
export function commonOptions(name: CommandName, given: Given): CommonOptions {
  const files = given.get("filename") ?? [];
  if (files.length === 0) refuse(NO_INPUT);
  return { files: checkedFiles(files), ...readingOptions(name, given) };
}

function checkedFiles(files: readonly string[]): readonly string[] {
  if (files.filter((f) => f === "-").length > 1) refuse(`stdin (-f -) given more than once`);
  return files;
}

/** `--kubeconfig` and `--context` as given. */
export function clusterFlags(given: Given): ClusterFlags {
  return { kubeconfig: one(given, "kubeconfig") ?? null, context: one(given, "context") ?? null };
}

/** What a live read reads: -n's namespace, every one (-A), or the context's (kubectl's default). */
export function liveScope(given: Given): LiveScope {
  const ns = namespaceScope(given);
  if (ns !== null) return { kind: "namespace", name: ns };
  return given.has("all-namespaces") ? { kind: "all" } : { kind: "context" };
}

/**
 * The options of a command that reads files or a live cluster: -f reads files; without -f, the
 * cluster (--kubeconfig/--context name one; else the configured one, if any, when it runs).
 */
export function readOptions(name: CommandName, given: Given): ReadOptions {
  const files = given.get("filename") ?? [];
  const asked = given.has("kubeconfig") || given.has("context");
  if (files.length > 0 && asked) refuse(`-f and ${given.has("kubeconfig") ? "--kubeconfig" : "--context"} cannot be used together: read files or a cluster (diff --against-cluster compares them)`);
  const input: Input = files.length > 0 ? { kind: "files", files: checkedFiles(files) } : { kind: "cluster", flags: clusterFlags(given), scope: liveScope(given), asked };
  const snapshot = snapshotFlags(given);
  return { input, ...(snapshot === null ? {} : { snapshot }), ...readingOptions(name, given) };
}

/** `--dns-records FILE` and every `--resolve NAME=IP[,IP]`; null when neither is given. */
function snapshotFlags(given: Given): SnapshotFlags | null {
  const file = one(given, "dns-records") ?? null;
  const resolve = given.get("resolve") ?? [];
  if (file === null && resolve.length === 0) return null;
  if (file === "-" && (given.get("filename") ?? []).includes("-")) refuse(`--dns-records - and -f - cannot both read stdin`);
  const records = resolve.flatMap((text) => {
    const r = resolveFlagRecords(text);
    return typeof r === "string" ? refuse(r) : r;
  });
  return { file, resolve: records };
}

/** The options of a command whose input is not files (`enforce --kubernetes`: the cluster's API). */
export function filelessOptions(name: CommandName, given: Given): CommonOptions {
  if (given.has("filename")) refuse(`-f cannot be used with --kubernetes: the node agent reads the cluster's API, not files`);
  return { files: [], ...readingOptions(name, given) };
}

function readingOptions(name: CommandName, given: Given): ReadingOptions {
  return {
    output: parseOutput(name, one(given, "output")),
    verbose: given.has("verbose"),
    strict: given.has("strict"),
    podNetwork: parsePodNetwork(given.get("pod-cidr") ?? [DEFAULT_POD_CIDR]),
    podNetworkFrom: given.has("pod-cidr") ? "flag" : "default",
    ipBlockMatchesPods: parseBool("--ipblock-matches-pods", one(given, "ipblock-matches-pods") ?? "true"),
  };
}

/** The format asked for (or the command's default), refused when the command does not write it. */
export function parseOutput(name: CommandName, text: string | undefined): OutputFormat {
  const spec = commandSpec(name);
  const outputs: readonly string[] = spec.outputs;
  const format = text ?? spec.defaultOutput ?? "text";
  if (!outputs.includes(format)) refuse(`"portcullis ${name}" cannot write -o ${format}: use one of ${outputs.join(", ")}`);
  return format as OutputFormat;
}

export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) refuse(`invalid port "${text}": expected a number 1-65535`);
  return Number(text);
}

/** A port number, or a container port name (an IANA service name: lowercase, digits, '-', at most 15). */
export function parsePortOrName(text: string): number | string {
  if (/^[0-9]+$/.test(text)) return parsePort(text);
  if (!/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(text) || !/[a-z]/.test(text) || text.includes("--")) {
    refuse(`invalid port "${text}": expected a number 1-65535 or a port name (lowercase letters, digits and '-', at most 15)`);
  }
  return text;
}

/** `-n NAMESPACE` or `-A` (every namespace, the default for files): null means every namespace. */
export function namespaceScope(given: Given): string | null {
  const ns = one(given, "namespace");
  if (ns !== undefined && given.has("all-namespaces")) refuse(`-n and -A cannot be used together: -A means every namespace`);
  return ns ?? null;
}

export function parseProtocol(text: string): Protocol {
  const upper = text.toUpperCase();
  if (!isProtocol(upper)) refuse(`invalid protocol "${text}": expected TCP, UDP or SCTP`);
  return upper;
}

function parseBool(flag: string, text: string): boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  return refuse(`invalid value "${text}" for ${flag}: expected true or false`);
}

/** The union of CIDRs given to `flag`; host bits set are refused (the canonical form is suggested). */
export function parseCidrs(flag: string, texts: readonly string[]): AddressSet {
  let set = AddressSet.EMPTY;
  for (const text of texts) {
    const parsed = parseCidr(text);
    if (!parsed.ok) refuse(`invalid ${flag} "${text}": ${parsed.reason}`);
    if (parsed.hostBitsSet) refuse(`invalid ${flag} "${text}": host bits are set (did you mean ${formatCidr(parsed.cidr)}?)`);
    set = set.union(AddressSet.fromCidr(parsed.cidr));
  }
  return set;
}

/** An IP address for `--flag`, refused when it is not one. */
function parseFlagIp(flag: string, text: string): Ip {
  const ip = parseIp(text.trim());
  if (ip === undefined) refuse(`invalid --${flag} "${text}": expected an IP address`);
  return ip;
}

/** `--metadata IP` values (repeatable, comma-separated too). */
export function metadataFlag(given: Given): Ip[] {
  return list(given, "metadata", (s) => parseFlagIp("metadata", s)) ?? [];
}

/** `--metadata IP` and `--dns IP` values. */
export function wellKnownFlags(given: Given): WellKnownFlags {
  return { metadata: metadataFlag(given), dns: list(given, "dns", (s) => parseFlagIp("dns", s)) ?? [] };
}

function parsePodNetwork(texts: readonly string[]): AddressSet {
  return parseCidrs("--pod-cidr", texts);
}

/** `2s`, `500ms`, `2m`, or a number of seconds; refused when not a positive duration. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const ms = m === null ? NaN : Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  if (!(ms >= 1) || ms > 3_600_000) refuse(`invalid --${flag} "${text}": expected a duration such as 2s, 500ms or 2m (at most 1h)`);
  return Math.round(ms);
}
