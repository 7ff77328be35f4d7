/** `ADDR:PORT` (`[v6]:PORT` for IPv6) → host and port, or why not. */
export function parseListen(text: string): { readonly host: string; readonly port: number } | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) return `--listen: "${text}" is not ADDR:PORT (e.g. 0.0.0.0:9842, 127.0.0.1:0, [::]:9842)`;
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}
