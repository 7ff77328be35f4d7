/** Binary searches over ascending arrays of bigints (boundaries, addresses). */

/** How many of `sorted` are at or below `value`: the index of the first one above it. */
export function countAtMost(sorted: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as bigint) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of `sorted` are below `value`: the index of the first one at or above it. */
export function countBelow(sorted: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as bigint) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
