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
  unknownServiceType: (type: string) => `unknown Service type "${type}": expected ClusterIP, NodePort, LoadBalancer or ExternalName`,
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
  duplicateObject: (object: string, first: string) => `${object} is defined more than once (first at ${first})`,
  unknownKindSkipped: (kind: string) => `skipped unsupported kind ${kind}`,
  // Input layer: reading files, YAML, decoding Kubernetes objects (src/io, src/k8s).
  fileUnreadable: (reason: string) => `cannot read: ${reason}`,
  fileTooLarge: (bytes: number, limit: number) => `file is ${bytes} bytes, above the limit of ${limit} bytes`,
  fileBinary: (reason: string) => `not a text file: ${reason}`,
  noInputFiles: () => `directory holds no .yaml, .yml or .json files`,
  danglingSymlink: (target: string) => `symbolic link to ${target}, which does not exist: skipped`,
  symlinkLoop: (target: string) => `symbolic link loop (it leads back to ${target}): skipped`,
  noObjects: () => `holds no Kubernetes object (it is empty, or has only comments, '---' or null documents)`,
  noObjectsLeft: (skipped: number) =>
    `no Kubernetes object in the input: ${skipped === 1 ? "its only file was skipped as not a manifest" : `all ${skipped} files were skipped as not manifests`}`,
  notKubernetes: () => `not a Kubernetes manifest (no document has "kind", or "apiVersion" and "metadata"): skipped; --strict makes it an error`,
  goTemplate: () =>
    `Go template syntax ("{{"), as in a Helm chart's templates: not a manifest until rendered (helm template … > rendered.yaml); skipped; --strict makes it an error`,
  yamlWarning: (detail: string) => `YAML: ${detail}`,
  nestingTooDeep: (limit: number) => `YAML nested deeper than ${limit} levels; no Kubernetes object is this deep`,
  yamlAliasesTooLarge: (limit: number) => `YAML aliases expand to more than ${limit} nodes in this file; write the repeated parts out, or check the file for an alias bomb`,
  yamlTooLarge: (chars: number, limit: number) =>
    `YAML text of ${chars} characters is above the YAML limit of ${limit}; use JSON (kubectl get -o json), which is read up to the file size limit (JSON with duplicate keys is read as YAML)`,
  unknownField: (field: string) => `unknown field "${field}"`,
  invalidLabelKeyBecause: (key: string, reason: string) => `invalid label key "${key}": ${reason}`,
  invalidLabelValueBecause: (value: string, reason: string) => `invalid label value "${value}": ${reason}`,
  invalidNameBecause: (name: string, reason: string) => `invalid name "${name}": ${reason}`,
  numericPortName: (text: string) =>
    `port "${text}" is a string, which the API server reads as a port name, and a port name needs a letter; write ${text} without quotes for the port number`,
  exceptFamilyMismatch: (except: string, cidr: string) => `except "${except}" and cidr "${cidr}" are of different IP families`,
  cidrHostBits: (text: string, canonical: string) => `"${text}" has host bits set; the API server accepts it as ${canonical}`,
  tooManyPolicyTypes: () => `policyTypes may list at most two types`,
  unsupportedApiVersion: (kind: string, apiVersion: string, expected: string) =>
    `${kind} with apiVersion "${apiVersion}" is not a Kubernetes ${kind} (${expected}); skipped`,
  kindNearMiss: (kind: string, suggestion: string) => `unknown kind "${kind}", skipped: did you mean ${suggestion}?`,
  nullPodSelector: () => `spec.podSelector is null; the API server reads it as {} (every pod in the namespace)`,
  // Admin policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy).
  unknownEnum: (what: string, text: string, allowed: readonly string[]) =>
    `invalid ${what} "${text}": expected ${allowed.length === 1 ? allowed[0] : `${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}`}`,
  priorityOutOfRange: (priority: number) => `priority ${priority} is outside 0-1000`,
  tooManyItems: (count: number, max: number) => `${count} items, above the maximum of ${max}`,
  emptyList: () => `must list at least one item`,
  duplicateItem: (text: string, first: number) => `"${text}" is listed twice (first at [${first}]); the list is a set`,
  oneOfNone: (fields: readonly string[]) => `exactly one of ${fields.join(", ")} must be set; none is`,
  oneOfMany: (set: readonly string[]) => `exactly one field must be set; found ${set.join(" and ")}`,
  unknownEntryFailsClosed: (fields: readonly string[], kind: string, effect: "matches-nothing" | "denies-all") =>
    `sets no field this version knows (only ${fields.map((f) => `"${f}"`).join(", ")}), as from a newer ${kind} CRD: it fails closed, so this rule ${effect === "matches-nothing" ? "matches no traffic" : "denies all traffic"}`,
  portRangeOrder: (start: number, end: number) => `range start ${start} must be less than end ${end}`,
  dnsRecordsEmpty: () => `no DNS records: a records file holds a list of {name, type: A|AAAA|CNAME, value, ttl} (or {records: [...]}); an empty one is refused rather than read as "no name resolves"`,
  invalidDnsName: (text: string) => `invalid DNS name "${text}": expected labels of 1-63 letters, digits, '-' or '_' separated by dots, at most 253 characters`,
  unknownRecordType: (text: string) => `unknown record type "${text}": expected A, AAAA or CNAME`,
  invalidRecordValue: (type: string, text: string) =>
    type === "CNAME" ? `invalid CNAME target "${text}": expected a DNS name` : `invalid ${type} value "${text}": expected an ${type === "A" ? "IPv4" : "IPv6"} address`,
  ttlOutOfRange: (ttl: number) => `ttl ${ttl} is outside 0-2147483647 seconds (RFC 2181)`,
  invalidDomainName: (text: string) => `invalid domain name "${text}": expected a DNS name such as "kubernetes.io", optionally prefixed by "*." ("*.kubernetes.io")`,
  baselineNotDefault: (name: string) => `a BaselineAdminNetworkPolicy must be named "default" (there is one per cluster), not "${name}"`,
  namedPortWithoutPods: (peers: string) => `${peers} peers cannot be used with named ports, since there are no named ports for ${peers}`,
  ruleNameTooLong: (length: number) => `rule name of ${length} characters, above the maximum of 100`,
  emptyProtocol: (protocol: string) => `${protocol} must set destinationPort (write the protocol with no port as ${protocol}: {destinationPort: {range: {start: 1, end: 65535}}})`,
  otherAdminApiVersion: (kind: string, apiVersion: string, expected: string) => `${kind} of apiVersion "${apiVersion}" is not read (Portcullis reads ${kind} at ${expected}); skipped`,
  adminPolicyNotEvaluated: (policy: string) => `${policy} is read and validated but not yet evaluated: answers below ignore it`,
  adminApiVersionsMixed: (v1alpha1: string, v1alpha2: string) =>
    `${v1alpha1} (v1alpha1) and ${v1alpha2} (v1alpha2) in one input: a cluster runs one version of the admin policy API; they are read as one Admin tier ordered by priority (ties by name) and one Baseline tier, the BaselineAdminNetworkPolicy after the Baseline ClusterNetworkPolicies`,
  adminPolicyNotEnforced: (policy: string, rule: string, action: string) =>
    `${policy} ${rule} (${action}) has domainNames peers, which enforce cannot match in the kernel (a name's addresses depend on DNS answers): enforce refuses it rather than leave that traffic undecided by the rule`,
  adminDomainNotEvaluated: (policy: string, rule: string, action: string) =>
    `${policy} ${rule} (${action}): its domainNames peers match no address in these answers (a name's addresses depend on DNS answers, not known offline); \`check\` says when a verdict depends on DNS`,
  adminDomainNotEnforced: (policy: string, rule: string) =>
    `${policy} ${rule} (Accept): its domainNames peers match nothing in the kernel (a name's addresses depend on DNS answers), so this rule accepts no traffic to those names (fail closed); its other peers are enforced`,
} as const;

/** Why a name, label key or label value is invalid: the rules the API server applies. */
export const reasons = {
  empty: () => `must not be empty`,
  tooLong: (max: number) => `must be at most ${max} characters`,
  dns1123Label: () => `must consist of lowercase letters, digits and '-', starting and ending with a letter or digit`,
  dns1123Subdomain: () =>
    `must consist of lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit`,
  qualifiedName: () => `must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
  labelKeyParts: () => `must be a name, or a DNS subdomain prefix, '/' and a name`,
  labelKeyPrefix: (prefix: string) => `prefix "${prefix}" must be a DNS subdomain of at most 253 characters`,
  labelValue: () => `must be empty, or consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
} as const;
