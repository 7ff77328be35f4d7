import { messages } from "../diag/catalogue.js";
import type { Service, ServicePort, ServiceType } from "../model/cluster.js";
import { type Ip, parseIp } from "../net/ip.js";
import { codes } from "./codes.js";
import type { ObjectHeader } from "./header.js";
import { checkPortName, readPortNumber, readProtocol } from "./policy-port.js";
import { type Field, type Reader, child, isAbsent, missing, readItemMap, readItemString, readList, readString } from "./reader.js";
import { readStringMap } from "./selector.js";
import { describeValue } from "./values.js";

export function readService(r: Reader, header: ObjectHeader): Service | undefined {
  const spec = child(r.root(), "spec");
  // "If empty or not present, the service is assumed to have an external process managing its endpoints."
  const selector = readStringMap(r, child(spec, "selector"), true);
  const ports: ServicePort[] = [];
  for (const item of readList(r, child(spec, "ports")) ?? []) {
    const port = readServicePort(r, item);
    if (port !== undefined) ports.push(port);
  }
  const clusterIps = readClusterIps(r, spec);
  const type = readServiceType(r, child(spec, "type"));
  // "externalName is the external reference that discovery mechanisms will return as an alias for this service"; "Requires `type` to be `ExternalName`."
  const externalName = readString(r, child(spec, "externalName"));
  if (r.failed || type === undefined) return undefined;
  return {
    namespace: header.ref.namespace,
    name: header.ref.name,
    selector: selector === undefined || selector.size === 0 ? null : selector,
    ports,
    clusterIps,
    type,
    headless: type !== "ExternalName" && readItemString(r, child(spec, "clusterIP")) === "None",
    externalName: type === "ExternalName" ? (externalName ?? "") : null,
    at: r.at([]),
  };
}

const SERVICE_TYPES: readonly ServiceType[] = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];

/** `spec.type`: "Defaults to ClusterIP." */
function readServiceType(r: Reader, field: Field): ServiceType | undefined {
  const text = readString(r, field);
  if (text === undefined) return isAbsent(field) ? "ClusterIP" : undefined;
  const type = SERVICE_TYPES.find((t) => t === text);
  if (type === undefined) r.error(codes.unknownServiceType, messages.unknownServiceType(text), field.path);
  return type;
}

function readServicePort(r: Reader, field: Field): ServicePort | undefined {
  if (readItemMap(r, field) === undefined) return undefined;
  const portField = child(field, "port");
  const port = readPortNumber(r, portField);
  if (port === undefined && isAbsent(portField)) missing(r, portField);
  const protocol = readProtocol(r, child(field, "protocol"));
  const name = readString(r, child(field, "name"));
  const targetPort = readTargetPort(r, child(field, "targetPort"));
  if (port === undefined || protocol === undefined || targetPort === null) return undefined;
  // "targetPort ... If this is not specified, the value of the 'port' field is used."
  const base = { port, protocol, targetPort: targetPort ?? port };
  return name === undefined || name === "" ? base : { ...base, name };
}

/** A number, a container port name, undefined when absent, null when invalid. */
function readTargetPort(r: Reader, field: Field): number | string | undefined | null {
  if (isAbsent(field)) return undefined;
  if (typeof field.value === "string") return checkPortName(r, field.value, field) ? field.value : null;
  if (typeof field.value === "number") return readPortNumber(r, field) ?? null;
  r.error(codes.wrongType, messages.wrongType("a port number or name", describeValue(field.value)), field.path);
  return null;
}

/** `spec.clusterIPs`, else `spec.clusterIP`; "None" (headless) and "" are no address. */
function readClusterIps(r: Reader, spec: Field): Ip[] {
  const fields: Field[] = [...(readList(r, child(spec, "clusterIPs")) ?? []), child(spec, "clusterIP")];
  const out: Ip[] = [];
  for (const field of fields) {
    const text = readItemString(r, field);
    if (text === undefined || text === "" || text === "None") continue;
    const ip = parseIp(text);
    if (ip === undefined) r.error(codes.invalidIp, messages.invalidIp(text), field.path);
    else if (!out.some((o) => o.family === ip.family && o.value === ip.value)) out.push(ip);
  }
  return out;
}
