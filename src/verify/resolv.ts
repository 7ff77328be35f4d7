/**
 * /etc/resolv.conf as the stub resolver reads it, pure: `nameserver`, `search`, `options ndots:N`,
 * and the names a query for a name tries, in order. resolv.conf(5): "If a name has fewer dots than
 * ndots ... the search list is tried first"; a name with at least ndots dots is tried as is first;
 * a name ending in a dot is absolute and only tried as is.
 */
export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  /** resolv.conf(5): "The default for n is 1". */
  readonly ndots: number;
}

export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1;
  for (const raw of text.split("\n")) {
    const words = raw.replace(/[#;].*$/, "").trim().split(/\s+/).filter((w) => w !== "");
    const [key, ...rest] = words;
    if (key === "nameserver" && rest[0] !== undefined) nameservers.push(rest[0]);
    // "The search keyword ... the last instance wins" (and `domain` is the older one-entry form).
    else if (key === "search" || key === "domain") search = rest;
    else if (key === "options") {
      for (const o of rest) {
        const m = /^ndots:(\d+)$/.exec(o);
        if (m?.[1] !== undefined) ndots = Math.min(Number(m[1]), 15);
      }
    }
  }
  return { nameservers, search, ndots };
}

/** The fully qualified names a lookup of `name` tries, in order (without the trailing dot). */
export function candidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const searched = conf.search.map((s) => `${name}.${s.replace(/\.$/, "")}`);
  const dots = name.split(".").length - 1;
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}
