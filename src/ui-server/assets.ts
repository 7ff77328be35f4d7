/**
 * The page's files, served from the package: the page (ui/), its compiled scripts (dist/ui/), and the
 * libraries it draws with, from node_modules (no CDN: nothing leaves the machine).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export interface Asset {
  readonly path: string;
  readonly type: string;
}

const JS = "text/javascript; charset=utf-8";

/** This file is dist/src/ui-server/assets.js: the package root is three folders up. */
const root = new URL("../../../", import.meta.url);
const require = createRequire(import.meta.url);

function packaged(relative: string, type: string): Asset {
  return { path: fileURLToPath(new URL(relative, root)), type };
}

function library(specifier: string): Asset {
  return { path: require.resolve(specifier), type: JS };
}

/** URL path → file. Every file the page loads is listed here; anything else is 404. */
export function assetTable(): ReadonlyMap<string, Asset> {
  return new Map<string, Asset>([
    ["/", packaged("ui/index.html", "text/html; charset=utf-8")],
    ["/app.css", packaged("ui/app.css", "text/css; charset=utf-8")],
    ["/vendor/cytoscape.min.js", library("cytoscape/dist/cytoscape.min.js")],
    ["/vendor/elk-api.js", library("elkjs/lib/elk-api.js")],
    ["/vendor/elk-worker.min.js", library("elkjs/lib/elk-worker.min.js")],
  ]);
}

/** `/app/NAME.js`: a module of the page's script (ui/src/NAME.ts compiled by ui/tsconfig.json to dist/page/ui/src/NAME.js); null for any other path. */
export function appModule(urlPath: string): Asset | null {
  const match = /^\/app\/([a-z0-9-]+\.js)$/.exec(urlPath);
  return match === null ? null : packaged(`dist/page/ui/src/${match[1] ?? ""}`, JS);
}
