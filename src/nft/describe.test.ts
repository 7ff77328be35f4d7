import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "./compile.js";
import { describeDenial, explainPacket, renderDenial } from "./describe.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, ip, namesOf, testCluster } from "./fixture.js";
import { TraceAssembler, parseKernelLogLine } from "./logline.js";

const ids = compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }).ruleIds;
const N = namesOf(ids);
const WEB_DENY = N.group("egress", "production/default-deny-egress", "production/web-api-egress");
const DB_DENY = N.group("ingress", "production/db-ingress");
const AUDIT_DENY = N.group("egress", "staging/audit-egress");
const ALLOW = N.rule("egress", "production/web-api-egress", 0);
/** An id of the right shape that is in no map. */
const STRAY = "pc:e:g0123456789ab";

const KERNEL_V4 =
  `[12345.678901] ${WEB_DENY} IN=ra OUT=rb MAC=3e:e8:e2:d9:f5:bc:0a:28:b8:67:28:80:08:00 SRC=10.244.1.10 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=13470 DF PROTO=TCP SPT=33322 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0`;
const KERNEL_V6 =
  `${WEB_DENY} IN=ra OUT=rb SRC=fd00:0001:0000:0000:0000:0000:0000:0010 DST=2001:0db8:0000:0000:0000:0000:0000:0009 LEN=80 TC=0 HOPLIMIT=63 FLOWLBL=1 PROTO=TCP SPT=40000 DPT=444 WINDOW=64800 RES=0x00 SYN URGP=0`;

test("a kernel log line of a group's default deny names the pod, the policies and the port", () => {
  assert.equal(
    describeDenial(ids, KERNEL_V4),
    "denied production/web-api -> 203.0.113.9:80/TCP: egress isolated by production/default-deny-egress, production/web-api-egress, no rule allows port 80",
  );
});

test("IPv6 addresses in the kernel's long form name the same pod", () => {
  const packet = parseKernelLogLine(KERNEL_V6);
  assert.deepEqual(packet, { id: WEB_DENY, source: ip("fd00:1::10"), destination: ip("2001:db8::9"), protocol: "TCP", port: 444 });
  assert.equal(explainPacket(ids, packet!)?.source.endpoint, "production/web-api");
});

test("ingress denial names the destination's isolating policy", () => {
  const line = `${DB_DENY} IN=rb OUT=ra SRC=10.244.1.40 DST=10.244.1.20 LEN=60 PROTO=TCP SPT=5 DPT=5432`;
  assert.equal(describeDenial(ids, line), "denied staging/tester -> production/db:5432/TCP: ingress isolated by production/db-ingress, no rule allows port 5432");
});

test("audit mode: the sentence says the packet would have been denied", () => {
  const line = `${AUDIT_DENY} IN=rb OUT=ra SRC=10.244.1.40 DST=10.244.1.30 LEN=60 PROTO=TCP SPT=5 DPT=8080`;
  assert.equal(describeDenial(ids, line), "audit: would deny staging/tester -> production/worker:8080/TCP: egress isolated by staging/audit-egress, no rule allows port 8080");
});

test("fail closed: an unknown address of the node's pod CIDR", () => {
  const line = "pc:e:unknown IN=ra OUT=rb SRC=10.244.1.99 DST=203.0.113.9 LEN=84 PROTO=ICMP TYPE=8 CODE=0";
  const d = explainPacket(ids, parseKernelLogLine(line)!);
  assert.equal(d?.reason, "unknown-local-pod");
  assert.equal(renderDenial(d!), "denied 10.244.1.99 -> 203.0.113.9 (ICMP): 10.244.1.99 is in the node's pod CIDRs but no known local pod (fail closed)");
});

test("lines that are not deny logs give nothing", () => {
  assert.equal(describeDenial(ids, "eth0: link up"), null);
  assert.equal(describeDenial(ids, "pc:e:0123456789ab SRC=1.1.1.1 DST=2.2.2.2 PROTO=TCP DPT=1"), null, "unknown id");
  assert.equal(describeDenial(ids, `${ALLOW} SRC=1.1.1.1 DST=2.2.2.2 PROTO=TCP DPT=1`), null, "an allow rule is no denial");
});

test("nft monitor trace: the packet line and the first rule line with an id make one packet", () => {
  const a = new TraceAssembler();
  const lines = [
    'trace id 967573c8 inet portcullis eg_g2 packet: iif "ra" oif "rb" ether saddr 0a:28:b8:67:28:80 ether daddr 3e:e8:e2:d9:f5:bc ip saddr 10.244.1.10 ip daddr 10.244.1.20 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 13470 ip protocol tcp ip length 60 tcp sport 33322 tcp dport 5433 tcp flags == syn tcp window 64240 ',
    `trace id 967573c8 inet portcullis eg_g2 rule limit rate 10/second burst 20 packets meta nftrace set 1 log prefix "${WEB_DENY} " level info comment "${WEB_DENY}" (verdict continue)`,
    `trace id 967573c8 inet portcullis eg_g2 rule counter packets 0 bytes 0 drop comment "${WEB_DENY}" (verdict drop)`,
  ];
  const out = lines.map((l) => a.feed(l)).filter((p) => p !== null);
  assert.deepEqual(out, [{ id: WEB_DENY, source: ip("10.244.1.10"), destination: ip("10.244.1.20"), protocol: "TCP", port: 5433 }]);
  assert.equal(renderDenial(explainPacket(ids, out[0]!)!), "denied production/web-api -> production/db:5433/TCP: egress isolated by production/default-deny-egress, production/web-api-egress, no rule allows port 5433");
});

test("nft monitor trace: ICMPv6 has no port", () => {
  const a = new TraceAssembler();
  a.feed('trace id 1 inet portcullis eg_g2 packet: iif "ra" oif "rb" ip6 saddr fd00:1::10 ip6 daddr 2001:db8::9 ip6 nexthdr ipv6-icmp icmpv6 type echo-request');
  const p = a.feed(`trace id 1 inet portcullis eg_g2 rule counter packets 0 bytes 0 drop comment "${WEB_DENY}" (verdict drop)`);
  assert.deepEqual(p, { id: WEB_DENY, source: ip("fd00:1::10"), destination: ip("2001:db8::9"), protocol: "ICMPV6" });
});

test("the trace assembler keeps a bounded number of unfinished traces", () => {
  const a = new TraceAssembler(2);
  for (const id of ["a1", "a2", "a3"]) a.feed(`trace id ${id} inet portcullis eg_g1 packet: ip saddr 10.0.0.1 ip daddr 10.0.0.2 tcp dport 1`);
  assert.equal(a.feed(`trace id a1 inet portcullis eg_g1 rule counter drop comment "${STRAY}" (verdict drop)`), null, "evicted");
  assert.equal(a.feed(`trace id a3 inet portcullis eg_g1 rule counter drop comment "${STRAY}" (verdict drop)`)?.id, STRAY);
});
