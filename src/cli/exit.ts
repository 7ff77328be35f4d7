/**
 * How a command ended, and the one place that turns it into an exit code (docs/exit-codes.md).
 *
 * - `ok`: the command did its job; for `check`, the connection is allowed.
 * - `negative`: the command did its job and the answer is "no" (`check`: denied, or allowed only for
 *   some addresses; `diff --fail-on widened`: something widened; `lint`: findings at `--fail-on`).
 * - `invalid-input`: the manifests have errors (printed as diagnostics).
 * - `usage`: the command line is wrong (unknown flag or command, bad value, refused combination,
 *   a name the manifests lack, scaffold options that make no policy, an unknown git revision).
 * - `internal`: the environment failed (broken pipe, no root for `enforce`, `nft` or `git` failing)
 *   or a bug.
 * - `refused`: a safety check refused to act (`enforce`: the input would drop every enforced
 *   policy, or more than `--max-shrink` of them); nothing was changed.
 * - `incomplete`: reading a live cluster, some objects could not be read (RBAC) that the answer
 *   depends on: the answer was printed from what was seen, and says what it did not see.
 * - `cluster-unreachable`: no connection to the cluster (refused, DNS, timeout, TLS handshake).
 * - `cluster-credentials`: the cluster rejected the credentials (401), or none could be obtained
 *   (an exec plugin failed, an expired or missing token).
 * - `kubeconfig`: the configuration cannot be used (a --kubeconfig that does not exist, a file
 *   that does not parse, an unknown --context, no current-context, a missing in-cluster token).
 */
export type Status = "ok" | "negative" | "invalid-input" | "usage" | "internal" | "refused" | "incomplete" | "cluster-unreachable" | "cluster-credentials" | "kubeconfig";

const EXIT_CODES: Readonly<Record<Status, number>> = {
  ok: 0,
  negative: 1,
  "invalid-input": 2,
  usage: 3,
  internal: 4,
  refused: 5,
  incomplete: 6,
  "cluster-unreachable": 7,
  "cluster-credentials": 8,
  kubeconfig: 9,
};

export function exitCode(status: Status): number {
  return EXIT_CODES[status];
}
