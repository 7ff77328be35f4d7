/** `--to IP[:PORT[/PROTOCOL]]` (IPv6 in brackets when a port follows: `[2001:db8::1]:443/TCP`). Pure. */
import { isProtocol } from "../model/ports.js";
import { parseIp } from "../net/ip.js";
import type { ExternalTarget } from "./types.js";

export type ToParse = { readonly ok: true; readonly target: ExternalTarget } | { readonly ok: false; readonly message: string };

const SHAPE = /^(?:\[(?<v6>[^\]]+)\]|(?<plain>[^:/[\]]+))(?::(?<port>[^/]*)(?:\/(?<proto>.*))?)?$/;

export function parseTo(text: string): ToParse {
  const bare = parseIp(text);
  if (bare !== undefined) return { ok: true, target: { ip: bare } };
  const m = SHAPE.exec(text);
  const address = m?.groups?.["v6"] ?? m?.groups?.["plain"];
  if (m === null || address === undefined) return { ok: false, message: `"${text}" is not IP[:PORT[/PROTOCOL]]` };
  const ip = parseIp(address);
  if (ip === undefined) return { ok: false, message: `"${address}" is not an IP address` };
  if (m.groups?.["v6"] !== undefined && ip.family !== 6) return { ok: false, message: `brackets are for IPv6 addresses, not "${address}"` };
  const portText = m.groups?.["port"];
  if (portText === undefined) return { ok: true, target: { ip } };
  if (!/^[1-9]\d{0,4}$/.test(portText) || Number(portText) > 65535) return { ok: false, message: `port "${portText}" is not 1-65535` };
  const protoText = (m.groups?.["proto"] ?? "TCP").toUpperCase();
  if (!isProtocol(protoText)) return { ok: false, message: `protocol "${m.groups?.["proto"] ?? ""}" is not TCP, UDP or SCTP` };
  return { ok: true, target: { ip, port: { port: Number(portText), protocol: protoText } } };
}
