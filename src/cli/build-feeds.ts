/** `feeds show|policy|update|diff|fetch`: typed options from the flags given; refused combinations are usage errors. */
import { parseSelector } from "../feeds/selector.js";
import { FEED_PROVIDERS, type FeedPort, type FeedProvider, type FeedSelector } from "../feeds/types.js";
import type { Protocol } from "../model/ports.js";
import type { FeedLocation, FeedSource, FeedsOptions } from "./feeds-options.js";
import { choice, commonOptions, type Given, one, parseDuration, parseOutput, parsePort, parseProtocol, refuse, required, wellKnownFlags } from "./flags.js";
import { suggest } from "./suggest.js";

const ACTIONS = ["show", "policy", "update", "diff", "fetch"] as const;
type Action = (typeof ACTIONS)[number];

/** The flags each action takes (beyond -o and --help); any other given flag is refused naming the action. */
const TAKES: Readonly<Record<Action, readonly string[]>> = {
  show: ["feed"],
  policy: ["feed", "name", "namespace", "select", "port", "cluster", "priority", "api", "metadata"],
  update: ["feed", "filename", "dry-run", "force", "max-shrink", "metadata", "dns", "verbose", "strict"],
  diff: ["filename", "metadata", "dns", "verbose", "strict", "pod-cidr", "ipblock-matches-pods"],
  fetch: ["url", "timeout", "max-size", "allow-wide", "force", "md5"],
};

const ALWAYS = new Set(["output", "help", "debug"]);

function action(positionals: readonly string[]): Action {
  const word = positionals[0];
  if (word === undefined) refuse(`missing the feeds action: ${ACTIONS.join(", ")}`);
  if (!(ACTIONS as readonly string[]).includes(word)) {
    const hint = suggest(word, ACTIONS);
    refuse(`unknown feeds action "${word}"${hint === null ? "" : ` (did you mean "${hint}"?)`}: expected ${ACTIONS.join(", ")}`);
  }
  return word as Action;
}

function isProvider(text: string): text is FeedProvider {
  return (FEED_PROVIDERS as readonly string[]).includes(text);
}

function location(text: string): FeedLocation {
  if (/^https?:\/\//i.test(text)) return { kind: "url", url: text };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) refuse(`invalid feed "${text}": only http:// and https:// addresses are fetched`);
  if (text === "-") refuse(`a feed cannot be read from stdin: give its file`);
  return { kind: "file", path: text };
}

/** `[PROVIDER=]FILE|URL`: the provider prefix only when the word before `=` names one. */
export function feedSource(text: string): FeedSource {
  const eq = text.indexOf("=");
  const head = eq < 0 ? "" : text.slice(0, eq).toLowerCase();
  if (eq > 0 && isProvider(head)) return { provider: head, location: location(text.slice(eq + 1)) };
  if (eq > 0 && /^[a-z-]+$/.test(head) && !text.slice(0, eq).includes("/")) refuse(`unknown feed provider "${head}" in "${text}": expected one of ${FEED_PROVIDERS.join(", ")}`);
  return { provider: null, location: location(text) };
}

function feeds(given: Given, act: Action): FeedSource[] {
  const texts = given.get("feed") ?? [];
  if (texts.length === 0) refuse(`feeds ${act} needs --feed [PROVIDER=]FILE|URL: the provider's published ranges (feeds fetch writes one)`);
  return texts.map(feedSource);
}

function selectors(positionals: readonly string[], act: Action): FeedSelector[] {
  const texts = positionals.slice(1);
  if (texts.length === 0) refuse(`feeds ${act} needs a SELECTOR, e.g. aws:service=S3,region=eu-west-1`);
  return texts.map((t) => {
    const s = parseSelector(t);
    if (!s.ok) refuse(s.message);
    return s.selector;
  });
}

/** `443`, `53/UDP`, `8000-8100/TCP`. */
export function feedPort(text: string): FeedPort {
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(text.trim());
  if (m === null) refuse(`invalid --port "${text}": expected N, N/PROTO or N-M/PROTO (443, 53/UDP, 8000-8100/TCP)`);
  const port = parsePort(m[1] ?? "");
  const endPort = m[2] === undefined ? null : parsePort(m[2]);
  if (endPort !== null && endPort < port) refuse(`invalid --port "${text}": the range ends before it starts`);
  const protocol: Protocol = m[3] === undefined ? "TCP" : parseProtocol(m[3]);
  return { protocol, port, endPort: endPort === port ? null : endPort };
}

function percent(flag: string, text: string): number {
  const n = Number(text.replace(/%$/, ""));
  if (!/^\d+(\.\d+)?%?$/.test(text) || n > 100) refuse(`invalid --${flag} "${text}": expected a percentage 0-100`);
  return n;
}

/** `64Mi`, `10M`, `10000000`. */
function bytes(flag: string, text: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(text);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 } as const;
  const n = m === null ? NaN : Number(m[1]) * (m[2] === undefined ? 1 : unit[m[2] as keyof typeof unit]);
  if (!(n >= 1) || n > 1024 ** 3) refuse(`invalid --${flag} "${text}": expected a size such as 64Mi or 10000000 (at most 1Gi)`);
  return n;
}

/** `--md5 HEX`: 32 hex digits, kept lowercase. */
function md5(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!/^[0-9a-f]{32}$/i.test(text)) refuse(`invalid --md5 "${text}": expected 32 hex digits (the md5 the provider announced)`);
  return text.toLowerCase();
}

function checkFlags(given: Given, act: Action): void {
  for (const flag of given.keys()) {
    if (!ALWAYS.has(flag) && !TAKES[act].includes(flag)) refuse(`--${flag === "filename" ? "filename (-f)" : flag} cannot be used with feeds ${act}`);
  }
}

function policyOptions(positionals: readonly string[], given: Given): FeedsOptions {
  const cluster = given.has("cluster");
  const namespace = one(given, "namespace") ?? null;
  if (!cluster && namespace === null) refuse(`feeds policy needs -n NAMESPACE (the NetworkPolicy's), or --cluster for a ClusterNetworkPolicy`);
  if (!cluster && (given.has("priority") || given.has("api"))) refuse(`--priority and --api are valid only with --cluster`);
  const priorityText = one(given, "priority") ?? "100";
  const priority = Number(priorityText);
  if (!/^\d{1,4}$/.test(priorityText) || priority > 1000) refuse(`invalid --priority "${priorityText}": expected 0-1000`);
  return {
    name: "feeds",
    action: "policy",
    output: choice("output", one(given, "output") ?? "yaml", ["yaml", "json"] as const),
    selectors: selectors(positionals, "policy"),
    feeds: feeds(given, "policy"),
    policyName: required(given, "name"),
    namespace,
    podSelector: one(given, "select") ?? "",
    ports: (given.get("port") ?? []).map(feedPort),
    cluster,
    priority,
    api: choice("api", one(given, "api") ?? "v1alpha2", ["v1alpha2", "v1alpha1"] as const),
    wellKnown: wellKnownFlags(given),
  };
}

export function buildFeeds(positionals: readonly string[], given: Given): FeedsOptions {
  const act = action(positionals);
  checkFlags(given, act);
  switch (act) {
    case "show":
      return { name: "feeds", action: "show", output: parseOutput("feeds", one(given, "output")), selectors: selectors(positionals, act), feeds: feeds(given, act) };
    case "policy":
      return policyOptions(positionals, given);
    case "update": {
      if (positionals.length > 1) refuse(`feeds update takes no SELECTOR: each policy's portcullis.dev/feed-selector annotation says what it holds`);
      const files = given.get("filename") ?? [];
      if (files.length === 0) refuse(`feeds update needs -f PATH: the policies to refresh`);
      if (files.includes("-")) refuse(`feeds update rewrites files in place: it cannot take stdin (-f -)`);
      const guards = { maxShrinkPercent: percent("max-shrink", one(given, "max-shrink") ?? "10") };
      return { name: "feeds", action: "update", output: parseOutput("feeds", one(given, "output")), files, feeds: feeds(given, act), dryRun: given.has("dry-run"), force: given.has("force"), guards, wellKnown: wellKnownFlags(given) };
    }
    case "diff": {
      const [, oldText, newText, extra] = positionals;
      if (oldText === undefined || newText === undefined || extra !== undefined) refuse(`feeds diff takes two feeds, OLD and NEW (each [PROVIDER=]FILE, files of one feed joined with ,)`);
      const side = (text: string): FeedSource[] => text.split(",").map(feedSource);
      return { name: "feeds", action: "diff", common: commonOptions("feeds", given), old: side(oldText), new: side(newText), wellKnown: wellKnownFlags(given) };
    }
    case "fetch": {
      const [, providerText, extra] = positionals;
      if (providerText === undefined || extra !== undefined) refuse(`feeds fetch takes one PROVIDER: ${FEED_PROVIDERS.join(", ")}`);
      const provider = providerText.toLowerCase();
      if (!isProvider(provider)) refuse(`unknown feed provider "${providerText}": expected one of ${FEED_PROVIDERS.join(", ")}`);
      const file = one(given, "output");
      if (file === undefined) refuse(`feeds fetch needs -o FILE: where the feed is written`);
      return {
        name: "feeds",
        action: "fetch",
        provider,
        file,
        url: one(given, "url") ?? null,
        timeoutMs: parseDuration("timeout", one(given, "timeout") ?? "30s"),
        maxBytes: bytes("max-size", one(given, "max-size") ?? "64Mi"),
        allowWide: given.has("allow-wide"),
        force: given.has("force"),
        md5: md5(one(given, "md5")),
      };
    }
  }
}
