import type {
  DueEntry,
  GroupStore,
  MemoryGroupStore,
  StoredGroup,
  UpsertBatch,
  UpsertResult,
} from '@herald/domain';
import { isUnavailableError } from './redis-connection';

/** What the failover store reports to /health/ready and metrics. */
export interface StoreModeStatus {
  mode: 'redis' | 'memory-fallback';
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
 * On the first connection-class error the store switches to memory (logged once), probes Redis every
 * `probeInterval`, and when it answers, merges the memory state into Redis with the same upsert script
 * (Alertmanager merge rules make this idempotent), clears memory and switches back (logged once).
 */
export class FailoverGroupStore implements GroupStore {
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

  /** Starts in fallback (Redis unreachable at start-up); the probe takes over from there. */
  startInFallback(reason: unknown): void {
    this.enterFallback(reason);
  }

  async upsert(batch: UpsertBatch): Promise<UpsertResult> {
    if (this.state.mode === 'redis') {
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

  listDue(until: number, limit: number): Promise<DueEntry[]> {
    return this.read((s) => s.listDue(until, limit));
  }

  /** Stops the probe timer (shutdown). Memory content stays until the process exits. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async read<T>(fn: (s: GroupStore) => Promise<T>): Promise<T> {
    if (this.state.mode === 'redis') {
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
    if (this.state.mode !== 'redis') return;
    const msg = reason instanceof Error ? reason.message : String(reason);
    this.state = { mode: 'memory-fallback', since: this.now(), pendingAlerts: 0, lastError: msg };
    this.log.warn(`Redis unavailable (${msg}): serving from memory until it returns`);
    this.timer = setInterval(() => void this.tryRecover(), this.opts.probeInterval);
    this.timer.unref();
  }

  /** Probe Redis; when it answers, reconcile. Never runs twice at once. Exposed for tests. */
  tryRecover(): Promise<void> {
    if (this.state.mode === 'redis') return Promise.resolve();
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
    // New writes land in memory while we await Redis: loop until memory is empty, then switch in the
    // same synchronous step so no write can fall between the last drain and the mode change.
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
          this.state.lastError = e instanceof Error ? e.message : String(e);
          return;
        }
      }
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const downFor = this.now() - this.state.since;
    this.state = { mode: 'redis', since: this.now(), pendingAlerts: 0 };
    this.log.log(
      `Redis is back after ${downFor} ms: merged ${moved} alert writes from memory, memory cleared`,
    );
  }
}
