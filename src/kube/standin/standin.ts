/**
 * The stand-in Kubernetes API server: test-only (not shipped), a small kube-apiserver speaking the
 * real wire protocol over TLS on 127.0.0.1, for the live-cluster client, the node agent and kubectl.
 *
 * Usage:
 *
 *   const api = await startStandIn({
 *     users: [{ name: "admin" }, { name: "viewer", rules: [{ verbs: ["list"], resources: ["pods"], namespaces: ["prod"] }] }],
 *     bookmarkIntervalMs: 100,
 *   });
 *   api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } });   // ADDED, resourceVersion bumped
 *   api.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", labels: { app: "web" } }, spec: { nodeName: "n1" } });
 *   writeFileSync(path, api.kubeconfig("admin"));           // token auth; "cert": a client certificate; "exec": a credential plugin
 *   // https options for a hand-made client: { ca: api.caPem, headers: { Authorization: `Bearer ${api.token("admin")}` } }
 *   const env = api.writeServiceAccount(dir, "admin");      // in-cluster: dir/token, dir/ca.crt, dir/namespace; env has KUBERNETES_SERVICE_HOST/PORT
 *   api.remove("Pod", "prod", "web");                       // DELETED
 *   api.delete("Pod", "prod", "web");                       // as a DELETE request: graceful where a hook says so (hooks.deletesGracefully)
 *   const off = api.subscribe((e) => …);                    // every change in order, in process (a stand-in cluster's controllers)
 *   api.compact();                                          // older watches get an ERROR 410 event, older continue tokens a 410
 *   api.faults.closeWatchAfter(2);                          // the next watch drops its connection after 2 events
 *   api.faults.stallWatch({ path: "/api/v1/pods" });        // 200, then silence
 *   api.faults.fail(3, { path: "/api/v1/pods" });           // the next 3 requests: 500
 *   api.faults.throttle(1, 2);                              // the next request: 429, Retry-After: 2
 *   api.faults.slowBodies(64, 5);                           // bodies trickled 64 bytes every 5 ms
 *   api.revokeToken("viewer");                              // its token now gets 401
 *   const old = api.token("admin"); api.rotateToken("admin"); api.revokeToken("admin", old);  // a projected token rotated
 *   api.writeServiceAccount(dir, "admin");                  // …and the kubelet's swap of the token file
 *   api.requests.filter((r) => r.path === "/api/v1/pods")  // what was asked: method, path, query, user, status
 *   await api.close();
 *
 * In another process or network namespace: spawnStandIn (remote.ts). What it serves and what differs
 * from a real cluster: docs/stand-in.md. Pods that run (a kubelet, logs, Services, DNS): the stand-in
 * cluster (cluster.ts), which plugs admission, graceful deletion and `pods/log` in through `hooks`.
 *
 * Loading tens of thousands of objects: apply them, then compact() to drop the history they made.
 *
 * Users: each gets a bearer token (api.token(name): the current one; rotateToken issues a new one,
 * the old ones working until revoked); a client certificate (CN=name, O=groups) is issued on demand.
 * Without `rules` a user is cluster-admin. A certificate signed by the CA authenticates any CN (as
 * kube-apiserver's x509 authenticator); an unknown user has no rules (403).
 * No credentials, or a wrong or revoked token: 401. Discovery and /version need authentication only.
 *
 * Served: see resources.ts; OpenAPI v3 reduced to what kubectl's validator asks (openapi.ts); Tables
 * for pods (tables.ts). Not served: subresources (unless hooked), aggregated discovery (kubectl falls back to /api and /apis), OpenAPI v2,
 * Table output for other kinds (kubectl prints plain lists with its default NAME/AGE columns), protobuf, server-side
 * apply, JSON patch, deletecollection (404, 415 or 405 as the apiserver answers unknown paths and types).
 */
import { createServer } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { type KeyPair, Pki } from "./certs.js";
import { Faults } from "./faults.js";
import { kubeconfigYaml, writeAtomic, writeServiceAccountFiles } from "./kubeconfig.js";
import { ADMIN_RULES, type Rule } from "./rbac.js";
import { RESOURCES, type ResourceType, typeOfObject } from "./resources.js";
import { type ApiContext, type ApiHooks, type Caller, deleteObject, serveApi } from "./routes.js";
import { type KubeObject, Store } from "./store.js";
import { ApiError, sendError } from "./wire.js";

export type { KubeObject } from "./store.js";
export type { Rule } from "./rbac.js";
export type { ApiHooks } from "./routes.js";

export interface UserOptions {
  readonly name: string;
  /** Groups (O= in the client certificate). */
  readonly groups?: readonly string[];
  /** RBAC rules; cluster-admin when absent. */
  readonly rules?: readonly Rule[];
}

export interface StandInOptions {
  /** Default: one cluster-admin, "admin". */
  readonly users?: readonly UserOptions[];
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK (the real watch cache: about a minute). Default 60 s. */
  readonly bookmarkIntervalMs?: number;
  /** Objects stored before the server answers. */
  readonly objects?: readonly KubeObject[];
  /** What a stand-in cluster plugs in: admission, graceful deletion, subresources (routes.ts). */
  readonly hooks?: ApiHooks;
}

/** A change of the store, as an in-process watcher of every type sees it. */
export interface StoreEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly object: KubeObject;
  readonly previous: KubeObject | undefined;
}

/** One request as the server saw it. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The authenticated user, or null (401). */
  readonly user: string | null;
  /** The response's status code (0 until it is sent; a watch's 200 as soon as the stream starts). */
  status: number;
}

interface User {
  readonly name: string;
  readonly groups: readonly string[];
  rules: readonly Rule[];
  /** The latest token (rotateToken); older ones stay in `tokens` until revoked. */
  current: string;
  cert: KeyPair | undefined;
}

export interface StandIn {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly caPem: string;
  readonly faults: Faults;
  readonly requests: RequestRecord[];
  /** The latest resourceVersion. */
  readonly resourceVersion: number;
  /**
   * A kubeconfig (YAML) whose current context is this server as `user`: by the user's current bearer
   * token, a client certificate, or an exec credential plugin that prints the current token (at each
   * run: it follows rotateToken).
   */
  kubeconfig(user: string, auth?: "token" | "cert" | "exec"): string;
  /** The user's current bearer token (the same after revokeToken, which makes it 401). */
  token(user: string): string;
  /** A new current token for the user; the old ones keep working until revokeToken(user, old). */
  rotateToken(user: string): string;
  /**
   * A pod's service account files for the user in `dir` (token, ca.crt, namespace; each replaced
   * atomically, so call again after rotateToken), and the environment a pod has.
   */
  writeServiceAccount(dir: string, user: string, namespace?: string): { KUBERNETES_SERVICE_HOST: string; KUBERNETES_SERVICE_PORT: string };
  /** A client certificate and key for the user (CN=user, O=groups). */
  clientCert(user: string): KeyPair;
  addUser(user: UserOptions): void;
  /** A token (the user's current one by default) stops authenticating (401), as an expired or deleted service account token does. */
  revokeToken(user: string, token?: string): void;
  setRules(user: string, rules: readonly Rule[]): void;
  /** Creates or replaces an object (resourceVersion bumped, ADDED or MODIFIED sent to watchers); returns it as stored. */
  apply(obj: KubeObject): KubeObject;
  /** Deletes an object by kind ("Pod"); namespace null for cluster-scoped kinds. False when there was none. */
  remove(kind: string, namespace: string | null, name: string): boolean;
  /**
   * Deletes as a DELETE request does: a pod its kubelet must stop is only marked (deletionTimestamp)
   * and removed by the kubelet; the object as the response shows it, undefined when there was none.
   */
  delete(kind: string, namespace: string | null, name: string, gracePeriodSeconds?: number): KubeObject | undefined;
  /** Every change of every type, in order, synchronously as stored (an in-process watch). */
  subscribe(listener: (e: StoreEvent) => void): () => void;
  get(kind: string, namespace: string | null, name: string): KubeObject | undefined;
  /** Every stored object of a kind, sorted by namespace/name. */
  list(kind: string): KubeObject[];
  /** Forgets history below the current resourceVersion: older watches and continue tokens get 410. */
  compact(): void;
  close(): Promise<void>;
}

/** The type of a kind (the core group's Event, not events.k8s.io's). */
function typeOfKind(kind: string): ResourceType {
  const t = RESOURCES.find((r) => r.kind === kind);
  if (t === undefined) throw new Error(`stand-in: kind ${kind} is not served`);
  return t;
}

const KUBE_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-standin" };

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const pki = new Pki();
  const store = new Store();
  const hooks = opts.hooks ?? {};
  const faults = new Faults();
  const requests: RequestRecord[] = [];
  const users = new Map<string, User>();
  /** Every token ever issued: whose, and whether it still authenticates. */
  const tokens = new Map<string, { readonly user: string; revoked: boolean }>();
  const newToken = (user: string): string => {
    const token = `standin-${randomBytes(16).toString("hex")}`;
    tokens.set(token, { user, revoked: false });
    return token;
  };
  const addUser = (u: UserOptions): void => {
    users.set(u.name, { name: u.name, groups: u.groups ?? [], rules: u.rules ?? ADMIN_RULES, current: newToken(u.name), cert: undefined });
  };
  for (const u of opts.users ?? [{ name: "admin" }]) addUser(u);
  const userNamed = (name: string): User => {
    const u = users.get(name);
    if (u === undefined) throw new Error(`stand-in: no user ${name}`);
    return u;
  };
  const apply = (obj: KubeObject): KubeObject => {
    const t = typeOfObject(obj.apiVersion, obj.kind);
    if (t === undefined) throw new Error(`stand-in: ${obj.apiVersion} ${obj.kind} is not served`);
    const metadata = t.namespaced ? { ...obj.metadata, namespace: obj.metadata.namespace ?? "default" } : obj.metadata;
    const withNamespace = { ...obj, metadata };
    const previous = store.get(t, metadata.namespace, metadata.name);
    return store.put(t, hooks.admit === undefined ? withNamespace : hooks.admit(withNamespace, previous)).object;
  };
  for (const o of opts.objects ?? []) apply(o);

  const ctx: ApiContext = {
    store,
    hooks,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    pace: () => faults.slow,
    watchFault: (path) => faults.takeWatch(path),
    version: KUBE_VERSION,
  };

  /** x509 first, then the bearer token, as the apiserver's union authenticator; undefined: 401. */
  const authenticate = (req: IncomingMessage): Caller | undefined => {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate().subject;
      const cn = subject?.CN;
      if (typeof cn === "string") return { name: cn, rules: users.get(cn)?.rules ?? [] };
    }
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m === null) return undefined;
    const t = tokens.get(m[1] ?? "");
    const u = t === undefined || t.revoked ? undefined : users.get(t.user);
    return u === undefined ? undefined : { name: u.name, rules: u.rules };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const caller = authenticate(req);
    const record: RequestRecord = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), user: caller?.name ?? null, status: 0 };
    requests.push(record);
    try {
      if (caller === undefined) throw new ApiError(401, "Unauthorized", "Unauthorized");
      const fault = faults.takeRequest(url.pathname);
      if (fault?.status === 429) {
        throw new ApiError(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds: fault.retryAfterSeconds ?? 1 });
      }
      if (fault?.status === 500) {
        throw new ApiError(500, "InternalError", "Internal error occurred: injected by the stand-in", { causes: [{ message: "injected by the stand-in" }] });
      }
      await serveApi(req, res, url, caller, ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (res.headersSent) res.destroy();
      else await sendError(res, e, faults.slow);
    } finally {
      record.status = res.statusCode;
    }
  };

  const server = createServer({ key: pki.server.keyPem, cert: pki.server.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("stand-in: no TCP address");
  const url = `https://127.0.0.1:${address.port}`;
  /** Where exec plugins read users' current tokens. */
  const execTokenFile = (user: string): string => {
    const path = join(pki.dir, `exec-${Buffer.from(user).toString("hex")}.token`);
    writeAtomic(path, userNamed(user).current);
    return path;
  };

  const clientCert = (name: string): KeyPair => {
    const u = users.get(name);
    if (u !== undefined) {
      u.cert ??= pki.client(u.name, u.groups);
      return u.cert;
    }
    return pki.client(name, []);
  };

  return {
    url,
    port: address.port,
    caPem: pki.ca.certPem,
    faults,
    requests,
    get resourceVersion() {
      return store.rv;
    },
    kubeconfig(user, auth = "token") {
      const credentials =
        auth === "token"
          ? ({ kind: "token", token: userNamed(user).current } as const)
          : auth === "cert"
            ? ({ kind: "cert", cert: clientCert(user) } as const)
            : ({ kind: "exec", tokenFile: execTokenFile(user) } as const);
      return kubeconfigYaml(url, pki.ca.certPem, user, credentials);
    },
    token(user) {
      return userNamed(user).current;
    },
    rotateToken(user) {
      const u = userNamed(user);
      u.current = newToken(user);
      execTokenFile(user);
      return u.current;
    },
    writeServiceAccount(dir, user, namespace = "default") {
      writeServiceAccountFiles(dir, userNamed(user).current, pki.ca.certPem, namespace);
      return { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(address.port) };
    },
    clientCert,
    addUser,
    revokeToken(user, token) {
      const t = tokens.get(token ?? userNamed(user).current);
      if (t === undefined || t.user !== user) throw new Error(`stand-in: ${user} has no such token`);
      t.revoked = true;
    },
    setRules(user, rules) {
      userNamed(user).rules = rules;
    },
    apply,
    remove(kind, namespace, name) {
      return store.remove(typeOfKind(kind), namespace ?? undefined, name) !== undefined;
    },
    delete(kind, namespace, name, gracePeriodSeconds) {
      const t = typeOfKind(kind);
      const existing = store.get(t, namespace ?? undefined, name);
      return existing === undefined ? undefined : deleteObject(ctx, t, existing, gracePeriodSeconds);
    },
    subscribe(listener) {
      return store.subscribe((c) => listener({ type: c.type, object: c.object, previous: c.previous }));
    },
    get(kind, namespace, name) {
      return store.get(typeOfKind(kind), namespace ?? undefined, name);
    },
    list(kind) {
      const now = store.list(typeOfKind(kind));
      return (now?.keys ?? []).map((key) => structuredClone(now?.objects.get(key) as KubeObject));
    },
    compact() {
      store.compact();
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      pki.dispose();
    },
  };
}
