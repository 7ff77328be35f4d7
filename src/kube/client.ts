/**
 * The two calls a reader and a reflector need: a paginated list and a watch stream. Errors are
 * values; every loop ends when the caller's AbortSignal fires.
 */
import type { IncomingMessage } from "node:http";
import { type KubeError, type Result, fail, httpFailure, isHttp, ok } from "./errors.js";
import { JsonLines } from "./json-lines.js";
import type { LiveObject, LiveResource } from "./live.js";
import type { Transport } from "./transport.js";
import { isRecord } from "../k8s/values.js";

export interface Selectors {
  /** Only this namespace (namespaced resources); all namespaces when absent. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ListOptions extends Selectors {
  /** Page size. Default 500, as kubectl's --chunk-size. */
  readonly limit?: number;
  /** Applied to each item as its page arrives (trimming: a whole untrimmed list never sits in memory). */
  readonly map?: (o: LiveObject) => LiveObject;
}

export interface ListResult {
  readonly items: readonly LiveObject[];
  /** The list's resourceVersion: a watch from it sees every change after the list. */
  readonly resourceVersion: string;
  /** Pages fetched, and whether an expired continue token made the list start over. */
  readonly pages: number;
  readonly restarted: boolean;
}

export interface WatchOptions extends Selectors {
  readonly resourceVersion: string;
  /** Asked of the server: it ends the stream after this long (a normal end: resume). */
  readonly timeoutSeconds?: number;
  /** No byte for this long: the stream is dead (half-open connection, stalled server): abort and resume. */
  readonly inactivityMs?: number;
}

/** How a delete cascades and how long the pods get to stop (DeleteOptions, as query parameters). */
export interface DeleteOptions {
  readonly propagationPolicy?: "Foreground" | "Background" | "Orphan";
  readonly gracePeriodSeconds?: number;
}

export interface LogOptions {
  readonly container?: string;
  readonly limitBytes?: number;
  readonly tailLines?: number;
}

export type WatchEvent =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: LiveObject }
  /** "the object ... only has its resourceVersion field set": a point the watch can resume from. */
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string };

export type WatchEnd =
  /** The server ended the stream (timeoutSeconds, restart): resume from the last resourceVersion. */
  | { readonly kind: "closed" }
  /** 410 Gone (HTTP or an ERROR event): the resourceVersion is compacted away: relist. */
  | { readonly kind: "expired"; readonly message: string }
  | { readonly kind: "stalled"; readonly afterMs: number }
  | { readonly kind: "error"; readonly error: KubeError }
  | { readonly kind: "aborted" };

export const apiVersionOf = (r: LiveResource): string => (r.group === "" ? r.version : `${r.group}/${r.version}`);

/** `/api/v1/namespaces/ns/pods`, `/apis/networking.k8s.io/v1/networkpolicies`. */
export function resourcePath(r: LiveResource, namespace?: string): string {
  const base = r.group === "" ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.resource}`;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}


/** A list item or watch object as a LiveObject: kind and apiVersion set (list items lack them on the wire). */
function asLiveObject(r: LiveResource, item: unknown): LiveObject | undefined {
  if (!isRecord(item) || !isRecord(item["metadata"]) || typeof item["metadata"]["name"] !== "string") return undefined;
  return { ...item, kind: r.kind, apiVersion: apiVersionOf(r) } as LiveObject;
}

export class KubeClient {
  constructor(readonly transport: Transport) {}

  /** Every object, following `continue` to the end; an expired continue token (410) restarts the list once. */
  async list(r: LiveResource, options: ListOptions = {}, signal?: AbortSignal): Promise<Result<ListResult>> {
    const first = await this.listOnce(r, options, signal);
    if (!("continueExpired" in first)) return first;
    const again = await this.listOnce(r, options, signal);
    if (!("continueExpired" in again)) return again.ok ? ok({ ...again.value, restarted: true }) : again;
    return fail({ ...again.continueExpired, message: `${again.continueExpired.message} (the continue token expired twice)` });
  }

  /** One pass over the pages; a 410 on a continued page is told apart: "the continue token expired". */
  private async listOnce(r: LiveResource, options: ListOptions, signal?: AbortSignal): Promise<Result<ListResult> | { readonly continueExpired: KubeError }> {
    const items: LiveObject[] = [];
    let token: string | undefined;
    let pages = 0;
    for (;;) {
      if (signal?.aborted) return fail({ kind: "aborted", message: "aborted" });
      const path = resourcePath(r, options.namespace) + query({ limit: options.limit ?? 500, continue: token, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector });
      const page = await this.transport.getJson(path, signal);
      if (!page.ok) {
        if (token !== undefined && isHttp(page.error, "expired")) return { continueExpired: page.error };
        return page;
      }
      pages++;
      const doc = page.value;
      if (!isRecord(doc) || !Array.isArray(doc["items"]) || !isRecord(doc["metadata"])) return fail({ kind: "decode", message: `${this.transport.server}${path}: the response is not a ${r.kind}List` });
      for (const item of doc["items"]) {
        const object = asLiveObject(r, item);
        if (object === undefined) return fail({ kind: "decode", message: `${this.transport.server}${path}: an item has no metadata.name` });
        items.push(options.map === undefined ? object : options.map(object));
      }
      const meta = doc["metadata"];
      const next = typeof meta["continue"] === "string" && meta["continue"] !== "" ? meta["continue"] : undefined;
      if (next === undefined) {
        // Every page is read from the first page's snapshot: the last page's resourceVersion is the list's.
        const rv = typeof meta["resourceVersion"] === "string" ? meta["resourceVersion"] : "";
        return ok({ items, resourceVersion: rv, pages, restarted: false });
      }
      token = next;
    }
  }

  /** One object by name (`get`), as a LiveObject. */
  async get(r: LiveResource, name: string, namespace?: string, signal?: AbortSignal): Promise<Result<LiveObject>> {
    const path = `${resourcePath(r, namespace)}/${encodeURIComponent(name)}`;
    const doc = await this.transport.getJson(path, signal);
    if (!doc.ok) return doc;
    const object = asLiveObject(r, doc.value);
    return object === undefined ? fail({ kind: "decode", message: `${this.transport.server}${path}: the response is not a ${r.kind}` }) : ok(object);
  }

  /** Creates an object (POST to the collection); the object as the server stored it (uid, resourceVersion). */
  async create(r: LiveResource, object: unknown, namespace?: string, signal?: AbortSignal): Promise<Result<LiveObject>> {
    const path = resourcePath(r, namespace);
    const doc = await this.transport.sendJson("POST", path, object, "application/json", signal);
    if (!doc.ok) return doc;
    const created = asLiveObject(r, doc.value);
    return created === undefined ? fail({ kind: "decode", message: `${this.transport.server}${path}: the response is not a ${r.kind}` }) : ok(created);
  }

  /**
   * Deletes one object by name. `propagationPolicy` and `gracePeriodSeconds` go in the query, as
   * kubectl's --cascade and --grace-period do. An object already gone is not an error: `gone`.
   */
  async delete(r: LiveResource, name: string, namespace?: string, options: DeleteOptions = {}, signal?: AbortSignal): Promise<Result<"deleted" | "gone">> {
    const path = `${resourcePath(r, namespace)}/${encodeURIComponent(name)}` + query({ propagationPolicy: options.propagationPolicy, gracePeriodSeconds: options.gracePeriodSeconds });
    const doc = await this.transport.sendJson("DELETE", path, undefined, "application/json", signal);
    if (doc.ok) return ok("deleted");
    return isHttp(doc.error, "not-found") ? ok("gone") : doc;
  }

  /**
   * Deletes every object a label selector matches (in a namespace, or every namespace): a list,
   * then a delete per item (deletecollection is not served for every kind, nor granted by every
   * Role). The names deleted; the first failure ends it.
   */
  async deleteSelected(r: LiveResource, labelSelector: string, namespace?: string, options: DeleteOptions = {}, signal?: AbortSignal): Promise<Result<readonly string[]>> {
    const listed = await this.list(r, { labelSelector, ...(namespace === undefined ? {} : { namespace }) }, signal);
    if (!listed.ok) return listed;
    const deleted: string[] = [];
    for (const item of listed.value.items) {
      const itemNamespace = typeof item.metadata.namespace === "string" ? item.metadata.namespace : undefined;
      const one = await this.delete(r, item.metadata.name, itemNamespace, options, signal);
      if (!one.ok) return one;
      if (one.value === "deleted") deleted.push(itemNamespace === undefined ? item.metadata.name : `${itemNamespace}/${item.metadata.name}`);
    }
    return ok(deleted);
  }

  /** A pod's log as text (`GET .../pods/NAME/log`, what kubectl logs prints): one container's, the last bytes when limited. */
  async logs(namespace: string, pod: string, options: LogOptions = {}, signal?: AbortSignal): Promise<Result<string>> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log` + query({ container: options.container, limitBytes: options.limitBytes, tailLines: options.tailLines });
    return this.transport.getText(path, signal);
  }

  /** One watch stream, events handed to `onEvent` in order, until it ends; the end says why. */
  async watch(r: LiveResource, options: WatchOptions, onEvent: (e: WatchEvent) => void, signal?: AbortSignal): Promise<WatchEnd> {
    const path =
      resourcePath(r, options.namespace) +
      query({
        watch: 1,
        allowWatchBookmarks: true,
        resourceVersion: options.resourceVersion,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      });
    const opened = await this.transport.stream(path, signal);
    if (!opened.ok) {
      if (opened.error.kind === "aborted") return { kind: "aborted" };
      if (isHttp(opened.error, "expired")) return { kind: "expired", message: opened.error.message };
      return { kind: "error", error: opened.error };
    }
    const inactivityMs = options.inactivityMs ?? ((options.timeoutSeconds ?? 300) + 30) * 1000;
    return consume(opened.value, r, inactivityMs, onEvent, signal);
  }
}

/** A watch event line → a WatchEvent, an end (ERROR events), or a decode error. */
export function readWatchEvent(r: LiveResource, value: unknown): WatchEvent | WatchEnd {
  if (!isRecord(value) || typeof value["type"] !== "string") return { kind: "error", error: { kind: "decode", message: `a watch event without a type: ${JSON.stringify(value).slice(0, 80)}` } };
  const type = value["type"];
  const object = value["object"];
  if (type === "ERROR") {
    const status = isRecord(object) ? object : {};
    const code = typeof status["code"] === "number" ? status["code"] : 500;
    const message = typeof status["message"] === "string" ? status["message"] : "watch ERROR event";
    if (code === 410) return { kind: "expired", message };
    return { kind: "error", error: { kind: "http", status: httpFailure(code), code, message: `watch ${r.resource}: ${message} (ERROR event, code ${code})` } };
  }
  if (type === "BOOKMARK") {
    const rv = isRecord(object) && isRecord(object["metadata"]) ? object["metadata"]["resourceVersion"] : undefined;
    if (typeof rv !== "string") return { kind: "error", error: { kind: "decode", message: `watch ${r.resource}: a BOOKMARK without metadata.resourceVersion` } };
    return { type, resourceVersion: rv };
  }
  if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return { kind: "error", error: { kind: "decode", message: `watch ${r.resource}: unknown event type ${JSON.stringify(type)}` } };
  const live = asLiveObject(r, object);
  if (live === undefined) return { kind: "error", error: { kind: "decode", message: `watch ${r.resource}: a ${type} event whose object has no metadata.name` } };
  return { type, object: live };
}

function consume(res: IncomingMessage, r: LiveResource, inactivityMs: number, onEvent: (e: WatchEvent) => void, signal?: AbortSignal): Promise<WatchEnd> {
  return new Promise((resolve) => {
    const lines = new JsonLines();
    let ended = false;
    const finish = (end: WatchEnd): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      res.destroy();
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: "aborted" });
    let timer = setTimeout(() => finish({ kind: "stalled", afterMs: inactivityMs }), inactivityMs);
    const handle = (values: Result<unknown[]>): boolean => {
      if (!values.ok) {
        finish({ kind: "error", error: values.error });
        return false;
      }
      for (const value of values.value) {
        const event = readWatchEvent(r, value);
        if ("kind" in event) {
          finish(event);
          return false;
        }
        onEvent(event);
      }
      return true;
    };
    if (signal?.aborted) return finish({ kind: "aborted" });
    signal?.addEventListener("abort", onAbort, { once: true });
    res.on("data", (chunk: Buffer) => {
      if (ended) return;
      clearTimeout(timer);
      timer = setTimeout(() => finish({ kind: "stalled", afterMs: inactivityMs }), inactivityMs);
      handle(lines.push(chunk));
    });
    res.on("end", () => {
      if (!ended && handle(lines.end())) finish({ kind: "closed" });
    });
    res.on("error", (e) => finish(signal?.aborted ? { kind: "aborted" } : { kind: "error", error: { kind: "unreachable", message: `watch ${r.resource}: the stream broke: ${e.message}` } }));
    res.on("aborted", () => finish({ kind: "closed" }));
  });
}
