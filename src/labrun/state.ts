/** Where kept labs (`lab up`) leave their state: one JSON file per lab prefix. */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_PREFIX } from "../lab/netns.js";
import { type LabState, stateFromJson, stateToJson } from "./wire.js";

/** `$XDG_RUNTIME_DIR/portcullis/labs` when that is set, else `/run/portcullis/labs`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_RUNTIME_DIR"];
  return xdg !== undefined && xdg !== "" ? join(xdg, "portcullis", "labs") : "/run/portcullis/labs";
}

export type StateRead = { readonly ok: true; readonly state: LabState } | { readonly ok: false; readonly message: string };

export function statePath(dir: string, prefix: string): string {
  // The prefix names a file: only the shape labs are given is accepted.
  if (!LAB_PREFIX.test(prefix)) throw new Error(`"${prefix}" is not a lab prefix (pc- and 6 hex digits)`);
  return join(dir, `${prefix}.json`);
}

export async function writeState(dir: string, state: LabState): Promise<string> {
  const path = statePath(dir, state.prefix);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path, stateToJson(state), { mode: 0o600 });
  return path;
}

export async function readState(dir: string, prefix: string): Promise<StateRead> {
  if (!LAB_PREFIX.test(prefix)) return { ok: false, message: `"${prefix}" is not a lab prefix (pc- and 6 hex digits)` };
  const path = statePath(dir, prefix);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: code === "ENOENT" ? `no lab ${prefix}: ${path} does not exist` : `cannot read ${path}: ${code ?? String(e)}` };
  }
  const parsed = stateFromJson(text);
  return parsed.ok ? parsed : { ok: false, message: `${path}: ${parsed.message}` };
}

/** Removes a lab's state file; false when there was none. */
export async function removeState(dir: string, prefix: string): Promise<boolean> {
  try {
    await rm(statePath(dir, prefix));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}

