/** How a Service routes (model/service.ts), from the ServiceSpec/ServicePort API text. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cluster, Endpoint, Service, ServicePort } from "./cluster.js";
import { pickServicePort, serviceBackends, targetPortOn } from "./service.js";

const AT = { file: "t.yaml", line: 1, column: 1, document: 0, path: "" };

function pod(namespace: string, name: string, labels: Record<string, string>, ports: Endpoint["ports"] = []): Endpoint {
  return { id: `${namespace}/${name}`, namespace, name, kind: "Pod", labels: new Map(Object.entries(labels)), ips: [], hostNetwork: false, ports, pods: [name], at: AT };
}

function service(ports: ServicePort[], selector: Record<string, string> | null = { "k8s-app": "kube-dns" }): Service {
  return { namespace: "kube-system", name: "kube-dns", selector: selector === null ? null : new Map(Object.entries(selector)), ports, clusterIps: [], type: "ClusterIP", headless: false, externalName: null, at: AT };
}

// The kubeadm kube-dns Service: dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP.
const KUBE_DNS: ServicePort[] = [
  { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
  { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
  { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
];

test(`"Route service traffic to pods with label keys and values matching this selector", in the Service's namespace only`, () => {
  const coredns = pod("kube-system", "coredns", { "k8s-app": "kube-dns", extra: "x" });
  const impostor = pod("prod", "fake", { "k8s-app": "kube-dns" });
  const other = pod("kube-system", "proxy", { "k8s-app": "kube-proxy" });
  const cluster: Cluster = { namespaces: new Map(), endpoints: [coredns, impostor, other], services: [], policies: [] };
  assert.deepEqual(serviceBackends(cluster, service(KUBE_DNS)).map((e) => e.id), ["kube-system/coredns"]);
  // "If empty or not present, the service is assumed to have an external process managing its endpoints."
  assert.deepEqual(serviceBackends(cluster, service(KUBE_DNS, null)), []);
});

const PICKS: readonly [string, number | string | null, "TCP" | "UDP" | null, ServicePort[], string][] = [
  ["by number and protocol", 53, "UDP", KUBE_DNS, "dns"],
  ["by number, both protocols: TCP as check defaults", 53, null, KUBE_DNS, "dns-tcp"],
  ["by name", "metrics", null, KUBE_DNS, "metrics"],
  ["the one port when none is given", null, null, [{ port: 80, protocol: "TCP", targetPort: "http" }], "80"],
  ["several and none given: the ports listed", null, null, KUBE_DNS, "Service kube-system/kube-dns has several ports: give --port (its ports: dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP)"],
  ["a number it does not have", 8080, null, KUBE_DNS, "Service kube-system/kube-dns has no port 8080 (its ports: dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP)"],
  ["a protocol it does not have on that port", 9153, "UDP", KUBE_DNS, "Service kube-system/kube-dns has no UDP port 9153 (its ports: dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP)"],
];

for (const [name, port, protocol, ports, expected] of PICKS) {
  test(`Service port (kube-dns of a kubeadm cluster): ${name}`, () => {
    const picked = pickServicePort(service(ports), port, protocol);
    assert.equal(typeof picked === "string" ? picked : (picked.name ?? String(picked.port)), expected);
  });
}

test(`targetPort: "Number or name of the port to access on the pods ... looked up as a named port in the target Pod's container ports"`, () => {
  const stable = pod("shop", "web-stable", { app: "web" }, [{ name: "http", port: 8080, protocol: "TCP" }]);
  const udpOnly = pod("shop", "web-udp", { app: "web" }, [{ name: "http", port: 8080, protocol: "UDP" }]);
  const bare = pod("shop", "web-debug", { app: "web" });
  const named: ServicePort = { name: "http", port: 80, protocol: "TCP", targetPort: "http" };
  assert.deepEqual(targetPortOn(named, stable), { ok: true, port: 8080, protocol: "TCP" });
  assert.equal(targetPortOn(named, udpOnly).ok, false, "the name resolves for the Service port's protocol only");
  assert.deepEqual(targetPortOn(named, bare), { ok: false, reason: `declares no TCP container port named "http": not a backend of this port` });
  assert.deepEqual(targetPortOn({ port: 80, protocol: "TCP", targetPort: 8080 }, bare), { ok: true, port: 8080, protocol: "TCP" });
});
