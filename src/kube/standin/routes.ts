/**
 * The REST API over the store: discovery (/api, /api/v1, /apis, /apis/G, /apis/G/V, /version) and,
 * per resource, list (limit/continue, resourceVersion, label and field selectors), watch, get,
 * create, update, merge patch and delete, each checked against the caller's RBAC rules first.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { WatchFault } from "./faults.js";
import { openApiDocument, openApiRoot } from "./openapi.js";
import { type Access, type Rule, allowed, forbiddenMessage } from "./rbac.js";
import { RESOURCES, type ResourceType, apiGroups, groupVersion, typeOfPath } from "./resources.js";
import { type FieldSelector, type LabelSelector, type Parsed, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import type { KubeObject, Store } from "./store.js";
import { serveWatch } from "./watch.js";
import { tableOf, wantsTable } from "./tables.js";
import { ApiError, type Pace, notFound, sendJson } from "./wire.js";

export interface Caller {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** What a subresource handler is given: the parent object (found) and the query. */
export interface SubresourceTarget {
  readonly namespace: string | null;
  readonly name: string;
  readonly object: KubeObject;
  readonly query: URLSearchParams;
}

/** Serves GET on a subresource (`pods/log`); errors thrown as ApiError. */
export type Subresource = (req: IncomingMessage, res: ServerResponse, target: SubresourceTarget) => Promise<void>;

/**
 * What the stand-in cluster plugs into the API server: mutating admission, graceful deletion (the
 * object marked, its owner removing it), subresources.
 */
export interface ApiHooks {
  /** Mutating admission on create, update and patch (and `apply`): the object to store; may throw ApiError. */
  readonly admit?: (obj: KubeObject, previous: KubeObject | undefined) => KubeObject;
  /**
   * Whether a DELETE only marks the object (metadata.deletionTimestamp, deletionGracePeriodSeconds)
   * for its owner to remove, as a pod bound to a kubelet's node is.
   */
  readonly deletesGracefully?: (obj: KubeObject) => boolean;
  /** GET handlers by "resource/subresource" (RBAC checks that name, verb get). */
  readonly subresources?: Readonly<Record<string, Subresource>>;
}

export interface ApiContext {
  readonly store: Store;
  readonly hooks: ApiHooks;
  readonly bookmarkIntervalMs: number;
  readonly pace: () => Pace;
  readonly watchFault: (path: string) => WatchFault | undefined;
  readonly version: { readonly major: string; readonly minor: string; readonly gitVersion: string };
}

type Route =
  | { readonly kind: "document"; readonly body: unknown }
  | { readonly kind: "resource"; readonly type: ResourceType; readonly namespace: string | null; readonly name: string | null; readonly subresource: string | null };

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function resourceList(group: string, version: string): unknown {
  const gv = groupVersion({ group, version });
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: RESOURCES.filter((t) => t.group === group && t.version === version).map((t) => ({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    })),
  };
}

function apiGroup(name: string, versions: readonly string[]): unknown {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** What a URL path names, or undefined (404). */
function route(path: string, ctx: ApiContext): Route | undefined {
  const parts = path.split("/").filter((p) => p !== "");
  const doc = (body: unknown): Route => ({ kind: "document", body });
  if (path === "/version") return doc({ ...ctx.version, gitCommit: "standin", gitTreeState: "clean", buildDate: "2026-01-01T00:00:00Z", goVersion: "go1.23", compiler: "gc", platform: "linux/amd64" });
  if (path === "/openapi/v3") return doc(openApiRoot());
  if (path.startsWith("/openapi/v3/")) {
    const body = openApiDocument(path.slice("/openapi/v3/".length));
    return body === undefined ? undefined : doc(body);
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === "api") {
    if (parts.length === 1) return doc({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] });
    group = "";
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis") {
    const groups = apiGroups();
    if (parts.length === 1) return doc({ kind: "APIGroupList", apiVersion: "v1", groups: groups.map((g) => apiGroup(g.name, g.versions)) });
    group = parts[1] ?? "";
    const served = groups.find((g) => g.name === group);
    if (served === undefined) return undefined;
    if (parts.length === 2) return doc({ kind: "APIGroup", apiVersion: "v1", ...(apiGroup(group, served.versions) as object) });
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (version === undefined || !RESOURCES.some((t) => t.group === group && t.version === version)) return undefined;
  if (rest.length === 0) return doc(resourceList(group, version));
  // namespaces/NS/RESOURCE[/NAME[/SUBRESOURCE]] or RESOURCE[/NAME[/SUBRESOURCE]]; only the hooked subresources are served.
  const scoped = rest[0] === "namespaces" && rest.length >= 3;
  const [namespace, resource, name, sub, extra] = scoped ? [rest[1] ?? null, rest[2], rest[3], rest[4], rest[5]] : [null, rest[0], rest[1], rest[2], rest[3]];
  if (extra !== undefined || resource === undefined) return undefined;
  const type = typeOfPath(group, version, resource);
  if (type === undefined || (namespace !== null && !type.namespaced)) return undefined;
  if (sub !== undefined && ctx.hooks.subresources?.[`${resource}/${sub}`] === undefined) return undefined;
  return { kind: "resource", type, namespace, name: name ?? null, subresource: sub ?? null };
}

const NOT_FOUND = new ApiError(404, "NotFound", "the server could not find the requested resource", {});

/** Serves one authenticated request; errors are thrown as ApiError. */
export async function serveApi(req: IncomingMessage, res: ServerResponse, url: URL, caller: Caller, ctx: ApiContext): Promise<void> {
  const r = route(url.pathname, ctx);
  if (r === undefined) throw NOT_FOUND;
  if (r.kind === "document") {
    if (req.method !== "GET") throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {});
    return sendJson(res, 200, r.body, ctx.pace());
  }
  const q = url.searchParams;
  const watching = q.get("watch") === "1" || q.get("watch") === "true";
  const verb = verbOf(req.method ?? "GET", r.name !== null, watching);
  // RequestInfo: /api/v1/namespaces/NAME is in the namespace NAME (a RoleBinding there can grant reading it).
  const namespace = r.type.resource === "namespaces" && r.name !== null ? r.name : r.namespace;
  const resource = r.subresource === null ? r.type.resource : `${r.type.resource}/${r.subresource}`;
  const access: Access = { verb, group: r.type.group, resource, namespace, ...(r.name === null || verb === "create" ? {} : { name: r.name }) };
  if (!allowed(caller.rules, access)) {
    throw new ApiError(403, "Forbidden", forbiddenMessage(caller.name, access), { ...(access.name === undefined ? {} : { name: access.name }), ...(r.type.group === "" ? {} : { group: r.type.group }), kind: r.type.resource });
  }
  if (r.subresource !== null) {
    const handler = ctx.hooks.subresources?.[resource];
    if (handler === undefined || verb !== "get") throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {});
    const object = ctx.store.get(r.type, r.namespace ?? undefined, r.name ?? "");
    if (object === undefined) throw notFound(r.type.resource, r.type.group, r.name ?? "");
    return handler(req, res, { namespace: r.namespace, name: r.name ?? "", object, query: q });
  }
  const table = wantsTable(req) ? tableOf(r.type) : undefined;
  switch (verb) {
    case "list": {
      const listed = list(ctx.store, r.type, r.namespace, q);
      return sendJson(res, 200, table === undefined ? listed : table(listed.items as KubeObject[], listed.metadata, q.get("includeObject")), ctx.pace());
    }
    case "watch":
      return watch(res, url, r.type, r.namespace, r.name, ctx, table === undefined ? undefined : (o) => table([o], {}, q.get("includeObject")));
    case "get": {
      const o = ctx.store.get(r.type, r.namespace ?? undefined, r.name ?? "");
      if (o === undefined) throw notFound(r.type.resource, r.type.group, r.name ?? "");
      return sendJson(res, 200, table === undefined ? o : table([o], { resourceVersion: o.metadata.resourceVersion ?? "" }, q.get("includeObject")), ctx.pace());
    }
    case "create":
    case "update":
    case "patch":
    case "delete":
      return write(req, res, verb, r.type, r.namespace, r.name, q.get("dryRun") === "All", ctx);
    default:
      throw new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`, {});
  }
}

function verbOf(method: string, named: boolean, watching: boolean): string {
  if (method === "GET") return watching ? "watch" : named ? "get" : "list";
  if (method === "POST" && !named) return "create";
  if (method === "PUT" && named) return "update";
  if (method === "PATCH" && named) return "patch";
  if (method === "DELETE") return named ? "delete" : "deletecollection";
  return method.toLowerCase();
}

function selectors(q: URLSearchParams, type: ResourceType): { labels: LabelSelector; fields: FieldSelector } {
  const ok = <T>(p: Parsed<T>): T => {
    if (!p.ok) throw new ApiError(400, "BadRequest", p.message);
    return p.value;
  };
  return { labels: ok(parseLabelSelector(q.get("labelSelector") ?? "")), fields: ok(parseFieldSelector(q.get("fieldSelector") ?? "", type)) };
}

/** A continue token as etcd3's storage encodes it: base64url of `{"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}`. */
interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

const encodeContinue = (t: ContinueToken): string => Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: t.rv, start: t.start })).toString("base64url");

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as { v?: unknown; rv?: unknown; start?: unknown };
    if (t.v === "meta.k8s.io/v1" && typeof t.rv === "number" && typeof t.start === "string") return { rv: t.rv, start: t.start };
  } catch {
    // fall through
  }
  throw new ApiError(400, "BadRequest", `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
}

const CONTINUE_EXPIRED =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

function parseRv(text: string): number {
  if (!/^\d+$/.test(text)) throw new ApiError(400, "BadRequest", `invalid resource version "${text}"`);
  return Number(text);
}

/** List as etcd3 storage pages it: `limit` keys at a time from a snapshot, the continue token holding the snapshot's resourceVersion and the next key. */
function list(store: Store, type: ResourceType, namespace: string | null, q: URLSearchParams): { kind: string; apiVersion: string; metadata: Record<string, unknown>; items: unknown[] } {
  const { labels, fields } = selectors(q, type);
  const limit = q.has("limit") ? Number(q.get("limit")) : 0;
  const rvParam = q.get("resourceVersion") ?? "";
  const cont = q.get("continue") ?? "";
  let at: number;
  let start = "";
  if (cont !== "") {
    if (rvParam !== "") throw new ApiError(400, "BadRequest", "specifying resource version is not allowed when using continue");
    const token = decodeContinue(cont);
    if (token.rv < store.oldest) throw new ApiError(410, "Expired", CONTINUE_EXPIRED, {}, encodeContinue({ rv: store.rv, start: token.start }));
    at = token.rv;
    start = token.start;
  } else if (rvParam !== "" && q.get("resourceVersionMatch") === "Exact") {
    at = parseRv(rvParam);
    if (at < store.oldest) throw new ApiError(410, "Expired", "The resourceVersion for the provided list is too old.", {});
  } else {
    if (rvParam !== "" && parseRv(rvParam) > store.rv) {
      throw new ApiError(504, "Timeout", `Too large resource version: ${rvParam}, current: ${store.rv}`, { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 });
    }
    at = store.rv;
  }
  const listing = store.list(type, at);
  if (listing === undefined) throw new ApiError(410, "Expired", CONTINUE_EXPIRED, {});
  // A namespace's keys are contiguous ("ns/name"): from the first at or after max(prefix, start) while the prefix holds.
  const prefix = namespace === null ? "" : `${namespace}/`;
  const keys = listing.keys;
  const end = lowerBound(keys, `${prefix}\uffff`);
  const items: KubeObject[] = [];
  let next: string | undefined;
  let i = lowerBound(keys, start > prefix ? start : prefix);
  for (; i < end && (limit === 0 || items.length < limit); i++) {
    const key = keys[i] as string;
    const object = listing.objects.get(key) as KubeObject;
    if (matchesLabels(labels, object.metadata.labels ?? {}) && matchesFields(fields, object)) items.push(object);
  }
  // Items left: the next page starts just after the last key read (etcd3's `start: key + "\x00"`).
  if (i < end) next = `${keys[i - 1] as string}\u0000`;
  const remaining = end - i;
  const filtered = labels.length > 0 || fields.length > 0;
  return {
    kind: `${type.kind}List`,
    apiVersion: groupVersion(type),
    metadata: {
      resourceVersion: String(at),
      ...(next === undefined ? {} : { continue: encodeContinue({ rv: at, start: next }), ...(filtered ? {} : { remainingItemCount: remaining }) }),
    },
    items: items.map((o) => (type.builtin ? withoutTypeMeta(o) : o)),
  };
}

/** The index of the first key not below `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function withoutTypeMeta(o: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

function watch(res: ServerResponse, url: URL, type: ResourceType, namespace: string | null, name: string | null, ctx: ApiContext, render?: (o: KubeObject) => unknown): void {
  const q = url.searchParams;
  const { labels, fields } = selectors(q, type);
  const rvParam = q.get("resourceVersion") ?? "";
  const timeout = q.get("timeoutSeconds");
  const initialEvents = q.get("sendInitialEvents") === "true";
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  // apimachinery's ValidateListOptions for a watch list.
  if (initialEvents && q.get("resourceVersionMatch") !== "NotOlderThan") {
    throw new ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', {});
  }
  if (initialEvents && !bookmarks) {
    throw new ApiError(422, "Invalid", 'ListOptions.meta.k8s.io "" is invalid: allowWatchBookmarks: Required value: sendInitialEvents requires setting allowWatchBookmarks to true', {});
  }
  serveWatch(
    res,
    {
      type,
      namespace,
      labels,
      // A watch on a named object is a watch with metadata.name=NAME.
      fields: name === null ? fields : [...fields, { field: "metadata.name", equal: true, value: name }],
      resourceVersion: rvParam === "" || rvParam === "0" ? undefined : parseRv(rvParam),
      bookmarks,
      initialEvents,
      timeoutSeconds: timeout === null ? undefined : Number(timeout),
    },
    { store: ctx.store, bookmarkIntervalMs: ctx.bookmarkIntervalMs, fault: ctx.watchFault(url.pathname), pace: ctx.pace, ...(render === undefined ? {} : { render }) },
  );
}

const BODY_TYPES = "application/json, application/yaml";

/**
 * A create or update body: JSON or YAML. Protobuf (what kubectl's generators, e.g. `kubectl create
 * namespace`, send for built-in kinds) is not decoded: 415, and kubectl prints it.
 */
async function readBody(req: IncomingMessage, verb: string): Promise<unknown> {
  const contentType = (req.headers["content-type"] ?? "application/json").split(";")[0]?.trim() ?? "";
  const patch = contentType === "application/merge-patch+json" || contentType === "application/strategic-merge-patch+json";
  if (verb === "patch" && !patch) {
    throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`, {});
  }
  if (verb !== "patch" && contentType !== "application/json" && contentType !== "application/yaml") {
    throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${BODY_TYPES}`, {});
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return contentType === "application/yaml" ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (e) {
    throw new ApiError(400, "BadRequest", `the body of the request was in an unknown format - accepted media types include: ${BODY_TYPES} (${(e as Error).message})`);
  }
}

/** RFC 7386 JSON merge patch (strategic merge patches are applied as merge patches: lists are replaced whole). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const randomSuffix = (): string => Array.from(randomBytes(5), (b) => "bcdfghjklmnpqrstvwxz2456789"[b % 27]).join("");

const NAMESPACES = RESOURCES.find((t) => t.resource === "namespaces") as ResourceType;

async function write(req: IncomingMessage, res: ServerResponse, verb: string, type: ResourceType, namespace: string | null, name: string | null, dryRun: boolean, ctx: ApiContext): Promise<void> {
  const { store } = ctx;
  const ns = namespace ?? undefined;
  const existing = name === null ? undefined : store.get(type, ns, name);
  if (verb === "delete") {
    if (existing === undefined || name === null) throw notFound(type.resource, type.group, name ?? "");
    const options = (await readBody(req, verb).catch(() => undefined)) as { gracePeriodSeconds?: unknown } | undefined;
    const query = new URL(req.url ?? "/", "https://127.0.0.1").searchParams.get("gracePeriodSeconds");
    const grace = query !== null ? Number(query) : typeof options?.gracePeriodSeconds === "number" ? options.gracePeriodSeconds : undefined;
    const gone = dryRun ? existing : deleteObject(ctx, type, existing, grace);
    return sendJson(res, 200, gone, ctx.pace());
  }
  const body = await readBody(req, verb);
  if (typeof body !== "object" || body === null) throw new ApiError(400, "BadRequest", "the body of the request was empty");
  if (verb === "patch") {
    if (existing === undefined) throw notFound(type.resource, type.group, name ?? "");
    const patched = admitted(ctx, mergePatch(existing, body) as KubeObject, existing);
    const saved = dryRun ? patched : store.put(type, patched).object;
    return sendJson(res, 200, saved, ctx.pace());
  }
  const obj = body as KubeObject;
  const meta = (obj.metadata ?? {}) as KubeObject["metadata"];
  if (obj.kind !== type.kind || obj.apiVersion !== groupVersion(type)) {
    throw new ApiError(400, "BadRequest", `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${groupVersion(type)})`);
  }
  if (type.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
    throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
  }
  // generateName on create: "a unique suffix" of five characters, as names.SimpleNameGenerator adds.
  const generated = verb === "create" && typeof meta.name !== "string" && typeof meta["generateName"] === "string" ? `${meta["generateName"]}${randomSuffix()}` : undefined;
  const objName = generated ?? (typeof meta.name === "string" ? meta.name : "");
  if (objName === "") throw new ApiError(422, "Invalid", `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: type.kind, causes: [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }] });
  if (name !== null && objName !== name) throw new ApiError(400, "BadRequest", `the name of the object (${objName}) does not match the name on the URL (${name})`);
  const toStore: KubeObject = { ...obj, metadata: { ...meta, name: objName, ...(type.namespaced ? { namespace: namespace ?? "default" } : {}) } };
  if (verb === "create") {
    if (type.namespaced && store.get(NAMESPACES, undefined, namespace ?? "default") === undefined) throw notFound("namespaces", "", namespace ?? "default");
    if (store.get(type, ns, objName) !== undefined) throw new ApiError(409, "AlreadyExists", `${type.resource}${type.group === "" ? "" : `.${type.group}`} "${objName}" already exists`, { name: objName, ...(type.group === "" ? {} : { group: type.group }), kind: type.resource });
  } else {
    if (existing === undefined) throw notFound(type.resource, type.group, objName);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== existing.metadata.resourceVersion) {
      throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${type.resource}${type.group === "" ? "" : `.${type.group}`} "${objName}": the object has been modified; please apply your changes to the latest version and try again`, { name: objName, ...(type.group === "" ? {} : { group: type.group }), kind: type.resource });
    }
  }
  const admittedObject = admitted(ctx, toStore, existing);
  const saved = dryRun ? admittedObject : store.put(type, admittedObject).object;
  return sendJson(res, verb === "create" ? 201 : 200, saved, ctx.pace());
}

function admitted(ctx: ApiContext, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
  return ctx.hooks.admit === undefined ? obj : ctx.hooks.admit(obj, previous);
}

/**
 * A delete as the apiserver's graceful deletion does it: an object its owner must finish (a pod on a
 * kubelet's node) is marked with deletionTimestamp and deletionGracePeriodSeconds (the given period,
 * else spec.terminationGracePeriodSeconds, else 30) and stays until the owner removes it; a period
 * of 0 removes it at once (`--grace-period=0 --force`). Anything else is removed. Returns the object
 * as the response shows it.
 */
export function deleteObject(ctx: Pick<ApiContext, "store" | "hooks">, type: ResourceType, existing: KubeObject, gracePeriodSeconds: number | undefined): KubeObject {
  const ns = existing.metadata.namespace;
  const name = existing.metadata.name;
  const spec = existing["spec"] as { terminationGracePeriodSeconds?: unknown } | undefined;
  const grace = gracePeriodSeconds ?? (typeof spec?.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 30);
  if (grace > 0 && ctx.hooks.deletesGracefully?.(existing) === true) {
    const marked = existing.metadata["deletionTimestamp"] !== undefined && Number(existing.metadata["deletionGracePeriodSeconds"] ?? 0) <= grace;
    if (marked) return existing;
    const at = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    return ctx.store.put(type, { ...existing, metadata: { ...existing.metadata, deletionTimestamp: at, deletionGracePeriodSeconds: grace } }).object;
  }
  ctx.store.remove(type, ns, name);
  return existing;
}
