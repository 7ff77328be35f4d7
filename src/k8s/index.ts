/** The input layer's pure part: YAML text to a Cluster, with diagnostics. */
export { codes, type Code } from "./codes.js";
export { type DecodeResult, decodeCluster } from "./decode.js";
export { MAX_NESTING } from "./depth.js";
export { loadCluster } from "./load.js";
export { type ParsedSource, type RawDocument, type Source, locateText, parseDocuments } from "./parse.js";
export { type FieldPath, type Segment, formatPath, parsePath } from "./path.js";
