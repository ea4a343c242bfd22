import type {
  DueEntry,
  GroupStore,
  MemoryGroupStore,
  StoredGroup,
  UpsertBatch,
  UpsertResult,
} from '@herald/domain';
import type { RedisModeSource } from './failover-flush.store';
import { isUnavailableError } from './redis-connection';

/** What the failover store reports to /health/ready and metrics. */
export interface StoreModeStatus {
  /** `reconciling`: Redis answers again, new writes go to it while memory is merged in. */
  mode: 'redis' | 'memory-fallback' | 'reconciling';
  /** Epoch ms of the last transition. */
  since: number;
  /** Alerts held in memory waiting to be merged into Redis. */
  pendingAlerts: number;
  lastError?: string;
}

export interface FailoverLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface FailoverOptions {
  /** How often to probe Redis while in fallback (ms). */
  probeInterval: number;
  /** Called with a cheap command to see whether Redis answers again (e.g. PING). */
  probe: () => Promise<unknown>;
  now?: () => number;
}

/**
 * Redis first, memory when Redis is unavailable: a request never fails because Redis is down.
 * On the first connection-class error the store switches to memory (logged once) and probes Redis every
 * `probeInterval`. When Redis answers, new writes go to Redis at once (so reconciliation converges under
 * any load) while the memory state is merged in with the same upsert script — Alertmanager's merge rules
 * compare `updatedAt`, so an older memory copy never overwrites a newer Redis one — then memory is clear
 * and the store is back to normal (logged once).
 */
export class FailoverGroupStore implements GroupStore, RedisModeSource {
  private state: StoreModeStatus;
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly redis: GroupStore,
    private readonly memory: MemoryGroupStore,
    private readonly log: FailoverLogger,
    private readonly opts: FailoverOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.state = { mode: 'redis', since: this.now(), pendingAlerts: 0 };
  }

  status(): StoreModeStatus {
    return { ...this.state, pendingAlerts: this.memory.size.alerts };
  }

  get degraded(): boolean {
    return this.state.mode !== 'redis';
  }

  private get redisFirst(): boolean {
    return this.state.mode !== 'memory-fallback';
  }

  /** Starts in fallback (Redis unreachable at start-up); the probe takes over from there. */
  startInFallback(reason: unknown): void {
    this.enterFallback(reason);
  }

  async upsert(batch: UpsertBatch): Promise<UpsertResult> {
    if (this.redisFirst) {
      try {
        return await this.redis.upsert(batch);
      } catch (e) {
        if (!isUnavailableError(e)) throw e;
        this.enterFallback(e);
      }
    }
    return this.memory.upsert(batch);
  }

  listGroups(tenant: string): Promise<StoredGroup[]> {
    return this.read((s) => s.listGroups(tenant));
  }

  getGroup(tenant: string, groupId: string): Promise<StoredGroup | null> {
    return this.read((s) => s.getGroup(tenant, groupId));
  }

  /** While in fallback only the memory copy is deleted: the Redis copy is out of reach until it returns. */
  removeAlerts(
    tenant: string,
    groupId: string,
    fingerprints: string[],
    deleteIfEmpty: boolean,
    now: number,
  ): Promise<number> {
    return this.read((s) => s.removeAlerts(tenant, groupId, fingerprints, deleteIfEmpty, now));
  }

  /** Another component (flush store, delivery) saw Redis fail: switch everything to memory now. */
  reportUnavailable(err: unknown): void {
    if (isUnavailableError(err)) this.enterFallback(err);
  }

  deleteGroup(tenant: string, groupId: string): Promise<boolean> {
    return this.read((s) => s.deleteGroup(tenant, groupId));
  }

  listDue(until: number, limit: number): Promise<DueEntry[]> {
    return this.read((s) => s.listDue(until, limit));
  }

  /** Stops the probe timer (shutdown). Memory content stays until the process exits. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async read<T>(fn: (s: GroupStore) => Promise<T>): Promise<T> {
    if (this.redisFirst) {
      try {
        return await fn(this.redis);
      } catch (e) {
        if (!isUnavailableError(e)) throw e;
        this.enterFallback(e);
      }
    }
    return fn(this.memory);
  }

  private enterFallback(reason: unknown): void {
    if (this.state.mode === 'memory-fallback') return;
    const msg = reason instanceof Error ? reason.message : String(reason);
    if (this.state.mode === 'redis') {
      this.log.warn(`Redis unavailable (${msg}): serving from memory until it returns`);
      this.state = { mode: 'memory-fallback', since: this.now(), pendingAlerts: 0, lastError: msg };
    } else {
      // Lost again while reconciling: the outage goes on (no second "unavailable" line).
      this.state = { ...this.state, mode: 'memory-fallback', lastError: msg };
    }
    if (!this.timer) {
      this.timer = setInterval(() => void this.tryRecover(), this.opts.probeInterval);
      this.timer.unref();
    }
  }

  /** Probe Redis; when it answers, reconcile. Never runs twice at once. Exposed for tests. */
  tryRecover(): Promise<void> {
    if (this.state.mode !== 'memory-fallback') return Promise.resolve();
    if (!this.reconciling) {
      this.reconciling = this.reconcile().finally(() => (this.reconciling = undefined));
    }
    return this.reconciling;
  }

  private async reconcile(): Promise<void> {
    try {
      await this.opts.probe();
    } catch {
      return; // still down
    }
    let moved = 0;
    this.state = { ...this.state, mode: 'reconciling' };
    // Writes that raced into memory before the switch are picked up by the next drain.
    for (;;) {
      const batches = this.memory.drain(this.now());
      if (batches.length === 0) break;
      for (let i = 0; i < batches.length; i++) {
        try {
          const r = await this.redis.upsert({ ...batches[i], now: this.now() });
          moved += r.written;
        } catch (e) {
          // Put back what was not merged (the alerts keep their updatedAt) and stay in fallback.
          for (const b of batches.slice(i)) await this.memory.upsert({ ...b, now: this.now() });
          if (isUnavailableError(e)) this.enterFallback(e);
          else this.state = { ...this.state, mode: 'memory-fallback', lastError: String(e) };
          return;
        }
      }
    }
    if (this.state.mode !== 'reconciling') return; // a write failed meanwhile: still in fallback
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const downFor = this.now() - this.state.since;
    this.state = { mode: 'redis', since: this.now(), pendingAlerts: 0 };
    this.log.log(
      `Redis is back after ${downFor} ms: merged ${moved} alert writes from memory, memory cleared`,
    );
  }
}
