import type { ConnSetJson } from "../analysis/connset.js";
import { PROTOCOLS } from "../model/ports.js";

/** `All Connections`, `TCP 80,8080-8090; UDP 53`, `TCP all ports`, or `none`. */
export function formatConns(conns: ConnSetJson): string {
  if (typeof conns === "string") return conns;
  const parts = PROTOCOLS.flatMap((p) => {
    const ports = conns[p];
    return ports === undefined ? [] : [`${p} ${ports === "1-65535" ? "all ports" : ports}`];
  });
  return parts.length === 0 ? "none" : parts.join("; ");
}
