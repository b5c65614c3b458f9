import type { Redis } from "ioredis";

export interface RateLimitState {
  count: number;
  /** Seconds until the window resets. */
  retryAfter: number;
}

/**
 * Fixed-window counters. With Redis they are shared by every instance (an attacker cannot multiply
 * the limit by the number of servers); without it they live in this process.
 */
export interface RateLimitStore {
  increment(key: string, windowSeconds: number): Promise<RateLimitState>;
  get(key: string): Promise<RateLimitState>;
  reset(key: string): Promise<void>;
  /** Takes one back from a live window (a request counted up front turned out not to count). */
  decrement(key: string): Promise<void>;
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  async increment(key: string, windowSeconds: number): Promise<RateLimitState> {
    const now = Date.now();
    this.sweep(now);
    let entry = this.counters.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.counters.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, retryAfter: Math.ceil((entry.resetAt - now) / 1000) };
  }

  async get(key: string): Promise<RateLimitState> {
    const now = Date.now();
    const entry = this.counters.get(key);
    if (!entry || entry.resetAt <= now) return { count: 0, retryAfter: 0 };
    return { count: entry.count, retryAfter: Math.ceil((entry.resetAt - now) / 1000) };
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async decrement(key: string): Promise<void> {
    const entry = this.counters.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  /** Expired windows are dropped once a minute so the map cannot grow without bound. */
  private sweep(now: number) {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.counters) if (entry.resetAt <= now) this.counters.delete(key);
  }
}

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, windowSeconds: number): Promise<RateLimitState> {
    const k = this.prefix + key;
    // INCR and EXPIRE NX in one round trip: the window starts with the first hit and is not
    // extended by later ones.
    const results = await this.redis.multi().incr(k).expire(k, windowSeconds, "NX").ttl(k).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const ttl = Number(results?.[2]?.[1] ?? windowSeconds);
    return { count, retryAfter: ttl > 0 ? ttl : windowSeconds };
  }

  async get(key: string): Promise<RateLimitState> {
    const k = this.prefix + key;
    const results = await this.redis.multi().get(k).ttl(k).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const ttl = Number(results?.[1]?.[1] ?? 0);
    return { count, retryAfter: ttl > 0 ? ttl : 0 };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async decrement(key: string): Promise<void> {
    // Only a live counter: a plain DECR on an expired key would create one at -1 with no expiry.
    await this.redis.eval(
      "if redis.call('exists', KEYS[1]) == 1 and tonumber(redis.call('get', KEYS[1])) > 0 then return redis.call('decr', KEYS[1]) end return 0",
      1,
      this.prefix + key,
    );
  }
}

export interface RateLimiterLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Limits used by the routes. If Redis is unreachable the limiter lets requests through (and logs):
 * a cache outage must not lock a whole call centre out; lockout in the database still applies.
 */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly log: RateLimiterLogger,
  ) {}

  /** Counts a hit; returns the seconds to wait when the count is over the limit. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<number | undefined> {
    try {
      const state = await this.store.increment(key, windowSeconds);
      return state.count > limit ? state.retryAfter : undefined;
    } catch (err) {
      this.log.warn({ err, key }, "rate limit store unavailable; allowing the request");
      return undefined;
    }
  }

  /** Seconds to wait if `key` has already reached `limit`, without counting this request. */
  async blocked(key: string, limit: number): Promise<number | undefined> {
    try {
      const state = await this.store.get(key);
      return state.count >= limit ? Math.max(state.retryAfter, 1) : undefined;
    } catch (err) {
      this.log.warn({ err, key }, "rate limit store unavailable; allowing the request");
      return undefined;
    }
  }

  async record(key: string, windowSeconds: number): Promise<void> {
    try {
      await this.store.increment(key, windowSeconds);
    } catch (err) {
      this.log.warn({ err, key }, "rate limit store unavailable; failure not counted");
    }
  }

  /** Refunds a hit counted before its outcome was known (a sign-in that turned out right). */
  async refund(key: string): Promise<void> {
    try {
      await this.store.decrement(key);
    } catch (err) {
      this.log.warn({ err, key }, "rate limit store unavailable; hit not refunded");
    }
  }

  async clear(key: string): Promise<void> {
    try {
      await this.store.reset(key);
    } catch {}
  }
}
