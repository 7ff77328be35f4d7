import type { Status } from "../exit.js";

/** What a command produced: its output and how it ended, or a usage error found after loading. */
export type CommandResult =
  | { readonly kind: "done"; readonly status: Status; readonly stdout: string; readonly stderr: string }
  /** One message per problem; each is printed as `portcullis: message`, then the usage line. */
  | { readonly kind: "usage"; readonly messages: readonly string[] };

/** `stderr`: a closing message (commands that stream write their output themselves and pass ""). */
export function done(status: Status, stdout: string, stderr = ""): CommandResult {
  return { kind: "done", status, stdout, stderr };
}

export function usage(message: string, ...more: string[]): CommandResult {
  return { kind: "usage", messages: [message, ...more] };
}
