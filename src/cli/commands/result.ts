import type { Status } from "../exit.js";

/** What a command produced: its output and how it ended, or a usage error found after loading. */
export type CommandResult =
  | { readonly kind: "done"; readonly status: Status; readonly stdout: string }
  | { readonly kind: "usage"; readonly message: string };

export function done(status: Status, stdout: string): CommandResult {
  return { kind: "done", status, stdout };
}

export function usage(message: string): CommandResult {
  return { kind: "usage", message };
}
