/**
 * How the graph looks. Never colour alone: every kind of node has its own shape, every edge style
 * its own line (dashes, dots, width) and arrowhead, every diff mark a sign in its label.
 */
import type { StylesheetJson } from "cytoscape";

const GREEN = "#2e7d32";
const RED = "#b3261e";
const AMBER = "#9a6700";
const PURPLE = "#6a1b9a";
const TEAL = "#00695c";
const GREY = "#6b7785";
const SELECT = "#1565c0";

const nodes: StylesheetJson = [
  { selector: "node", style: { label: "data(label)", "font-size": 11, "text-valign": "center", "text-halign": "center", "text-wrap": "wrap", "text-max-width": "240px", shape: "round-rectangle", width: "label", height: "label", padding: "8px", "background-color": "#dfe9f5", "border-width": 1, "border-color": "#5b7fa8", "min-zoomed-font-size": 6 } },
  { selector: "node[kind = 'namespace']", style: { "text-valign": "top", "text-halign": "center", "background-color": "#f4f6f8", "border-color": "#8a96a3", "font-weight": "bold" } },
  { selector: "node.collapsed", style: { "text-valign": "center", shape: "round-rectangle", "background-color": "#e8edf2", "border-width": 2, "border-style": "double", "border-color": "#56636f", padding: "12px", "font-size": 16, "min-zoomed-font-size": 0 } },
  { selector: "node[kind = 'addresses']", style: { shape: "cut-rectangle", "background-color": "#fff3e0", "border-color": "#a86b00" } },
  { selector: "node[kind = 'internet']", style: { shape: "ellipse", "background-color": "#fdecea", "border-color": RED, "border-width": 2, padding: "14px" } },
  { selector: "node[kind = 'metadata']", style: { shape: "octagon", "background-color": "#fdecea", "border-color": RED, "border-width": 2, padding: "12px" } },
  { selector: "node[kind = 'anywhere']", style: { shape: "ellipse", "background-color": "#fff8e1", "border-color": AMBER, "border-style": "dashed", "border-width": 2, padding: "12px" } },
  { selector: "node[kind = 'domain']", style: { shape: "round-tag", "background-color": "#e0f2f1", "border-color": TEAL, padding: "10px" } },
];

const edges: StylesheetJson = [
  { selector: "edge", style: { label: "data(label)", "font-size": 9, "text-wrap": "wrap", "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": "1px", "min-zoomed-font-size": 7, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 1.1, width: 1.5, "line-color": GREEN, "target-arrow-color": GREEN } },
  { selector: "edge[style = 'blocked']", style: { "line-style": "dashed", "line-dash-pattern": [6, 4], "line-color": RED, "target-arrow-color": RED, "target-arrow-shape": "tee" } },
  { selector: "edge[style = 'unrestricted']", style: { "line-color": AMBER, "target-arrow-color": AMBER, "target-arrow-shape": "vee", width: 2.5 } },
  { selector: "edge[style = 'guardrail-accepted']", style: { "line-color": PURPLE, "target-arrow-color": PURPLE, "mid-target-arrow-shape": "diamond", "mid-target-arrow-color": PURPLE, width: 3.5 } },
  { selector: "edge[style = 'guardrail-denied']", style: { "line-style": "dashed", "line-dash-pattern": [10, 4], "line-color": PURPLE, "target-arrow-color": PURPLE, "target-arrow-shape": "tee", "mid-target-arrow-shape": "diamond", "mid-target-arrow-color": PURPLE, width: 3.5 } },
  { selector: "edge[style = 'domain-accepted']", style: { "line-color": TEAL, "target-arrow-color": TEAL, "source-arrow-shape": "circle", "source-arrow-color": TEAL } },
  { selector: "edge[style = 'domain-denied']", style: { "line-style": "dashed", "line-color": TEAL, "target-arrow-color": TEAL, "target-arrow-shape": "tee", "source-arrow-shape": "circle", "source-arrow-color": TEAL } },
  { selector: "edge[style = 'resolves']", style: { "line-style": "dotted", "line-color": GREY, "target-arrow-color": GREY, "target-arrow-shape": "vee", width: 1.5 } },
  { selector: "edge.folded", style: { width: "mapData(folded, 2, 50, 2, 7)", "font-weight": "bold" } },
  { selector: "edge.folded[style = 'blocked']", style: { opacity: 0.6 } },
  { selector: "edge.quiet", style: { label: "" } },
];

const marks: StylesheetJson = [
  { selector: "node.change-added", style: { "border-width": 4 } },
  { selector: "edge.change-added", style: { width: 4 } },
  { selector: "node.change-removed", style: { opacity: 0.5, "border-style": "dashed" } },
  { selector: "edge.change-removed", style: { opacity: 0.5, "line-style": "dashed", "line-dash-pattern": [3, 5] } },
  { selector: "edge.change-widened", style: { width: 4.5, "font-weight": "bold" } },
  { selector: "edge.change-narrowed", style: { width: 1, "font-style": "italic" } },
  { selector: ".hidden", style: { display: "none" } },
  { selector: ".dimmed", style: { opacity: 0.2 } },
  { selector: "node.highlighted", style: { "underlay-color": "#ffb300", "underlay-opacity": 0.45, "underlay-padding": 6, "border-width": 3 } },
  { selector: "edge.highlighted", style: { "underlay-color": "#ffb300", "underlay-opacity": 0.45, "underlay-padding": 4, width: 4 } },
  { selector: "node.match", style: { "underlay-color": "#00b8d4", "underlay-opacity": 0.4, "underlay-padding": 5, "font-weight": "bold" } },
  { selector: "node:selected", style: { "border-color": SELECT, "border-width": 3, "overlay-color": SELECT, "overlay-opacity": 0.12 } },
  { selector: "edge:selected", style: { "overlay-color": SELECT, "overlay-opacity": 0.2, width: 4 } },
];

export const GRAPH_STYLE: StylesheetJson = [...nodes, ...edges, ...marks];
