/**
 * One loader measurement in its own process, so that its peak RSS is its own.
 * Usage: node dist/bench/loader-child.js <read|portcullis|yaml-lib> <file>
 * Prints one JSON line: { ms, cpuMs, maxRssMb, objects } (CPU time: the machine may be shared).
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { loadCluster } from "../src/k8s/load.js";

const [mode = "read", file = ""] = process.argv.slice(2);
const text = readFileSync(file, "utf8");
const t0 = performance.now();
const c0 = process.cpuUsage();
let objects = 0;
if (mode === "portcullis") {
  // Parse and decode: what a command does before it computes anything.
  const loaded = loadCluster([{ file, text }]);
  objects = loaded.value.endpoints.length + loaded.value.policies.length + loaded.value.namespaces.size;
  if (loaded.diagnostics.some((d) => d.severity === "error")) throw new Error(`${file}: ${loaded.diagnostics[0]?.message}`);
} else if (mode === "yaml-lib") {
  const docs = parseAllDocuments(text);
  objects = Array.isArray(docs) ? docs.length : 1;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, objects }));
