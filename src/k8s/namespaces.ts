import type { Location } from "../diag/location.js";
import type { Namespace } from "../model/cluster.js";
import type { ObjectHeader } from "./header.js";

const NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Declared namespaces keep their labels; every namespace carries `kubernetes.io/metadata.name`
 * set to its name ("The Kubernetes control plane sets an immutable label
 * kubernetes.io/metadata.name on all namespaces", overriding whatever was written). A namespace
 * an object lives in without being declared exists implicitly (`declared: false`). Sorted by name.
 */
export function namespacesOf(
  declared: readonly { header: ObjectHeader; at: Location | undefined }[],
  referenced: ReadonlySet<string>,
): Map<string, Namespace> {
  const all: Namespace[] = [];
  const names = new Set<string>();
  for (const { header, at } of declared) {
    const name = header.ref.name;
    names.add(name);
    const labels = new Map(header.labels);
    labels.set(NAME_LABEL, name);
    const annotations = header.annotations;
    all.push(at === undefined ? { name, labels, declared: true, annotations } : { name, labels, declared: true, annotations, at });
  }
  for (const name of referenced) {
    if (!names.has(name)) {
      names.add(name);
      all.push({ name, labels: new Map([[NAME_LABEL, name]]), declared: false });
    }
  }
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return new Map(all.map((ns) => [ns.name, ns]));
}
