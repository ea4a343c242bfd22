import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

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

  take(key: string, limit: RateLimit, now = Date.now()): Promise<number> {
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

const TOKEN_BUCKET = readFileSync(join(__dirname, 'lua', 'token-bucket-1.lua'), 'utf8');

type TokenBucketClient = Redis & {
  heraldTokenBucket(key: string, max: number, durationMs: number, now: number): Promise<number>;
};

/**
 * Token buckets in Redis, shared by every node's workers, so a receiver's limit holds cluster-wide.
 * The caller's clock is used (a TIME call per send would cost a round trip); node skew only shifts refills.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly client: TokenBucketClient;

  constructor(
    client: Redis,
    /** Key prefix, e.g. `{herald}:delivery:rate`. */
    private readonly prefix: string,
  ) {
    if (!('heraldTokenBucket' in client)) {
      client.defineCommand('heraldTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
    }
    this.client = client as TokenBucketClient;
  }

  async take(key: string, limit: RateLimit, now = Date.now()): Promise<number> {
    return Number(
      await this.client.heraldTokenBucket(`${this.prefix}:${key}`, limit.max, limit.durationMs, now),
    );
  }
}
