import {
  cloneSilence,
  systemClock,
  type Clock,
  type MemorySilenceStore,
  type Silence,
  type SilenceSnapshot,
  type SilenceStore,
  type SilenceWrite,
  type SilenceWriteResult,
} from '@herald/domain';
import type { RedisModeSource } from './failover-flush.store';
import type { FailoverLogger } from './failover-group.store';
import { isUnavailableError } from './redis-connection';
import type { RetainedSilence } from './redis-silence.store';

/** The Redis side of the failover: a silence store that can also merge silences written elsewhere. */
export interface SilenceMergeTarget extends SilenceStore {
  /** Writes each silence unless the store holds its id with the same or a later `updatedAt`; returns how many it wrote. */
  merge(tenant: string, silences: readonly RetainedSilence[], now: number): Promise<number>;
}

export interface FailoverSilenceOptions {
  /**
   * How long an expired silence is kept (`herald.silences.retention`): silences copied from a Redis
   * snapshot into memory are kept that long after their end. Default 120 h (Alertmanager's).
   */
  retention?: number;
  /** First pause between two merge attempts after Redis returned (doubled each time, at most 30 s). Default 200 ms. */
  mergeRetryMs?: number;
  /** The merge's `now` (retention is judged at it). Default the system clock. */
  clock?: Clock;
}

const HOUR = 3_600_000;
const MAX_RETRY_MS = 30_000;

/**
 * Silences in Redis, in memory while Redis is down; follows the node's mode (`RedisModeSource`, the
 * failover group store) so every store of the node switches at once.
 *
 * - Redis up: every call goes to Redis. Each snapshot read there is copied into memory, and each write
 *   Redis accepted is merged into it, so an outage starts from the silences this node knew: listings
 *   and flush-time muting keep working with them.
 * - A connection-class error (or a timeout) switches the node to memory (`reportUnavailable`) and the
 *   call is answered from memory. While degraded, writes go to memory and are remembered as dirty.
 * - When the mode turns back, the silences memory holds (those written during the outage and those
 *   known before it) are merged into Redis (absent there or an older `updatedAt`: written; a newer
 *   Redis copy wins; ids are UUIDs so nothing collides), retried until done, logged once. A call for a
 *   tenant still waiting for its merge merges it first, so no answer from Redis ever misses a silence
 *   created during the outage.
 *
 * Versions: memory's are `mem:…`, Redis' decimal, so a cache reloads on every switch.
 */
export class FailoverSilenceStore implements SilenceStore {
  /** Silences written to memory during an outage, per tenant and id, waiting for Redis. */
  private readonly dirty = new Map<string, Map<string, RetainedSilence>>();
  /** The Redis version whose snapshot memory holds, per tenant (a same-version read copies nothing). */
  private readonly seeded = new Map<string, string>();
  /** The merge of one tenant in flight: callers and the background merge share it. */
  private readonly merging = new Map<string, Promise<void>>();
  private background?: Promise<void>;
  private retry?: { timer: NodeJS.Timeout; wake: () => void };
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly retention: number;
  private readonly retryMs: number;
  private readonly clock: Clock;
  /** Counts of the current recovery, logged once when the last dirty silence is merged. */
  private merged = { sent: 0, written: 0, skipped: 0 };

  constructor(
    private readonly redis: SilenceMergeTarget,
    private readonly memory: MemorySilenceStore,
    private readonly mode: RedisModeSource,
    private readonly log: FailoverLogger,
    opts: FailoverSilenceOptions = {},
  ) {
    this.retention = opts.retention ?? 120 * HOUR;
    this.retryMs = Math.max(1, opts.mergeRetryMs ?? 200);
    this.clock = opts.clock ?? systemClock;
    this.unsubscribe = mode.onModeChange((degraded) => {
      if (degraded) return;
      this.collectForMerge();
      this.seeded.clear(); // memory took writes during the outage: the next snapshot copies Redis again
      this.mergeInBackground();
    });
  }

  /** Silences written during an outage and not merged into Redis yet. */
  get pendingMerge(): number {
    let n = 0;
    for (const m of this.dirty.values()) n += m.size;
    return n;
  }

  async snapshot(tenant: string, now: number): Promise<SilenceSnapshot> {
    const snap = await this.route(tenant, (s) => s.snapshot(tenant, now));
    if (snap.via === this.redis) this.seed(tenant, snap.value, now);
    return snap.value;
  }

  async version(tenant: string): Promise<string> {
    return (await this.route(tenant, (s) => s.version(tenant))).value;
  }

  async get(tenant: string, id: string, now: number): Promise<Silence | null> {
    return (await this.route(tenant, (s) => s.get(tenant, id, now))).value;
  }

  async write(tenant: string, w: SilenceWrite): Promise<SilenceWriteResult> {
    const r = await this.route(tenant, (s) => s.write(tenant, w));
    if (!r.value.ok) return r.value;
    if (r.via === this.redis) {
      // Known to memory at once: an outage starting before the next snapshot still has it.
      this.memory.mergeFrom(tenant, w.writes, w.retention, w.now);
    } else {
      let d = this.dirty.get(tenant);
      if (!d) this.dirty.set(tenant, (d = new Map()));
      for (const s of w.writes) d.set(s.id, { silence: cloneSilence(s), expiresAt: s.endsAt + w.retention });
    }
    return r.value;
  }

  /**
   * On Redis' return, everything memory holds is merged, not only what was written during the outage:
   * a Redis that came back empty (no persistence, a replica promoted without the last writes) gets
   * back the silences this node knew, and where Redis has them the merge writes nothing. Taken before
   * any call reaches Redis again, so the next snapshot's copy into memory cannot replace them first.
   */
  private collectForMerge(): void {
    const now = this.clock.now();
    for (const tenant of this.memory.tenants()) {
      let d = this.dirty.get(tenant);
      for (const e of this.memory.all(tenant, now)) {
        if (d?.has(e.silence.id)) continue; // the dirty copy is the one written last
        if (!d) this.dirty.set(tenant, (d = new Map()));
        d.set(e.silence.id, e);
      }
    }
  }

  /** Merges what is dirty now (the mode listener does it on its own; exposed for tests and shutdown). */
  mergeNow(): Promise<void> {
    this.mergeInBackground();
    return this.background ?? Promise.resolve();
  }

  /** Stops listening to the mode and retrying (shutdown). Dirty silences stay in memory. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.wake();
    }
  }

  /**
   * Runs `fn` on Redis unless the node is degraded; a connection-class error switches the node to
   * memory and `fn` runs there. A tenant with dirty silences is merged first.
   */
  private async route<T>(
    tenant: string,
    fn: (s: SilenceStore) => Promise<T>,
  ): Promise<{ value: T; via: SilenceStore }> {
    if (!this.mode.degraded) {
      try {
        if (this.dirty.has(tenant)) await this.mergeTenant(tenant);
        return { value: await fn(this.redis), via: this.redis };
      } catch (e) {
        if (!isUnavailableError(e)) throw e;
        this.mode.reportUnavailable(e);
      }
    }
    return { value: await fn(this.memory), via: this.memory };
  }

  /** Copies a Redis snapshot into memory (once per version), keeping silences still waiting for the merge. */
  private seed(tenant: string, snap: SilenceSnapshot, now: number): void {
    if (this.seeded.get(tenant) === snap.version) return;
    this.memory.replaceFrom(tenant, snap.silences, this.retention, now);
    const d = this.dirty.get(tenant);
    if (d)
      for (const e of d.values())
        this.memory.mergeFrom(tenant, [e.silence], e.expiresAt - e.silence.endsAt, now);
    this.seeded.set(tenant, snap.version);
  }

  private mergeTenant(tenant: string): Promise<void> {
    let p = this.merging.get(tenant);
    if (!p) {
      p = this.doMergeTenant(tenant).finally(() => this.merging.delete(tenant));
      this.merging.set(tenant, p);
    }
    return p;
  }

  /**
   * Merges the tenant's dirty silences in one call; a refusal that is not a connection error (a script
   * error: retrying cannot help) is retried silence by silence and what Redis still refuses is dropped
   * from the merge, logged. Connection errors propagate (the silences stay dirty).
   */
  private async doMergeTenant(tenant: string): Promise<void> {
    const d = this.dirty.get(tenant);
    if (!d || d.size === 0) {
      this.dirty.delete(tenant);
      return;
    }
    const batch = [...d.values()];
    const now = this.clock.now();
    try {
      this.merged.written += await this.redis.merge(tenant, batch, now);
      this.merged.sent += batch.length;
    } catch (e) {
      if (isUnavailableError(e)) throw e;
      for (const entry of batch) {
        try {
          this.merged.written += await this.redis.merge(tenant, [entry], now);
          this.merged.sent++;
        } catch (e2) {
          if (isUnavailableError(e2)) throw e2;
          this.merged.skipped++;
          this.log.warn(
            `Redis refused silence ${entry.silence.id} of tenant ${tenant} in the merge after the outage, ` +
              `kept in this node's memory only: ${e2 instanceof Error ? e2.message : String(e2)}`,
          );
        }
        this.forget(tenant, entry);
      }
    }
    for (const entry of batch) this.forget(tenant, entry);
    if (this.dirty.size === 0 && this.merged.sent + this.merged.skipped > 0) {
      const { sent, written, skipped } = this.merged;
      this.merged = { sent: 0, written: 0, skipped: 0 };
      this.log.log(
        `${sent} silences merged into Redis: ${written} written, ${sent - written} already there` +
          (skipped ? `, ${skipped} refused` : ''),
      );
    }
  }

  /** Removes a merged entry unless the silence was written again meanwhile (that one waits its turn). */
  private forget(tenant: string, entry: RetainedSilence): void {
    const d = this.dirty.get(tenant);
    if (!d || d.get(entry.silence.id) !== entry) return;
    d.delete(entry.silence.id);
    if (d.size === 0) this.dirty.delete(tenant);
  }

  /** Merges every dirty tenant, retrying with a growing pause while Redis stays up; once at a time. */
  private mergeInBackground(): void {
    if (this.background || this.closed || this.dirty.size === 0) return;
    this.background = this.mergeLoop()
      .catch((e: unknown) => this.log.warn(`silence merge into Redis failed: ${String(e)}`))
      .finally(() => {
        this.background = undefined;
        // Written to memory while the loop was ending: the next mode change (or call) merges them.
      });
  }

  private async mergeLoop(): Promise<void> {
    let pause = this.retryMs;
    while (!this.closed && this.dirty.size > 0 && !this.mode.degraded) {
      let failed: unknown;
      for (const tenant of [...this.dirty.keys()]) {
        try {
          await this.mergeTenant(tenant);
        } catch (e) {
          failed = e;
          break;
        }
      }
      if (failed === undefined) continue; // written to memory meanwhile: loop until none is left
      // Redis went away again: the whole node falls back, and its return restarts the merge.
      this.mode.reportUnavailable(failed);
      if (pause === this.retryMs)
        this.log.warn(`silence merge into Redis failed, retrying: ${String(failed)}`);
      if (this.mode.degraded) return;
      await this.pause(pause);
      pause = Math.min(pause * 2, MAX_RETRY_MS);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retry = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.retry = { timer, wake: resolve };
    });
  }
}
