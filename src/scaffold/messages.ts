/** The messages of `portcullis scaffold`, in one place: the code builds them here, tests import them. */
export const scaffoldCodes = {
  namespace: "scaffold-namespace",
  spec: "scaffold-allow-spec",
  metadataConflict: "scaffold-metadata-conflict",
  dnsWithoutAllow: "scaffold-dns-without-allow-dns",
} as const;

export const scaffoldMessages = {
  namespace: (name: string, reason: string) => `namespace ${JSON.stringify(name)} is not valid: ${reason}`,
  empty: () => "the specification is empty",
  noSlash: () => "expected CIDR[:PORTS] or NAMESPACE/SELECTOR[:PORTS]",
  cidr: (text: string, reason: string) => `${JSON.stringify(text)} is not a CIDR: ${reason}`,
  hostBits: (text: string, network: string) => `${text} has host bits set; write ${network}`,
  specNamespace: (name: string, reason: string) => `namespace ${JSON.stringify(name)} is not valid: ${reason}`,
  selector: (text: string) => `selector ${JSON.stringify(text)} must be '*' (all pods) or KEY=VALUE[,KEY=VALUE...]`,
  labelKey: (key: string, reason: string) => `label key ${JSON.stringify(key)} is not valid: ${reason}`,
  labelValue: (value: string, reason: string) => `label value ${JSON.stringify(value)} is not valid: ${reason}`,
  duplicateKey: (key: string) => `label key ${JSON.stringify(key)} is given twice`,
  ports: (text: string) => `ports ${JSON.stringify(text)} must be PORT[-END][/PROTOCOL][,...], e.g. 443 or 53/UDP,53/TCP`,
  portNumber: (text: string) => `port ${JSON.stringify(text)} must be a number from 1 to 65535`,
  portRange: (from: number, to: number) => `port range ${from}-${to} ends before it starts`,
  protocol: (text: string) => `protocol ${JSON.stringify(text)} must be TCP, UDP or SCTP`,
  metadataConflict: (cidr: string) => `${cidr} is a cloud metadata address itself, which --block-metadata blocks`,
  dnsWithoutAllow: () => "it says where the pods send DNS queries, and nothing allows them: add --allow-dns",
} as const;
