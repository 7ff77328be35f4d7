import assert from "node:assert/strict";
import { test } from "node:test";
import { formatIp } from "../net/ip.js";
import { parseTo } from "./to.js";

const CASES: readonly [string, string][] = [
  ["203.0.113.7", "203.0.113.7"],
  ["203.0.113.7:443", "203.0.113.7 443/TCP"],
  ["203.0.113.7:53/udp", "203.0.113.7 53/UDP"],
  ["203.0.113.7:9/SCTP", "203.0.113.7 9/SCTP"],
  ["2001:db8::1", "2001:db8::1"],
  ["[2001:db8::1]:443/TCP", "2001:db8::1 443/TCP"],
  ["[2001:db8::1]", "2001:db8::1"],
  ["203.0.113.7:0", 'error: port "0" is not 1-65535'],
  ["203.0.113.7:65536", 'error: port "65536" is not 1-65535'],
  ["203.0.113.7:443/ICMP", 'error: protocol "ICMP" is not TCP, UDP or SCTP'],
  ["203.0.113.7:", 'error: port "" is not 1-65535'],
  ["[203.0.113.7]:80", 'error: brackets are for IPv6 addresses, not "203.0.113.7"'],
  ["web.example.com:443", 'error: "web.example.com" is not an IP address'],
  ["10.0.0.0/8", 'error: "10.0.0.0/8" is not IP[:PORT[/PROTOCOL]]'],
];

for (const [input, want] of CASES) {
  test(`--to ${input}`, () => {
    const r = parseTo(input);
    const got = r.ok ? `${formatIp(r.target.ip)}${r.target.port === undefined ? "" : ` ${r.target.port.port}/${r.target.port.protocol}`}` : `error: ${r.message}`;
    assert.equal(got, want);
  });
}
