import { test } from "node:test";
import assert from "node:assert/strict";
import { candidates, parseResolvConf } from "./resolv.js";

const POD = parseResolvConf("search prod.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");

test("a pod's resolv.conf as the kubelet writes it (ClusterFirst): nameserver, search list, ndots:5", () => {
  assert.deepEqual(POD, { nameservers: ["10.96.0.10"], search: ["prod.svc.cluster.local", "svc.cluster.local", "cluster.local"], ndots: 5 });
});

test("resolv.conf(5): 'The default for n is 1'; comments ignored; the last search line wins", () => {
  assert.deepEqual(parseResolvConf("# c\nsearch a\nsearch b c ; x\nnameserver 1.1.1.1\n"), { nameservers: ["1.1.1.1"], search: ["b", "c"], ndots: 1 });
});

test("candidates, table from resolv.conf(5): fewer dots than ndots: the search list first; at least ndots: as is first; a trailing dot: as is only", () => {
  const cases: [string, string[]][] = [
    ["kubernetes.default", ["kubernetes.default.prod.svc.cluster.local", "kubernetes.default.svc.cluster.local", "kubernetes.default.cluster.local", "kubernetes.default"]],
    ["a.b.c.d.e.f", ["a.b.c.d.e.f", "a.b.c.d.e.f.prod.svc.cluster.local", "a.b.c.d.e.f.svc.cluster.local", "a.b.c.d.e.f.cluster.local"]],
    ["example.com.", ["example.com"]],
  ];
  for (const [name, want] of cases) assert.deepEqual(candidates(name, POD), want, name);
});
