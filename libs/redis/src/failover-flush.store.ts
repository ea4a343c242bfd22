import type {
  ClaimedEntry,
  DueEntry,
  FlushStore,
  MemoryFlushStore,
  NflogEntry,
  NflogKey,
  NflogWriteResult,
} from '@herald/domain';
import { isUnavailableError } from './redis-connection';

/** The failover group store's view of Redis, shared so both stores switch together. */
export interface RedisModeSource {
  /** True while the node serves from memory (Redis unavailable). */
  readonly degraded: boolean;
  /** Reports a connection-class error seen by another component, so everything switches at once. */
  reportUnavailable(err: unknown): void;
}

/**
 * The flush store that follows the group store's mode: Redis while Redis is up, the memory flush store
 * (which in memory mode is also the memory group store's due index) while the node is degraded. When
 * Redis is back, `sync()` merges the notification-log entries written during the outage into Redis
 * (a log write refuses an older sequence, so a newer entry of another node wins) before the scheduler
 * claims from Redis again — otherwise a group notified during the outage would be notified again.
 */
export class FailoverFlushStore implements FlushStore {
  constructor(
    private readonly redis: FlushStore,
    private readonly memory: MemoryFlushStore,
    private readonly mode: RedisModeSource,
  ) {}

  get dueBuckets(): number {
    return this.redis.dueBuckets;
  }

  dueBucketOf(groupId: string): number {
    return this.redis.dueBucketOf(groupId);
  }

  /** Call at the start of a tick: merges memory logs into Redis once Redis is back. */
  async sync(): Promise<void> {
    if (this.mode.degraded || this.memory.empty) return;
    const logs = this.memory.drainLogs();
    for (let i = 0; i < logs.length; i++) {
      try {
        await this.redis.writeLog(logs[i].entry, logs[i].ttlMs);
      } catch (e) {
        // Still unreachable: keep the rest in memory for the next sync.
        for (const l of logs.slice(i)) await this.memory.writeLog(l.entry, l.ttlMs);
        this.fail(e);
      }
    }
  }

  schedule(entry: DueEntry): Promise<void> {
    return this.routeOrMemory((s) => s.schedule(entry));
  }

  claimDue(
    bucket: number,
    now: number,
    leaseMs: number,
    owner: string,
    limit: number,
  ): Promise<ClaimedEntry[]> {
    return this.route((s) => s.claimDue(bucket, now, leaseMs, owner, limit));
  }

  renewLease(entry: ClaimedEntry, now: number, leaseMs: number): Promise<boolean> {
    return this.route((s) => s.renewLease(entry, now, leaseMs));
  }

  complete(entry: ClaimedEntry, nextDueAt: number | null): Promise<boolean> {
    return this.route((s) => s.complete(entry, nextDueAt));
  }

  readLog(key: NflogKey): Promise<NflogEntry | null> {
    return this.route((s) => s.readLog(key));
  }

  /**
   * A delivered notification must be logged even when Redis fails at that moment (the send already
   * happened): the entry goes to memory and `sync()` merges it into Redis when Redis is back.
   */
  writeLog(entry: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult> {
    return this.routeOrMemory((s) => s.writeLog(entry, ttlMs, fence));
  }

  private async routeOrMemory<T>(fn: (s: FlushStore) => Promise<T>): Promise<T> {
    if (this.mode.degraded) return fn(this.memory);
    try {
      return await fn(this.redis);
    } catch (e) {
      if (!isUnavailableError(e)) throw e;
      this.fail(e);
      return fn(this.memory);
    }
  }

  private async route<T>(fn: (s: FlushStore) => Promise<T>): Promise<T> {
    if (this.mode.degraded) return fn(this.memory);
    try {
      return await fn(this.redis);
    } catch (e) {
      this.fail(e);
      throw e; // this call's work is retried by the next tick (its lease lapses)
    }
  }

  private fail(e: unknown): void {
    if (isUnavailableError(e)) this.mode.reportUnavailable(e);
  }
}
