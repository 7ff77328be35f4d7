import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import { decodeYaml, errors, markedLine, networkPolicy } from "./testing.js";

/**
 * What the API server rejects, one case per rule: the decoder reports exactly one error with this
 * code and message, at this field path, on the line marked `#<`, and leaves the policy out.
 */
interface Case {
  readonly rule: string;
  readonly text: string;
  readonly code: string;
  readonly path: string;
  readonly message: string;
  /** The object named in the diagnostic, when not `NetworkPolicy production/app-egress`. */
  readonly object?: string | undefined;
}

const OBJECT = "NetworkPolicy production/app-egress";

const cases: Case[] = [
  // ipBlock
  {
    rule: "except values outside the cidr range are rejected",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/8
                except:
                  - 192.168.0.0/16 #<
    `),
    code: codes.exceptNotSubset,
    path: "spec.egress[0].to[0].ipBlock.except[0]",
    message: messages.exceptNotSubset("192.168.0.0/16", "10.0.0.0/8"),
  },
  {
    rule: "except must be a strict subset of cidr: equal is rejected",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/8
                except: [10.1.0.0/16, 10.0.0.0/8] #<
    `),
    code: codes.exceptNotSubset,
    path: "spec.egress[0].to[0].ipBlock.except[1]",
    message: messages.exceptNotSubset("10.0.0.0/8", "10.0.0.0/8"),
  },
  {
    rule: "except of another IP family than cidr is rejected",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/8
                except:
                  - 2001:db8::/64 #<
    `),
    code: codes.exceptNotSubset,
    path: "spec.egress[0].to[0].ipBlock.except[0]",
    message: messages.exceptFamilyMismatch("2001:db8::/64", "10.0.0.0/8"),
  },
  {
    rule: "cidr must be a valid CIDR: prefix length above 32",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/33 #<
    `),
    code: codes.invalidCidr,
    path: "spec.egress[0].to[0].ipBlock.cidr",
    message: messages.invalidCidr("10.0.0.0/33", "prefix length above 32"),
  },
  {
    rule: "cidr must be a valid CIDR: an address without prefix",
    text: networkPolicy(`
      podSelector: {}
      ingress:
        - from:
            - ipBlock: {cidr: 192.168.1.1} #<
    `),
    code: codes.invalidCidr,
    path: "spec.ingress[0].from[0].ipBlock.cidr",
    message: messages.invalidCidr("192.168.1.1", "missing '/prefix'"),
  },
  {
    rule: "except entries must be valid CIDRs",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/8
                except:
                  - 10.1.0.0/16
                  - banana #<
    `),
    code: codes.invalidCidr,
    path: "spec.egress[0].to[0].ipBlock.except[1]",
    message: messages.invalidCidr("banana", "missing '/prefix'"),
  },
  {
    rule: "ipBlock cidr is required",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock: #<
                except: []
    `),
    code: codes.missingField,
    path: "spec.egress[0].to[0].ipBlock.cidr",
    message: messages.missingField("cidr"),
  },
  // ports
  {
    rule: "endPort may not be specified when port is not specified",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - protocol: TCP
              endPort: 8080 #<
    `),
    code: codes.endPortWithoutPort,
    path: "spec.egress[0].ports[0].endPort",
    message: messages.endPortWithoutNumber(),
  },
  {
    rule: "endPort may not be specified when port is non-numeric",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: http
              endPort: 8080 #<
    `),
    code: codes.endPortWithoutPort,
    path: "spec.egress[0].ports[0].endPort",
    message: messages.endPortWithoutNumber(),
  },
  {
    rule: "endPort must be equal or greater than port",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: 32000
              endPort: 31000 #<
    `),
    code: codes.endPortBelowPort,
    path: "spec.egress[0].ports[0].endPort",
    message: messages.endPortBelowPort(31000, 32000),
  },
  {
    rule: "port must be between 1 and 65535: zero",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: 0 #<
    `),
    code: codes.portOutOfRange,
    path: "spec.egress[0].ports[0].port",
    message: messages.portOutOfRange(0),
  },
  {
    rule: "port must be between 1 and 65535: 65536",
    text: networkPolicy(`
      podSelector: {}
      ingress:
        - ports:
            - port: 65536 #<
    `),
    code: codes.portOutOfRange,
    path: "spec.ingress[0].ports[0].port",
    message: messages.portOutOfRange(65536),
  },
  {
    rule: "endPort must be between 1 and 65535",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: 30000
              endPort: 70000 #<
    `),
    code: codes.portOutOfRange,
    path: "spec.egress[0].ports[0].endPort",
    message: messages.portOutOfRange(70000),
  },
  {
    rule: "a port name is an IANA_SVC_NAME: lowercase only",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: HTTP #<
    `),
    code: codes.invalidPortName,
    path: "spec.egress[0].ports[0].port",
    message: messages.invalidPortName("HTTP"),
  },
  {
    rule: "a port name is an IANA_SVC_NAME: no consecutive hyphens",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: my--port #<
    `),
    code: codes.invalidPortName,
    path: "spec.egress[0].ports[0].port",
    message: messages.invalidPortName("my--port"),
  },
  {
    rule: "a port name is an IANA_SVC_NAME: not starting with a hyphen",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: -metrics #<
    `),
    code: codes.invalidPortName,
    path: "spec.egress[0].ports[0].port",
    message: messages.invalidPortName("-metrics"),
  },
  {
    rule: "a port name is an IANA_SVC_NAME: at most 15 characters",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: prometheus-metrics #<
    `),
    code: codes.invalidPortName,
    path: "spec.egress[0].ports[0].port",
    message: messages.invalidPortName("prometheus-metrics"),
  },
  {
    rule: "a port name is an IANA_SVC_NAME: at least one letter, so a quoted number is refused",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: "443" #<
    `),
    code: codes.invalidPortName,
    path: "spec.egress[0].ports[0].port",
    message: messages.numericPortName("443"),
  },
  {
    rule: "protocol is TCP, UDP or SCTP, case-sensitive",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - protocol: tcp #<
              port: 443
    `),
    code: codes.unknownProtocol,
    path: "spec.egress[0].ports[0].protocol",
    message: messages.unknownProtocol("tcp"),
  },
  {
    rule: "protocol ICMP is not supported",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - protocol: ICMP #<
    `),
    code: codes.unknownProtocol,
    path: "spec.egress[0].ports[0].protocol",
    message: messages.unknownProtocol("ICMP"),
  },
  // peers
  {
    rule: "if ipBlock is set then neither of the other fields can be: podSelector",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock: #<
                cidr: 10.0.0.0/8
              podSelector: {}
    `),
    code: codes.ipBlockWithSelector,
    path: "spec.egress[0].to[0]",
    message: messages.ipBlockWithSelector(),
  },
  {
    rule: "if ipBlock is set then neither of the other fields can be: namespaceSelector",
    text: networkPolicy(`
      podSelector: {}
      ingress:
        - from:
            - podSelector: {}
            - namespaceSelector: {matchLabels: {team: shop}} #<
              ipBlock: {cidr: 10.0.0.0/8}
    `),
    code: codes.ipBlockWithSelector,
    path: "spec.ingress[0].from[1]",
    message: messages.ipBlockWithSelector(),
  },
  {
    rule: "a peer must specify ipBlock, namespaceSelector or podSelector: {}",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - {} #<
    `),
    code: codes.emptyPeer,
    path: "spec.egress[0].to[0]",
    message: messages.emptyPeer(),
  },
  {
    rule: "a peer must specify a peer: a null selector is no selector",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - podSelector: #<
    `),
    code: codes.emptyPeer,
    path: "spec.egress[0].to[0]",
    message: messages.emptyPeer(),
  },
  // selectors and labels
  {
    rule: "matchLabels keys are qualified names: no leading dash",
    text: networkPolicy(`
      podSelector:
        matchLabels:
          -app: web #<
    `),
    code: codes.invalidLabelKey,
    path: "spec.podSelector.matchLabels[\"-app\"]",
    message: messages.invalidLabelKeyBecause("-app", "must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
  },
  {
    rule: "label key prefixes are DNS subdomains: lowercase",
    text: networkPolicy(`
      podSelector:
        matchLabels:
          Example.com/app: web #<
    `),
    code: codes.invalidLabelKey,
    path: "spec.podSelector.matchLabels[\"Example.com/app\"]",
    message: messages.invalidLabelKeyBecause("Example.com/app", 'prefix "Example.com" must be a DNS subdomain of at most 253 characters'),
  },
  {
    rule: "label key names are at most 63 characters",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: ${"k".repeat(64)} #<
            operator: Exists
    `),
    code: codes.invalidLabelKey,
    path: "spec.podSelector.matchExpressions[0].key",
    message: messages.invalidLabelKeyBecause("k".repeat(64), "must be at most 63 characters"),
  },
  {
    rule: "label values are empty or a qualified name's characters",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - namespaceSelector:
                matchLabels:
                  team: "shop floor" #<
    `),
    code: codes.invalidLabelValue,
    path: "spec.egress[0].to[0].namespaceSelector.matchLabels.team",
    message: messages.invalidLabelValueBecause("shop floor", "must be empty, or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
  },
  {
    rule: "matchExpressions values are label values",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: tier
            operator: In
            values: [web, "-api"] #<
    `),
    code: codes.invalidLabelValue,
    path: "spec.podSelector.matchExpressions[0].values[1]",
    message: messages.invalidLabelValueBecause("-api", "must be empty, or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
  },
  {
    rule: "operator represents a key's relationship to a set of values: In, NotIn, Exists, DoesNotExist",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: tier
            operator: Equals #<
            values: [web]
    `),
    code: codes.invalidOperator,
    path: "spec.podSelector.matchExpressions[0].operator",
    message: messages.invalidOperator("Equals"),
  },
  {
    rule: "if the operator is In or NotIn, the values array must be non-empty: missing",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: tier #<
            operator: In
    `),
    code: codes.valuesRequired,
    path: "spec.podSelector.matchExpressions[0].values",
    message: messages.valuesRequired("In"),
  },
  {
    rule: "if the operator is In or NotIn, the values array must be non-empty: empty",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: tier
            operator: NotIn
            values: [] #<
    `),
    code: codes.valuesRequired,
    path: "spec.podSelector.matchExpressions[0].values",
    message: messages.valuesRequired("NotIn"),
  },
  {
    rule: "if the operator is Exists or DoesNotExist, the values array must be empty",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - key: tier
            operator: Exists
            values: [web] #<
    `),
    code: codes.valuesForbidden,
    path: "spec.podSelector.matchExpressions[0].values",
    message: messages.valuesForbidden("Exists"),
  },
  {
    rule: "a selector requirement needs a key",
    text: networkPolicy(`
      podSelector:
        matchExpressions:
          - operator: DoesNotExist #<
    `),
    code: codes.missingField,
    path: "spec.podSelector.matchExpressions[0].key",
    message: messages.missingField("key"),
  },
  // policy
  {
    rule: "policyTypes are Ingress or Egress",
    text: networkPolicy(`
      podSelector: {}
      policyTypes:
        - egress #<
    `),
    code: codes.unknownPolicyType,
    path: "spec.policyTypes[0]",
    message: messages.unknownPolicyType("egress"),
  },
  {
    rule: "policyTypes may not list more than two types",
    text: networkPolicy(`
      podSelector: {}
      policyTypes: [Ingress, Egress, Ingress] #<
    `),
    code: codes.tooManyPolicyTypes,
    path: "spec.policyTypes",
    message: messages.tooManyPolicyTypes(),
  },
  {
    rule: "spec.podSelector is required",
    text: networkPolicy(`
      policyTypes: [Egress]
    `).replace("spec:", "spec: #<"),
    code: codes.missingField,
    path: "spec.podSelector",
    message: messages.missingField("podSelector"),
  },
  {
    rule: "spec is required",
    text: "apiVersion: networking.k8s.io/v1 #<\nkind: NetworkPolicy\nmetadata:\n  name: app-egress\n  namespace: production\n",
    code: codes.missingField,
    path: "spec",
    message: messages.missingField("spec"),
  },
  {
    rule: "metadata.name is required",
    text: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: #<\n  namespace: production\nspec:\n  podSelector: {}\n",
    code: codes.missingField,
    path: "metadata.name",
    object: undefined,
    message: messages.missingField("name"),
  },
  {
    rule: "a NetworkPolicy name is a DNS subdomain",
    text: networkPolicy(`podSelector: {}`, "App_Egress").replace("name: App_Egress", "name: App_Egress #<"),
    code: codes.invalidName,
    path: "metadata.name",
    object: "NetworkPolicy production/App_Egress",
    message: messages.invalidNameBecause(
      "App_Egress",
      "must consist of lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",
    ),
  },
  {
    rule: "object labels are validated like selector labels",
    text: networkPolicy(`podSelector: {}`).replace("namespace: production", "namespace: production\n  labels:\n    owner: a@b #<"),
    code: codes.invalidLabelValue,
    path: "metadata.labels.owner",
    message: messages.invalidLabelValueBecause("a@b", "must be empty, or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"),
  },
  // types
  {
    rule: "egress is a list of rules",
    text: networkPolicy(`
      podSelector: {}
      egress: "x" #<
    `),
    code: codes.wrongType,
    path: "spec.egress",
    message: messages.wrongType("a list", 'the string "x"'),
  },
  {
    rule: "to is a list of peers",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to: {} #<
    `),
    code: codes.wrongType,
    path: "spec.egress[0].to",
    message: messages.wrongType("a list", "a mapping"),
  },
  {
    rule: "ports is a list of ports",
    text: networkPolicy(`
      podSelector: {}
      ingress:
        - ports: 443 #<
    `),
    code: codes.wrongType,
    path: "spec.ingress[0].ports",
    message: messages.wrongType("a list", "the number 443"),
  },
  {
    rule: "port is an int or a string",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - ports:
            - port: [443] #<
    `),
    code: codes.wrongType,
    path: "spec.egress[0].ports[0].port",
    message: messages.wrongType("a port number or name", "a list"),
  },
  {
    rule: "podSelector is a label selector",
    text: networkPolicy(`
      podSelector: [] #<
    `),
    code: codes.wrongType,
    path: "spec.podSelector",
    message: messages.wrongType("a mapping", "a list"),
  },
  {
    rule: "matchLabels values are strings, and YAML 1.1 reads an unquoted yes as a boolean",
    text: networkPolicy(`
      podSelector:
        matchLabels:
          canary: yes #<
    `),
    code: codes.wrongType,
    path: "spec.podSelector.matchLabels.canary",
    message: messages.wrongType("a string", "the boolean true (YAML reads yes/no/on/off/y/n unquoted as booleans)"),
  },
  {
    rule: "except is a list of CIDRs",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock:
                cidr: 0.0.0.0/0
                except: 10.0.0.0/8 #<
    `),
    code: codes.wrongType,
    path: "spec.egress[0].to[0].ipBlock.except",
    message: messages.wrongType("a list", 'the string "10.0.0.0/8"'),
  },
  {
    rule: "policyTypes is a list",
    text: networkPolicy(`
      podSelector: {}
      policyTypes: Egress #<
    `),
    code: codes.wrongType,
    path: "spec.policyTypes",
    message: messages.wrongType("a list", 'the string "Egress"'),
  },
  {
    rule: "unknown fields are rejected (kubectl validates strictly): port for ports",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - podSelector: {}
          port: #<
            - port: 53
    `),
    code: codes.unknownField,
    path: "spec.egress[0].port",
    message: messages.unknownField("port"),
  },
  {
    rule: "unknown fields are rejected: egress rules have to, not from",
    text: networkPolicy(`
      podSelector: {}
      egress:
        - from: #<
            - podSelector: {}
    `),
    code: codes.unknownField,
    path: "spec.egress[0].from",
    message: messages.unknownField("from"),
  },
];

describe("NetworkPolicy validation: one error per rule, with its field path and line", () => {
  for (const c of cases) {
    test(c.rule, () => {
      const result = decodeYaml(c.text);
      const found = errors(result.diagnostics);
      assert.equal(found.length, 1, JSON.stringify(found, null, 1));
      const d = found[0];
      assert.equal(d?.code, c.code);
      assert.equal(d?.message, c.message);
      assert.equal(d?.at?.path, c.path);
      assert.equal(d?.at?.line, markedLine(c.text), "line");
      assert.equal(d?.at?.file, "test.yaml");
      assert.equal(d?.object, "object" in c ? c.object : OBJECT);
      assert.equal(result.value.policies.length, 0, "an invalid policy is left out");
    });
  }
});

describe("NetworkPolicy validation: every problem is listed", () => {
  test("all problems of a policy are reported, in order, and the policy is left out", () => {
    const text = networkPolicy(`
      podSelector:
        matchLabels: {"-bad": x}
      policyTypes: [Egress, Sideways]
      egress:
        - to:
            - {}
            - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}
          ports:
            - {protocol: icmp, port: 0}
    `);
    const result = decodeYaml(text);
    assert.deepEqual(
      errors(result.diagnostics).map((d) => `${d.code} ${d.at?.path}`),
      [
        'invalid-label-key spec.podSelector.matchLabels["-bad"]',
        "empty-peer spec.egress[0].to[0]",
        "except-not-subset spec.egress[0].to[1].ipBlock.except[0]",
        "unknown-protocol spec.egress[0].ports[0].protocol",
        "port-out-of-range spec.egress[0].ports[0].port",
        "unknown-policy-type spec.policyTypes[1]",
      ],
    );
    assert.equal(result.value.policies.length, 0);
  });

  test("a valid policy beside an invalid one is kept", () => {
    const text = `${networkPolicy("podSelector: {}", "good")}---\n${networkPolicy("podSelector: []", "bad")}`;
    const result = decodeYaml(text);
    assert.deepEqual(
      result.value.policies.map((p) => p.id),
      ["production/good"],
    );
    assert.equal(errors(result.diagnostics)[0]?.object, "NetworkPolicy production/bad");
    assert.equal(errors(result.diagnostics)[0]?.at?.document, 1);
  });

  test("a cidr with host bits set is accepted, as the API server masks them (info only)", () => {
    const text = networkPolicy(`
      podSelector: {}
      egress:
        - to:
            - ipBlock: {cidr: 10.0.0.1/24}
    `);
    const result = decodeYaml(text);
    assert.deepEqual(errors(result.diagnostics), []);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.code, d.message]),
      [["info", codes.cidrHostBits, messages.cidrHostBits("10.0.0.1/24", "10.0.0.0/24")]],
    );
    const peer = result.value.policies[0]?.egress[0]?.peers;
    assert.ok(Array.isArray(peer) && peer[0]?.kind === "ipBlock");
    assert.equal(peer[0].cidr.first, 0x0a000000n);
  });

  test("a NetworkPolicy of another API group (Calico) is skipped with a warning, not decoded", () => {
    const text = networkPolicy("podSelector: {}").replace("networking.k8s.io/v1", "projectcalico.org/v3");
    const result = decodeYaml(text);
    assert.deepEqual(result.value.policies, []);
    assert.deepEqual(result.skipped, [{ kind: "NetworkPolicy (projectcalico.org/v3)", count: 1 }]);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.code, d.at?.path, d.at?.line]),
      [["warning", codes.unsupportedApiVersion, "apiVersion", 1]],
    );
  });

  test("the same kind, namespace and name twice is an error on the second, naming where the first is", () => {
    const text = `${networkPolicy("podSelector: {}")}---\n${networkPolicy("podSelector: {}")}`;
    const result = decodeYaml(text);
    const found = errors(result.diagnostics);
    assert.deepEqual(
      found.map((d) => [d.code, d.message, d.at?.document, d.at?.path, d.at?.line]),
      [[codes.duplicateObject, `${OBJECT} is defined more than once (first at test.yaml:4:3)`, 1, "metadata.name", 12]], // lines count from the top of the file,
    );
    assert.equal(result.value.policies.length, 1);
  });
});
