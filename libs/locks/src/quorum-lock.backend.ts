import type { Redis } from 'ioredis';
import Redlock, { ExecutionError, ResourceLockedError, type Lock } from 'redlock';
import { systemClock, type Clock } from '@herald/domain';
import { integerReply } from '@herald/lua';
import type { LockBackend } from './lock.backend';
import { LockUnavailableError } from './lock.errors';
import { hasHashTag, lockScripts, type LockScripts } from './lock-scripts';
import { fenceTtl } from './redis-lock.backend';

/** Settings of the quorum (Redlock) lock. */
export interface QuorumLockBackendOptions {
  /** The fencing counter key of a lock key (`RedisKeys.lockFence`), as for `RedisLockBackend`. */
  fenceKey: (lockKey: string) => string;
  /** Checks that an acquired lock is still valid (Redlock's expiry is on this clock). Default the system clock. */
  clock?: Clock;
  /** Clock drift allowance as a fraction of the TTL (Redlock's `driftFactor`). Default 0.01. */
  driftFactor?: number;
  /** Idle lifetime of each master's fencing counter (ms). Default 4 × the lock's TTL (`fenceTtl`). */
  fenceTtlMs?: number;
}

/**
 * Lock over N independent Redis masters (no replication between them) with `redlock@5.0.0-beta.2`: a lock
 * is held when a majority (N/2+1) took it within its validity. Redlock itself has no fencing tokens, so
 * one is built on top in two rounds after the lock is taken: every master increments its counter and the
 * maximum of a majority is written back to a majority — any later majority overlaps that one and so
 * hands out a larger token. Redlock's own retries and `using()` are not used: the manager does both, the
 * same way for both modes.
 */
export class QuorumLockBackend implements LockBackend {
  readonly mode = 'quorum' as const;
  readonly quorum: number;
  private readonly redlock: Redlock;
  /** 0: `FENCE_TTL_FACTOR` × the lock's TTL. */
  private readonly fenceTtlMs: number;
  /** Our owner token → Redlock's lock object (Redlock picks its own random value). */
  private readonly locks = new Map<string, Lock>();
  private readonly fenceKey: (lockKey: string) => string;
  private readonly clock: Clock;
  /** The fencing scripts, defined on each master. */
  private readonly scripts: readonly LockScripts[];

  /**
   * `clients`: one ioredis client per independent master (no replication between them; fail-fast
   * clients do: Redlock treats an error as a vote against).
   */
  constructor(
    private readonly clients: readonly Redis[],
    opts: QuorumLockBackendOptions,
  ) {
    if (clients.length === 0) throw new Error('quorum lock needs at least one Redis master');
    this.quorum = Math.floor(clients.length / 2) + 1;
    this.fenceTtlMs = opts.fenceTtlMs ?? 0;
    this.fenceKey = opts.fenceKey;
    this.clock = opts.clock ?? systemClock;
    this.scripts = clients.map((c) => lockScripts(c));
    this.redlock = new Redlock(clients, {
      driftFactor: opts.driftFactor ?? 0.01,
      retryCount: 0,
      retryDelay: 0,
      retryJitter: 0,
      automaticExtensionThreshold: 0,
    });
  }

  async tryAcquire(key: string, owner: string, ttlMs: number): Promise<number | null> {
    if (!hasHashTag(key)) throw new Error(`lock key needs a {hash tag}: ${key}`);
    let lock: Lock;
    try {
      lock = await this.redlock.acquire([key], ttlMs);
    } catch (err) {
      if (await heldElsewhere(err)) return null;
      throw unavailable('acquire', err);
    }
    // Redlock 5 beta returns the lock even when the majority took longer than the TTL to answer.
    if (lock.expiration <= this.clock.now()) {
      await this.redlock.release(lock).catch(() => undefined);
      throw new LockUnavailableError(`acquire of ${key} took longer than its TTL`);
    }
    try {
      const fence = await this.nextFence(key, this.fenceTtlMs || fenceTtl(ttlMs));
      this.locks.set(owner, lock);
      return fence;
    } catch (err) {
      await this.redlock.release(lock).catch(() => undefined);
      throw err;
    }
  }

  async extend(_key: string, owner: string, ttlMs: number): Promise<boolean> {
    const lock = this.locks.get(owner);
    if (!lock) return false;
    try {
      this.locks.set(owner, await this.redlock.extend(lock, ttlMs));
      return true;
    } catch (err) {
      if (await heldElsewhere(err)) {
        this.locks.delete(owner);
        return false;
      }
      throw unavailable('extend', err);
    }
  }

  async release(_key: string, owner: string): Promise<boolean> {
    const lock = this.locks.get(owner);
    if (!lock) return false;
    this.locks.delete(owner);
    try {
      await this.redlock.release(lock);
      return true;
    } catch (err) {
      if (await heldElsewhere(err)) return false;
      throw unavailable('release', err);
    }
  }

  private async nextFence(key: string, ttlMs: number): Promise<number> {
    const counter = this.fenceKey(key);
    const bumps = await this.onAll((s) => s.fenceBump([counter], [ttlMs]));
    if (bumps.length < this.quorum) throw new LockUnavailableError(`fencing token for ${key}: no quorum`);
    const fence = Math.max(...bumps.map((r) => integerReply('fence-bump', r)));
    const raised = await this.onAll((s) => s.fenceRaise([counter], [String(fence), ttlMs]));
    if (raised.length < this.quorum) throw new LockUnavailableError(`fencing token for ${key}: no quorum`);
    return fence;
  }

  /** Runs on every master; resolves with the replies of those that answered. */
  private async onAll(op: (s: LockScripts) => Promise<unknown>): Promise<unknown[]> {
    const results = await Promise.allSettled(this.scripts.map(op));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }
}

/**
 * True when Redlock's failure includes a master answering "held by another owner" (or "already
 * expired"), as opposed to masters being unreachable. Losing a lock is the safe reading of a mixed vote.
 */
async function heldElsewhere(err: unknown): Promise<boolean> {
  if (!(err instanceof ExecutionError)) return false;
  if (err.attempts.length === 0) return true; // "Cannot extend an already-expired lock."
  const stats = await Promise.all(err.attempts);
  return stats.some((s) => [...s.votesAgainst.values()].some((e) => e instanceof ResourceLockedError));
}

function unavailable(op: string, err: unknown): Error {
  if (!(err instanceof ExecutionError)) return err instanceof Error ? err : new Error(String(err));
  return new LockUnavailableError(`quorum ${op} failed: no majority of Redis masters answered`, {
    cause: err,
  });
}
