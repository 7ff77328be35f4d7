/**
 * The text of one object as its file has it: the YAML document the loader located it in, sliced
 * from the file (comments and layout kept). An item of a `kind: List` is written out from its
 * value, as is an object read from a live cluster (no file). Each file is parsed once.
 */
import { isMap, isSeq, parseAllDocuments, stringify } from "yaml";
import type { Location } from "../diag/location.js";

export class DocumentTexts {
  private readonly ranges = new Map<string, readonly (readonly [number, number] | null)[]>();

  constructor(private readonly files: ReadonlyMap<string, string>) {}

  /** The object's text at `at`; `value` written as YAML when the text cannot be sliced. */
  textAt(at: Location, value: () => unknown): string {
    if (at.file === undefined || at.path !== "") return stringify(value(), { lineWidth: 0 });
    const text = this.files.get(at.file);
    const range = text === undefined ? undefined : this.rangesOf(at.file, text)[at.document];
    if (text === undefined || range === undefined || range === null) return stringify(value(), { lineWidth: 0 });
    const sliced = text.slice(range[0], range[1]);
    return sliced.endsWith("\n") ? sliced : `${sliced}\n`;
  }

  /** Each document's [start, end) in the file: its contents, from the first content to the end of the node; null for a document holding a List. */
  private rangesOf(file: string, text: string): readonly (readonly [number, number] | null)[] {
    const known = this.ranges.get(file);
    if (known !== undefined) return known;
    const ranges = parseAllDocuments(text).flatMap((doc) => {
      if (!("contents" in doc)) return [];
      const c = doc.contents;
      if (c === null || c.range === undefined || c.range === null) return [null];
      const list = isMap(c) && isSeq(c.get("items", true));
      return [list ? null : ([lineStart(text, c.range[0]), c.range[2]] as const)];
    });
    this.ranges.set(file, ranges);
    return ranges;
  }
}

/** The offset of the start of the line holding `offset` (a document's first key keeps its indentation). */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}
