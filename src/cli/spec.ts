/**
 * The command line as data: the flags and the commands. Parsing (args.ts) and help (help.ts) both
 * read this table, so a flag cannot be accepted without being documented, or the reverse.
 */

import { CLUSTER_FLAGS, DNS_FLAG, DNS_SNAPSHOT_FLAGS, FILENAME_FLAG, METADATA_FLAG, TOOL_COMMANDS } from "./spec-tools.js";

export type OutputFormat = "text" | "json" | "yaml" | "csv" | "md" | "dot" | "mermaid" | "sarif" | "nft" | "junit";

export type CommandName = "egress" | "check" | "explain" | "matrix" | "connlist" | "diff" | "graph" | "scaffold" | "enforce" | "lint" | "lab" | "verify" | "feeds" | "ui";

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly type: "string" | "boolean";
  readonly multiple?: boolean;
  readonly value?: string;
  readonly help: string;
  /** A global flag about reading manifests: refused by commands that read none. */
  readonly manifests?: true;
}

export interface CommandSpec {
  readonly name: CommandName;
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  readonly outputs: readonly OutputFormat[];
  /** The format without -o; default text. */
  readonly defaultOutput?: OutputFormat;
  /** Whether the command reads manifests (-f and the flags about them); default true. */
  readonly readsManifests?: false;
  /** Whether the command reads a live cluster (--kubeconfig, --context): its help lists the exit codes of a live read. */
  readonly readsCluster?: true;
  /** At most this many positional arguments. */
  readonly positionals: number;
  readonly examples: readonly string[];
  /** What exit 0 and exit 1 mean for this command (2-4 mean the same everywhere: exit.ts). */
  /** What 0, 1 and (for a command with a safety check) 5 mean for this command; 2, 3, 4 mean the same everywhere. */
  readonly exits: { readonly ok: string; readonly negative?: string; readonly refused?: string };
}

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  FILENAME_FLAG,
  { name: "output", short: "o", type: "string", value: "FORMAT", help: "output format (the command lists the ones it supports and its default)" },
  { name: "verbose", short: "v", type: "boolean", help: "report on stderr what was read, and the kinds skipped with their counts", manifests: true },
  { name: "strict", type: "boolean", help: "every file must be a manifest: one found in a directory that is not (package.json, a Helm template) is an error, not skipped with a warning", manifests: true },
  { name: "pod-cidr", type: "string", multiple: true, value: "CIDR", help: "pod network for pods without a known IP (IPv4 or IPv6); repeatable; default 10.244.0.0/16", manifests: true },
  { name: "ipblock-matches-pods", type: "string", value: "true|false", help: "whether ipBlock peers match pod IPs (most CNIs: true; Cilium: false); default true", manifests: true },
  { name: "debug", type: "boolean", help: "print stack traces of internal errors" },
  { name: "help", short: "h", type: "boolean", help: "show help for the command" },
];

export const VERSION_FLAG: FlagSpec = { name: "version", type: "boolean", help: "print the version" };

const TEXT_JSON_YAML: readonly OutputFormat[] = ["text", "json", "yaml"];

/** kubectl's -n and -A on the commands that read: `scope` says what -n limits. */
export function namespaceFlags(scope: string): readonly FlagSpec[] {
  return [
    { name: "namespace", short: "n", type: "string", value: "NAMESPACE", help: `${scope}; reading a cluster, also read only this namespace (default: the context's, as kubectl)` },
    { name: "all-namespaces", short: "A", type: "boolean", help: "every namespace (the default with files; reading a cluster, read all); not with -n" },
  ];
}


export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "egress",
    usage: "portcullis [egress] -f PATH... [-n NAMESPACE | -A]",
    summary: "what each workload may reach, per namespace with egress policies (the default command)",
    flags: [...namespaceFlags("show only this namespace's workloads"), METADATA_FLAG, DNS_FLAG, ...DNS_SNAPSHOT_FLAGS, ...CLUSTER_FLAGS],
    readsCluster: true,
    outputs: TEXT_JSON_YAML,
    positionals: 0,
    examples: ["portcullis -f examples/egress", "portcullis -f examples/egress -n production -o=json", "kubectl get ns,pods,deploy,sts,ds,rs,rc,jobs,cronjobs,svc,netpol -A -o json | portcullis -f -"],
    exits: { ok: "the picture was printed" },
  },
  {
    name: "check",
    usage: "portcullis check -f PATH... [-n NAMESPACE | -A] --from SOURCE --to DESTINATION --port N|NAME [--protocol TCP]",
    summary: "whether one connection is allowed, and which rules decide it",
    flags: [
      { name: "from", type: "string", value: "SOURCE", help: "ns/name, Kind/ns/name, ns/name[Kind], an IP or a CIDR" },
      {
        name: "to",
        type: "string",
        value: "DESTINATION",
        help: "ns/name, Kind/ns/name, ns/name[Kind], a Service (svc/ns/name, ns/name[Service], a ClusterIP), an IP, a CIDR, or a DNS name (each address --dns-records/--resolve give it)",
      },
      { name: "port", type: "string", value: "N|NAME", help: "destination port, 1-65535, or the name of a container port of the destination; for a Service, its port number or name (optional when it has one port)" },
      { name: "protocol", type: "string", value: "PROTO", help: "TCP, UDP or SCTP; default TCP (for a NAME: the named port's)" },
      ...namespaceFlags("look up bare names in --from/--to in this namespace"),
      ...DNS_SNAPSHOT_FLAGS,
      ...CLUSTER_FLAGS,
    ],
    readsCluster: true,
    outputs: TEXT_JSON_YAML,
    positionals: 0,
    examples: [
      "portcullis check -f examples/egress --from production/web-api --to 169.254.169.254 --port 80",
      "portcullis check -f examples/egress --from Deployment/production/web-api --to 10.0.0.0/8 --port 443",
      "portcullis check -f examples/egress -n production --from web-api --to monitoring/prometheus --port web",
      "portcullis check -f examples/egress --from production/web-api --to 10.96.0.10 --port 53 --protocol UDP",
      "portcullis check -f examples/domains/manifests --dns-records examples/domains/records.yaml --from payments/checkout --to api.stripe.com --port 443",
    ],
    exits: { ok: "the connection is allowed", negative: "denied, or it depends on the address or on DNS" },
  },
  {
    name: "explain",
    usage: "portcullis explain -f PATH... [-n NAMESPACE | -A] [TARGET]",
    summary: "the policies and rules that govern each endpoint (or one TARGET)",
    flags: [...namespaceFlags("explain only this namespace's policies; look up a bare TARGET name here"), ...DNS_SNAPSHOT_FLAGS, ...CLUSTER_FLAGS],
    readsCluster: true,
    outputs: TEXT_JSON_YAML,
    positionals: 1,
    examples: ["portcullis explain -f examples/egress", "portcullis explain -f examples/egress production/web-api", "portcullis explain -f examples/egress -n production web-api", "portcullis explain -f examples/egress svc/kube-system/kube-dns"],
    exits: { ok: "the explanation was printed" },
  },
  {
    name: "matrix",
    usage: "portcullis matrix -f PATH... [-n NAMESPACE | -A] [--port N]... [--protocol PROTO]...",
    summary: "reachability between all endpoints, per destination port",
    flags: [
      { name: "port", type: "string", multiple: true, value: "N[,N]", help: "probe these ports on every destination instead of the ports each declares; repeatable" },
      { name: "protocol", type: "string", multiple: true, value: "PROTO", help: "only these protocols; repeatable; default all (TCP with --port)" },
      ...namespaceFlags("rows only for sources in this namespace (destinations anywhere)"),
      ...DNS_SNAPSHOT_FLAGS,
      ...CLUSTER_FLAGS,
    ],
    readsCluster: true,
    outputs: ["text", "json", "yaml", "csv", "md"],
    positionals: 0,
    examples: ["portcullis matrix -f examples/egress", "portcullis matrix -f examples/egress -n production --port 80,443 -o md"],
    exits: { ok: "the matrix was printed" },
  },
  {
    name: "connlist",
    usage: "portcullis connlist -f PATH... [-n NAMESPACE | -A]",
    summary: "the allowed connections between endpoints and to/from the IP space outside the cluster",
    flags: [...namespaceFlags("only connections from this namespace's endpoints"), ...DNS_SNAPSHOT_FLAGS, ...CLUSTER_FLAGS],
    readsCluster: true,
    outputs: ["text", "json", "yaml", "csv", "md", "dot"],
    positionals: 0,
    examples: ["portcullis connlist -f examples/egress", "portcullis connlist -f examples/egress -o dot | dot -Tsvg > conns.svg"],
    exits: { ok: "the list was printed" },
  },
  ...TOOL_COMMANDS,
];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec === undefined) throw new Error(`no command ${name}`);
  return spec;
}

/** Every flag any command knows, by long name; a flag name has one type in every command. */
export function allFlags(): ReadonlyMap<string, FlagSpec> {
  const out = new Map<string, FlagSpec>();
  for (const f of [...GLOBAL_FLAGS, VERSION_FLAG, ...COMMANDS.flatMap((c) => c.flags)]) {
    const prev = out.get(f.name);
    // `--port` is single in check and repeatable in matrix: parse as repeatable, check counts it.
    out.set(f.name, prev === undefined ? f : { ...prev, multiple: (prev.multiple ?? false) || (f.multiple ?? false) });
  }
  return out;
}
