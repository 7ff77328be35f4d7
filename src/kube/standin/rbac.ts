/**
 * Who may do what: a user's rules (verbs × API groups × resources, cluster-wide as a ClusterRoleBinding
 * grants or in listed namespaces as RoleBindings do), and the apiserver's Forbidden message.
 */

export interface Rule {
  /** "get", "list", "watch", "create", "update", "patch", "delete", or "*". */
  readonly verbs: readonly string[];
  /** Plural resource names, or "*". */
  readonly resources: readonly string[];
  /** API groups ("" core), or "*"; all groups when absent. */
  readonly apiGroups?: readonly string[];
  /** Namespaces the rule holds in (RoleBindings); cluster-wide (ClusterRoleBinding) when absent. */
  readonly namespaces?: readonly string[];
}

/** Every verb on every resource in every namespace (cluster-admin). */
export const ADMIN_RULES: readonly Rule[] = [{ verbs: ["*"], resources: ["*"] }];

export interface Access {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** null for cluster-scoped resources and all-namespace lists. */
  readonly namespace: string | null;
  readonly name?: string;
}

const has = (list: readonly string[] | undefined, item: string): boolean => list === undefined || list.includes("*") || list.includes(item);

export function allowed(rules: readonly Rule[], a: Access): boolean {
  return rules.some(
    (r) =>
      has(r.verbs, a.verb) &&
      has(r.resources, a.resource) &&
      has(r.apiGroups, a.group) &&
      (r.namespaces === undefined || (a.namespace !== null && r.namespaces.includes(a.namespace))),
  );
}

/**
 * `pods "web" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "prod"`
 * (apierrors.NewForbidden: the resource qualified by its group, `deployments.apps is forbidden: …`;
 * a subresource: `pods "web" is forbidden: User "u" cannot get resource "pods/log" …`).
 */
export function forbiddenMessage(user: string, a: Access): string {
  // A subresource (`pods/log`) is named by its resource before "is forbidden", whole after "cannot get resource".
  const resource = a.resource.split("/")[0] ?? a.resource;
  const qualified = a.group === "" ? resource : `${resource}.${a.group}`;
  const what = a.name === undefined ? qualified : `${qualified} "${a.name}"`;
  const where = a.namespace === null ? "at the cluster scope" : `in the namespace "${a.namespace}"`;
  return `${what} is forbidden: User "${user}" cannot ${a.verb} resource "${a.resource}" in API group "${a.group}" ${where}`;
}
