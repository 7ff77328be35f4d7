/**
 * Replacing a file so that a reader sees the old bytes or the new ones, never a part: the new bytes go to
 * a temporary file in the same directory (so the rename stays on one filesystem), are flushed, and are
 * renamed over the target. On any failure the temporary file is removed and the target is untouched.
 */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeAtomically(path: string, bytes: Uint8Array): Promise<{ ok: true } | { ok: false; message: string }> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return { ok: true };
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    return { ok: false, message: `writing ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
