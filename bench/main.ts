/**
 * `npm run bench [-- --shapes S,M] [--quick] [--seed N]`: generates seeded synthetic clusters and
 * prints, per shape and phase, time, CPU time and memory. Each shape runs in its own process (its
 * peak RSS is its own); a phase that overruns its limit is stopped and reported as a timeout.
 */
import { fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type Message, PHASES, type PhaseName, type PhaseResult, type ShapeSizes } from "./protocol.js";
import { SHAPES, type Shape } from "./shapes.js";
import { render, table } from "./report.js";
import { LOADER_HEAD, loaderFigures } from "./loader.js";
import { Prng } from "./prng.js";

export interface ShapeRun {
  readonly shape: Shape;
  readonly results: Map<PhaseName, PhaseResult>;
  readonly sizes: Partial<ShapeSizes>;
}

interface Args {
  readonly shapes: readonly Shape[];
  readonly quick: boolean;
  readonly seed: number;
}

const USAGE = "usage: npm run bench -- [--shapes S,M,L,XL,all-select,adversarial,M+admin,XL+admin] [--quick] [--seed N]";

function parseArgs(argv: readonly string[]): Args {
  let shapes: readonly Shape[] = SHAPES;
  let quick = false;
  let seed = 20240601;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--seed") seed = Number(value());
    else if (arg === "--shapes") {
      const names = value().split(",");
      const unknown = names.filter((n) => !SHAPES.some((s) => s.name === n));
      if (unknown.length > 0) throw new Error(`unknown shape ${unknown.join(", ")}\n${USAGE}`);
      shapes = SHAPES.filter((s) => names.includes(s.name));
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!Number.isInteger(seed)) throw new Error(`--seed takes an integer\n${USAGE}`);
  return { shapes, quick, seed };
}

/** Runs one shape's child process, stopping it when a phase overruns its limit. */
function runShape(shape: Shape, args: Args): Promise<ShapeRun> {
  const run: ShapeRun = { shape, results: new Map(), sizes: {} };
  const worker = fileURLToPath(new URL("./worker.js", import.meta.url));
  const child = fork(worker, [shape.name, String(args.seed), args.quick ? "1" : "0"], {
    execArgv: ["--expose-gc", "--max-old-space-size=8192"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let timer: NodeJS.Timeout | undefined;
  let current: { phase: PhaseName; limitS: number } | undefined;
  return new Promise((resolve) => {
    child.on("message", (m: Message) => {
      if (m.type === "start") {
        current = { phase: m.phase, limitS: m.limitS };
        clearTimeout(timer);
        // Phases time-box themselves where they can; this is the backstop (plus a grace period).
        timer = setTimeout(() => child.kill("SIGKILL"), (m.limitS + 15) * 1000);
      } else if (m.type === "phase") {
        run.results.set(m.result.phase, m.result);
        current = undefined;
      } else {
        Object.assign(run.sizes, m.sizes);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (current !== undefined) {
        const note = signal === "SIGKILL" ? `timeout after ${current.limitS} s` : `process ended (${signal ?? code})`;
        run.results.set(current.phase, { phase: current.phase, status: signal === "SIGKILL" ? "timeout" : "failed", note });
      }
      for (const p of PHASES) if (!run.results.has(p)) run.results.set(p, { phase: p, status: "skipped", note: "an earlier phase did not finish" });
      resolve(run);
    });
  });
}

/** The loader table, on the objects of shape M (S with --quick), each load in a process of its own. */
function loader(args: Args): string {
  const name = args.quick ? "S" : "M";
  process.stderr.write(`running the loader figures (${name}'s objects)...\n`);
  const objects = SHAPES.find((s) => s.name === name)?.generate(new Prng(args.seed), false) ?? [];
  const rows = loaderFigures(objects, args.quick ? 2000 : 8000);
  return ["Loader (parse + decode; peak RSS above that of reading the text, per MB of input)", table(LOADER_HEAD, rows), ""].join("\n");
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
    return;
  }
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`portcullis bench: seed ${args.seed}${args.quick ? ", quick (sizes / 10)" : ""}; node ${process.version}; ${cpus().length} x ${cpu}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const runs: ShapeRun[] = [];
  for (const shape of args.shapes) {
    process.stderr.write(`running ${shape.name} (${shape.summary})...\n`);
    runs.push(await runShape(shape, args));
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(render(runs));
  console.log(loader(args));
}

await main();
