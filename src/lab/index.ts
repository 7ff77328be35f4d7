/** The lab: a one-node cluster of network namespaces for proving enforcement with real packets. */
export { cleanupStale, labRemove, type RemoveResult } from "./cleanup.js";
export { type LabEntry, type LabStatus, listLabs } from "./inventory.js";
export { labAttach, labUp } from "./lab.js";
export { labPreflight } from "./preflight.js";
export { INTERNET } from "./types.js";
export type {
  DnsLookup,
  DnsTransport,
  DnsType,
  ExecOptions,
  ExecResult,
  Lab,
  LabOptions,
  LabPod,
  LabPort,
  LabSpec,
  LabStep,
  Preflight,
  ProbeOptions,
  ProbeOutcome,
  ProbeResult,
  ProbeTarget,
} from "./types.js";
