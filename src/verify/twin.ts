/**
 * A twin: a probe pod that stands for a workload. Pure: the Pod object and the ConfigMap that owns
 * it. What makes it harmless to the workload it copies (docs/verify.md):
 * - the same labels (so the same policies select it) and the same declared container ports;
 * - a controller ownerReference to the run's ConfigMap: a ReplicaSet (StatefulSet, Job...) whose
 *   selector matches it never adopts it ("the ReplicaSet ... acquires any Pods that match its
 *   selector and have no OwnerReference or whose OwnerReference is not a Controller"), so no real
 *   replica is deleted to make room for it;
 * - never Ready: its readiness probe (`portcullis probe-agent --not-ready`) always fails, so no
 *   Service's endpoints hold it (except a Service with publishNotReadyAddresses: verify warns);
 * - no service account token, minimal resources, restartPolicy Never and activeDeadlineSeconds:
 *   it ends by itself if verify is killed and `verify --cleanup` is never run.
 */
import type { ContainerPort } from "../model/ports.js";
import type { ProbePlan } from "./probe-plan.js";
import { PROBE_ENV } from "./probe-plan.js";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "portcullis";
export const RUN_LABEL = "portcullis.dev/verify-run";
const ROLE_ANNOTATION = "portcullis.dev/verify-role";
const TWIN_OF_ANNOTATION = "portcullis.dev/twin-of";
/** The container's name in every probe pod. */
export const PROBE_CONTAINER = "probe";
/** The project's image, as deploy/portcullis.yaml names it (package version). */
export const DEFAULT_IMAGE = "portcullis:0.1.0";

export type TwinRole = "source" | "destination";

/** Who owns the run's pods in a namespace: the ConfigMap the run creates there, by name and uid. */
export interface Owner {
  readonly name: string;
  readonly uid: string;
}

export interface ProbePodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly run: string;
  readonly role: TwinRole;
  /** The workload's labels (a smoke pod's own), copied as they are. */
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  /** What it stands for (`Deployment/prod/web`); absent for smoke pods. */
  readonly twinOf?: string;
  readonly image: string;
  readonly plan: ProbePlan;
  /** activeDeadlineSeconds: the pod is ended by the kubelet after this long. */
  readonly deadlineSeconds: number;
}

/** The run's labels on everything it creates; managed-by only where the copied labels have none (a workload's own managed-by is kept: policies may select on it). */
export function runLabels(run: string, labels: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...(MANAGED_BY_LABEL in labels ? {} : { [MANAGED_BY_LABEL]: MANAGED_BY }), ...labels, [RUN_LABEL]: run };
}

/** The label selector of one run's objects; of every run's with no run (`verify --cleanup`). */
export const runSelector = (run?: string): string => (run === undefined ? RUN_LABEL : `${RUN_LABEL}=${run}`);

export function ownerConfigMap(name: string, namespace: string, run: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: runLabels(run), annotations: { "portcullis.dev/purpose": "owns the probe pods of a portcullis verify run; deleting it deletes them" } },
    data: { run },
  };
}

/** A sysctl every pod may set (Kubernetes' safe set since 1.22): the image runs as a non-root user and must still bind the declared ports below 1024. */
const LOW_PORTS = { name: "net.ipv4.ip_unprivileged_port_start", value: "0" };

export function probePod(spec: ProbePodSpec, owner: Owner): Record<string, unknown> {
  const lowPorts = spec.ports.some((p) => p.port < 1024);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: runLabels(spec.run, spec.labels),
      annotations: { [ROLE_ANNOTATION]: spec.role, ...(spec.twinOf === undefined ? {} : { [TWIN_OF_ANNOTATION]: spec.twinOf }) },
      ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: false }],
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: spec.deadlineSeconds,
      ...(lowPorts ? { securityContext: { sysctls: [LOW_PORTS] } } : {}),
      containers: [
        {
          name: PROBE_CONTAINER,
          image: spec.image,
          imagePullPolicy: "IfNotPresent",
          command: ["portcullis", "probe-agent"],
          env: [{ name: PROBE_ENV, value: JSON.stringify(spec.plan) }],
          ports: spec.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name === undefined ? {} : { name: p.name }) })),
          readinessProbe: { exec: { command: ["portcullis", "probe-agent", "--not-ready"] }, periodSeconds: 30, failureThreshold: 1 },
          resources: { requests: { cpu: "10m", memory: "48Mi" }, limits: { memory: "128Mi" } },
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
    },
  };
}
