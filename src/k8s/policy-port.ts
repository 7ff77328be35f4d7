import { messages } from "../diag/catalogue.js";
import type { PolicyPort } from "../model/cluster.js";
import { type PortMatch, type Protocol, isProtocol } from "../model/ports.js";
import { codes } from "./codes.js";
import { type Field, type Reader, checkFields, child, isAbsent, readInteger, readItemMap, readString } from "./reader.js";
import { describeValue } from "./values.js";
import { isValidPortName, isValidPortNumber } from "./validate.js";

/**
 * "protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not
 * specified, this field defaults to TCP." Case-sensitive, as the API server compares it.
 */
export function readProtocol(r: Reader, field: Field): Protocol | undefined {
  const text = readString(r, field);
  if (text === undefined) return isAbsent(field) ? "TCP" : undefined;
  if (isProtocol(text)) return text;
  r.error(codes.unknownProtocol, messages.unknownProtocol(text), field.path);
  return undefined;
}

/** A port number that must lie in 1-65535 (IsValidPortNum). */
export function readPortNumber(r: Reader, field: Field): number | undefined {
  const port = readInteger(r, field);
  if (port === undefined) return undefined;
  if (isValidPortNumber(port)) return port;
  r.error(codes.portOutOfRange, messages.portOutOfRange(port), field.path);
  return undefined;
}

/** An IANA_SVC_NAME; a string of digits gets its own message, as `"80"` is a common slip. */
export function checkPortName(r: Reader, name: string, field: Field): boolean {
  if (isValidPortName(name)) return true;
  const message = /^[0-9]+$/.test(name) ? messages.numericPortName(name) : messages.invalidPortName(name);
  r.error(codes.invalidPortName, message, field.path);
  return false;
}

/** A NetworkPolicyPort (`null` reads as `{}`: every TCP port). */
export function readPolicyPort(r: Reader, field: Field): PolicyPort | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  const before = r.errorCount;
  checkFields(r, field, record, ["protocol", "port", "endPort"]);
  const protocol = readProtocol(r, child(field, "protocol"));
  const port = readPortMatch(r, child(field, "port"), child(field, "endPort"));
  if (protocol === undefined || port === undefined || r.errorCount > before) return undefined;
  return { protocol, port, at: r.at(field.path) };
}

function readPortMatch(r: Reader, portField: Field, endPortField: Field): PortMatch | undefined {
  const endPort = isAbsent(endPortField) ? undefined : readPortNumber(r, endPortField);
  const value = portField.value;
  if (isAbsent(portField)) {
    // "If this field is not provided, this matches all port names and numbers."
    // "endPort ... The endPort must be equal or greater than port." — and requires a numeric port.
    if (!isAbsent(endPortField)) r.error(codes.endPortWithoutPort, messages.endPortWithoutNumber(), endPortField.path);
    return { kind: "any" };
  }
  if (typeof value === "string") {
    // "port represents the port on the given protocol. This can either be a numerical or named
    // port on a pod." A named port cannot take an endPort.
    if (!isAbsent(endPortField)) r.error(codes.endPortWithoutPort, messages.endPortWithoutNumber(), endPortField.path);
    return checkPortName(r, value, portField) ? { kind: "named", name: value } : undefined;
  }
  if (typeof value !== "number") {
    r.error(codes.wrongType, messages.wrongType("a port number or name", describeValue(value)), portField.path);
    return undefined;
  }
  const port = readPortNumber(r, portField);
  if (port === undefined) return undefined;
  if (isAbsent(endPortField)) return { kind: "range", from: port, to: port };
  if (endPort === undefined) return undefined;
  // "endPort indicates that the range of ports from port to endPort if set, inclusive, should be
  // allowed by the policy. ... The endPort must be equal or greater than port."
  if (endPort < port) {
    r.error(codes.endPortBelowPort, messages.endPortBelowPort(endPort, port), endPortField.path);
    return undefined;
  }
  return { kind: "range", from: port, to: endPort };
}
