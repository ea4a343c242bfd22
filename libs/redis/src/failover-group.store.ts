import {
  StoreCapacityError,
  systemClock,
  TenantLimitError,
  type Alert,
  type Clock,
  type GroupStateCounts,
  type ListGroupsOptions,
  type GroupStore,
  type ResolvedCleanup,
  type GroupUpsert,
  type MemoryGroupStore,
  type StoredGroup,
  type UpsertBatch,
  type UpsertResult,
  type SourceQuery,
} from '@herald/domain';
import type { RedisModeSource } from './failover-flush.store';
import { isTimeoutError, isUnavailableError } from './redis-connection';

/** What the failover store reports to /health/ready and metrics. */
export interface StoreModeStatus {
  /** `reconciling`: Redis answers again, new writes go to it while memory is merged in. */
  mode: 'redis' | 'memory-fallback' | 'reconciling';
  /** Epoch ms of the last transition. */
  since: number;
  /** Alerts held in memory waiting to be merged into Redis. */
  pendingAlerts: number;
  lastError?: string;
  /**
   * Alert writes the memory → Redis merge gave up on since start: Redis refused them with an error that
   * is not a connection problem (e.g. a script error), so retrying would never succeed. Each is logged.
   */
  mergeSkipped: number;
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
  /** Stamps the mode changes (`since`). Default the system clock. */
  clock?: Clock;
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
  private mergeSkipped = 0;
  private readonly modeListeners = new Set<(degraded: boolean) => void>();

  constructor(
    private readonly redis: GroupStore,
    private readonly memory: MemoryGroupStore,
    private readonly log: FailoverLogger,
    private readonly opts: FailoverOptions,
  ) {
    const clock = opts.clock ?? systemClock;
    this.now = () => clock.now();
    this.state = { mode: 'redis', since: this.now(), pendingAlerts: 0, mergeSkipped: 0 };
  }

  status(): StoreModeStatus {
    return { ...this.state, pendingAlerts: this.memory.size.alerts, mergeSkipped: this.mergeSkipped };
  }

  get degraded(): boolean {
    return this.state.mode !== 'redis';
  }

  /**
   * Tells `cb` when `degraded` changes (true on entering the fallback, false once Redis is back and
   * merged), synchronously, so whatever follows this node's mode (delivery) switches with it.
   */
  onModeChange(cb: (degraded: boolean) => void): () => void {
    this.modeListeners.add(cb);
    return () => void this.modeListeners.delete(cb);
  }

  private emitMode(degraded: boolean): void {
    for (const cb of this.modeListeners) {
      try {
        cb(degraded);
      } catch (e) {
        this.log.warn(`mode listener failed: ${String(e)}`);
      }
    }
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
        return await this.slowNotDown(() => this.redis.upsert(batch));
      } catch (e) {
        // A tenant limit is Redis' answer, not its absence: memory must not take the refused alerts.
        if (e instanceof TenantLimitError || !isUnavailableError(e)) throw e;
        this.enterFallback(e);
      }
    }
    return this.memory.upsert(batch);
  }

  listGroups(tenant: string, opts?: ListGroupsOptions): Promise<StoredGroup[]> {
    return this.read((s) => s.listGroups(tenant, opts));
  }

  countStates(tenant: string): Promise<GroupStateCounts> {
    return this.read((s) => s.countStates(tenant));
  }

  getGroup(tenant: string, groupId: string): Promise<StoredGroup | null> {
    return this.read((s) => s.getGroup(tenant, groupId));
  }

  /** Redis' hint while Redis is up (memory reads need none). */
  receiverHint(tenant: string, groupId: string): string | undefined {
    return this.degraded ? undefined : this.redis.receiverHint?.(tenant, groupId);
  }

  /** The index of the store in use: during an outage, the sources written to memory since it began. */
  firingSources(tenant: string, queries: readonly SourceQuery[], now: number): Promise<(string | null)[]> {
    return this.read((s) => s.firingSources(tenant, queries, now));
  }

  /** While in fallback only the memory copy is deleted: the Redis copy is out of reach until it returns. */
  removeAlerts(tenant: string, groupId: string, cleanup: ResolvedCleanup, now: number): Promise<number> {
    return this.read((s) => s.removeAlerts(tenant, groupId, cleanup, now));
  }

  /**
   * Another component (flush store, silences, delivery) saw Redis fail: switch everything to memory now
   * — except after a timeout, which is confirmed with one probe first. A command times out also when
   * this node's own event loop was held past the command timeout (a long GC, a large listing): the
   * reply is in the socket, the timer fired first. A Redis that answers the probe is busy or was
   * waited for, not gone, and a false fallback would serve and notify from memory for a probe interval.
   * (The component's one call already went to memory; the flush store's sync and the silence store's
   * dirty set bring it back.)
   */
  reportUnavailable(err: unknown): void {
    if (!isUnavailableError(err)) return;
    if (isTimeoutError(err) && this.state.mode === 'redis') {
      void this.confirmTimeout(err);
      return;
    }
    this.enterFallback(err);
  }

  private confirming?: Promise<void>;

  /** One probe for the timeouts reported while it runs: fallback only when Redis does not answer it. */
  private confirmTimeout(err: unknown): Promise<void> {
    this.confirming ??= this.opts
      .probe()
      .then(
        () => {
          this.busyRetries++;
        },
        () => this.enterFallback(err),
      )
      .finally(() => (this.confirming = undefined));
    return this.confirming;
  }

  deleteGroup(tenant: string, groupId: string): Promise<boolean> {
    return this.read((s) => s.deleteGroup(tenant, groupId));
  }

  /** Stops the probe timer (shutdown). Memory content stays until the process exits. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Runs `fn` against Redis; when it times out but Redis answers the probe at once, Redis is busy, not
   * gone (a whole-tenant read under heavy ingest can outlast `command_timeout`): one more try before the
   * caller falls back. Falling back on a busy Redis would serve reads from an empty memory store, so an
   * alert just accepted would be missing from the next listing. Every store call is idempotent.
   */
  private async slowNotDown<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isTimeoutError(e)) throw e;
      try {
        await this.opts.probe();
      } catch {
        throw e; // no answer to a PING either: unavailable
      }
      this.busyRetries++;
      return fn();
    }
  }

  /**
   * How often a timeout was not taken for an outage because Redis still answered a probe (busy, or
   * this node's event loop was held): the upsert was retried, or a reported timeout was dismissed.
   */
  busyRetries = 0;

  private async read<T>(fn: (s: GroupStore) => Promise<T>): Promise<T> {
    if (this.redisFirst) {
      try {
        return await this.slowNotDown(() => fn(this.redis));
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
      this.state = {
        mode: 'memory-fallback',
        since: this.now(),
        pendingAlerts: 0,
        lastError: msg,
        mergeSkipped: 0,
      };
      this.emitMode(true);
    } else {
      // Lost again while reconciling: the outage goes on (no second "unavailable" line).
      this.state = { ...this.state, mode: 'memory-fallback', lastError: msg };
    }
    if (!this.timer) {
      // tryRecover never rejects; the catch keeps a bug from becoming an unhandled rejection (a crash).
      this.timer = setInterval(
        () =>
          void this.tryRecover().catch((e: unknown) => this.log.warn(`Redis recovery failed: ${String(e)}`)),
        this.opts.probeInterval,
      );
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
          moved += await this.mergeBatch(batches[i]);
        } catch (e) {
          // Redis went away again: put back what was not merged (the alerts keep their updatedAt; a
          // batch merged in part is merged again, harmlessly) and stay in fallback.
          await this.putBack(batches.slice(i));
          this.enterFallback(e);
          return;
        }
      }
    }
    if (this.state.mode !== 'reconciling') return; // a write failed meanwhile: still in fallback
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const downFor = this.now() - this.state.since;
    this.state = { mode: 'redis', since: this.now(), pendingAlerts: 0, mergeSkipped: 0 };
    this.emitMode(false);
    this.log.log(
      `Redis is back after ${downFor} ms: merged ${moved} alert writes from memory, memory cleared`,
    );
  }
  /**
   * Merges one drained batch into Redis. A refusal that is not a connection error (a script error: the
   * entry can never be written) must not hold the node in fallback: the batch is retried group by group,
   * then alert by alert, and only what Redis still refuses is skipped — logged and counted
   * (`mergeSkipped`, herald_store_merge_skipped_total). Connection errors propagate.
   */
  private async mergeBatch(batch: UpsertBatch): Promise<number> {
    const write = async (groups: GroupUpsert[]) =>
      (await this.redis.upsert({ tenant: batch.tenant, now: this.now(), groups })).written;
    try {
      return await write(batch.groups);
    } catch (e) {
      if (isUnavailableError(e)) throw e;
    }
    let written = 0;
    for (const g of batch.groups) {
      try {
        written += await write([g]);
        continue;
      } catch (e) {
        if (isUnavailableError(e)) throw e;
      }
      const refused: Alert[] = [];
      let reason = '';
      for (const a of g.alerts) {
        try {
          written += await write([{ target: g.target, alerts: [a] }]);
        } catch (e) {
          if (isUnavailableError(e)) throw e;
          refused.push(a);
          reason = e instanceof Error ? e.message : String(e);
        }
      }
      if (refused.length) this.skip(batch.tenant, g, refused, reason);
    }
    return written;
  }

  private skip(tenant: string, g: GroupUpsert, refused: Alert[], reason: string): void {
    this.mergeSkipped += refused.length;
    const fps = refused.slice(0, 5).map((a) => a.fingerprint);
    const more = refused.length > fps.length ? ` and ${refused.length - fps.length} more` : '';
    this.log.warn(
      `Redis refused ${refused.length} alert write(s) of the memory merge, skipped (tenant ${tenant}, ` +
        `group ${g.target.groupId}, fingerprints ${fps.join(', ')}${more}): ${reason}`,
    );
  }

  /** Returns unmerged batches to memory; a full memory store loses them, said in the log. */
  private async putBack(batches: UpsertBatch[]): Promise<void> {
    for (const b of batches) {
      try {
        await this.memory.upsert({ ...b, now: this.now() });
      } catch (e) {
        if (!(e instanceof StoreCapacityError)) throw e;
        const n = b.groups.reduce((sum, g) => sum + g.alerts.length, 0);
        this.log.warn(
          `memory fallback full while putting back ${n} unmerged alert(s), dropped: ${e.message}`,
        );
      }
    }
  }
}
