import { spawn } from "node:child_process";
import type { Cluster } from "../../model/cluster.js";
import { startUiServer, type UiServer } from "../../ui-server/server.js";
import { sessionRoutes, UiSession } from "../../ui-server/session.js";
import { adminPolicyHandling, engineOptions, type LiveLoadIo, loadInput, withPodNetwork, withSnapshot } from "../load.js";
import type { CommandOptions } from "../options.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

type UiOptions = Extract<CommandOptions, { name: "ui" }>;

interface UiIo extends LiveLoadIo {
  readonly stdout: (text: string) => void;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly stopped?: (server: UiServer) => Promise<void>;
}

/** `ui`: loads the input, serves the page on 127.0.0.1 until Ctrl-C (exit 0); a port in use is exit 4. */
export async function runUi(options: UiOptions, io: UiIo): Promise<CommandResult> {
  const loaded = await loadInput(options.common, io, adminPolicyHandling("ui", options.common.snapshot !== undefined));
  if (loaded.kind === "ended") return loaded.result;
  const { cluster } = loaded;
  const unknown = unknownNamespace(options.namespace, cluster);
  if (unknown !== null) return usage(unknown);
  const common = await withSnapshot(withPodNetwork(loaded.common, cluster, io), options.common.snapshot, cluster, io);
  if (common === null) return done("invalid-input", "");
  const session = new UiSession(cluster, {
    source: sourceLabel(options, cluster),
    engine: engineOptions(common),
    lint: { dns: { ips: options.wellKnown.dns }, metadata: options.wellKnown.metadata, ...(options.namespace === null ? {} : { namespace: options.namespace }) },
    namespace: options.namespace,
    metadata: options.wellKnown.metadata,
    assumptions: [],
  });
  let server: UiServer;
  try {
    server = await startUiServer(options.port, sessionRoutes(() => session));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EADDRINUSE" ? `port ${options.port} is in use (give another with --port, or --port 0 for a free one)` : error instanceof Error ? error.message : String(error);
    return done("internal", "", `portcullis: ui: cannot listen on 127.0.0.1:${options.port}: ${why}\n`);
  }
  io.stdout(`portcullis ui: serving ${session.view.source.label} (${session.view.counts.workloads} workloads) on ${server.url}\nPress Ctrl-C to stop.\n`);
  if (options.open) openBrowser(server.url, io);
  await (io.stopped ?? untilSignal)(server);
  await server.close();
  return done("ok", "");
}

function sourceLabel(options: UiOptions, cluster: Cluster): string {
  const input = options.common.input;
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
