/**
 * Events about pods (core/v1, as `kubectl describe pod` and `kubectl get events` list them), as the
 * scheduler and the kubelet record them: Scheduled, Pulled, Failed, Created, Started, Killing,
 * Unhealthy, BackOff, DeadlineExceeded. The same event again bumps `count` and `lastTimestamp`, as
 * the client-go event correlator aggregates repeats. Recording never fails the caller (in a
 * terminating namespace the apiserver refuses new content: the event is dropped).
 */
import type { KubeObject, StandIn } from "./standin.js";

export interface EventSource {
  readonly component: "kubelet" | "default-scheduler";
  /** The node, for the kubelet. */
  readonly host?: string;
}

export interface Involved {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** `spec.containers{c}` for a container's event. */
  readonly fieldPath?: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class PodEvents {
  /** Event names by what makes two events the same (source, object, type, reason, message). */
  readonly #names = new Map<string, string>();
  /** Names in the order recorded (kubectl lists events of one second in name order). */
  #seq = 0;

  constructor(private readonly api: StandIn) {}

  record(source: EventSource, pod: Involved, type: "Normal" | "Warning", reason: string, message: string): void {
    const key = JSON.stringify([source.component, source.host, pod.namespace, pod.uid, pod.fieldPath, type, reason, message]);
    const at = now();
    try {
      const name = this.#names.get(key);
      const existing = name === undefined ? undefined : this.api.get("Event", pod.namespace, name);
      if (existing !== undefined) {
        this.api.apply({ ...existing, count: Number(existing["count"] ?? 1) + 1, lastTimestamp: at });
        return;
      }
      const fresh = `${pod.name}.${Date.now().toString(16)}${(this.#seq++).toString(16).padStart(6, "0")}`;
      const event: KubeObject = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: fresh, namespace: pod.namespace },
        involvedObject: { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: "v1", ...(pod.fieldPath === undefined ? {} : { fieldPath: pod.fieldPath }) },
        reason,
        message,
        source: { component: source.component, ...(source.host === undefined ? {} : { host: source.host }) },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? "",
      };
      this.api.apply(event);
      this.#names.set(key, fresh);
    } catch {
      // refused (a terminating namespace) or gone: events are best effort, as in a cluster
    }
  }

  /** Forgets a pod's event names (it was deleted). */
  forget(uid: string): void {
    for (const [key] of this.#names) if (key.includes(JSON.stringify(uid))) this.#names.delete(key);
  }
}
