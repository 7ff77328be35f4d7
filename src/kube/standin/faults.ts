/**
 * Fault injection: what a real cluster does to a client on a bad day. Watches closed mid-stream
 * (the connection dropped after N events) or stalled (open, silent), requests answered 500 or 429
 * with Retry-After, bodies trickled a few bytes at a time. A path matcher is the exact URL path
 * (`/api/v1/pods`) or a RegExp; faults without one apply to every request (or watch).
 */

export type PathMatch = string | RegExp;

interface Scope {
  /** Which requests: the URL path exactly, or a RegExp over it; every request when absent. */
  readonly path?: PathMatch;
}

interface WatchScope extends Scope {
  /** Every matching watch from now on, rather than only the next one. */
  readonly every?: boolean;
}

export type WatchFault = { readonly kind: "close"; readonly afterEvents: number } | { readonly kind: "stall" };

export interface RequestFault {
  readonly status: 500 | 429;
  readonly retryAfterSeconds?: number;
}

interface Armed<T> {
  readonly fault: T;
  readonly path: PathMatch | undefined;
  /** Requests left to hit; Infinity for `every`. */
  left: number;
}

const matches = (m: PathMatch | undefined, path: string): boolean => m === undefined || (typeof m === "string" ? m === path : m.test(path));

function take<T>(armed: Armed<T>[], path: string): T | undefined {
  const a = armed.find((x) => x.left > 0 && matches(x.path, path));
  if (a === undefined) return undefined;
  a.left--;
  return a.fault;
}

export class Faults {
  readonly #watch: Armed<WatchFault>[] = [];
  readonly #requests: Armed<RequestFault>[] = [];
  #slow: { readonly bytes: number; readonly delayMs: number } | undefined;

  /** The next matching watch (or every one) sends N events, then its connection is dropped (no clean end of the chunked body). */
  closeWatchAfter(afterEvents: number, scope: WatchScope = {}): void {
    this.#watch.push({ fault: { kind: "close", afterEvents }, path: scope.path, left: scope.every === true ? Infinity : 1 });
  }

  /** The next matching watch (or every one) answers 200 and then sends nothing, bookmarks included, keeping the connection open. */
  stallWatch(scope: WatchScope = {}): void {
    this.#watch.push({ fault: { kind: "stall" }, path: scope.path, left: scope.every === true ? Infinity : 1 });
  }

  /** The next `count` matching requests are 500 InternalError. */
  fail(count: number, scope: Scope = {}): void {
    this.#requests.push({ fault: { status: 500 }, path: scope.path, left: count });
  }

  /** The next `count` matching requests are 429 TooManyRequests with `Retry-After: seconds`. */
  throttle(count: number, retryAfterSeconds: number, scope: Scope = {}): void {
    this.#requests.push({ fault: { status: 429, retryAfterSeconds }, path: scope.path, left: count });
  }

  /** Every response body (lists, gets, watch events) from now on is written `bytes` at a time, `delayMs` apart. */
  slowBodies(bytes: number, delayMs: number): void {
    this.#slow = { bytes, delayMs };
  }

  /** Disarms every fault. */
  clear(): void {
    this.#watch.length = 0;
    this.#requests.length = 0;
    this.#slow = undefined;
  }

  /** @internal The fault for a watch about to start, used up. */
  takeWatch(path: string): WatchFault | undefined {
    return take(this.#watch, path);
  }

  /** @internal The fault for a request about to be served, used up. */
  takeRequest(path: string): RequestFault | undefined {
    return take(this.#requests, path);
  }

  /** @internal How bodies are written now. */
  get slow(): { readonly bytes: number; readonly delayMs: number } | undefined {
    return this.#slow;
  }
}
