/**
 * The OpenAPI v3 documents, reduced to what clients read from them: the root (/openapi/v3) listing a
 * document per group-version, and per resource the PATCH operation with its group-version-kind and
 * the `fieldValidation` query parameter. kubectl's validator asks exactly this (does the server do
 * field validation for this kind?) and, as against a real 1.27+ server, then validates nothing on the
 * client side. No schemas: a client that needs component schemas gets none.
 */
import { RESOURCES, groupVersion } from "./resources.js";

/** "api/v1", "apis/apps/v1": the root's keys. */
const docPath = (t: { readonly group: string; readonly version: string }): string => (t.group === "" ? `api/${t.version}` : `apis/${t.group}/${t.version}`);

export function openApiRoot(): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const t of RESOURCES) paths[docPath(t)] = { serverRelativeURL: `/openapi/v3/${docPath(t)}?hash=standin-${groupVersion(t).replace("/", "-")}` };
  return { paths };
}

/** The document of one group-version (path after /openapi/v3/), or undefined. */
export function openApiDocument(path: string): unknown {
  const types = RESOURCES.filter((t) => docPath(t) === path);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const item = t.namespaced ? `/${path}/namespaces/{namespace}/${t.resource}/{name}` : `/${path}/${t.resource}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${t.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: t.group, version: t.version, kind: t.kind },
        parameters: [
          { name: "dryRun", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "fieldManager", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "fieldValidation", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "force", in: "query", schema: { type: "boolean", uniqueItems: true } },
        ],
        responses: { "200": { description: "OK" } },
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas: {} } };
}
