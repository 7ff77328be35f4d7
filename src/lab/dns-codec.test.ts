import assert from "node:assert/strict";
import { test } from "node:test";
import {
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  TYPE_A,
  TYPE_AAAA,
  TcpFramer,
  answer,
  decodeQuery,
  decodeResponse,
  encodeQuery,
  namesMap,
  withLength,
} from "./dns-codec.js";

const NAMES = namesMap({ "Postgres.Production.svc.cluster.local.": ["10.244.0.5", "fd00::5"], "v4.local": ["10.0.0.1", "10.0.0.2"] });

function ask(name: string, type: number, id = 0x1234) {
  const q = decodeQuery(encodeQuery(id, name, type));
  assert.ok(q);
  return decodeResponse(answer(q, NAMES));
}

test("a query decodes to its id, lower-cased name and type", () => {
  const q = decodeQuery(encodeQuery(7, "Postgres.Production.svc.cluster.local.", TYPE_AAAA));
  assert.deepEqual([q?.id, q?.name, q?.type], [7, "postgres.production.svc.cluster.local", TYPE_AAAA]);
});

test("A and AAAA answer from the map, by family, names matched without case or trailing dot", () => {
  assert.deepEqual(ask("postgres.production.svc.cluster.local", TYPE_A), { id: 0x1234, rcode: RCODE_NOERROR, answers: ["10.244.0.5"] });
  assert.deepEqual(ask("POSTGRES.production.svc.cluster.local.", TYPE_AAAA)?.answers, ["fd00::5"]);
  assert.deepEqual(ask("v4.local", TYPE_A)?.answers, ["10.0.0.1", "10.0.0.2"]);
});

test("a name that does not exist is NXDOMAIN; a name without that type is NODATA", () => {
  assert.deepEqual(ask("missing.local", TYPE_A), { id: 0x1234, rcode: RCODE_NXDOMAIN, answers: [] });
  assert.deepEqual(ask("v4.local", TYPE_AAAA), { id: 0x1234, rcode: RCODE_NOERROR, answers: [] });
});

test("a response is not a query, and garbage is neither", () => {
  const q = decodeQuery(encodeQuery(1, "v4.local", TYPE_A));
  assert.ok(q);
  assert.equal(decodeQuery(answer(q, NAMES)), undefined);
  assert.equal(decodeQuery(new TextEncoder().encode("portcullis-probe\n")), undefined);
  assert.equal(decodeResponse(Uint8Array.of(1, 2, 3)), undefined);
});

test("a compression pointer loop ends instead of hanging", () => {
  // Header with one answer whose name points at itself.
  const msg = Uint8Array.of(0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4);
  assert.equal(decodeResponse(msg), undefined);
});

test("TCP framing: messages split and joined across chunks come out whole", () => {
  const a = withLength(Uint8Array.of(1, 2, 3));
  const b = withLength(Uint8Array.of(4));
  const joined = Uint8Array.from([...a, ...b]);
  const framer = new TcpFramer();
  assert.deepEqual(framer.push(joined.subarray(0, 1)), []);
  assert.deepEqual(framer.push(joined.subarray(1, 6)), [Uint8Array.of(1, 2, 3)]);
  assert.deepEqual(framer.push(joined.subarray(6)), [Uint8Array.of(4)]);
});
