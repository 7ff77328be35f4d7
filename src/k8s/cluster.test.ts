import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { formatIp } from "../net/ip.js";
import { codes } from "./codes.js";
import { decodeYaml, errors, summary, yaml } from "./testing.js";

describe("namespaces", () => {
  test("a declared namespace keeps its labels and gets kubernetes.io/metadata.name, overriding what was written", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: production
          labels: {team: shop, kubernetes.io/metadata.name: something-else}
      `),
    );
    const ns = result.value.namespaces.get("production");
    assert.deepEqual(
      [...(ns?.labels ?? [])],
      [
        ["team", "shop"],
        ["kubernetes.io/metadata.name", "production"],
      ],
    );
    assert.equal(ns?.declared, true);
    assert.equal(ns?.at?.line, 1);
  });

  test("a namespace referenced by an object but not declared exists implicitly, with its name label", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny}
        spec: {podSelector: {}}
      `),
    );
    assert.deepEqual(
      [...result.value.namespaces.values()].map((ns) => [ns.name, ns.declared, [...ns.labels]]),
      [
        ["default", false, [["kubernetes.io/metadata.name", "default"]]],
        ["shop", false, [["kubernetes.io/metadata.name", "shop"]]],
      ],
    );
  });

  test("a namespace's metadata.namespace is ignored; namespaces are sorted by name", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Namespace
        metadata: {name: zeta, namespace: other}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: alpha}
      `),
    );
    assert.deepEqual([...result.value.namespaces.keys()], ["alpha", "zeta"]);
  });

  test("a namespace name is a DNS-1123 label", () => {
    const result = decodeYaml("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod.eu}\n");
    assert.deepEqual(summary(result.diagnostics), ["error invalid-name metadata.name"]);
    assert.equal(result.value.namespaces.size, 0);
  });
});

describe("services", () => {
  test("selector, ports (targetPort defaults to port, may be a name), cluster IPs without None", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          clusterIPs: [10.96.0.20, 'fd00::20']
          ports:
            - {name: http, port: 80, targetPort: http}
            - {port: 443}
            - {port: 53, protocol: UDP, targetPort: 5353}
      `),
    );
    assert.deepEqual(errors(result.diagnostics), []);
    const s = result.value.services[0];
    assert.deepEqual([...(s?.selector ?? [])], [["app", "web"]]);
    assert.deepEqual(s?.ports, [
      { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
      { port: 443, targetPort: 443, protocol: "TCP" },
      { port: 53, targetPort: 5353, protocol: "UDP" },
    ]);
    assert.deepEqual(s?.clusterIps.map(formatIp), ["10.96.0.20", "fd00::20"]);
  });

  test("a service without selector (or with an empty one) has selector null; headless has no cluster IP", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Service
        metadata: {name: external}
        spec: {clusterIP: None, ports: [{port: 5432}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: empty}
        spec: {selector: {}}
      `),
    );
    assert.deepEqual(
      result.value.services.map((s) => [s.name, s.selector, s.clusterIps]),
      [
        ["external", null, []],
        ["empty", null, []],
      ],
    );
  });

  // ServiceSpec: "type ... Defaults to ClusterIP"; "externalName ... Requires `type` to be `ExternalName`"; clusterIP "None" is headless.
  test("a service's type, headless flag and externalName (kubeadm kube-dns, a StatefulSet's governing Service, an ExternalName alias)", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: Service
        metadata: {name: kube-dns, namespace: kube-system}
        spec: {selector: {k8s-app: kube-dns}, clusterIP: 10.96.0.10, ports: [{port: 53, protocol: UDP}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db}
        spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: payments}
        spec: {type: ExternalName, externalName: api.payments.example.com}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: lb}
        spec: {type: LoadBalancer, selector: {app: web}, clusterIP: 10.96.0.30, ports: [{port: 80}]}
      `),
    );
    assert.deepEqual(errors(result.diagnostics), []);
    assert.deepEqual(
      result.value.services.map((s) => [s.name, s.type, s.headless, s.externalName]),
      [
        ["kube-dns", "ClusterIP", false, null],
        ["db", "ClusterIP", true, null],
        ["payments", "ExternalName", false, "api.payments.example.com"],
        ["lb", "LoadBalancer", false, null],
      ],
    );
  });

  test("an unknown service type is an error naming the types", () => {
    const result = decodeYaml(yaml(`
        apiVersion: v1
        kind: Service
        metadata: {name: odd}
        spec: {type: Ingress}
      `));
    assert.match(errors(result.diagnostics).map((d) => d.message).join("\n"), /unknown Service type "Ingress": expected ClusterIP, NodePort, LoadBalancer or ExternalName/);
  });

  test("a service port needs a port number", () => {
    const result = decodeYaml("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - {targetPort: 80}\n");
    assert.deepEqual(summary(result.diagnostics), ["error missing-field spec.ports[0].port"]);
  });
});

describe("kinds", () => {
  test("unknown kinds are skipped and counted, not errors", () => {
    const result = decodeYaml(
      yaml(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: b}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
      `),
    );
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.skipped, [
      { kind: "ConfigMap", count: 2 },
      { kind: "Secret", count: 1 },
    ]);
  });

  test("a document that is not a mapping is an error", () => {
    const result = decodeYaml("just a string\n");
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.message, d.at?.line]),
      [[codes.notAnObject, messages.notAnObject('the string "just a string"'), 1]],
    );
  });

  test("an object without kind or apiVersion is an error", () => {
    const result = decodeYaml("apiVersion: v1\nmetadata: {name: x}\n---\nkind: Pod\nmetadata: {name: y}\n");
    assert.deepEqual(summary(result.diagnostics), ["error missing-field kind", "error missing-field apiVersion"]);
  });

  test("a supported kind without metadata is an error at metadata.name", () => {
    const result = decodeYaml("apiVersion: v1\nkind: Pod\nspec: {}\n");
    assert.deepEqual(summary(result.diagnostics), ["error missing-field metadata.name"]);
  });
});
