/**
 * Loader figures: the same objects as multi-document YAML (what `kubectl get -o yaml` of several
 * kinds, or a directory of manifests, gives), as one YAML `kind: List` (`kubectl get -A -o yaml`)
 * and as a JSON List (`-o json`): MB/s and peak RSS per MB of input for loading (parse and decode),
 * yaml's own `parseAllDocuments` on the same YAML text beside it, and a policy whose rules alias
 * one long peer list (loading was quadratic in it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MB } from "./memory.js";
import type { Obj } from "./objects.js";
import { toYaml } from "./yaml.js";

interface Measured {
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly objects: number;
}

function measure(mode: "read" | "portcullis" | "yaml-lib", file: string): Measured {
  const child = fileURLToPath(new URL("./loader-child.js", import.meta.url));
  const out = execFileSync(process.execPath, [child, mode, file], { encoding: "utf8", maxBuffer: MB, timeout: 600_000 });
  return JSON.parse(out) as Measured;
}

/** A policy whose `rules` egress rules all alias one list of `peers` ipBlock peers. */
function aliasedPolicy(peers: number, rules: number): string {
  const lines = ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata: {name: wide, namespace: prod}", "spec:", "  podSelector: {}", "  egress:", "    - to: &peers"];
  for (let i = 0; i < peers; i++) lines.push(`      - ipBlock: {cidr: 10.${(i >> 8) & 255}.${i & 255}.0/24}`);
  for (let r = 1; r < rules; r++) lines.push("    - to: *peers");
  return `${lines.join("\n")}\n`;
}

const f1 = (v: number): string => v.toFixed(1);
const time = (m: Measured): string => `${(m.ms / 1000).toFixed(2)} s (cpu ${(m.cpuMs / 1000).toFixed(2)})`;

function row(input: string, bytes: number, read: Measured, ours: Measured, lib: Measured | undefined): string[] {
  const mb = bytes / MB;
  const perMb = (m: Measured): string => f1(Math.max(0, m.maxRssMb - read.maxRssMb) / mb);
  return [
    input,
    f1(mb),
    String(ours.objects),
    time(ours),
    f1(mb / (ours.cpuMs / 1000)),
    perMb(ours),
    lib === undefined ? "" : time(lib),
    lib === undefined ? "" : f1(mb / (lib.cpuMs / 1000)),
    lib === undefined ? "" : perMb(lib),
    lib === undefined ? "" : `${f1(ours.cpuMs / lib.cpuMs)}x`,
  ];
}

/** The loader table for these objects; `aliasPeers` sizes the alias case. */
export function loaderFigures(objects: readonly Obj[], aliasPeers: number): string[][] {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  try {
    const inputs: [string, string, boolean][] = [
      ["YAML, one document per object", toYaml(objects), true],
      ["YAML, one kind: List", toYaml([{ apiVersion: "v1", kind: "List", items: objects }]), true],
      ["JSON, one kind: List", JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 4), false],
      [`YAML, ${aliasPeers} peers behind 3 aliases`, aliasedPolicy(aliasPeers, 3), true],
    ];
    const rows: string[][] = [];
    inputs.forEach(([name, text, yaml], i) => {
      const file = join(dir, `input-${i}.${yaml ? "yaml" : "json"}`);
      writeFileSync(file, text);
      const read = measure("read", file);
      rows.push(row(name, Buffer.byteLength(text), read, measure("portcullis", file), yaml ? measure("yaml-lib", file) : undefined));
    });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const LOADER_HEAD = ["input", "MB", "objects", "load", "MB/s (cpu)", "peak RSS MB per MB", "yaml parseAllDocuments", "MB/s (cpu)", "peak RSS MB per MB", "load / parseAllDocuments (cpu)"];
