import { afterEach, describe, expect, it, vi } from 'vitest';
import { ttlCache } from './ttl-cache.ts';

describe('ttlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('shares one read between callers, and peeks at it only once it has been read', async () => {
    let reads = 0;
    const cache = ttlCache(async (key: string) => `${key}#${++reads}`, 1000);
    expect(cache.peek('a')).toBeUndefined();
    const [first, second] = [cache.get('a'), cache.get('a')];
    expect(cache.peek('a')).toBeUndefined();
    expect(await first).toBe('a#1');
    expect(await second).toBe('a#1');
    expect(cache.peek('a')).toBe('a#1');
    expect(cache.peek('b')).toBeUndefined();
    expect(reads).toBe(1);
  });

  it('reads again once the value is older than its time, and does not peek at an old one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let reads = 0;
    const cache = ttlCache(async () => ++reads, 1000);
    expect(await cache.get('k')).toBe(1);
    vi.setSystemTime(Date.now() + 999);
    expect(cache.peek('k')).toBe(1);
    vi.setSystemTime(Date.now() + 1);
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k')).toBe(2);
    expect(cache.peek('k')).toBe(2);
  });

  it('forgets one key or all of them, and keeps no failed read', async () => {
    let fail = true;
    let reads = 0;
    const cache = ttlCache(async (key: string) => {
      reads++;
      if (fail) throw new Error('database down');
      return key;
    }, 60_000);
    await expect(cache.get('x')).rejects.toThrow('database down');
    expect(cache.peek('x')).toBeUndefined();
    fail = false;
    expect(await cache.get('x')).toBe('x');
    expect(await cache.get('y')).toBe('y');
    cache.forget('x');
    expect([cache.peek('x'), cache.peek('y')]).toEqual([undefined, 'y']);
    cache.forget();
    expect(cache.peek('y')).toBeUndefined();
    expect(reads).toBe(3);
  });
});
