import { spawn } from "node:child_process";
import type { Cluster } from "../../model/cluster.js";
import { sessionRoutes } from "../../ui-server/routes.js";
import { startUiServer, type UiServer } from "../../ui-server/server.js";
import { type Baseline, type SessionOptions, SessionState, UiSession } from "../../ui-server/session.js";
import { readOld, readShown } from "../../ui-server/start-input.js";
import { adminPolicyHandling, type LiveLoadIo, withPodNetwork, withSnapshot } from "../load.js";
import type { CommandOptions } from "../options.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

type UiOptions = Extract<CommandOptions, { name: "ui" }>;

interface UiIo extends LiveLoadIo {
  readonly stdout: (text: string) => void;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly stopped?: (server: UiServer) => Promise<void>;
}

/** `ui`: loads the input (and with --against/--base the old version), serves the page on 127.0.0.1 until Ctrl-C (exit 0); a port in use is exit 4. */
export async function runUi(options: UiOptions, io: UiIo): Promise<CommandResult> {
  const decode = adminPolicyHandling("ui", options.common.snapshot !== undefined);
  const compare = options.compare;
  const shown = await readShown(options.common, compare?.kind === "against" ? compare.paths : null, io, decode);
  if (shown.kind === "ended") return shown.result;
  const { cluster, input } = shown.value;
  const unknown = unknownNamespace(options.namespace, cluster);
  if (unknown !== null) return usage(unknown);
  const reading = await withSnapshot(withPodNetwork(shown.value.common, cluster, io), options.common.snapshot, cluster, io);
  if (reading === null) return done("invalid-input", "");
  const sessionOptions: SessionOptions = {
    source: sourceLabel(options, cluster),
    reading,
    lint: { dns: { ips: options.wellKnown.dns }, metadata: options.wellKnown.metadata, ...(options.namespace === null ? {} : { namespace: options.namespace }) },
    namespace: options.namespace,
    metadata: options.wellKnown.metadata,
    dns: options.wellKnown.dns,
  };
  let baseline: Baseline | null = null;
  if (compare !== null && options.common.input.kind === "files") {
    const files = options.common.input.files;
    const old = await readOld(compare, files, options.common, io, decode);
    if (old.kind === "ended") return old.result;
    // Each version's pod network as its Nodes imply it (as `diff` compiles each version).
    const oldReading = { ...withPodNetwork(options.common, old.value, io), ...(reading.dns === undefined ? {} : { dns: reading.dns }) };
    const oldName = compare.kind === "against" ? `${files.join(", ")} (-f)` : `${files.join(", ")} at ${compare.ref} (--base)`;
    baseline = { session: new UiSession(old.value, { ...sessionOptions, source: oldName, reading: oldReading }), old: oldName, new: sessionOptions.source };
  }
  const state = new SessionState(new UiSession(cluster, sessionOptions, baseline), input);
  let server: UiServer;
  try {
    server = await startUiServer(options.port, sessionRoutes(state));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EADDRINUSE" ? `port ${options.port} is in use (give another with --port, or --port 0 for a free one)` : error instanceof Error ? error.message : String(error);
    return done("internal", "", `portcullis: ui: cannot listen on 127.0.0.1:${options.port}: ${why}\n`);
  }
  const view = state.start.view;
  const compared = view.diff === null ? "" : `, compared with ${view.diff.old}`;
  io.stdout(`portcullis ui: serving ${view.source.label} (${view.counts.workloads} workloads${compared}) on ${server.url}\nPress Ctrl-C to stop.\n`);
  if (options.open) openBrowser(server.url, io);
  await (io.stopped ?? untilSignal)(server);
  await server.close();
  return done("ok", "");
}

function sourceLabel(options: UiOptions, cluster: Cluster): string {
  const input = options.common.input;
  if (options.compare?.kind === "against") return `${options.compare.paths.join(", ")} (--against)`;
  if (input.kind === "files") return input.files.join(", ");
  return `the live cluster (${cluster.namespaces.size} namespaces)`;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM"] as const;
    const on = (): void => {
      for (const s of signals) process.off(s, on);
      resolve();
    };
    for (const s of signals) process.on(s, on);
  });
}

/** `--open`: the platform's opener, detached; a failure is a warning (the URL is printed). */
function openBrowser(url: string, io: UiIo): void {
  const [command, ...args] = process.platform === "darwin" ? ["open", url] : process.platform === "win32" ? ["cmd", "/c", "start", "", url] : ["xdg-open", url];
  const child = spawn(command ?? "xdg-open", args, { stdio: "ignore", detached: true });
  child.on("error", (error) => io.stderr(`portcullis: warning: --open: cannot start ${command ?? ""}: ${error.message}; open ${url} yourself\n`));
  child.unref();
}
