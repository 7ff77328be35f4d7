/**
 * The node agent (`portcullis enforce --kubernetes --node NAME`): the objects its watches deliver
 * → the cluster view → the enforce loop (compile cache, incremental diffs, drift checks), gated
 * until every watch has synced; the ops endpoints; latencies from the watch event to the apply
 * that includes it; the table kept or removed at exit.
 */
import type { EngineOptions } from "../engine/types.js";
import { type DatapathCheck, datapathMessage } from "../enforce/datapath.js";
import type { IdleCollection, IdleGcPolicy } from "../enforce/idle-gc.js";
import { type EnforceEvent, enforceLoop, type VerifyResult } from "../enforce/loop.js";
import { readCounters, runNft } from "../enforce/nft.js";
import type { ShrinkLimits } from "../enforce/shrink.js";
import type { LiveObject } from "../kube/live.js";
import type { ReflectorEvent } from "../kube/reflector.js";
import type { Cluster } from "../model/cluster.js";
import { formatCidr } from "../net/cidr.js";
import { formatAdminRule } from "../model/admin-policy.js";
import type { CompileResult, NodeScope, RuleIdEntry } from "../nft/types.js";
import { TABLE } from "../nft/types.js";
import { counterRows } from "../render/counters.js";
import { describeIssue } from "../render/enforce.js";
import { formatDiagnostic } from "../render/diagnostics.js";
import { AgentDns, type AgentDnsOptions } from "./dns.js";
import { EventRecorder, type EventSink, type Regarding, nodeRegarding, regardingObject } from "./events.js";
import type { Logger } from "./log.js";
import { LATENCY_BUCKETS, Registry } from "./metrics.js";
import { type OpsServer, type Readiness, startOps } from "./ops.js";
import { ClusterView, type Held, type ObjectChange, type Outcome, liveName } from "./state.js";

/**
 * What the watch of one resource reports: the reflector's events (a relist has sent its
 * differences as added/modified/deleted before `relisted`), and `alive` when a watch stream
 * delivers anything (an event or a bookmark): the API server answers again after errors.
 */
export type WatchEvent = ReflectorEvent | { readonly type: "alive" };

/** The watch of one resource: started once, it reports events until stopped. */
export interface WatchSource {
  /** The kind of its objects: `Pod`, `NetworkPolicy`, … */
  readonly kind: string;
  /** The resource as the API names it, for logs and metrics: `pods`, `networkpolicies`, … */
  readonly resource: string;
  /** Whether the agent can do without it (admin policy kinds whose CRDs are not installed). */
  readonly optional?: boolean;
  start(onEvent: (event: WatchEvent) => void): () => void;
  /** Watch streams restarted so far, by why (closed by the server, expired: 410, stalled, error). */
  restarts(): Readonly<Record<string, number>>;
}

export type OnExit = "keep" | "remove";

export interface AgentOptions extends ShrinkLimits {
  readonly node: string;
  /** Apply inside this network namespace; the agent's own (the host's, with hostNetwork) when absent. */
  readonly netns?: string;
  readonly audit: boolean;
  readonly onExit: OnExit;
  /** Where the ops endpoints listen; null: none. */
  readonly listen: { readonly host: string; readonly port: number } | null;
  readonly engineOptions: (cluster: Cluster) => EngineOptions;
  readonly watches: readonly WatchSource[];
  readonly logger: Logger;
  /** Where Kubernetes Events go (events.k8s.io/v1); none posted when absent. */
  readonly events?: EventSink;
  readonly signal: AbortSignal;
  /** Coalescing: apply this long after the last change of a burst … (default 0: on the next turn of the event loop; see docs/enforcement.md) */
  readonly debounceMs?: number;
  /** … but no later than this after its first change (default 250 ms). */
  readonly maxDelayMs?: number;
  /** How often to check the kernel's table (default 10 s; 0 never). */
  readonly verifyMs?: number;
  /** Full garbage collections while idle (`--idle-gc auto`: see IdleGc); none when absent. */
  readonly idleGc?: { readonly policy: IdleGcPolicy; readonly collect: () => void };
  /**
   * Checks the node's datapath again while running: a bridge can appear after start (Flannel's
   * bridge plugin creates cni0 with the node's first pod). Unsafe: /readyz 503, an error and a
   * DatapathUnsafe Event; the table stays. None when absent.
   */
  readonly datapath?: () => Promise<DatapathCheck>;
  /** How often (default 30 s). */
  readonly datapathEveryMs?: number;
  /** `--dns-proxy`: the DNS proxy and learner for `domainNames` rules (docs/dns-names/enforcement.md); none when absent. */
  readonly dns?: AgentDnsOptions;
  /** Called once the ops server listens (tests read the port chosen for 0). */
  readonly onListening?: (server: OpsServer) => void;
  /** The view, as soon as it exists (tests compare it with the API server's state). */
  readonly onView?: (view: ClusterView) => void;
}

/** At most this many events wait for an apply to be measured (an apply that cannot happen for long must not grow memory); later ones are not measured. */
export const MAX_PENDING = 4096;

/** An event waiting for the apply that includes it: its kind and when the watch delivered it. */
interface Pending {
  readonly what: "pod-ip" | "policy";
  readonly at: number;
  readonly version: number;
  /** A policy added: its metadata.creationTimestamp (ms since the epoch, whole seconds). */
  readonly createdAt?: number;
}

class AgentMetrics {
  readonly registry = new Registry();
  readonly applies = this.registry.counter("portcullis_applies_total", "Applies to the kernel, by what was sent (replace, objects, elements, unchanged).");
  readonly applyFailures = this.registry.counter("portcullis_apply_failures_total", "Cycles that applied nothing, by why (nft, shrink-refused, error).");
  readonly applySeconds = this.registry.histogram("portcullis_apply_duration_seconds", "From the start of a cycle (the view read) to nft's exit.", LATENCY_BUCKETS);
  readonly objects = this.registry.gauge("portcullis_objects", "Objects the agent's view holds, by kind.");
  readonly rejected = this.registry.gauge("portcullis_rejected_objects", "Objects whose latest version has errors: the last good version (or nothing) stands in.");
  readonly withErrors = this.registry.gauge(
    "portcullis_objects_with_errors",
    "Objects whose latest version has errors, by kind and by what stands in (rules-dropped: a NetworkPolicy without its rules that have errors; older-kept; left-out; held: nothing new is applied while it stands).",
  );
  readonly held = this.registry.gauge("portcullis_apply_held", "1 while nothing new is applied because an object that never decoded could open traffic if left out (see portcullis_objects_with_errors{outcome=\"held\"}); else 0.");
  readonly elements = this.registry.gauge("portcullis_set_elements", "Set and map elements of the applied ruleset.");
  readonly rules = this.registry.gauge("portcullis_rules", "Rules of the applied ruleset.");
  readonly denied = this.registry.counter("portcullis_denied_packets_total", "Packets dropped, by direction and by what dropped them (a policy's default deny, an admin rule, fail closed), from the kernel's counters since the table was last replaced.");
  readonly audited = this.registry.counter("portcullis_audited_packets_total", "Packets an audited policy or admin rule would have dropped (logged, accepted), from the kernel's counters.");
  readonly watchRestarts = this.registry.counter("portcullis_watch_restarts_total", "Watches restarted after an error, by resource.");
  readonly driftRepairs = this.registry.counter("portcullis_drift_repairs_total", "Times the kernel's table was found not as applied and replaced.");
  readonly podIpToApplied = this.registry.histogram(
    "portcullis_pod_ip_to_applied_seconds",
    "From the agent's receipt of the watch event that first carried a pod's IP to the end of the apply that includes it (the agent's monotonic clock; the kubelet's and API server's time before that is not in it).",
    LATENCY_BUCKETS,
  );
  readonly policyToApplied = this.registry.histogram(
    "portcullis_policy_to_applied_seconds",
    "From the agent's receipt of the watch event of a NetworkPolicy or admin policy change (added, modified, deleted) to the end of the apply that includes it (the agent's monotonic clock; the API server's and the watch's delay before that are not in it).",
    LATENCY_BUCKETS,
  );
  readonly policyCreatedToApplied = this.registry.histogram(
    "portcullis_policy_created_to_applied_seconds",
    "From a NetworkPolicy's or admin policy's metadata.creationTimestamp (the API server's clock, whole seconds: up to 1 s more, plus any clock skew) to the end of the apply that includes it, for policies added while the agent runs (a change to an existing policy carries no time of its own: see portcullis_policy_to_applied_seconds).",
    LATENCY_BUCKETS,
  );
  readonly idleGc = this.registry.histogram(
    "portcullis_idle_gc_duration_seconds",
    "Full garbage collections the agent ran while idle (--idle-gc auto), by how long each blocked the process (an event arriving during one waits for it).",
    LATENCY_BUCKETS,
  );
  readonly eventFailures = this.registry.counter("portcullis_event_post_failures_total", "Kubernetes Events not posted, by why (forbidden: the first 403 stops every later post; error; dropped: too many queued).");
}

/** What the agent says it does with a version that has errors (docs/enforcement.md "The node agent"). */
const OUTCOME_TEXT: Record<Outcome, string> = {
  "rules-dropped": "taken without its rules that have errors (a NetworkPolicy rule only allows: it allows less, never more)",
  "older-kept": "the last version taken stays in force",
  "not-taken": "none of its versions decoded: left out, or, where that could open traffic, nothing new is applied until it is fixed or deleted",
};

/** NetworkPolicy and the admin policy kinds: changes whose policy → applied latency is measured. */
const isPolicyKind = (kind: string): boolean => kind.endsWith("NetworkPolicy");

/** What the counter of a rule id says in metrics: its direction and what it stands for, when it drops or audits. */
function counterLabels(e: RuleIdEntry): { readonly verdict: "deny" | "audit"; readonly direction: string; readonly policy: string } | null {
  switch (e.kind) {
    case "default-deny":
      return { verdict: e.mode === "audit" ? "audit" : "deny", direction: e.direction, policy: e.policies.map((p) => `${p.namespace}/${p.name}`).join(",") };
    case "admin-rule":
      return e.action !== "Deny" && !e.failClosed ? null : { verdict: e.mode === "audit" ? "audit" : "deny", direction: e.direction, policy: formatAdminRule(e) };
    case "unknown-pod":
      return { verdict: "deny", direction: e.direction, policy: "(unknown pod address: fail closed)" };
    case "rule":
      return null;
  }
}

/**
 * Runs the agent until `signal` aborts. Nothing is applied before every (non-optional) watch has
 * synced; then each change compiles and applies incrementally: at once when the loop is idle (or
 * `debounceMs` after the last of a burst, at most `maxDelayMs` after its first), and changes during
 * a cycle make exactly one more.
 */
export async function runAgent(opts: AgentOptions): Promise<void> {
  const log = opts.logger;
  const view = new ClusterView(opts.node, { adminPolicies: opts.dns === undefined ? "enforce" : "enforce-with-dns-proxy" });
  opts.onView?.(view);
  const m = new AgentMetrics();
  const dns = opts.dns === undefined ? null : new AgentDns(opts.dns, opts.netns, m.registry, log);
  const recorder: EventRecorder | null = opts.events === undefined ? null : new EventRecorder({ sink: opts.events, node: opts.node, logger: log, onFailure: (why) => m.eventFailures.inc({ reason: why }) });
  /** The agent's Node, for Events about the node's enforcement (its uid once the watch has seen it). */
  let nodeUid: string | undefined;
  const nodeRef = (): Regarding => nodeRegarding(opts.node, nodeUid);
  const nodeEvent = (type: "Normal" | "Warning", reason: string, action: string, note: string): void => recorder?.record({ type, reason, action, note, regarding: nodeRef() });
  let enforcing = false;
  const synced = new Map<string, boolean>(opts.watches.map((w) => [w.resource, false]));
  const failing = new Map<string, string>();
  let applied: CompileResult | null = null;
  let lastCycle: string | null = "nothing applied yet";
  let lastVerify: VerifyResult | null = null;
  let pending: Pending[] = [];
  let loadedVersion = 0;
  let scope: NodeScope | string = {};
  /** Optional resources the API server does not serve (404: the admin policy CRDs not installed): nothing to wait for. */
  const notServed = new Set<string>();
  const allSynced = (): boolean => opts.watches.every((w) => synced.get(w.resource) === true || notServed.has(w.resource));

  // Coalescing: the loop runs one cycle at a time and runs once more for changes during a cycle,
  // however many: a burst during a cycle is one more cycle. A change while the loop is idle is
  // applied on the next turn of the event loop (the events already read with it are taken along),
  // unless `debounceMs` asks to wait for more.
  let notify: (() => void) | null = null;
  let timer: { readonly cancel: () => void } | undefined;
  let firstAt: number | null = null;
  const cancelTimer = (): void => {
    timer?.cancel();
    timer = undefined;
  };
  const changed = (): void => {
    if (!allSynced() || notify === null) return;
    const now = performance.now();
    firstAt ??= now;
    cancelTimer();
    const wait = Math.max(0, Math.min(opts.debounceMs ?? 0, firstAt + (opts.maxDelayMs ?? 250) - now));
    const fire = (): void => {
      timer = undefined;
      firstAt = null;
      notify?.();
    };
    if (wait === 0) {
      const handle = setImmediate(fire);
      timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(fire, wait);
      timer = { cancel: () => clearTimeout(handle) };
    }
  };

  const measure = (p: Pending): void => {
    if (pending.length < MAX_PENDING) pending.push(p);
  };

  /** `watched`: delivered by the watch after its list synced (the list's own objects measure no latency). */
  const reportChange = (object: LiveObject, change: ObjectChange, at: number, watched: boolean, added: boolean): void => {
    const errors = change.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      const instead = OUTCOME_TEXT[change.outcome ?? "not-taken"];
      log.log("error", `object not taken as written: it has errors; ${instead}`, { object: liveName(object), outcome: change.outcome ?? "not-taken", errors: errors.map(formatDiagnostic) });
      recorder?.record({ type: "Warning", reason: "ObjectRefused", action: "Decode", note: `not enforced as written: ${errors.map(formatDiagnostic).join("; ")}; ${instead}`, regarding: regardingObject(object) });
    }
    if (!change.changed) return;
    // Warnings of a version taken (an admin Accept rule with domainNames fails closed, say): said once per change, not per heartbeat.
    const warnings = change.diagnostics.filter((d) => d.severity !== "error");
    if (warnings.length > 0) log.log("warn", "object taken with warnings", { object: liveName(object), warnings: warnings.map(formatDiagnostic) });
    if (!watched) return changed();
    if (change.firstIp) measure({ what: "pod-ip", at, version: view.version });
    if (isPolicyKind(object.kind)) {
      const created = added ? Date.parse(String(object.metadata["creationTimestamp"] ?? "")) : NaN;
      measure({ what: "policy", at, version: view.version, ...(Number.isNaN(created) ? {} : { createdAt: created }) });
    }
    changed();
  };

  const onWatch = (w: WatchSource, e: WatchEvent): void => {
    const at = performance.now();
    if (e.type !== "error") {
      failing.delete(w.resource);
      notServed.delete(w.resource);
    }
    switch (e.type) {
      case "alive":
        return;
      case "synced": {
        synced.set(w.resource, true);
        log.log("info", "watch synced", { resource: w.resource, objects: e.objects });
        if (allSynced()) log.log("info", "every watch has synced: applying", { objects: Object.fromEntries(view.counts()) });
        return changed();
      }
      case "added":
      case "modified": {
        if (e.object.kind === "Node" && e.object.metadata.name === opts.node && typeof e.object.metadata["uid"] === "string") nodeUid = e.object.metadata["uid"];
        return reportChange(e.object, view.upsert(e.object), at, synced.get(w.resource) === true, e.type === "added");
      }
      case "deleted": {
        const change = view.remove(e.object);
        if (change.changed && isPolicyKind(e.object.kind)) measure({ what: "policy", at, version: view.version });
        if (change.changed) changed();
        return;
      }
      case "relisted":
        return log.log("info", "relisted (the watch's resourceVersion was compacted away): differences applied", { resource: w.resource, added: e.added, modified: e.modified, deleted: e.deleted });
      case "error": {
        const before = failing.get(w.resource);
        failing.set(w.resource, e.message);
        if (w.optional === true && e.error?.kind === "http" && e.error.status === "not-found" && !notServed.has(w.resource)) {
          notServed.add(w.resource);
          changed();
        }
        // Said once per distinct error: a resource that stays unreachable retries with backoff quietly.
        if (before !== e.message) log.log(w.optional === true ? "info" : "warn", "watch failed; retrying with backoff (the table stays as applied)", { resource: w.resource, error: e.message, ...(w.optional === true ? { optional: true } : {}) });
        return;
      }
    }
  };

  /** What is wrong with the datapath as last checked while running; null: nothing. */
  let datapathProblem: string | null = null;
  let checkingDatapath = false;
  const recheckDatapath = async (check: () => Promise<DatapathCheck>): Promise<void> => {
    if (checkingDatapath) return;
    checkingDatapath = true;
    try {
      const c = await check();
      const problem = c.ok ? null : c.problems.map(datapathMessage).join("; ");
      if (problem === datapathProblem) return;
      datapathProblem = problem;
      if (problem === null) return log.log("info", "this node's datapath passes pod traffic through the rules again");
      log.log("error", "this node's datapath lets pod traffic bypass the rules", { problems: c.ok ? [] : c.problems.map(datapathMessage) });
      nodeEvent("Warning", "DatapathUnsafe", "Check", `${problem}; the table stays, but bridged traffic does not cross it`);
    } finally {
      checkingDatapath = false;
    }
  };

  const readiness = (): Readiness => {
    if (datapathProblem !== null) return { ready: false, reason: datapathProblem };
    const unsynced = opts.watches.filter((w) => synced.get(w.resource) !== true && !notServed.has(w.resource)).map((w) => w.resource);
    if (unsynced.length > 0) return { ready: false, reason: `waiting for the watches of ${unsynced.join(", ")} to sync` };
    const failed = [...failing].filter(([r]) => !notServed.has(r));
    if (failed.length > 0) return { ready: false, reason: `watch of ${failed.map(([r, msg]) => `${r} failing (${msg})`).join("; ")}; the table stays as last applied` };
    if (lastCycle !== null) return { ready: false, reason: lastCycle };
    if (lastVerify === "error") return { ready: false, reason: "the last check of the kernel's table failed" };
    return { ready: true };
  };

  let counterCache: { at: number; text: Promise<void> } | null = null;
  const readKernelCounters = async (): Promise<void> => {
    const ruleIds = applied?.ruleIds;
    if (ruleIds === undefined) return;
    const read = await readCounters(opts.netns);
    if (!read.ok) return;
    m.denied.clear();
    m.audited.clear();
    for (const row of counterRows(ruleIds, read.value)) {
      const labels = row.entry === null ? null : counterLabels(row.entry);
      if (labels === null) continue;
      const metric = labels.verdict === "audit" ? m.audited : m.denied;
      const key = { direction: labels.direction, policy: labels.policy };
      metric.set(key, metric.value(key) + row.packets);
    }
  };
  const metricsText = async (): Promise<string> => {
    // The kernel's counters are read at most every 5 s, however often the scrape.
    const now = performance.now();
    if (counterCache === null || now - counterCache.at > 5_000) counterCache = { at: now, text: readKernelCounters() };
    await counterCache.text;
    m.objects.clear();
    for (const [kind, n] of view.counts()) m.objects.set({ kind }, n);
    for (const w of opts.watches) for (const [reason, n] of Object.entries(w.restarts())) m.watchRestarts.set({ resource: w.resource, reason }, n);
    const rejected = view.rejected();
    m.rejected.set({}, rejected.length);
    m.withErrors.clear();
    const byKind = new Map<string, { kind: string; outcome: string; n: number }>();
    for (const r of rejected) {
      const key = `${r.kind}\u0000${r.outcome}`;
      const c = byKind.get(key) ?? { kind: r.kind, outcome: r.outcome, n: 0 };
      c.n++;
      byKind.set(key, c);
    }
    for (const c of byKind.values()) m.withErrors.set({ kind: c.kind, outcome: c.outcome }, c.n);
    m.held.set({}, heldNow.length > 0 ? 1 : 0);
    dns?.refreshMetrics();
    return m.registry.render();
  };

  const server = opts.listen === null ? null : await startOps(opts.listen, { readiness, metrics: metricsText });
  if (server !== null) {
    log.log("info", "ops endpoints listening", { address: `${server.host}:${server.port}`, paths: ["/healthz", "/readyz", "/metrics"] });
    opts.onListening?.(server);
  }

  /** Between a `drift` and its `applied`: the repair puts the last applied ruleset back; the latest state's outcome stands. */
  let repairing = false;
  const onEvent = (e: EnforceEvent): void => {
    switch (e.kind) {
      case "applied": {
        const repair = repairing;
        repairing = false;
        if (!repair) lastCycle = null;
        if (lastVerify === "drift") lastVerify = "ok";
        m.applies.inc({ change: e.change });
        m.applySeconds.observe(e.ms / 1000);
        m.elements.set({}, e.stats.elements);
        m.rules.set({}, e.stats.rules);
        const now = performance.now();
        // A repair applies no event: the events wait for the cycle that applies them.
        const done = repair ? [] : pending.filter((p) => p.version <= loadedVersion);
        if (!repair) pending = pending.filter((p) => p.version > loadedVersion);
        const latency = (what: Pending["what"]): { count: number; maxMs: number } | undefined => {
          const ms = done.filter((p) => p.what === what).map((p) => now - p.at);
          for (const x of ms) (what === "pod-ip" ? m.podIpToApplied : m.policyToApplied).observe(x / 1000);
          return ms.length === 0 ? undefined : { count: ms.length, maxMs: Math.round(Math.max(...ms) * 10) / 10 };
        };
        const podIp = latency("pod-ip");
        const policy = latency("policy");
        const wallNow = Date.now();
        for (const p of done) if (p.createdAt !== undefined) m.policyCreatedToApplied.observe(Math.max(0, wallNow - p.createdAt) / 1000);
        if (!enforcing) {
          enforcing = true;
          nodeEvent("Normal", "Enforcing", "Apply", `${opts.audit ? "auditing" : "enforcing"} NetworkPolicy egress and ingress on this node: ${e.stats.rules} rules, ${e.stats.elements} set elements`);
        }
        log.log("info", "applied", {
          change: e.change,
          added: e.added,
          removed: e.removed,
          ms: e.ms,
          // The cycle by step (see CyclePhases): view read, compile, shrink check, diff, nft.
          ...(e.phases === undefined ? {} : { viewMs: e.phases.loadMs, compileMs: e.phases.compileMs, shrinkMs: e.phases.shrinkMs, diffMs: e.phases.diffMs, nftMs: e.phases.nftMs, gcMs: e.phases.gcMs, gcMarkCompacts: e.phases.gcMarkCompacts }),
          ...(e.idleGc === undefined ? {} : { idleGc: e.idleGc }),
          stats: e.stats,
          ...(podIp === undefined ? {} : { podIpToApplied: podIp }),
          ...(policy === undefined ? {} : { policyToApplied: policy }),
          ...(e.issues.length === 0 ? {} : { issues: e.issues.length, firstIssue: describeIssue(e.issues[0] as (typeof e.issues)[number]) }),
        });
        return;
      }
      case "apply-failed":
        repairing = false;
        lastCycle = `nft failed: ${e.error.message}`;
        m.applyFailures.inc({ reason: "nft" });
        nodeEvent("Warning", "ApplyFailed", "Apply", `nft failed: ${e.error.message}; the table stays as last applied`);
        return log.log("error", "nft failed; the table stays as last applied", { error: e.error.message, stderr: e.error.stderr });
      case "shrink-refused":
        lastCycle = `not applied: the state would drop ${e.percent}% of the enforced rule ids (--allow-shrink, --max-shrink)`;
        m.applyFailures.inc({ reason: "shrink-refused" });
        nodeEvent("Warning", "ShrinkRefused", "Apply", `not applied: the state would drop ${e.percent}% of the enforced rule ids (more than --max-shrink ${e.maxPercent}%); the table stays as it is`);
        return log.log("error", "not applied: the state would drop too many enforced policies; the table stays as it is", { before: e.before, after: e.after, percent: e.percent, maxPercent: e.maxPercent });
      case "drift":
        repairing = true;
        m.driftRepairs.inc();
        nodeEvent("Warning", "DriftRepaired", "Verify", `the kernel's table was not as applied (${e.detail}): replaced`);
        return log.log("warn", "the kernel's table is not as applied: replacing it", { detail: e.detail });
      case "error":
        if (applied === null || typeof scope === "string") lastCycle = e.message;
        m.applyFailures.inc({ reason: "error" });
        nodeEvent("Warning", "ApplyFailed", "Apply", e.message);
        return log.log("error", e.message);
      case "load-failed":
      case "denial":
        return;
    }
  };

  /** The objects holding the node at the last cycle: a change is logged, and each newly holding object gets an Event. */
  let heldNow: readonly Held[] = [];
  const reportHolds = (held: readonly Held[]): void => {
    const before = new Set(heldNow.map((h) => h.object));
    heldNow = held;
    const fresh = held.filter((h) => !before.has(h.object));
    if (held.length === 0) {
      if (before.size > 0) log.log("info", "hold released: the objects that held the node are fixed or deleted; applying");
      return;
    }
    if (fresh.length === 0 && held.length === before.size) return;
    log.log("error", "held: an object that never decoded could open traffic if left out; nothing new is applied until it is fixed or deleted (the table stays as last applied)", {
      objects: held.map((h) => ({ object: liveName(h.object), why: h.why, errors: h.errors.map(formatDiagnostic) })),
    });
    for (const h of fresh) {
      recorder?.record({ type: "Warning", reason: "EnforcementHeld", action: "Apply", note: `${h.errors.map(formatDiagnostic).join("; ")}; left out, ${h.why}: nothing new is applied on node ${opts.node} until this object is fixed or deleted`, regarding: regardingObject(h.object) });
    }
  };

  /** Whether the last scope had pod CIDRs (fail closed on); null before the first. Said when it changes. */
  let failClosed: boolean | null = null;
  const reportFailClosed = (s: NodeScope): void => {
    const cidrs = s.podCidrs ?? [];
    const on = cidrs.length > 0;
    if (on === failClosed) return;
    const first = failClosed === null;
    failClosed = on;
    if (!on) log.log("warn", "this node's Node has no spec.podCIDRs: fail closed is off (a pod that starts is not dropped until its rules are in)", { node: opts.node });
    else if (!first) log.log("info", "this node's Node has pod CIDRs: fail closed is on", { node: opts.node, podCidrs: cidrs.map(formatCidr) });
  };

  const MiB = 1024 * 1024;
  const onIdleGc = (c: IdleCollection): void => {
    m.idleGc.observe(c.ms / 1000);
    log.log("debug", "idle garbage collection", { ms: Math.round(c.ms * 10) / 10, oldGenerationMiB: { before: Math.round(c.oldBefore / MiB), after: Math.round(c.oldAfter / MiB) } });
  };

  const check = opts.datapath;
  const datapathTimer = check === undefined ? undefined : setInterval(() => void recheckDatapath(check), opts.datapathEveryMs ?? 30_000);
  const stops = opts.watches.map((w) => w.start((e) => onWatch(w, e)));
  try {
    await enforceLoop({
      paths: [],
      watch: true,
      startNow: false,
      changes: (changedFn) => {
        notify = changedFn;
        if (allSynced()) changedFn();
        return () => {
          notify = null;
          cancelTimer();
        };
      },
      ...(opts.netns === undefined ? {} : { netns: opts.netns }),
      audit: opts.audit,
      engineOptions: opts.engineOptions,
      load: async () => {
        const cluster = view.cluster();
        scope = view.nodeScope();
        reportHolds(view.holds());
        if (typeof scope !== "string") reportFailClosed(scope);
        loadedVersion = view.version;
        await dns?.prepare(cluster);
        return { cluster, diagnostics: [] };
      },
      ...(dns === null ? {} : { dnsProxy: () => dns.target(), learned: dns }),
      node: () => {
        if (typeof scope === "string") throw new Error(`not applied: ${scope}`);
        return scope;
      },
      ...(opts.allowShrink === undefined ? {} : { allowShrink: opts.allowShrink }),
      ...(opts.maxShrinkPercent === undefined ? {} : { maxShrinkPercent: opts.maxShrinkPercent }),
      ...(opts.verifyMs === undefined ? {} : { verifyMs: opts.verifyMs }),
      ...(opts.idleGc === undefined ? {} : { idleGc: opts.idleGc, onIdleGc }),
      signal: opts.signal,
      onApplied: (c) => {
        applied = c;
        dns?.applied(c.domainRules);
      },
      onVerify: (r) => (lastVerify = r),
      onEvent,
    });
  } finally {
    for (const stop of stops) stop();
    cancelTimer();
    clearInterval(datapathTimer);
  }
  await dns?.close();
  await leave(opts, log);
  recorder?.close();
  await recorder?.flush();
  await server?.close();
}

/** At exit: the table stays (fail closed: the last rules in force, unknown pod addresses dropped) or goes (`--on-exit=remove`). */
async function leave(opts: AgentOptions, log: Logger): Promise<void> {
  if (opts.onExit === "keep") {
    log.log("info", "stopped; the table stays as last applied (fail closed: new pods' addresses are dropped until an agent runs again)", { table: `inet ${TABLE}` });
    return;
  }
  const r = await runNft(["delete", "table", "inet", TABLE], opts.netns);
  if (r.ok || /No such file or directory/.test(r.error.stderr)) log.log("info", "stopped; the table is removed (--on-exit=remove): Portcullis filters nothing on this node now", { table: `inet ${TABLE}` });
  else log.log("error", "stopped, but the table could not be removed", { error: r.error.message, stderr: r.error.stderr });
}
