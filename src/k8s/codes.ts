/** Stable diagnostic codes of the input layer (reading files, YAML, decoding Kubernetes objects). */
export const codes = {
  // reading (src/io)
  fileUnreadable: "file-unreadable",
  fileTooLarge: "file-too-large",
  fileBinary: "file-binary",
  noInputFiles: "no-input-files",
  // YAML (src/k8s/parse)
  yamlSyntax: "yaml-syntax",
  yamlWarning: "yaml-warning",
  nestingTooDeep: "nesting-too-deep",
  yamlAliasesTooLarge: "yaml-aliases-too-large",
  yamlTooLarge: "yaml-too-large",
  notAnObject: "not-an-object",
  // objects (src/k8s/decode)
  missingField: "missing-field",
  wrongType: "wrong-type",
  unknownField: "unknown-field",
  invalidName: "invalid-name",
  invalidLabelKey: "invalid-label-key",
  invalidLabelValue: "invalid-label-value",
  invalidOperator: "invalid-operator",
  valuesRequired: "values-required",
  valuesForbidden: "values-forbidden",
  unknownPolicyType: "unknown-policy-type",
  tooManyPolicyTypes: "too-many-policy-types",
  invalidCidr: "invalid-cidr",
  cidrHostBits: "cidr-host-bits",
  exceptNotSubset: "except-not-subset",
  endPortWithoutPort: "endport-without-port",
  endPortBelowPort: "endport-below-port",
  portOutOfRange: "port-out-of-range",
  invalidPortName: "invalid-port-name",
  unknownProtocol: "unknown-protocol",
  ipBlockWithSelector: "ipblock-with-selector",
  emptyPeer: "empty-peer",
  invalidIp: "invalid-ip",
  duplicateObject: "duplicate-object",
  unsupportedApiVersion: "unsupported-api-version",
  nullPodSelector: "null-pod-selector",
} as const;

export type Code = (typeof codes)[keyof typeof codes];
