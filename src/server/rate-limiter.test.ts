import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('createRateLimiter', () => {
  it('allows `limit` events per window and key, then says when to retry', () => {
    let time = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000, now: () => time });
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBeNull();
    time = 15_000;
    expect(limiter.take('a')).toBe(45);
    expect(limiter.take('b')).toBeNull();
    time = 60_000;
    expect(limiter.take('a')).toBeNull();
  });

  it('remembers at most maxKeys keys, forgetting expired then oldest windows', () => {
    let time = 0;
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, now: () => time, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key)).toBeNull();
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('d')).toBeNull(); // 'a', the oldest, is forgotten to make room
    expect(limiter.take('a')).toBeNull();
    time = 5000;
    for (const key of ['e', 'f', 'g']) expect(limiter.take(key)).toBeNull();
    expect(limiter.take('e')).toBe(1);
  });
});
