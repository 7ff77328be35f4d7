/**
 * The commands beyond the analyses: diff, graph, scaffold, enforce, lint, lab. Part of the one
 * command table (spec.ts), kept in its own file so that each stays short.
 */
import { DEFAULT_SYSTEM_NAMESPACES } from "../lint/index.js";
import { DEFAULT_METADATA } from "../model/well-known.js";
import { formatIp } from "../net/ip.js";
import { type CommandSpec, type FlagSpec, namespaceFlags } from "./spec.js";

/** The default metadata addresses as a sentence lists them: `a, b and c`. */
function metadataList(): string {
  const all = DEFAULT_METADATA.map(formatIp);
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all[all.length - 1] ?? ""}`;
}

/** `-f`: a global flag of the commands that read manifests; scaffold takes it with --cluster. */
export const FILENAME_FLAG: FlagSpec = {
  name: "filename",
  short: "f",
  type: "string",
  multiple: true,
  value: "PATH",
  help: "manifest file or directory (YAML/JSON, multi-document); '-' reads stdin; repeatable",
  manifests: true,
};

/** The well-known facts (model/well-known.ts) the commands that use them let the user extend. */
export const METADATA_FLAG: FlagSpec = {
  name: "metadata",
  type: "string",
  multiple: true,
  value: "IP",
  help: `also a cloud metadata address, besides ${metadataList()}; repeatable`,
};
export const DNS_FLAG: FlagSpec = {
  name: "dns",
  type: "string",
  multiple: true,
  value: "IP",
  help: "the pods' DNS server is this address (e.g. NodeLocal DNSCache) instead of the kube-dns pods; repeatable",
};

/**
 * The resolution snapshot (`--dns-records`, `--resolve`), on every command that evaluates admin
 * policies: `domainNames` rules then match the addresses it gives their names, every pod taken to
 * have resolved them (docs/dns-names/offline.md). Not `--dns`, which names the pods' DNS server.
 */
export const DNS_SNAPSHOT_FLAGS: readonly FlagSpec[] = [
  {
    name: "dns-records",
    type: "string",
    value: "FILE",
    help: "what names resolve to (YAML/JSON list of {name, type: A|AAAA|CNAME, value, ttl}): domainNames rules match those addresses, every pod taken to have resolved every name",
  },
  { name: "resolve", type: "string", multiple: true, value: "NAME=IP[,IP]", help: "NAME resolves to these addresses (A/AAAA records, ttl 300); repeatable; adds to --dns-records" },
];

/** kubectl's flags for reaching a live cluster, on the commands that can read one. */
export const CLUSTER_FLAGS: readonly FlagSpec[] = [
  { name: "kubeconfig", type: "string", value: "PATH", help: "read the live cluster of this kubeconfig; without -f the default is KUBECONFIG, ~/.kube/config, or the in-cluster service account" },
  { name: "context", type: "string", value: "NAME", help: "the kubeconfig context to read; default its current-context" },
];

export const TOOL_COMMANDS: readonly CommandSpec[] = [
  {
    name: "diff",
    usage: "portcullis diff -f OLD... (--against NEW... | --base GIT_REF) [--fail-on widened|never] | portcullis diff --against-cluster -f PROPOSED... [--kubeconfig PATH] [--context NAME] [-n NAMESPACE | -A]",
    summary: "what a change to the manifests allows or stops: the difference in allowed connections",
    flags: [
      { name: "against", type: "string", multiple: true, value: "PATH", help: "the new version: file or directory, '-' for stdin; repeatable" },
      { name: "base", type: "string", value: "GIT_REF", help: "the old version is the -f paths at this git revision; the new one, the working tree" },
      {
        name: "against-cluster",
        type: "boolean",
        help: "the old version is the live cluster; the new one, the cluster with the -f files applied (an object in them replaces the live one of the same kind, namespace and name)",
      },
      { name: "fail-on", type: "string", value: "widened|never", help: "exit 1 when a connection between existing workloads widened; default never" },
      METADATA_FLAG,
      DNS_FLAG,
      ...CLUSTER_FLAGS,
      { name: "namespace", short: "n", type: "string", value: "NAMESPACE", help: "with --against-cluster: read only this namespace of the cluster (default: the context's, as kubectl)" },
      { name: "all-namespaces", short: "A", type: "boolean", help: "with --against-cluster: read every namespace; not with -n" },
    ],
    readsCluster: true,
    outputs: ["text", "json", "yaml", "md"],
    positionals: 0,
    examples: [
      "portcullis diff -f examples/egress --against examples/egress --against examples/egress-pr --fail-on widened",
      "portcullis diff -f examples/egress --base HEAD --fail-on widened -o md",
    ],
    exits: { ok: "nothing widened, or no --fail-on widened", negative: "--fail-on widened and a connection widened" },
  },
  {
    name: "graph",
    usage: "portcullis graph -f PATH... [-n NAMESPACE | -A] [-o mermaid|dot|json]",
    summary: "the egress picture as a diagram: workloads by namespace, what each may reach, what is blocked",
    flags: [...namespaceFlags("draw only the sources in this namespace (destinations anywhere)"), METADATA_FLAG, ...DNS_SNAPSHOT_FLAGS, ...CLUSTER_FLAGS],
    readsCluster: true,
    outputs: ["mermaid", "dot", "json"],
    defaultOutput: "mermaid",
    positionals: 0,
    examples: ["portcullis graph -f examples/egress -n production", "portcullis graph -f examples/egress -o dot | dot -Tsvg > egress.svg"],
    exits: { ok: "the diagram was printed" },
  },
  {
    name: "ui",
    usage: "portcullis ui -f PATH... [--against OLD... | --base GIT_REF] [--port N] [--open] | portcullis ui [--kubeconfig PATH] [--context NAME] [-n NAMESPACE | -A]",
    summary: "a local page to see, question and review egress: the graph, explanations, what-if, findings, diff",
    flags: [
      { name: "port", type: "string", value: "N", help: "the port to serve the page on, on 127.0.0.1 only (as kubectl proxy); 0: a free port; default 7070" },
      { name: "open", type: "boolean", help: "open the page in the default browser (xdg-open, open, start)" },
      { name: "against", type: "string", multiple: true, value: "PATH", help: "compare with this old version (file or directory; repeatable): the page shows the -f version and highlights what changed since" },
      { name: "base", type: "string", value: "GIT_REF", help: "compare: the old version is the -f paths at this git revision; the new one, the working tree" },
      ...namespaceFlags("show only this namespace's workloads as sources (destinations anywhere)"),
      METADATA_FLAG,
      DNS_FLAG,
      ...DNS_SNAPSHOT_FLAGS,
      ...CLUSTER_FLAGS,
    ],
    readsCluster: true,
    outputs: ["text"],
    positionals: 0,
    examples: ["portcullis ui -f examples/egress", "portcullis ui -f examples/egress -f examples/egress-pr --against examples/egress --port 0"],
    exits: { ok: "the server was stopped (Ctrl-C, SIGTERM)" },
  },
  {
    name: "scaffold",
    usage: "portcullis scaffold -n NAMESPACE [--allow-dns] [--block-metadata] [--allow-to SPEC]... | --cluster [-f PATH]... [--api v1alpha1]",
    summary: "write a default-deny egress baseline for a namespace, or the cluster's guardrails as admin policies (--cluster)",
    flags: [
      { name: "namespace", short: "n", type: "string", value: "NAMESPACE", help: "the namespace to write the policies for (required)" },
      { name: "allow-dns", type: "boolean", help: "allow DNS to the kube-dns pods in kube-system, 53/UDP and 53/TCP" },
      { name: "block-metadata", type: "boolean", help: "except the cloud metadata addresses from every ipBlock allowance that contains them" },
      { name: "allow-to", type: "string", multiple: true, value: "SPEC", help: "CIDR[:PORTS] or NAMESPACE/SELECTOR[:PORTS], e.g. 0.0.0.0/0:443, db/app=postgres:5432; repeatable" },
      {
        name: "cluster",
        type: "boolean",
        help: "write the cluster's guardrails as admin policies instead: Admin Deny of cloud metadata and Accept of DNS for every pod; Baseline default-deny egress for the namespaces of -f that have no NetworkPolicy",
      },
      { ...FILENAME_FLAG, help: "with --cluster: the cluster's manifests, to find the namespaces without NetworkPolicy; '-' reads stdin; repeatable" },
      { name: "api", type: "string", value: "VERSION", help: "with --cluster: v1alpha2 (ClusterNetworkPolicy, the default) or v1alpha1 (AdminNetworkPolicy, BaselineAdminNetworkPolicy)" },
      METADATA_FLAG,
      DNS_FLAG,
    ],
    outputs: ["yaml"],
    defaultOutput: "yaml",
    readsManifests: false,
    positionals: 0,
    examples: [
      "portcullis scaffold -n shop --allow-dns --block-metadata --allow-to 0.0.0.0/0:443",
      "portcullis scaffold -n shop --allow-dns --allow-to db/app=postgres:5432 | kubectl apply -f -",
      "portcullis scaffold --cluster -f examples/guardrails/cluster.yaml",
    ],
    exits: { ok: "the policies were printed" },
  },
  {
    name: "enforce",
    usage:
      "portcullis enforce -f PATH... (--netns NAME | --host | --dry-run) [--watch] [--audit] [--log] [--counters] [--node-pods NS/NAME,...] [--node-pod-cidr CIDR] [--allow-shrink | --max-shrink PERCENT] | portcullis enforce --kubernetes --node NAME [--netns NAME] [--audit] [--on-exit keep|remove] [--listen ADDR:PORT] [--log-format json|text] [--log-level info|debug] [--idle-gc auto|off] [--dns-proxy ADDR:PORT [--dns-upstream ADDR:PORT] [--dns-min-ttl SECONDS] [--dns-grace SECONDS] [--dns-hold-max MS] [--dns-cap-per-name N] [--dns-cap-per-pod N] [--dns-cap-total N] [--dns-writer netlink|nft|auto]] [--kubeconfig PATH] [--context NAME]",
    summary: "enforce the policies with nftables on this node (or print the ruleset with --dry-run)",
    flags: [
      { name: "netns", type: "string", value: "NAME", help: "apply inside this network namespace (ip netns); needs root" },
      { name: "host", type: "boolean", help: "apply in this process's own network namespace (the host's, usually); needs root" },
      { name: "dry-run", type: "boolean", help: "print the nftables ruleset and apply nothing (the same as -o nft)" },
      { name: "watch", type: "boolean", help: "apply again whenever the files change, until Ctrl-C" },
      { name: "audit", type: "boolean", help: "audit every policy: log what would be denied, accept it" },
      { name: "log", type: "boolean", help: "print each denied packet with the policies that deny it (nft monitor trace)" },
      { name: "counters", type: "boolean", help: "apply nothing: print the packet and byte counters of the applied table, each rule id named by the files" },
      { name: "node-pods", type: "string", multiple: true, value: "NS/NAME,...", help: "the pods on this node; default every pod with a known IP; repeatable" },
      { name: "node-pod-cidr", type: "string", multiple: true, value: "CIDR", help: "this node's pod range: an address in it that is no known local pod is dropped until the enforcer has applied its rules (fail closed); repeatable" },
      { name: "allow-shrink", type: "boolean", help: "apply even input that drops every enforced policy, or many of them (refused by default: exit 5)" },
      { name: "max-shrink", type: "string", value: "PERCENT", help: "refuse input that drops more than this share of the enforced rule ids; default 50 (input that drops all is refused at any value)" },
      {
        name: "kubernetes",
        type: "boolean",
        help: "run as the node agent (a DaemonSet): watch the cluster's API (in-cluster service account, or --kubeconfig/--context) and keep this node's table in step, in this network namespace (or --netns) until SIGTERM",
      },
      { name: "node", type: "string", value: "NAME", help: "with --kubernetes: this node's name (the pods with spec.nodeName NAME are local; its Node's spec.podCIDRs fail closed)" },
      { name: "on-exit", type: "string", value: "keep|remove", help: "with --kubernetes: at SIGTERM/SIGINT keep the table (default: the last rules stay, unknown pod addresses dropped) or remove it (traffic unfiltered)" },
      { name: "listen", type: "string", value: "ADDR:PORT", help: "with --kubernetes: where /healthz, /readyz and /metrics answer; default 0.0.0.0:9842" },
      { name: "log-format", type: "string", value: "json|text", help: "with --kubernetes: log lines as JSON objects (default) or text" },
      { name: "log-level", type: "string", value: "info|debug", help: "with --kubernetes: info (default) or debug (adds a line per idle garbage collection)" },
      {
        name: "idle-gc",
        type: "string",
        value: "auto|off",
        help: "with --kubernetes: off (default) leaves collecting to V8; auto runs a full garbage collection when no apply has run for 30 ms and the heap has grown since the last one, so that V8's own does not land inside an event (an event arriving during one waits for it, 100-200 ms at 50k pods: measured, it moves the tail rather than cutting it)",
      },
      {
        name: "dns-proxy",
        type: "string",
        value: "ADDR:PORT",
        help: "with --kubernetes: enforce ClusterNetworkPolicy domainNames (Accept) rules: the DNS queries of the pods they select are redirected (DNAT) to a proxy at this address of the node, which writes each answer's addresses into the rule's per-pod sets before releasing it",
      },
      { name: "dns-upstream", type: "string", value: "ADDR:PORT", help: "with --dns-proxy: where the proxy sends queries; default the cluster DNS (the kube-dns Service's ClusterIP, port 53)" },
      { name: "dns-min-ttl", type: "string", value: "SECONDS", help: "with --dns-proxy: a learned address stays max(TTL, this) + --dns-grace; default 5s" },
      { name: "dns-grace", type: "string", value: "SECONDS", help: "with --dns-proxy: added to each learned address's TTL; default 5s" },
      { name: "dns-hold-max", type: "string", value: "MS", help: "with --dns-proxy: the longest an answer waits for its addresses to be in the kernel, then released anyway and counted late; default 1000ms" },
      { name: "dns-cap-per-name", type: "string", value: "N", help: "with --dns-proxy: learned addresses per pod and name; past it the soonest to expire is evicted; default 1024" },
      { name: "dns-cap-per-pod", type: "string", value: "N", help: "with --dns-proxy: learned addresses per pod; default 16384" },
      { name: "dns-cap-total", type: "string", value: "N", help: "with --dns-proxy: learned addresses on the node; default 262144" },
      { name: "dns-writer", type: "string", value: "WRITER", help: "with --dns-proxy: what writes the learned addresses (netlink, nft or auto): the netlink helper portcullis-nft-elements (one transaction per batch, no nft cache fetch), nft, or the helper when found (auto); default auto" },
      ...CLUSTER_FLAGS,
    ],
    outputs: ["text", "json", "nft"],
    positionals: 0,
    examples: [
      "portcullis enforce -f examples/egress --dry-run",
      "sudo portcullis enforce -f examples/egress --host --watch --log",
      "sudo portcullis enforce -f examples/egress --netns lab1",
      "sudo portcullis enforce -f examples/egress --netns lab1 --counters",
      "sudo portcullis enforce --kubernetes --node worker-1 --kubeconfig ~/.kube/config --log-format text",
    ],
    exits: { ok: "applied, or printed with --dry-run; --watch stopped with Ctrl-C", refused: "refused: the input would drop every enforced policy, or more than --max-shrink (nothing applied)" },
  },
  {
    name: "lint",
    usage: "portcullis lint -f PATH... [-n NAMESPACE | -A] [--fail-on error|warning|info|never] [--enable ID,...] [--disable ID,...] [--dns IP]... [--feed [PROVIDER=]FILE]...",
    summary: "policy mistakes: DNS blocked, metadata reachable, label drift, OR-for-AND peers, redundant rules",
    flags: [
      { name: "fail-on", type: "string", value: "error|warning|info|never", help: "exit 1 when a finding has this severity or a higher one; default warning (what opens the internet or metadata fails CI)" },
      { name: "enable", type: "string", multiple: true, value: "ID,...", help: "run only these rules; repeatable" },
      { name: "disable", type: "string", multiple: true, value: "ID,...", help: "do not run these rules; repeatable" },
      DNS_FLAG,
      METADATA_FLAG,
      { name: "service-cidr", type: "string", multiple: true, value: "CIDR", help: "the Service ClusterIP range; repeatable; default 10.96.0.0/12" },
      {
        name: "system-namespaces",
        type: "string",
        multiple: true,
        value: "NS,...",
        help: `namespaces egress-not-isolated does not report; repeatable; default ${DEFAULT_SYSTEM_NAMESPACES.join(",")}; '' reports every namespace`,
      },
      { name: "feed", type: "string", multiple: true, value: "[PROVIDER=]FILE|URL", help: "a provider's published ranges: feed-outdated compares the feed-bound policies with it (without --feed that rule does not run); repeatable" },
      ...namespaceFlags("report only findings about objects in this namespace (the whole input is still analysed)"),
      ...DNS_SNAPSHOT_FLAGS,
      ...CLUSTER_FLAGS,
    ],
    readsCluster: true,
    outputs: ["text", "json", "yaml", "sarif"],
    positionals: 0,
    examples: ["portcullis lint -f examples/mistakes", "portcullis lint -f examples/egress -o sarif > lint.sarif"],
    exits: { ok: "no finding at --fail-on or above", negative: "a finding at --fail-on or above (default warning)" },
  },
  {
    name: "feeds",
    usage:
      "portcullis feeds show SELECTOR... --feed [PROVIDER=]FILE|URL | feeds policy --name NAME (-n NAMESPACE | --cluster) [--select LABELS] [--port P]... --feed F SELECTOR... | feeds update -f PATH... --feed F [--dry-run] [--force] | feeds diff OLD NEW -f PATH... | feeds fetch PROVIDER -o FILE",
    summary: "published IP ranges (AWS, Google, Azure, GitHub, Cloudflare, Atlassian, Fastly, Oracle): policies from them, refreshed, and what an update changes",
    flags: [
      { name: "feed", type: "string", multiple: true, value: "[PROVIDER=]FILE|URL", help: "a provider's published ranges file (or URL); PROVIDER= when the content does not say; repeatable" },
      { name: "name", type: "string", value: "NAME", help: "policy: the generated policy's name" },
      { name: "namespace", short: "n", type: "string", value: "NAMESPACE", help: "policy: the NetworkPolicy's namespace; with --cluster, the namespace whose pods it selects" },
      { name: "select", type: "string", value: "LABELS", help: "policy: the pods it applies to, a label selector (app=x,tier in (a,b)); default every pod" },
      { name: "port", type: "string", multiple: true, value: "N[-M][/PROTO]", help: "policy: allow only these ports (443, 53/UDP, 8000-8100/TCP); repeatable; default every port" },
      { name: "cluster", type: "boolean", help: "policy: a ClusterNetworkPolicy (Admin tier, Accept; networks in peers of at most 25 CIDRs) instead of a NetworkPolicy" },
      { name: "priority", type: "string", value: "N", help: "policy --cluster: the policy's priority, 0-1000; default 100" },
      { name: "api", type: "string", value: "VERSION", help: "policy --cluster: v1alpha2 (ClusterNetworkPolicy, the default) or v1alpha1 (AdminNetworkPolicy)" },
      { ...FILENAME_FLAG, help: "update, diff: the policies (files or directories) holding portcullis.dev/feed annotations; repeatable" },
      { name: "dry-run", type: "boolean", help: "update: print the text diff of each file and write nothing" },
      { name: "force", type: "boolean", help: "update: write even when a guard refuses (empty or shrunk selection, older feed, private or metadata ranges); fetch: accept an older version" },
      { name: "max-shrink", type: "string", value: "PERCENT", help: "update: refuse when a selection loses more than this share of its addresses; default 10" },
      { name: "url", type: "string", value: "URL", help: "fetch: this address instead of the provider's published one" },
      { name: "timeout", type: "string", value: "DURATION", help: "fetch: give up after this long (30s, 2m); default 30s" },
      { name: "max-size", type: "string", value: "BYTES", help: "fetch: refuse a response larger than this (64Mi, 10000000); default 64Mi" },
      { name: "allow-wide", type: "boolean", help: "fetch: accept prefixes wider than /8 (IPv4) or /20 (IPv6)" },
      { name: "md5", type: "string", value: "HEX", help: "fetch: refuse a download whose md5 is not this (AWS announces it in its AmazonIpSpaceChanged notification)" },
      METADATA_FLAG,
      DNS_FLAG,
    ],
    outputs: ["text", "json", "yaml", "md"],
    positionals: 64,
    examples: [
      "portcullis feeds show aws:service=S3,region=eu-west-1 --feed examples/feeds/aws-ip-ranges.json",
      "portcullis feeds policy --name allow-s3 -n payments --select app=payment-service --feed examples/feeds/aws-ip-ranges.json aws:service=S3,region=eu-west-1 --port 443",
      "portcullis feeds policy --name allow-s3 -n payments --select app=payment-service --cluster --priority 30 --feed examples/feeds/aws-ip-ranges.json aws:service=S3,region=eu-west-1 --port 443 -o json",
      "portcullis feeds diff examples/feeds/aws-ip-ranges.json examples/feeds/aws-ip-ranges-new.json -f examples/feeds/payments.yaml -f examples/feeds/allow-s3.yaml -o md",
    ],
    exits: { ok: "done (update: every file current or rewritten; diff: no semantic change)", negative: "diff: the update changes what some workload may reach", refused: "update/fetch: a guard refused the feed; nothing was written" },
  },
  {
    name: "lab",
    usage: "portcullis lab run|up -f PATH... [--to IP[:PORT[/PROTO]]]... [--topology routed|bridge] [--clean] | portcullis lab probe|down --lab PREFIX | portcullis lab list",
    summary: "prove enforcement with real packets: a lab of network namespaces, the ruleset, a probe per connection",
    flags: [
      { name: "to", type: "string", multiple: true, value: "IP[:PORT[/PROTO]]", help: "run, up: probe this external address instead of those the ipBlocks suggest; repeatable" },
      { name: "lab", type: "string", value: "PREFIX", help: "probe, down: the lab that lab up kept, or one a killed run left (pc- and 6 hex digits)" },
      { name: "clean", type: "boolean", help: "run: first remove labs orphaned by killed runs (without it, lab run names them)" },
      {
        name: "topology",
        type: "string",
        value: "routed|bridge",
        help: "run, up: how pods are wired to the node: routed veths (Calico, Cilium, kindnet) or the bridge cni0 holding the pod CIDRs' gateways (Flannel, bridge plugin; needs br_netfilter); default routed",
      },
      METADATA_FLAG,
    ],
    outputs: ["text", "json"],
    positionals: 1,
    examples: [
      "sudo portcullis lab run -f examples/egress",
      "sudo portcullis lab up -f examples/egress && sudo portcullis lab probe --lab pc-1a2b3c",
      "sudo portcullis lab run -f examples/egress --topology bridge",
      "portcullis lab list",
    ],
    exits: { ok: "every probe did what the engine said (run, probe), or the lab is up or down", negative: "a probe did not (a mismatch)" },
  },
  {
    name: "verify",
    usage:
      "portcullis verify [-n NAMESPACE | -A] [--from NS/WORKLOAD]... [--to IP[:PORT[/PROTO]]]... [--no-twins] [--image IMAGE] [--timeout DURATION] [--pod-start-timeout DURATION] [-o text|json|junit] | portcullis verify --smoke | portcullis verify --cleanup [-n NAMESPACE]",
    summary: "prove in a live cluster that its network plugin enforces the policies: probe pods, each verdict compared with the engine's",
    flags: [
      ...namespaceFlags("verify the workloads of this namespace (sources and destinations)"),
      { name: "from", type: "string", multiple: true, value: "NS/WORKLOAD", help: "only these sources (ns/name, Kind/ns/name, as check --from takes them); repeatable; default every workload in scope" },
      { name: "to", type: "string", multiple: true, value: "IP[:PORT[/PROTO]]", help: "probe this external address instead of those the ipBlocks suggest; repeatable" },
      { name: "no-twins", type: "boolean", help: "no twins of the destinations: sources probe the real pods' IPs, TCP only (a refused connection counts as reachable)" },
      { name: "smoke", type: "boolean", help: "a throwaway namespace, a probe server and client, deny-all ingress then egress, DNS under an egress policy that allows it: is NetworkPolicy enforced at all?" },
      { name: "cleanup", type: "boolean", help: "delete what killed runs left (by the label portcullis.dev/verify-run), in -n's namespace or every one, and their smoke namespaces" },
      { name: "image", type: "string", value: "IMAGE", help: "the image of the probe pods (Portcullis' own, run as `portcullis probe-agent`); default portcullis:VERSION, as deploy/portcullis.yaml" },
      { name: "timeout", type: "string", value: "DURATION", help: "each probe's timeout (2s, 500ms); default 2s" },
      { name: "pod-start-timeout", type: "string", value: "DURATION", help: "how long the probe pods may take to run (image pull, scheduling); default 2m" },
      METADATA_FLAG,
      ...CLUSTER_FLAGS,
    ],
    readsCluster: true,
    outputs: ["text", "json", "junit"],
    positionals: 0,
    examples: ["portcullis verify --smoke", "portcullis verify -n shop -o junit > verify.xml", "portcullis verify -A --from shop/web --to 203.0.113.7:443", "portcullis verify --cleanup"],
    exits: { ok: "every probe did what the policies say (--smoke: NetworkPolicy is enforced)", negative: "a probe did not (a mismatch), or --smoke: NOT ENFORCED" },
  },
];
