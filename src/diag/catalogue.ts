/**
 * Every message text the core produces, in one place that tests import.
 * Functions take the facts and return the sentence; codes are stable identifiers.
 */
export const messages = {
  yamlSyntax: (detail: string) => `invalid YAML: ${detail}`,
  notAnObject: (what: string) => `expected a mapping (object), found ${what}`,
  missingField: (field: string) => `missing required field "${field}"`,
  wrongType: (expected: string, found: string) => `expected ${expected}, found ${found}`,
  invalidCidr: (text: string, reason: string) => `invalid CIDR "${text}": ${reason}`,
  exceptNotSubset: (except: string, cidr: string) => `except "${except}" is not a strict subset of cidr "${cidr}"`,
  endPortWithoutNumber: () => `endPort requires a numeric port`,
  endPortBelowPort: (endPort: number, port: number) => `endPort ${endPort} is below port ${port}`,
  portOutOfRange: (port: number) => `port ${port} is outside 1-65535`,
  invalidPortName: (name: string) => `invalid port name "${name}": at most 15 lowercase letters, digits and '-', with at least one letter, not starting or ending with '-', no '--'`,
  unknownProtocol: (protocol: string) => `unknown protocol "${protocol}": expected TCP, UDP or SCTP`,
  ipBlockWithSelector: () => `a peer may not combine ipBlock with namespaceSelector or podSelector`,
  emptyPeer: () => `a peer must set ipBlock, namespaceSelector or podSelector`,
  invalidLabelKey: (key: string) => `invalid label key "${key}"`,
  invalidLabelValue: (value: string) => `invalid label value "${value}"`,
  invalidOperator: (op: string) => `invalid operator "${op}": expected In, NotIn, Exists or DoesNotExist`,
  valuesRequired: (op: string) => `operator ${op} requires a non-empty values list`,
  valuesForbidden: (op: string) => `operator ${op} requires an empty values list`,
  unknownPolicyType: (t: string) => `invalid policyType "${t}": expected Ingress or Egress`,
  invalidName: (name: string) => `invalid name "${name}"`,
  invalidIp: (text: string) => `invalid IP address "${text}"`,
  duplicateObject: (object: string) => `${object} is defined more than once`,
  unknownKindSkipped: (kind: string) => `skipped unsupported kind ${kind}`,
} as const;
