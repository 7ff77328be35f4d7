import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetns, deleteNetns, execIn, ipIn } from "../../enforce/netns.js";
import { labSkip } from "../../lab/testing.js";
import { spawnStandIn } from "./remote.js";
import { kubectlSkip } from "./testing.js";
import type { KubeObject, RequestRecord } from "./standin.js";

function get(url: string, caPem: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("a stand-in in a child process: objects applied over the pipe are served on its port; faults, tokens and the request log work through it", async () => {
  const api = await spawnStandIn({ users: [{ name: "admin" }] });
  try {
    const token = await api.call<string>("token", "admin");
    await api.call("applyMany", [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod" }, spec: { nodeName: "n1" } },
    ]);
    const list = await get(`${api.url}/api/v1/namespaces/prod/pods`, api.caPem, token);
    assert.equal(list.status, 200);
    assert.deepEqual((list.body["items"] as KubeObject[]).map((o) => o.metadata.name), ["web"]);
    await api.call("faults.fail", 1, { pathPattern: "^/api/v1/namespaces/[^/]+/pods$" });
    assert.equal((await get(`${api.url}/api/v1/namespaces/prod/pods`, api.caPem, token)).status, 500);
    const log = await api.call<RequestRecord[]>("requests", 0);
    assert.deepEqual(log.map((r) => r.status), [200, 500]);
    await api.call("revokeToken", "admin");
    assert.equal((await get(`${api.url}/api/v1/namespaces/prod/pods`, api.caPem, token)).status, 401);
    await assert.rejects(api.call("nonsense"), /no method nonsense/);
  } finally {
    await api.close();
  }
});

test("a stand-in inside a network namespace (ip netns exec): kubectl in that namespace reaches it on 127.0.0.1, the root namespace does not", { skip: (await labSkip()) || kubectlSkip() }, async () => {
  const ns = await createNetns("standin");
  assert.ok(ns.ok, JSON.stringify(ns));
  const dir = mkdtempSync(join(tmpdir(), "standin-netns-"));
  try {
    assert.ok((await ipIn(ns.value, ["link", "set", "lo", "up"])).ok);
    const api = await spawnStandIn({}, ["ip", "netns", "exec", ns.value]);
    try {
      await api.call("apply", { apiVersion: "v1", kind: "Namespace", metadata: { name: "inside" } });
      writeFileSync(join(dir, "kubeconfig"), await api.call<string>("kubeconfig", "admin"));
      const kubectl = await execIn(ns.value, ["env", `HOME=${dir}`, "kubectl", "--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", join(dir, "cache"), "get", "ns", "-o", "name"], 30_000);
      assert.ok(kubectl.ok, JSON.stringify(kubectl));
      assert.equal(kubectl.value.trim(), "namespace/inside");
      const token = await api.call<string>("token", "admin");
      await assert.rejects(get(`${api.url}/version`, api.caPem, token), /ECONNREFUSED/);
    } finally {
      await api.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deleteNetns(ns.value);
  }
});
