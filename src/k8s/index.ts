/** The input layer's pure part: YAML text to a Cluster, with diagnostics. */
export { decodeCluster } from "./decode.js";
export { type RawDocument, parseDocuments } from "./parse.js";
