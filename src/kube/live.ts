/**
 * What a read of a live cluster gives the commands: the objects (as the API server returned them,
 * trimmed to what the model needs, each with `kind` and `apiVersion` set, which list items lack on
 * the wire), what could not be read (RBAC) and where it came from. The client (src/kube/client*)
 * produces it; the decoder (src/k8s) turns it into a Cluster with live-object locations.
 */

/** A resource the reader asks for, as the API names it. */
export interface LiveResource {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: "pods", "networkpolicies", "adminnetworkpolicies". */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** A kind a cluster may not serve (the admin policy CRDs may not be installed): a 404 means "there are none". A built-in kind is always served: a 404 there is an error. */
  readonly optional?: true;
}

/** A Kubernetes object as JSON, with kind and apiVersion always set. */
export interface LiveObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** A read refused by the server: the verb and resource, and the namespace when the read was scoped to one. */
export interface MissingAccess {
  readonly verb: "list" | "watch" | "get";
  readonly resource: LiveResource;
  readonly namespace: string | null;
  /** 403 Forbidden (RBAC) or 404 (the API is not served, e.g. admin policy CRDs not installed). */
  readonly reason: "forbidden" | "not-served";
  /** The server's own message. */
  readonly message: string;
}

export interface LiveRead {
  readonly objects: readonly LiveObject[];
  readonly missing: readonly MissingAccess[];
  /** Where it came from, for `-v` and answers: "cluster https://10.0.0.1:6443 (context prod, kubeconfig ~/.kube/config)". */
  readonly source: string;
}
