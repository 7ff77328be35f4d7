/**
 * A watch response is a stream of JSON objects, one per line ("each event is a JSON object
 * terminated by a newline" in practice; the API server writes them with a json.Encoder). Chunks
 * split anywhere: inside a line, inside a multi-byte UTF-8 character, between \r and \n. Pure: fed
 * bytes, gives values.
 */
import { type Result, fail, ok } from "./errors.js";

export class JsonLines {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private pending = "";

  /** The complete lines in `chunk` (with what earlier chunks left), parsed; blank lines skipped. */
  push(chunk: Uint8Array): Result<unknown[]> {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const out: unknown[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf("\n"); nl !== -1; nl = this.pending.indexOf("\n", start)) {
      const line = this.pending.slice(start, nl).trim();
      start = nl + 1;
      if (line === "") continue;
      const value = parseLine(line);
      if (!value.ok) {
        this.pending = this.pending.slice(start);
        return value;
      }
      out.push(value.value);
    }
    this.pending = this.pending.slice(start);
    return ok(out);
  }

  /** At the end of the stream: a last line without a newline, if any. */
  end(): Result<unknown[]> {
    const rest = (this.pending + this.decoder.decode()).trim();
    this.pending = "";
    if (rest === "") return ok([]);
    const value = parseLine(rest);
    return value.ok ? ok([value.value]) : value;
  }
}

function parseLine(line: string): Result<unknown> {
  try {
    return ok(JSON.parse(line));
  } catch (e) {
    return fail({ kind: "decode", message: `a watch event is not JSON (${(e as Error).message}): ${JSON.stringify(line.slice(0, 80))}` });
  }
}
