import { type Ip, parseIp } from "../net/ip.js";

/** `ADDR:PORT` (`[v6]:PORT` for IPv6) → host and port, or why not. */
export function parseListen(text: string): { readonly host: string; readonly port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) return `--listen: "${text}" is not ADDR:PORT (e.g. 0.0.0.0:9842, 127.0.0.1:0, [::]:9842)`;
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}

/** `--dns-hold-max` by default: an answer waits at most this long for its elements (a commit takes about a millisecond). */
export const DEFAULT_HOLD_MAX_MS = 1000;

/** `--dns-proxy ADDR:PORT`: a node address (the DNAT target, not unspecified, not loopback) and a port; or why not. */
export function parseDnsProxy(host: string, port: number): { readonly address: Ip; readonly port: number } | string {
  const address = parseIp(host);
  if (address === undefined) return `--dns-proxy: "${host}" is not an IP address (the proxy's address on this node, the DNAT target)`;
  if (address.value === 0n) return `--dns-proxy: ${host} is the unspecified address; give an address of this node (the DNAT target of the pods' queries)`;
  const loopback = address.family === 4 ? address.value >> 24n === 127n : address.value === 1n;
  if (loopback) return `--dns-proxy: ${host} is a loopback address, which a packet from a pod cannot be sent to (martian); give another address of this node`;
  if (port === 0) return `--dns-proxy: give a port (the DNAT target needs one)`;
  return { address, port };
}
