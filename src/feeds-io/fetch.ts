/** Fetching a feed over HTTP(S): bounded in time and size. (feeds fetch's work fills this in.) */
export interface FetchLimits {
  readonly maxBytes: number;
}

export async function fetchFeedBytes(url: string, limits: FetchLimits): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  return Promise.resolve({ ok: false, message: `fetching ${url} (at most ${limits.maxBytes} bytes) is not built yet: download it and pass the file` });
}
