/** Counts events per key in fixed windows and refuses past a limit; see {@link createRateLimiter}. */
export interface RateLimiter {
  /** Counts one event for `key`: `null` when allowed, otherwise the seconds until the key's window ends. */
  take(key: string): number | null;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Events allowed per key and window. */
  limit: number;
  windowMs: number;
  now: () => number;
  /** Keys remembered at most; expired windows are dropped first, then the oldest. Default 100,000. */
  maxKeys?: number;
}

/**
 * A fixed-window counter per key (a session, a client address). Memory stays bounded however many keys an
 * attacker makes up: expired windows are pruned as the map grows, and past `maxKeys` the oldest go.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs, now } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  const windows = new Map<string, { start: number; count: number }>();

  function prune(time: number): void {
    for (const [key, window] of windows) if (time - window.start >= windowMs) windows.delete(key);
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    take(key) {
      const time = now();
      let window = windows.get(key);
      if (window === undefined || time - window.start >= windowMs) {
        if (window === undefined && windows.size >= maxKeys) prune(time);
        windows.delete(key);
        window = { start: time, count: 0 };
        windows.set(key, window);
      }
      if (window.count >= limit) return Math.max(1, Math.ceil((window.start + windowMs - time) / 1000));
      window.count++;
      return null;
    },
  };
}
