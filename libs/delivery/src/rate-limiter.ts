import { join } from 'node:path';
import { systemClock, type Clock } from '@herald/domain';
import { defineLuaScript, type ScriptCommand, type ScriptHost } from '@herald/lua';

/** A per-receiver send rate: at most `max` sends per `durationMs`, with bursts up to `max`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/**
 * Port: a token bucket per key (tenant + receiver). `take` returns 0 when a send may go now, else how
 * long to wait. BullMQ's worker limiter is per queue, so per-receiver limits are built here.
 */
export interface RateLimiter {
  take(key: string, limit: RateLimit, now?: number): Promise<number>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** In-process token buckets (the memory queue, one node). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `clock`: what `take` reads when the caller gives no `now`. */
  constructor(private readonly clock: Clock = systemClock) {}

  take(key: string, limit: RateLimit, now = this.clock.now()): Promise<number> {
    const rate = limit.max / limit.durationMs;
    const b = this.buckets.get(key) ?? { tokens: limit.max, at: now };
    b.tokens = Math.min(limit.max, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return Promise.resolve(0);
    }
    return Promise.resolve(Math.ceil((1 - b.tokens) / rate));
  }
}

/**
 * Token buckets in Redis, shared by every node's workers, so a receiver's limit holds cluster-wide.
 * The caller's clock is used (a TIME call per send would cost a round trip); node skew only shifts refills.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly tokenBucket: ScriptCommand;

  constructor(
    /** An ioredis client; the script is defined on it. */
    client: ScriptHost,
    /**
     * Key prefix: `RedisKeys.rateLimitPrefix()` of `@herald/redis` (`{herald}:delivery:rate`); a bucket's
     * key is `<prefix>:<key>` (`RedisKeys.rateLimit(tenant, receiver)` for the key `<tenant>|<receiver>`).
     */
    private readonly prefix: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokenBucket = defineLuaScript(client, join(__dirname, 'lua'), 'token-bucket-1');
  }

  async take(key: string, limit: RateLimit, now = this.clock.now()): Promise<number> {
    return Number(await this.tokenBucket([`${this.prefix}:${key}`], [limit.max, limit.durationMs, now]));
  }
}
