import type { Cluster, Redis } from 'ioredis';
import { systemClock, type Clock } from '@herald/domain';
import type { ScriptCommand } from '@herald/lua';
import { limiterAddress } from './client-address';
import { sha256Hex } from './secret-hash';
import { sessionScript } from './session-scripts';

/** A standalone/Sentinel client or a Redis Cluster one (the commands used here work on both). */
type RedisClient = Redis | Cluster;

/** Limits of failed logins within a fixed window. */
export interface LoginLimits {
  windowMs: number;
  /** Failed attempts allowed per (tenant, username, client address) per window; the next is refused. */
  perUserAddress: number;
  /** Failed attempts allowed per client address per window (across users and tenants). */
  perAddress: number;
}

/** Defaults: 5 failures per user from one address and 20 per address in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60_000,
  perUserAddress: 5,
  perAddress: 20,
};

/** A counted attempt: `allowed` false means refuse with 429; pass it to `succeeded` on a good password. */
export interface LoginAttempt {
  allowed: boolean;
  retryAfterMs: number;
  counters: string[];
}

/** The counter backend: RedisClient (shared by all nodes) or memory (one node). */
export interface AttemptCounter {
  /** Counts one attempt on each counter; returns [count, ms left in the window] per counter. */
  hit(counters: string[], windowMs: number): Promise<[number, number][]>;
  /** Takes one attempt back on each counter. */
  undo(counters: string[]): Promise<void>;
}

/**
 * Login brute-force limit per client address and per (user, address). Attempts are counted before the
 * password check (so concurrent guesses on several nodes cannot overtake the limit) and taken back on
 * success, so only failures count: the (limit + 1)-th wrong attempt in a window is refused on every node.
 *
 * Not per user alone: that lets anyone lock a user out (five wrong passwords from anywhere would refuse
 * the right one from the user's own address for the whole window). Keyed by address, someone else's
 * failures never lock the user out; the price is that a guesser spread over many addresses gets
 * `perUserAddress` guesses per address, which the scrypt-hashed password and the per-address limit
 * (an IPv6 client counts as its /64, see `limiterAddress`) have to bear. `ip` must be the address the
 * trusted proxy chain gives (`herald.http.trusted_proxies`), never a header the client sets.
 */
export class LoginLimiter {
  constructor(
    private readonly counter: AttemptCounter,
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  async attempt(ip: string, tenant: string, username: string): Promise<LoginAttempt> {
    const addr = limiterAddress(ip);
    const counters = [`ip:${addr}`, `user:${sha256Hex(`${tenant}\u0000${username}\u0000${addr}`)}`];
    const [[ipCount, ipTtl], [userCount, userTtl]] = await this.counter.hit(counters, this.limits.windowMs);
    const overIp = ipCount > this.limits.perAddress;
    const overUser = userCount > this.limits.perUserAddress;
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

  constructor(private readonly clock: Clock = systemClock) {}

  hit(counters: string[], windowMs: number): Promise<[number, number][]> {
    const now = this.clock.now();
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

/** The login counter keys, built by the caller (`RedisKeys` of `@herald/redis` fits). */
export interface LoginAttemptKeys {
  loginAttempts(kind: 'ip' | 'user', id: string): string;
}

/**
 * Counters in Redis, one Lua call per counter in one pipeline: `<prefix>:login:ip:{<address>}` and
 * `<prefix>:login:user:{<sha256(tenant, user, address)>}` (hashed: no attacker-chosen names in keys).
 */
export class RedisAttemptCounter implements AttemptCounter {
  private readonly attemptCmd: ScriptCommand<[number, number]>;

  constructor(
    redis: RedisClient,
    private readonly keys: LoginAttemptKeys,
  ) {
    this.attemptCmd = sessionScript(redis, 'login-attempt-1');
  }

  private key(counter: string): string {
    const i = counter.indexOf(':');
    return this.keys.loginAttempts(counter.slice(0, i) as 'ip' | 'user', counter.slice(i + 1));
  }

  private run(counters: string[], mode: 'hit' | 'undo', windowMs: number): Promise<[number, number][]> {
    return Promise.all(counters.map((c) => this.attemptCmd([this.key(c)], [mode, windowMs]))).then((rows) =>
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
