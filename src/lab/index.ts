/** The lab: a one-node cluster of network namespaces for proving enforcement with real packets. */
export { labUp } from "./lab.js";
export type { Lab } from "./types.js";
