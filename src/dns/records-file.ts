/**
 * The resolution snapshot as the user writes it: a records file (`--dns-records FILE`, YAML or
 * JSON) and `--resolve NAME=IP[,IP]`. Pure: the CLI reads the file, this decodes its text with the
 * manifest loader's YAML/JSON reader, so every record keeps its file:line and field path and every
 * problem is a diagnostic at one.
 *
 * A file is a list of records, or a mapping `records:` holding that list (several YAML documents
 * add up): `{name: api.stripe.com, type: A, value: 54.187.174.169, ttl: 60}`, `type` one of A,
 * AAAA, CNAME (any case), `ttl` in seconds (default DEFAULT_TTL). An empty file is an error,
 * never "no name resolves".
 */
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { codes } from "../k8s/codes.js";
import { parseDocuments, type RawDocument, type Source } from "../k8s/parse.js";
import { type Field, Reader, checkFields, child, isAbsent, missing, readInteger, readList, readMap, requireString } from "../k8s/reader.js";
import { describeValue, isRecord } from "../k8s/values.js";
import { parseIp } from "../net/ip.js";
import { type DnsName, dnsName } from "./names.js";
import type { DnsRecord } from "./snapshot.js";

/** The TTL of a record that names none, and of every `--resolve` address: 300 s (it never changes an offline verdict; answers show it). */
export const DEFAULT_TTL = 300;

/** RFC 2181 §8: a TTL is an unsigned 31-bit number of seconds. */
const MAX_TTL = 2_147_483_647;

const RECORD_FIELDS = ["name", "type", "value", "ttl"];

export interface DecodedRecords {
  readonly records: readonly DnsRecord[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The records of one file's text; any error diagnostic means the file is refused as a whole. */
export function decodeRecordsFile(source: Source): DecodedRecords {
  const parsed = parseDocuments(source);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const records: DnsRecord[] = [];
  for (const doc of parsed.documents) {
    const r = new Reader(doc);
    records.push(...documentRecords(r, doc));
    diagnostics.push(...r.diagnostics);
  }
  if (records.length === 0 && !diagnostics.some((d) => d.severity === "error")) {
    diagnostics.push({ severity: "error", code: codes.dnsRecordsEmpty, message: messages.dnsRecordsEmpty(), at: { file: source.file, line: 1, column: 1, document: 0, path: "" } });
  }
  return { records, diagnostics };
}

/** A document: the list itself, or `records:` holding it. */
function documentRecords(r: Reader, doc: RawDocument): DnsRecord[] {
  const root = r.root();
  let list: Field = root;
  if (isRecord(root.value)) {
    checkFields(r, root, root.value, ["records"]);
    list = child(root, "records");
    if (isAbsent(list)) {
      missing(r, list);
      return [];
    }
  }
  const items = readList(r, list) ?? [];
  return items.flatMap((item) => {
    const record = readRecord(r, item);
    return record === null ? [] : [{ ...record, at: doc.locate(item.path) }];
  });
}

function readRecord(r: Reader, item: Field): DnsRecord | null {
  const before = r.errorCount;
  const map = readMap(r, item);
  if (map === undefined) {
    if (isAbsent(item)) r.error(codes.notAnObject, messages.notAnObject(describeValue(item.value)), item.path);
    return null;
  }
  checkFields(r, item, map, RECORD_FIELDS);
  const name = readName(r, child(item, "name"));
  const typeText = requireString(r, child(item, "type"));
  const valueText = requireString(r, child(item, "value"));
  const ttlField = child(item, "ttl");
  const ttl = readInteger(r, ttlField) ?? DEFAULT_TTL;
  if (ttl < 0 || ttl > MAX_TTL) r.error(codes.ttlOutOfRange, messages.ttlOutOfRange(ttl), ttlField.path);
  const type = typeText?.toUpperCase();
  if (typeText !== undefined && type !== "A" && type !== "AAAA" && type !== "CNAME") r.error(codes.unknownRecordType, messages.unknownRecordType(typeText), child(item, "type").path);
  if (name === undefined || valueText === undefined || r.errorCount > before) return null;
  const valuePath = child(item, "value").path;
  if (type === "CNAME") {
    const target = recordName(valueText);
    if (target === null) {
      r.error(codes.invalidRecordValue, messages.invalidRecordValue("CNAME", valueText), valuePath);
      return null;
    }
    return { kind: "cname", name, target, ttl };
  }
  const address = parseIp(valueText);
  if (address === undefined || (type === "A") !== (address.family === 4)) {
    r.error(codes.invalidRecordValue, messages.invalidRecordValue(type ?? "A", valueText), valuePath);
    return null;
  }
  return { kind: "address", name, address, ttl };
}

function readName(r: Reader, field: Field): DnsName | undefined {
  const text = requireString(r, field);
  if (text === undefined) return undefined;
  const name = recordName(text);
  if (name === null) {
    r.error(codes.invalidDnsName, messages.invalidDnsName(text), field.path);
    return undefined;
  }
  return name;
}

/** Letters, digits, `-` inside a label, `_` (service labels such as `_https._tcp`). */
const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/;

/** A name a record can own or point to: a DnsName whose labels are host-like (no `*`, spaces, `/`); null otherwise. */
function recordName(text: string): DnsName | null {
  const name = dnsName(text);
  return name !== null && name.split(".").every((label) => LABEL.test(label)) ? name : null;
}

/**
 * `--resolve NAME=IP[,IP]`: an A or AAAA record per address (the family says which), TTL
 * DEFAULT_TTL. A string says what is wrong.
 */
export function resolveFlagRecords(text: string): DnsRecord[] | string {
  const eq = text.indexOf("=");
  if (eq < 0) return `invalid --resolve "${text}": expected NAME=IP[,IP] (e.g. api.stripe.com=54.187.174.169)`;
  const nameText = text.slice(0, eq);
  const name = recordName(nameText);
  if (name === null) return `invalid --resolve "${text}": ${messages.invalidDnsName(nameText)}`;
  const out: DnsRecord[] = [];
  for (const part of text.slice(eq + 1).split(",")) {
    const address = parseIp(part);
    if (address === undefined) return `invalid --resolve "${text}": "${part}" is not an IP address`;
    out.push({ kind: "address", name, address, ttl: DEFAULT_TTL });
  }
  return out;
}
