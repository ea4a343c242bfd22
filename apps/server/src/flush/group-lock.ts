import type { GroupLock } from '@herald/domain';
import { LockManager, LockNotAcquiredError } from '@herald/locks';
import type { RedisModeSource } from '@herald/redis';

/** The group lock outlives a slow flush by far; the watchdog extends it while the flush runs. */
export const GROUP_LOCK_TTL_MS = 15_000;

/**
 * The group lock on Redis (libs/locks, single or quorum backend), taken with no wait: a busy group is
 * handed back to the due index. While Redis is away the node flushes from its own memory unlocked —
 * its claims are exclusive in process — and the writes carry no fencing token.
 */
export class RedisGroupLock implements GroupLock {
  constructor(
    private readonly locks: LockManager,
    private readonly key: (tenant: string, groupId: string) => string,
    private readonly mode: Pick<RedisModeSource, 'degraded'>,
    private readonly ttlMs = GROUP_LOCK_TTL_MS,
  ) {}

  async withLock(
    tenant: string,
    groupId: string,
    fn: (fence: number | undefined) => Promise<void>,
  ): Promise<boolean> {
    if (this.mode.degraded) {
      await fn(undefined);
      return true;
    }
    try {
      // On one Redis the release is not waited for (one round trip less per flush): its script call is
      // written to the connection before `using` resolves, so this node's next acquire of the key comes
      // after it on the same connection and Redis runs them in order. Redlock's release (quorum) goes
      // out later than that: waited for.
      await this.locks.holding(this.key(tenant, groupId), this.ttlMs, (lock) => fn(lock.fence), {
        waitMs: 0,
        detachRelease: this.locks.backend.mode === 'single',
      });
      return true;
    } catch (e) {
      if (e instanceof LockNotAcquiredError) return false;
      throw e;
    }
  }
}
