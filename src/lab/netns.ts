/**
 * Named network namespaces: listing, creating and deleting ours. Only names shaped like
 * `pc-<6 hex>-<n>` are ever touched, so other users of `ip netns` are left alone.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { killQuietly, run, runOk } from "./run.js";

export const LAB_NS = /^(pc-[0-9a-f]{6})-\d+$/;
const MARKER = /^portcullis-lab:owner=(\d+):since=(\d+)$/;
const KEPT = /^portcullis-lab:kept:since=\d+$/;
/** A lab prefix as `newPrefix` makes it. */
export const LAB_PREFIX = /^pc-[0-9a-f]{6}$/;

export function newPrefix(): string {
  return `pc-${randomBytes(3).toString("hex")}`;
}

export function parseNetnsList(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name !== "");
}

export async function listNetns(): Promise<string[]> {
  return parseNetnsList(await runOk(["ip", "netns", "list"]));
}

export function listNetnsSync(): string[] {
  return parseNetnsList(execFileSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 5000 }));
}

export function ofPrefix(names: readonly string[], prefix: string): string[] {
  return names.filter((n) => LAB_NS.exec(n)?.[1] === prefix);
}

export async function addNetns(names: readonly string[]): Promise<void> {
  await runOk(["ip", "-batch", "-"], { input: names.map((n) => `netns add ${n}\n`).join("") });
}

/** `ip -n NS -batch -`: many changes in one namespace in one process. */
export async function ipBatch(ns: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await runOk(["ip", "-n", ns, "-batch", "-"], { input: lines.map((l) => `${l}\n`).join("") });
}

/** `sysctl -w` settings inside a namespace. */
export async function sysctlIn(ns: string, settings: readonly string[]): Promise<void> {
  await runOk(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", ...settings]);
}

/** Deletes every namespace of the prefix that exists; deleting drops their veths too. */
export async function deleteNetns(prefix: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const left = ofPrefix(await listNetns(), prefix);
    if (left.length === 0) return;
    await run(["ip", "-force", "-batch", "-"], { input: left.map((n) => `netns del ${n}\n`).join("") });
  }
  const left = ofPrefix(await listNetns(), prefix);
  if (left.length > 0) throw new Error(`could not delete namespaces ${left.join(", ")}`);
}

/** For exit and signal handlers, where nothing asynchronous runs any more. */
export function deleteNetnsSync(prefix: string): void {
  try {
    const left = ofPrefix(listNetnsSync(), prefix);
    if (left.length === 0) return;
    execFileSync("ip", ["-force", "-batch", "-"], { input: left.map((n) => `netns del ${n}\n`).join(""), timeout: 5000, stdio: ["pipe", "ignore", "ignore"] });
  } catch {
    // Best effort: cleanupStale() removes what is left.
  }
}

/**
 * A running process's start time (clock ticks since boot), to tell a live owner from a reused
 * pid; undefined when there is no such process or it is a zombie (dead, not yet reaped).
 */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Written on the node namespace's lo as its alias: which process owns the lab. */
export function ownerMarker(): string {
  return `portcullis-lab:owner=${process.pid}:since=${startTime(process.pid) ?? "0"}`;
}

/** Written instead when the lab is detached: it outlives its process on purpose (`lab up`). */
export function keptMarker(): string {
  return `portcullis-lab:kept:since=${Date.now()}`;
}

export function isKeptMarker(alias: string): boolean {
  return KEPT.test(alias);
}

export async function writeMarker(ns: string, alias: string): Promise<void> {
  await runOk(["ip", "-n", ns, "link", "set", "dev", "lo", "alias", alias]);
}

/** The owner's pid in an owner marker; undefined for a kept marker or none. */
export function markerOwner(alias: string): number | undefined {
  const m = MARKER.exec(alias);
  return m === null ? undefined : Number(m[1]);
}

export function markerAlive(alias: string): boolean {
  const m = MARKER.exec(alias);
  if (m === null) return false;
  return startTime(Number(m[1])) === m[2];
}

export async function readMarker(ns: string): Promise<string | undefined> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show", "dev", "lo"]);
  if (r.code !== 0) return undefined;
  try {
    const links = JSON.parse(r.stdout) as { ifalias?: string }[];
    return links[0]?.ifalias;
  } catch {
    return undefined;
  }
}

export function netnsAgeMs(ns: string): number | undefined {
  try {
    return Date.now() - statSync(`/var/run/netns/${ns}`).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Kills every process still inside one of our namespaces (left by a crashed run). */
export async function killNetnsPids(ns: string): Promise<void> {
  const r = await run(["ip", "netns", "pids", ns]);
  for (const pid of r.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) killQuietly(Number(pid));
}
