import type { Location } from "../diag/location.js";
import type { RawDocument } from "../k8s/parse.js";
import { formatPath } from "../k8s/path.js";
import type { LiveObject } from "../kube/live.js";

/** How messages name a live object: `Pod production/web-7d9f`, `Node worker-1`. */
export function liveObjectName(o: LiveObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns === undefined || ns === "" ? "" : `${ns}/`}${o.metadata.name}`;
}

/**
 * A live object as the decoders read it: no file and no line (the API server has neither), so the
 * location names the object and keeps the field path.
 */
export function liveDocument(o: LiveObject): RawDocument {
  const file = liveObjectName(o);
  const locate = (path: readonly (string | number)[]): Location => ({ file, line: 0, column: 0, document: 0, path: formatPath(path) });
  return { file, document: 0, base: [], value: o, locate };
}
