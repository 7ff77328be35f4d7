/**
 * Retry delays for the reflector: exponential with "full jitter" (a uniformly random delay between
 * 0 and min(cap, base·2^attempt), as in the AWS architecture note on backoff), reset once a watch
 * has been healthy for a while, and never shorter than a server's Retry-After. Pure: the random
 * number and the clock are inputs.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  /** A watch that ran this long without an error resets the attempt count. */
  readonly healthyMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 800, capMs: 30_000, healthyMs: 60_000 };

/** The ceiling of the attempt-th retry (0-based): base·2^attempt, capped. */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
}

/** The delay before the attempt-th retry: full jitter over the ceiling, at least Retry-After. `random` is in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: number, retryAfterSeconds?: number): number {
  const jittered = Math.floor(random * backoffCeiling(policy, attempt));
  return retryAfterSeconds === undefined ? jittered : Math.max(jittered, retryAfterSeconds * 1000);
}

/** The attempt count after a healthy stretch of `healthyForMs`: back to 0 once the stretch is long enough. */
export function attemptAfter(policy: BackoffPolicy, attempt: number, healthyForMs: number): number {
  return healthyForMs >= policy.healthyMs ? 0 : attempt;
}
