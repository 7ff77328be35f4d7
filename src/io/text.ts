import { messages } from "../diag/catalogue.js";

/** Why bytes are not YAML text, or the text. */
export type TextResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string };

const NUL_REASON = "it contains NUL bytes (binary data?)";

/**
 * Bytes to text. YAML is UTF-8 (a UTF-8 byte-order mark is dropped); UTF-16 is accepted when it
 * starts with a byte-order mark, as Windows PowerShell writes `kubectl get -o yaml > file`.
 * NUL bytes or invalid UTF-8 mean binary junk: one problem for the whole input.
 */
export function decodeText(bytes: Uint8Array): TextResult {
  let encoding = "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
  if (encoding === "utf-8" && bytes.includes(0)) return { ok: false, problem: messages.fileBinary(NUL_REASON) };
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: messages.fileBinary(`it is not valid ${encoding === "utf-8" ? "UTF-8" : "UTF-16"} text`) };
  }
  return checkText(text);
}

/** Text that arrived as a string (stdin from a caller): NUL characters still mean binary junk. */
export function checkText(text: string): TextResult {
  return text.includes("\u0000") ? { ok: false, problem: messages.fileBinary(NUL_REASON) } : { ok: true, text };
}
