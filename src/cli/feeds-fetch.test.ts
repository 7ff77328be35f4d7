/**
 * `feeds fetch PROVIDER -o FILE` against a local HTTP server on 127.0.0.1 (no other network). Issue 13:
 * "the only networked step, with a timeout, a size cap, a breadth guard (reject prefixes wider than /8
 * IPv4, /20 IPv6 unless allowed), the provider's checksum where it has one, and a monotonic version
 * check; keeps the last good file on failure." Every failure case starts from a good FILE and checks its
 * bytes are unchanged. The feed bytes are the real-format AWS fixture (src/feeds/testdata).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { redirectProblem } from "../feeds-io/fetch.js";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const FIXTURE = readFileSync(join(ROOT, "src", "feeds", "testdata", "aws-ip-ranges.json"), "utf8");
const TOKEN = (JSON.parse(FIXTURE) as { syncToken: string }).syncToken;
const withToken = (token: string): string => FIXTURE.replace(`"syncToken": "${TOKEN}"`, `"syncToken": "${token}"`);
const NEWER = withToken(String(Number(TOKEN) + 3600));
const OLDER = withToken(String(Number(TOKEN) - 3600));
/** The fixture with one AMAZON range of 64.0.0.0/2: a quarter of IPv4, wider than /8. */
const WIDE = FIXTURE.replace(`"prefixes": [`, `"prefixes": [\n    { "ip_prefix": "64.0.0.0/2", "region": "GLOBAL", "service": "AMAZON", "network_border_group": "GLOBAL" },`);
const WIDE_V6 = FIXTURE.replace(`"ipv6_prefixes": [`, `"ipv6_prefixes": [\n    { "ipv6_prefix": "2600::/19", "region": "GLOBAL", "service": "AMAZON", "network_border_group": "GLOBAL" },`);
const NO_RANGES = JSON.stringify({ syncToken: TOKEN, createDate: "2025-12-05-00-33-07", prefixes: [], ipv6_prefixes: [] });
const md5 = (text: string): Buffer => createHash("md5").update(text).digest();

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const json = (body: string, headers: Record<string, string> = {}): Handler => (_q, res) => {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.end(body);
};
const redirect = (to: string): Handler => (_q, res) => {
  res.writeHead(302, { location: to });
  res.end();
};

let streamedBeforeStop = 0;
const ROUTES: Record<string, Handler> = {
  "/feed": json(FIXTURE),
  "/newer": json(NEWER),
  "/older": json(OLDER),
  "/wide": json(WIDE),
  "/wide6": json(WIDE_V6),
  "/no-ranges": json(NO_RANGES),
  "/broken": json(FIXTURE.slice(0, 400)),
  "/empty": json(""),
  "/html": (_q, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<html><body>Please log in to the proxy</body></html>");
  },
  "/500": (_q, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("internal error");
  },
  "/slow": (_q, res) => {
    const timer = setTimeout(() => json(FIXTURE)(_q, res), 3000);
    res.on("close", () => clearTimeout(timer));
  },
  "/slow-body": (_q, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write(FIXTURE.slice(0, 100));
    const timer = setTimeout(() => res.end(FIXTURE.slice(100)), 3000);
    res.on("close", () => clearTimeout(timer));
  },
  "/big": (_q, res) => {
    // No Content-Length: the cap must stop it while it streams (64 KiB chunks, 10 MiB in all).
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(65536, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < 160) {
        sent++;
        streamedBeforeStop = sent;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => (sent = 1e9));
    pump();
  },
  "/big-length": (_q, res) => {
    const body = Buffer.from(FIXTURE + " ".repeat(200_000));
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
    res.end(body);
  },
  "/loop": redirect("/loop"),
  "/r1": redirect("/r2"),
  "/r2": redirect("/r3"),
  "/r3": redirect("/feed"),
  "/r0": redirect("/r1"),
  "/md5-good": json(FIXTURE, { "content-md5": md5(FIXTURE).toString("base64") }),
  "/md5-bad": json(FIXTURE, { "content-md5": md5(NEWER).toString("base64") }),
};

let server: Server;
let base: string;
before(async () => {
  server = createServer((req, res) => (ROUTES[req.url ?? ""] ?? ((_q, r) => (r.writeHead(404), r.end())))(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** A directory holding `feed.json` with `content` (the last good file), or none. */
function place(content: string | null): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "pc-fetch-"));
  const file = join(dir, "feed.json");
  if (content !== null) writeFileSync(file, content);
  return { dir, file };
}

const fetchTo = (file: string, path: string, ...flags: string[]): ReturnType<typeof cli> => cli(["feeds", "fetch", "aws", "-o", file, "--url", `${base}${path}`, ...flags]);

/** Failures: each leaves the last good file byte-identical and no temporary file behind. */
const FAILURES: readonly { name: string; path: string; flags?: string[]; code: number; says: RegExp }[] = [
  { name: "a server slower than --timeout to answer", path: "/slow", flags: ["--timeout", "300ms"], code: 4, says: /within 300 ms/ },
  { name: "a body that stalls past --timeout after its headers", path: "/slow-body", flags: ["--timeout", "300ms"], code: 4, says: /within 300 ms/ },
  { name: "a body larger than --max-size, without Content-Length (refused while it streams)", path: "/big", flags: ["--max-size", "200Ki"], code: 4, says: /larger than the size cap/ },
  { name: "a Content-Length above --max-size (refused before the body)", path: "/big-length", flags: ["--max-size", "100Ki"], code: 4, says: /Content-Length \d+ is above the size cap/ },
  { name: "a redirect loop", path: "/loop", code: 4, says: /more than 3 redirects/ },
  { name: "four redirects (at most three are followed)", path: "/r0", code: 4, says: /more than 3 redirects/ },
  { name: "HTTP 500", path: "/500", code: 4, says: /HTTP 500/ },
  { name: "HTTP 404", path: "/nowhere", code: 4, says: /HTTP 404/ },
  { name: "an HTML page (a proxy's login page) instead of a feed", path: "/html", code: 4, says: /text\/html, not a feed/ },
  { name: "a body that does not match its Content-MD5", path: "/md5-bad", code: 4, says: /does not match its Content-MD5/ },
  { name: "broken JSON (a truncated file)", path: "/broken", code: 5, says: /not a valid aws feed: .*\/broken/ },
  { name: "an empty body", path: "/empty", code: 5, says: /empty/ },
  { name: "a feed with no ranges", path: "/no-ranges", code: 5, says: /no ranges at all/ },
  { name: "an IPv4 range wider than /8 (64.0.0.0/2)", path: "/wide", code: 5, says: /1 range\(s\) wider than \/8 \(IPv4\) or \/20 \(IPv6\): 64\.0\.0\.0\/2 \(AMAZON\)/ },
  { name: "an IPv6 range wider than /20 (2600::/19)", path: "/wide6", code: 5, says: /2600::\/19 \(AMAZON\)/ },
  { name: "an older syncToken than the file's", path: "/older", code: 5, says: /older than the file's/ },
  { name: "an md5 other than the one --md5 gives (AWS's SNS notification)", path: "/newer", flags: ["--md5", md5(FIXTURE).toString("hex")], code: 5, says: /its md5 is [0-9a-f]{32}, not/ },
];

for (const c of FAILURES) {
  test(`feeds fetch keeps the last good file on ${c.name}: exit ${c.code}`, async () => {
    const { dir, file } = place(FIXTURE);
    const r = await fetchTo(file, c.path, ...(c.flags ?? []));
    assert.equal(r.code, c.code, r.stderr);
    assert.match(r.stderr, c.says);
    assert.match(r.stderr, /was not changed/);
    assert.equal(readFileSync(file, "utf8"), FIXTURE);
    assert.deepEqual(readdirSync(dir), ["feed.json"]);
  });
}

test("the size cap stops the download while it streams, not after reading the whole 10 MiB body", async () => {
  const { file } = place(null);
  streamedBeforeStop = 0;
  const r = await fetchTo(file, "/big", "--max-size", "200Ki");
  assert.equal(r.code, 4, r.stderr);
  assert.ok(streamedBeforeStop < 160, `the server wrote ${streamedBeforeStop} of 160 chunks`);
  assert.deepEqual(readdirSync(join(file, "..")), []);
});

test("feeds fetch writes a newer feed over the old one, saying both versions", async () => {
  const { dir, file } = place(FIXTURE);
  const r = await fetchTo(file, "/newer");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), NEWER);
  assert.match(r.stdout, new RegExp(`wrote .*feed\\.json: aws version ${Number(TOKEN) + 3600}, was version ${TOKEN}, \\d+ ranges, sha256 [0-9a-f]{64}, from ${base}/newer`));
  assert.deepEqual(readdirSync(dir), ["feed.json"]);
});

test("feeds fetch writes a new file when none exists, following three redirects", async () => {
  const { file } = place(null);
  const r = await fetchTo(file, "/r1");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), FIXTURE);
  assert.match(r.stdout, new RegExp(`from ${base}/feed\\n$`));
});

test("the same version with the same bytes is already current: exit 0, the file not rewritten (same inode and mtime)", async () => {
  const { file } = place(FIXTURE);
  const before = statSync(file);
  const r = await fetchTo(file, "/feed");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /is already current \(aws version \d+, sha256 [0-9a-f]{64}\)/);
  const now = statSync(file);
  assert.deepEqual([now.ino, now.mtimeMs], [before.ino, before.mtimeMs]);
});

test("--force accepts an older version; --allow-wide a wide range; a matching --md5 and Content-MD5 pass", async () => {
  const older = place(FIXTURE);
  assert.equal((await fetchTo(older.file, "/older", "--force")).code, 0);
  assert.equal(readFileSync(older.file, "utf8"), OLDER);
  const wide = place(null);
  assert.equal((await fetchTo(wide.file, "/wide", "--allow-wide")).code, 0);
  assert.equal(readFileSync(wide.file, "utf8"), WIDE);
  const summed = place(null);
  assert.equal((await fetchTo(summed.file, "/md5-good", "--md5", md5(FIXTURE).toString("hex").toUpperCase())).code, 0);
});

test("a FILE that does not parse is replaced (nothing to compare the version with)", async () => {
  const { file } = place("{ not json");
  const r = await fetchTo(file, "/feed");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), FIXTURE);
});

test("Azure publishes a new file address every week: feeds fetch azure without --url is a usage error saying so", async () => {
  const { file } = place(null);
  const r = await cli(["feeds", "fetch", "azure", "-o", file]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /feeds fetch azure needs --url: .*ServiceTags_Public_YYYYMMDD\.json/);
});

test("an unwritable FILE (its directory does not exist) is exit 4", async () => {
  const { dir } = place(null);
  const r = await fetchTo(join(dir, "missing", "feed.json"), "/feed");
  assert.equal(r.code, 4);
  assert.match(r.stderr, /writing .*missing\/feed\.json/);
});

test("redirects: https to http is refused (a downgrade); http to https and https to https are followed; other schemes never", () => {
  const u = (t: string): URL => new URL(t);
  assert.match(redirectProblem(u("https://ip-ranges.amazonaws.com/ip-ranges.json"), u("http://ip-ranges.amazonaws.com/ip-ranges.json")) ?? "", /from https to http is refused/);
  assert.equal(redirectProblem(u("http://ip-ranges.amazonaws.com/"), u("https://ip-ranges.amazonaws.com/")), null);
  assert.equal(redirectProblem(u("https://a.example/"), u("https://b.example/")), null);
  assert.match(redirectProblem(u("http://a.example/"), u("file:///etc/passwd")) ?? "", /only http and https/);
});

test("--md5 takes 32 hex digits", async () => {
  const r = await cli(["feeds", "fetch", "aws", "-o", "/tmp/x.json", "--md5", "abc"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /invalid --md5 "abc"/);
});
