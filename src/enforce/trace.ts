import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type Denial, explainPacket } from "../nft/describe.js";
import { TraceAssembler } from "../nft/logline.js";
import type { RuleIdMap } from "../nft/types.js";
import { inNetns } from "./process.js";

export interface DenialFollower {
  /** Resolves once `nft monitor trace` has had time to subscribe (there is no signal for it). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export interface FollowOptions {
  readonly netns?: string;
  /** The rule ids of the ruleset applied now (asked per packet: the enforcer may re-apply). */
  readonly ruleIds: () => RuleIdMap;
  readonly onDenial: (denial: Denial) => void;
  readonly onError?: (message: string) => void;
}

const SUBSCRIBE_MS = 300;

/**
 * Follows denials through `nft monitor trace`. Deny rules set `meta nftrace` (rate-limited), so only
 * denied packets are traced. This works inside a network namespace, where the kernel log does not
 * carry `log` lines (net.netfilter.nf_log_all_netns=0, the default).
 */
export function followDenials(opts: FollowOptions): DenialFollower {
  const command = inNetns(opts.netns, ["nft", "monitor", "trace"]);
  if (!command.ok) {
    opts.onError?.(command.error.message);
    return { ready: Promise.resolve(), stop: () => Promise.resolve() };
  }
  const [program, argv] = command.value;
  const child = spawn(program, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const assembler = new TraceAssembler();
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  child.on("error", (e) => opts.onError?.(`cannot run ${program}: ${e.message}`));
  child.stderr.setEncoding("utf8").on("data", (d: string) => opts.onError?.(d.trim()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const packet = assembler.feed(line);
    const denial = packet === null ? null : explainPacket(opts.ruleIds(), packet);
    if (denial !== null) opts.onDenial(denial);
  });
  const ready = new Promise<void>((resolve) => {
    child.on("spawn", () => setTimeout(resolve, SUBSCRIBE_MS));
    child.on("error", () => resolve());
  });
  return {
    ready,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await closed;
    },
  };
}
