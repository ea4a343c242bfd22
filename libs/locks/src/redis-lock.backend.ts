import { integerReply, type ScriptHost } from '@herald/lua';
import type { LockBackend } from './lock.backend';
import { hasHashTag, lockScripts, type LockScripts } from './lock-scripts';

/** An idle fencing counter lives this many times the TTL of the lock that last bumped it. */
export const FENCE_TTL_FACTOR = 4;

/** The default idle life of a fencing counter for a lock of `lockTtlMs`. */
export function fenceTtl(lockTtlMs: number): number {
  return FENCE_TTL_FACTOR * lockTtlMs;
}

/** Settings of the single-Redis lock. */
export interface RedisLockBackendOptions {
  /**
   * The fencing counter key of a lock key (`RedisKeys.lockFence` of `@herald/redis`): it must keep the
   * lock's hash tag, so acquire (both keys in one script) stays single-slot on Cluster.
   */
  fenceKey: (lockKey: string) => string;
  /**
   * How long an idle fencing counter lives (ms). When it expires the next token is seeded from the
   * server clock (µs), so tokens still never go back; a short life keeps churn from piling up counters.
   * Default `FENCE_TTL_FACTOR` (4) × the lock's TTL.
   */
  fenceTtlMs?: number;
}

/**
 * Lock on one Redis (standalone, Sentinel-managed master, or a Cluster slot): SET NX PX with a random
 * owner plus an INCR fencing token in one script, compare-and-pexpire, compare-and-delete.
 * As with any single-master lock, a failover to a replica that missed the last writes can hand the lock
 * out twice; fencing tokens checked downstream are what make that harmless (docs/adr/0002).
 */
export class RedisLockBackend implements LockBackend {
  readonly mode = 'single' as const;
  /** 0: `FENCE_TTL_FACTOR` × the lock's TTL. */
  private readonly fenceTtlMs: number;
  private readonly fenceKey: (lockKey: string) => string;
  private readonly scripts: LockScripts;

  /** `client`: an ioredis client (standalone or Sentinel-managed master); the scripts are defined on it. */
  constructor(client: ScriptHost, opts: RedisLockBackendOptions) {
    this.fenceTtlMs = opts.fenceTtlMs ?? 0;
    this.fenceKey = opts.fenceKey;
    this.scripts = lockScripts(client);
  }

  async tryAcquire(key: string, owner: string, ttlMs: number): Promise<number | null> {
    // Without a tag the lock and its counter could hash to different Cluster slots (CROSSSLOT).
    if (!hasHashTag(key)) throw new Error(`lock key needs a {hash tag}: ${key}`);
    const reply = await this.scripts.acquire(
      [key, this.fenceKey(key)],
      [owner, ttlMs, this.fenceTtlMs || fenceTtl(ttlMs)],
    );
    const fence = integerReply('lock-acquire', reply);
    return fence === 0 ? null : fence;
  }

  async extend(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return integerReply('lock-extend', await this.scripts.extend([key], [owner, ttlMs])) === 1;
  }

  async release(key: string, owner: string): Promise<boolean> {
    return integerReply('lock-release', await this.scripts.release([key], [owner])) === 1;
  }
}
