/** `portcullis graph`: pure core. Build the egress graph from an engine, then draw it. */
export { buildEgressGraph, type DrawnGraph, drawEgressGraph } from "./build.js";
export { renderDot } from "./dot.js";
export { renderMermaid } from "./mermaid.js";
