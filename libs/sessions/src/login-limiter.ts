import type { Redis } from 'ioredis';
import type { RedisKeys } from '@herald/redis';
import { loadSessionLua } from './lua-scripts';
import { sha256Hex } from './secret-hash';

/** Limits of failed logins within a fixed window. */
export interface LoginLimits {
  windowMs: number;
  /** Failed attempts allowed per (tenant, username) per window; the next one is refused. */
  perUser: number;
  /** Failed attempts allowed per client IP per window (across users and tenants). */
  perIp: number;
}

/** Defaults: 5 failures per user and 20 per IP in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 5, perIp: 20 };

/** A counted attempt: `allowed` false means refuse with 429; pass it to `succeeded` on a good password. */
export interface LoginAttempt {
  allowed: boolean;
  retryAfterMs: number;
  counters: string[];
}

/** The counter backend: Redis (shared by all nodes) or memory (one node). */
export interface AttemptCounter {
  /** Counts one attempt on each counter; returns [count, ms left in the window] per counter. */
  hit(counters: string[], windowMs: number): Promise<[number, number][]>;
  /** Takes one attempt back on each counter. */
  undo(counters: string[]): Promise<void>;
}

/**
 * Login brute-force limit per IP and per user. Attempts are counted before the password check (so
 * concurrent guesses on several nodes cannot overtake the limit) and taken back on success, so only
 * failures count: the (limit + 1)-th wrong attempt in a window is refused on every node.
 */
export class LoginLimiter {
  constructor(
    private readonly counter: AttemptCounter,
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  async attempt(ip: string, tenant: string, username: string): Promise<LoginAttempt> {
    const counters = [`ip:${ip}`, `user:${sha256Hex(`${tenant}\u0000${username}`)}`];
    const [[ipCount, ipTtl], [userCount, userTtl]] = await this.counter.hit(counters, this.limits.windowMs);
    const overIp = ipCount > this.limits.perIp;
    const overUser = userCount > this.limits.perUser;
    return {
      allowed: !overIp && !overUser,
      retryAfterMs: Math.max(overIp ? ipTtl : 0, overUser ? userTtl : 0),
      counters,
    };
  }

  /** The attempt had the right password: it does not count as a failure. */
  succeeded(a: LoginAttempt): Promise<void> {
    return this.counter.undo(a.counters);
  }
}

/** Counters in this process (memory mode). */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly m = new Map<string, { n: number; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(counters: string[], windowMs: number): Promise<[number, number][]> {
    const now = this.now();
    if (this.m.size > 10_000) for (const [k, v] of this.m) if (v.until <= now) this.m.delete(k);
    return Promise.resolve(
      counters.map((c): [number, number] => {
        let e = this.m.get(c);
        if (!e || e.until <= now) {
          e = { n: 0, until: now + windowMs };
          this.m.set(c, e);
        }
        e.n++;
        return [e.n, e.until - now];
      }),
    );
  }

  undo(counters: string[]): Promise<void> {
    for (const c of counters) {
      const e = this.m.get(c);
      if (e && e.n > 0) e.n--;
    }
    return Promise.resolve();
  }
}

type Script = (...args: (string | number)[]) => Promise<[number, number]>;

/** Counters in Redis (`<prefix>:login:{ip|user}:{<id>}`), one Lua call per counter in one pipeline. */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    const r = redis as unknown as Record<string, unknown>;
    if (!r.heraldLoginAttempt)
      redis.defineCommand('heraldLoginAttempt', { lua: loadSessionLua('login-attempt-1') });
  }

  private key(counter: string): string {
    const i = counter.indexOf(':');
    return this.keys.loginAttempts(counter.slice(0, i) as 'ip' | 'user', counter.slice(i + 1));
  }

  private run(counters: string[], mode: 'hit' | 'undo', windowMs: number): Promise<[number, number][]> {
    const cmd = (this.redis as unknown as Record<string, Script>).heraldLoginAttempt.bind(this.redis);
    return Promise.all(counters.map((c) => cmd(1, this.key(c), mode, windowMs))).then((rows) =>
      rows.map(([n, ttl]) => [Number(n), Math.max(0, Number(ttl))]),
    );
  }

  hit(counters: string[], windowMs: number): Promise<[number, number][]> {
    return this.run(counters, 'hit', windowMs);
  }

  async undo(counters: string[]): Promise<void> {
    await this.run(counters, 'undo', 0);
  }
}
