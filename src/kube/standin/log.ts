/**
 * Pod logs: what each container wrote (stdout and stderr interleaved, line by line with the time
 * each line arrived, as the container runtime's log file), kept per container for its current and
 * previous run, and `GET /api/v1/namespaces/{ns}/pods/{name}/log` served from it as the apiserver
 * proxies the kubelet: text/plain; `container`, `follow`, `previous`, `tailLines`, `limitBytes`,
 * `timestamps`, `sinceSeconds`; the kubelet's 400s for a container that is not running yet.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Subresource, SubresourceTarget } from "./routes.js";
import { ApiError } from "./wire.js";

interface Line {
  readonly at: Date;
  /** With its newline (a last line cut off at the end has none). */
  readonly text: string;
}

/** One run of one container: its lines, and who follows them. */
export class ContainerLog {
  readonly lines: Line[] = [];
  #partial = "";
  #ended = false;
  readonly #followers = new Set<(line: Line | null) => void>();
  #bytes = 0;

  constructor(private readonly maxBytes = 8 << 20) {}

  get ended(): boolean {
    return this.#ended;
  }

  write(chunk: string): void {
    const text = this.#partial + chunk;
    const parts = text.split("\n");
    this.#partial = parts.pop() ?? "";
    for (const p of parts) this.#push({ at: new Date(), text: `${p}\n` });
  }

  end(): void {
    if (this.#ended) return;
    if (this.#partial !== "") this.#push({ at: new Date(), text: this.#partial });
    this.#partial = "";
    this.#ended = true;
    for (const f of this.#followers) f(null);
    this.#followers.clear();
  }

  #push(line: Line): void {
    this.lines.push(line);
    this.#bytes += line.text.length;
    while (this.#bytes > this.maxBytes && this.lines.length > 1) this.#bytes -= (this.lines.shift() as Line).text.length;
    for (const f of this.#followers) f(line);
  }

  /** Calls `f` with each new line, then null at the end; returns the unsubscribe. */
  follow(f: (line: Line | null) => void): () => void {
    // (`f` may run before this returns: at once when the log has ended.)
    if (this.#ended) {
      f(null);
      return () => undefined;
    }
    this.#followers.add(f);
    return () => this.#followers.delete(f);
  }

  /** Everything written so far, as one text (tests, diagnostics). */
  text(): string {
    return this.lines.map((l) => l.text).join("") + this.#partial;
  }
}

/** Every container's logs, by namespace/pod/container: the current run and the one before (restarts). */
export class PodLogs {
  readonly #logs = new Map<string, { current: ContainerLog; previous: ContainerLog | undefined }>();

  /** A new run of a container: the current log becomes the previous one. */
  start(namespace: string, pod: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}/${container}`;
    const log = new ContainerLog();
    const before = this.#logs.get(key);
    before?.current.end();
    this.#logs.set(key, { current: log, previous: before?.current });
    return log;
  }

  get(namespace: string, pod: string, container: string, previous = false): ContainerLog | undefined {
    const entry = this.#logs.get(`${namespace}/${pod}/${container}`);
    return previous ? entry?.previous : entry?.current;
  }

  /** Forgets a pod's logs (it was deleted); followers see the end. */
  drop(namespace: string, pod: string): void {
    for (const [key, entry] of this.#logs) {
      if (!key.startsWith(`${namespace}/${pod}/`)) continue;
      entry.current.end();
      this.#logs.delete(key);
    }
  }
}

interface PodForLogs {
  readonly spec?: { readonly containers?: readonly { readonly name: string }[] };
  readonly status?: { readonly containerStatuses?: readonly { readonly name: string; readonly state?: { readonly waiting?: { readonly reason?: string } }; readonly restartCount?: number; readonly containerID?: string }[] };
}

const badRequest = (message: string): ApiError => new ApiError(400, "BadRequest", message);

/** The container a request names: `container`, or the only one (the apiserver's 400 otherwise). */
function containerOf(pod: PodForLogs, name: string, query: URLSearchParams): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const asked = query.get("container");
  if (asked === null || asked === "") {
    if (names.length === 1) return names[0] as string;
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
  }
  if (!names.includes(asked)) throw badRequest(`container ${asked} is not valid for pod ${name}`);
  return asked;
}

/** kubelet's validateContainerLogStatus: a container that never ran has no log. */
function waitingMessage(pod: PodForLogs, podName: string, container: string): string | undefined {
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const reason = status?.state?.waiting?.reason;
  if (status !== undefined && (status.containerID !== undefined || reason === undefined)) return undefined;
  const why = reason === "ErrImagePull" || reason === "ImagePullBackOff" ? "trying and failing to pull image" : (reason ?? "ContainerCreating");
  return `container "${container}" in pod "${podName}" is waiting to start: ${why}`;
}

const intParam = (query: URLSearchParams, key: string): number | undefined => {
  const v = query.get(key);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid ${key}: ${v}`);
  return Number(v);
};

/** The lines to send first: since `sinceSeconds`, the last `tailLines`. */
function selectLines(lines: readonly Line[], tail: number | undefined, sinceSeconds: number | undefined): Line[] {
  const since = sinceSeconds === undefined ? undefined : Date.now() - sinceSeconds * 1000;
  const recent = since === undefined ? [...lines] : lines.filter((l) => l.at.getTime() >= since);
  return tail === undefined || tail < 0 ? recent : recent.slice(Math.max(0, recent.length - tail));
}

/** RFC3339Nano as the kubelet prefixes lines with `timestamps=true`. */
const stamp = (d: Date): string => `${d.toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z")} `;

/** The `pods/log` subresource over `logs`. */
export function podLogRoute(logs: PodLogs): Subresource {
  return async (req: IncomingMessage, res: ServerResponse, t: SubresourceTarget): Promise<void> => {
    const pod = t.object as PodForLogs;
    const namespace = t.namespace ?? "default";
    const container = containerOf(pod, t.name, t.query);
    const previous = t.query.get("previous") === "true";
    const log = logs.get(namespace, t.name, container, previous);
    if (previous && log === undefined) throw badRequest(`previous terminated container "${container}" in pod "${t.name}" not found`);
    const waiting = previous ? undefined : waitingMessage(pod, t.name, container);
    if (waiting !== undefined || log === undefined) throw badRequest(waiting ?? `container "${container}" in pod "${t.name}" is waiting to start: ContainerCreating`);
    const follow = t.query.get("follow") === "true";
    const timestamps = t.query.get("timestamps") === "true";
    const limit = intParam(t.query, "limitBytes");
    let left = limit === undefined || limit <= 0 ? Infinity : limit;
    const format = (l: Line): string => (timestamps ? `${stamp(l.at)}${l.text}` : l.text);
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    /** Writes a line within limitBytes; false when the limit is reached. */
    const send = (l: Line): boolean => {
      const text = format(l);
      const bytes = Buffer.from(text);
      if (bytes.length >= left) {
        res.write(bytes.subarray(0, left));
        left = 0;
        return false;
      }
      left -= bytes.length;
      res.write(text);
      return true;
    };
    for (const l of selectLines(log.lines, intParam(t.query, "tailLines"), intParam(t.query, "sinceSeconds"))) {
      if (!send(l)) return void res.end();
    }
    if (!follow || log.ended) return void res.end();
    let unfollow = (): void => undefined;
    await new Promise<void>((resolve) => {
      unfollow = log.follow((l) => {
        if (l === null || !send(l)) resolve();
      });
      res.once("close", () => resolve());
    });
    unfollow();
    res.end();
  };
}
