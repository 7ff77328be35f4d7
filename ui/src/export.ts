/**
 * The drawn picture as a standalone SVG document, written from Cytoscape's positions and computed
 * styles (what is hidden by a filter is left out; highlights, dashes, arrowheads and labels kept).
 * Ours rather than a plugin: the one Cytoscape SVG plugin is GPL-3.0 (docs/dependencies.md).
 */
import type { Core, EdgeSingular, NodeSingular, Position } from "cytoscape";

const MARGIN = 24;
const HIGHLIGHT = "#ffb300";
const MATCH = "#00b8d4";

export function exportSvg(cy: Core): string {
  const shown = cy.elements().filter((el) => el.visible());
  const box = shown.boundingBox({});
  const [x, y, w, h] = box.w > 0 ? [box.x1 - MARGIN, box.y1 - MARGIN, box.w + 2 * MARGIN, box.h + 2 * MARGIN] : [0, 0, 100, 100];
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${n(x)} ${n(y)} ${n(w)} ${n(h)}" width="${n(w)}" height="${n(h)}" font-family="system-ui, sans-serif">`,
    `<title>Portcullis egress graph</title>`,
    `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="#ffffff"/>`,
    ...shown.nodes().filter((v) => v.isParent()).map(box2svg),
    ...shown.edges().map(edge2svg),
    ...shown.nodes().filter((v) => !v.isParent()).map(node2svg),
    `</svg>`,
  ];
  return parts.join("\n") + "\n";
}

function box2svg(v: NodeSingular): string {
  const b = v.boundingBox({ includeLabels: false });
  const label = text(String(v.data("label") ?? ""), b.x1 + b.w / 2, b.y1 + 16, 11, "bold");
  return `<g class="namespace" opacity="${v.style("opacity")}"><rect x="${n(b.x1)}" y="${n(b.y1)}" width="${n(b.w)}" height="${n(b.h)}" rx="6" fill="${v.style("background-color")}" stroke="${v.style("border-color")}" stroke-width="${px(v.style("border-width"))}"/>${label}</g>`;
}

function node2svg(v: NodeSingular): string {
  const p = v.position();
  const [w, h] = [v.width() + 2 * px(v.style("padding")), v.height() + 2 * px(v.style("padding"))];
  const paint = `fill="${v.style("background-color")}" stroke="${v.style("border-color")}" stroke-width="${px(v.style("border-width"))}"${dash(String(v.style("border-style")))}`;
  const mark = v.hasClass("highlighted") ? HIGHLIGHT : v.hasClass("match") ? MATCH : null;
  const under = mark === null ? "" : shape(String(v.style("shape")), p, w + 12, h + 12, `fill="${mark}" fill-opacity="0.45"`);
  const size = px(v.style("font-size"));
  const lines = wrap(String(v.data("label") ?? ""), Math.max(8, Math.floor(px(v.style("text-max-width")) / (size * 0.6))));
  const label = text(lines.join("\n"), p.x, p.y - ((lines.length - 1) * (size + 2)) / 2 + size / 3, size, String(v.style("font-weight")));
  return `<g class="node" data-id="${esc(v.id())}" opacity="${v.style("opacity")}">${under}${shape(String(v.style("shape")), p, w, h, paint)}${label}</g>`;
}

function shape(kind: string, p: Position, w: number, h: number, paint: string): string {
  if (kind === "ellipse") return `<ellipse cx="${n(p.x)}" cy="${n(p.y)}" rx="${n(w / 2)}" ry="${n(h / 2)}" ${paint}/>`;
  if (kind === "octagon" || kind === "cut-rectangle" || kind.endsWith("tag")) {
    const c = Math.min(w, h) * 0.25;
    const [l, r, t, b] = [p.x - w / 2, p.x + w / 2, p.y - h / 2, p.y + h / 2];
    const points = kind.endsWith("tag") ? [[l, t], [r - c, t], [r, p.y], [r - c, b], [l, b]] : [[l + c, t], [r - c, t], [r, t + c], [r, b - c], [r - c, b], [l + c, b], [l, b - c], [l, t + c]];
    return `<polygon points="${points.map(([a, z]) => `${n(a ?? 0)},${n(z ?? 0)}`).join(" ")}" ${paint}/>`;
  }
  const rx = kind.startsWith("round") ? 5 : 0;
  return `<rect x="${n(p.x - w / 2)}" y="${n(p.y - h / 2)}" width="${n(w)}" height="${n(h)}" rx="${rx}" ${paint}/>`;
}

function edge2svg(e: EdgeSingular): string {
  const [s, t] = [e.sourceEndpoint(), e.targetEndpoint()];
  const controls = (e.controlPoints() as Position[] | undefined) ?? [];
  const c = controls.length === 1 ? controls[0] : undefined;
  const d = c === undefined ? `M${n(s.x)},${n(s.y)} ${controls.map((q) => `L${n(q.x)},${n(q.y)}`).join(" ")} L${n(t.x)},${n(t.y)}` : `M${n(s.x)},${n(s.y)} Q${n(c.x)},${n(c.y)} ${n(t.x)},${n(t.y)}`;
  const colour = String(e.style("line-color"));
  const width = px(e.style("width"));
  const before = controls[controls.length - 1] ?? s;
  const under = e.hasClass("highlighted") ? `<path d="${d}" fill="none" stroke="${HIGHLIGHT}" stroke-opacity="0.45" stroke-width="${n(width + 8)}"/>` : "";
  const line = `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${n(width)}"${dash(String(e.style("line-style")))}/>`;
  const heads = [arrow(String(e.style("target-arrow-shape")), before, t, colour, width), arrow(String(e.style("source-arrow-shape")), controls[0] ?? t, s, colour, width)];
  const mid = e.midpoint();
  heads.push(arrow(String(e.style("mid-target-arrow-shape")), s, mid, colour, width));
  const label = String(e.style("label") ?? "") === "" ? "" : text(String(e.data("label") ?? ""), mid.x, mid.y, 9, String(e.style("font-weight")));
  return `<g class="edge" data-id="${esc(e.id())}" data-style="${esc(String(e.data("style")))}" opacity="${e.style("opacity")}">${under}${line}${heads.join("")}${label}</g>`;
}

/** An arrowhead at `tip`, pointing away from `from`: triangle/vee, tee (blocked), circle, diamond. */
function arrow(kind: string, from: Position, tip: Position, colour: string, width: number): string {
  const len = Math.hypot(tip.x - from.x, tip.y - from.y) || 1;
  const [ux, uy] = [(tip.x - from.x) / len, (tip.y - from.y) / len];
  const size = 6 + width * 1.5;
  const at = (along: number, across: number): [number, number] => [tip.x - ux * along - uy * across, tip.y - uy * along + ux * across];
  const pts = (...points: [number, number][]): string => points.map(([a, b]) => `${n(a)},${n(b)}`).join(" ");
  switch (kind) {
    case "triangle":
      return `<polygon points="${pts(at(0, 0), at(size, size / 2), at(size, -size / 2))}" fill="${colour}"/>`;
    case "vee":
      return `<polygon points="${pts(at(0, 0), at(size, size / 2), at(size * 0.6, 0), at(size, -size / 2))}" fill="${colour}"/>`;
    case "tee": {
      const [[x1, y1], [x2, y2]] = [at(1, size / 1.5), at(1, -size / 1.5)];
      return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${colour}" stroke-width="${n(Math.max(2, width + 1))}"/>`;
    }
    case "circle": {
      const [cx, cy] = at(size / 2, 0);
      return `<circle cx="${n(cx)}" cy="${n(cy)}" r="${n(size / 2.5)}" fill="${colour}"/>`;
    }
    case "diamond":
      return `<polygon points="${pts(at(0, 0), at(size / 2, size / 2), at(size, 0), at(size / 2, -size / 2))}" fill="${colour}"/>`;
    default:
      return "";
  }
}

function text(content: string, x: number, y: number, size: number, weight: string): string {
  const lines = content.split("\n");
  const spans = lines.map((line, i) => `<tspan x="${n(x)}" dy="${i === 0 ? 0 : size + 2}">${esc(line)}</tspan>`).join("");
  return `<text x="${n(x)}" y="${n(y)}" font-size="${size}" font-weight="${esc(weight)}" text-anchor="middle" stroke="#ffffff" stroke-width="3" paint-order="stroke" fill="#1d2329">${spans}</text>`;
}

/** The label's lines, each broken at spaces to about `width` characters (as Cytoscape's text-max-width does). */
function wrap(label: string, width: number): string[] {
  return label.split("\n").flatMap((line) => {
    const out: string[] = [];
    let current = "";
    for (const word of line.split(" ")) {
      if (current !== "" && current.length + 1 + word.length > width) {
        out.push(current);
        current = word;
      } else current = current === "" ? word : `${current} ${word}`;
    }
    return [...out, current];
  });
}

function dash(style: string): string {
  if (style === "dashed") return ` stroke-dasharray="6 4"`;
  if (style === "dotted") return ` stroke-dasharray="1.5 3"`;
  return "";
}

const px = (value: unknown): number => Number.parseFloat(String(value)) || 0;
const n = (value: number): string => String(Math.round(value * 10) / 10);
const esc = (value: string): string => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
