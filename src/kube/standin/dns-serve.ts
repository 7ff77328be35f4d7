/**
 * The stand-in cluster's DNS server, the container of its DNS pod (`node dns-serve.js RECORDS`):
 * answers A and AAAA over UDP and TCP on port 53 from the records file (cluster-dns.ts), read again
 * whenever it changes; NXDOMAIN for a name it does not hold.
 */
import { createSocket } from "node:dgram";
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { TcpFramer, withLength } from "../../dns/message.js";
import { type DnsTransportKind, type DnsZone, dnsZone, respondFromZone } from "../../lab/dns-zone.js";

const path = process.argv[2] ?? "";
let zone = dnsZone({ names: {} });
let seen = "";

function current(): DnsZone {
  try {
    const st = statSync(path);
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (stamp !== seen) {
      zone = dnsZone({ names: JSON.parse(readFileSync(path, "utf8")) as Record<string, string[]> });
      seen = stamp;
    }
  } catch {
    // keep the last records
  }
  return zone;
}

function respond(msg: Uint8Array, over: DnsTransportKind): Uint8Array | undefined {
  return respondFromZone(current(), msg, over);
}

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const udp = createSocket("udp4");
udp.on("message", (msg, rinfo) => {
  const r = respond(bytes(msg), "udp");
  if (r !== undefined) udp.send(r, rinfo.port, rinfo.address);
});
udp.bind(53, "0.0.0.0");

createServer((socket) => {
  const framer = new TcpFramer();
  socket.on("error", () => undefined);
  socket.setTimeout(5000, () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    for (const m of framer.push(bytes(chunk))) {
      const r = respond(m, "tcp");
      if (r !== undefined) socket.write(withLength(r));
    }
  });
}).listen(53, "0.0.0.0", () => console.log(`[INFO] stand-in cluster DNS serving ${path} on :53 (UDP, TCP)`));

process.on("SIGTERM", () => process.exit(0));
