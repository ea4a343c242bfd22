import type { LockBackend } from './lock.backend';
import { fenceCounterKey, hasHashTag } from './lock-keys';
import { integerReply, LOCK_SCRIPTS, type ScriptClient } from './lua-script';

/** An idle fencing counter lives this many times the TTL of the lock that last bumped it. */
export const FENCE_TTL_FACTOR = 4;

/** The default idle life of a fencing counter for a lock of `lockTtlMs`. */
export function fenceTtl(lockTtlMs: number): number {
  return FENCE_TTL_FACTOR * lockTtlMs;
}

/** Settings of the single-Redis lock. */
export interface RedisLockBackendOptions {
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

  constructor(
    private readonly client: ScriptClient,
    opts: RedisLockBackendOptions = {},
  ) {
    this.fenceTtlMs = opts.fenceTtlMs ?? 0;
  }

  async tryAcquire(key: string, owner: string, ttlMs: number): Promise<number | null> {
    // Without a tag the lock and its counter could hash to different Cluster slots (CROSSSLOT).
    if (!hasHashTag(key)) throw new Error(`lock key needs a {hash tag}: ${key}`);
    const reply = await LOCK_SCRIPTS.acquire.run(
      this.client,
      [key, fenceCounterKey(key)],
      [owner, ttlMs, this.fenceTtlMs || fenceTtl(ttlMs)],
    );
    const fence = integerReply('lock-acquire', reply);
    return fence === 0 ? null : fence;
  }

  async extend(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      integerReply('lock-extend', await LOCK_SCRIPTS.extend.run(this.client, [key], [owner, ttlMs])) === 1
    );
  }

  async release(key: string, owner: string): Promise<boolean> {
    return integerReply('lock-release', await LOCK_SCRIPTS.release.run(this.client, [key], [owner])) === 1;
  }
}
