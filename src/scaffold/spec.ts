/**
 * The `--allow-to` grammar (docs/scaffold.md):
 *
 *   SPEC        = DESTINATION [ ":" PORTS ]
 *   DESTINATION = CIDR                          203.0.113.0/24, 0.0.0.0/0, 2001:db8::/32
 *               | NAMESPACE "/" PODS            db/app=postgres, db/*
 *   PODS        = "*" | KEY "=" VALUE { "," KEY "=" VALUE }
 *   PORTS       = PORT { "," PORT }
 *   PORT        = NUMBER [ "-" NUMBER ] [ "/" PROTOCOL ]      443, 53/UDP, 8000-8080/TCP
 *
 * PORTS start at the first ":" after the first "/" (IPv6 colons come before the "/"; label keys and
 * values hold no ":"). No PORTS: every port. PROTOCOL is TCP, UDP or SCTP in any case; default TCP.
 */
import { dns1123LabelProblem, labelKeyProblem, labelValueProblem } from "../k8s/validate.js";
import type { Protocol } from "../model/ports.js";
import { type Cidr, formatCidr, parseCidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { scaffoldMessages as m } from "./messages.js";

export type AllowDestination =
  | { readonly kind: "cidr"; readonly cidr: Cidr }
  /** `labels` empty: every pod of the namespace. */
  | { readonly kind: "pods"; readonly namespace: string; readonly labels: readonly (readonly [string, string])[] };

export interface AllowPort {
  readonly protocol: Protocol;
  readonly from: number;
  readonly to: number;
}

export interface AllowSpec {
  /** The specification as written. */
  readonly text: string;
  readonly destination: AllowDestination;
  readonly ports: readonly AllowPort[] | "all";
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

function parseCidrDestination(text: string): Parsed<AllowDestination> {
  const r = parseCidr(text);
  if (!r.ok) return fail(m.cidr(text, r.reason));
  // The API server masks host bits; a policy should say what it means.
  if (r.hostBitsSet) return fail(m.hostBits(text, formatCidr(r.cidr)));
  return ok({ kind: "cidr", cidr: r.cidr });
}

function parsePods(namespace: string, selector: string): Parsed<AllowDestination> {
  const nsProblem = dns1123LabelProblem(namespace);
  if (nsProblem !== undefined) return fail(m.specNamespace(namespace, nsProblem));
  if (selector === "*") return ok({ kind: "pods", namespace, labels: [] });
  const labels: [string, string][] = [];
  for (const pair of selector.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return fail(m.selector(selector));
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) return fail(m.labelKey(key, keyProblem));
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) return fail(m.labelValue(value, valueProblem));
    if (labels.some(([k]) => k === key)) return fail(m.duplicateKey(key));
    labels.push([key, value]);
  }
  return ok({ kind: "pods", namespace, labels });
}

const PROTOCOLS: Readonly<Record<string, Protocol>> = { TCP: "TCP", UDP: "UDP", SCTP: "SCTP" };

function parsePortNumber(text: string): Parsed<number> {
  const n = /^[1-9]\d{0,4}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= 65535 ? ok(n) : fail(m.portNumber(text));
}

function parsePort(text: string): Parsed<AllowPort> {
  const match = /^([^-/]+)(?:-([^/]+))?(?:\/(.*))?$/.exec(text);
  if (match === null) return fail(m.ports(text));
  const [, fromText = "", toText, protocolText] = match;
  const from = parsePortNumber(fromText);
  if (!from.ok) return from;
  const to = toText === undefined ? from : parsePortNumber(toText);
  if (!to.ok) return to;
  if (to.value < from.value) return fail(m.portRange(from.value, to.value));
  const protocol = protocolText === undefined ? "TCP" : PROTOCOLS[protocolText.toUpperCase()];
  if (protocol === undefined) return fail(m.protocol(protocolText ?? ""));
  return ok({ protocol, from: from.value, to: to.value });
}

function parsePorts(text: string): Parsed<readonly AllowPort[]> {
  if (text === "") return fail(m.ports(text));
  const out: AllowPort[] = [];
  for (const part of text.split(",")) {
    const port = parsePort(part);
    if (!port.ok) return port;
    if (!out.some((p) => p.protocol === port.value.protocol && p.from === port.value.from && p.to === port.value.to)) out.push(port.value);
  }
  return ok(out);
}

/** Parses one `--allow-to` specification; the message says what is wrong. */
export function parseAllowSpec(text: string): Parsed<AllowSpec> {
  const spec = text.trim();
  if (spec === "") return fail(m.empty());
  const slash = spec.indexOf("/");
  if (slash < 0) return fail(m.noSlash());
  const colon = spec.indexOf(":", slash);
  const destinationText = colon < 0 ? spec : spec.slice(0, colon);
  const head = spec.slice(0, slash);
  const destination =
    parseIp(head) !== undefined ? parseCidrDestination(destinationText) : parsePods(head, destinationText.slice(slash + 1));
  if (!destination.ok) return destination;
  if (colon < 0) return ok({ text: spec, destination: destination.value, ports: "all" });
  const ports = parsePorts(spec.slice(colon + 1));
  if (!ports.ok) return ports;
  return ok({ text: spec, destination: destination.value, ports: ports.value });
}
