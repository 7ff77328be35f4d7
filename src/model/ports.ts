export type Protocol = "TCP" | "UDP" | "SCTP";

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export function isProtocol(text: string): text is Protocol {
  return (PROTOCOLS as readonly string[]).includes(text);
}

/** A container port a pod declares: the target of named ports. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * What a NetworkPolicyPort matches on its protocol:
 * - `any`: "If this field is not provided, this matches all port names and numbers."
 * - `range`: a number, or `port`..`endPort` inclusive.
 * - `named`: resolved against the destination pod's container ports (name and protocol).
 */
export type PortMatch =
  | { readonly kind: "any" }
  | { readonly kind: "range"; readonly from: number; readonly to: number }
  | { readonly kind: "named"; readonly name: string };

export function formatPortMatch(m: PortMatch): string {
  switch (m.kind) {
    case "any":
      return "any port";
    case "range":
      return m.from === m.to ? String(m.from) : `${m.from}-${m.to}`;
    case "named":
      return m.name;
  }
}
