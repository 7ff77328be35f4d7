/**
 * The libraries the page loads as classic scripts (index.html, served from node_modules): Cytoscape
 * and ELK's API, as the globals they define. Only their types are imported.
 */
import type cytoscapeFn from "cytoscape";
import type { ELK as ElkApi, ELKConstructorArguments } from "elkjs/lib/elk-api.js";

declare global {
  interface Window {
    readonly cytoscape: typeof cytoscapeFn;
    readonly ELK: new (options?: ELKConstructorArguments) => ElkApi;
  }
}

export const cytoscape = (): typeof cytoscapeFn => window.cytoscape;
export const newElk = (options: ELKConstructorArguments): ElkApi => new window.ELK(options);
