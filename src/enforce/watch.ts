import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Calls `onChange` once things settle (`debounceMs` after the last event) when a watched file or
 * anything under a watched directory changes. A file is watched through its directory, so editors
 * that replace the file (write a new one, rename it over) are seen too.
 */
export function watchPaths(paths: readonly string[], debounceMs: number, onChange: () => void, onError: (message: string) => void): () => void {
  const watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poke = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) {
        watchers.push(watch(path, { recursive: true }, poke));
      } else {
        const name = basename(path);
        watchers.push(watch(dirname(path), (_event, file) => (file === null || file === name ? poke() : undefined)));
      }
    } catch (e) {
      onError(`cannot watch ${path}: ${(e as Error).message}`);
    }
  }
  for (const w of watchers) w.on("error", (e) => onError(`watch error: ${e.message}`));
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
