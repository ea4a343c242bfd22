import { SilenceSet } from './silence-match';
import type { SilenceStore } from './silence.store';

export interface SilenceCacheOptions {
  /** Tenants whose compiled set is kept (least recently used dropped first). Default 10 000. */
  maxTenants?: number;
  /**
   * How long (ms, by `clock`) a version check is trusted without asking the store again. Default 0:
   * every `set()` asks (one cheap read), so a silence written on another node applies to the next
   * question. Raise it only to trade that for fewer store reads.
   */
  freshForMs?: number;
  /** Wall clock for `freshForMs` (not the callers' `now`, which may be a flush's fixed time). */
  clock?: () => number;
  /**
   * Called when the store failed and the last loaded set was answered instead (muting with the last
   * known silences beats notifying what an engineer silenced). Without a loaded set the error is thrown.
   */
  onStale?: (tenant: string, err: unknown) => void;
}

interface TenantEntry {
  set?: SilenceSet;
  /** When (by the cache's clock) `set` was last confirmed current; -Infinity after invalidate. */
  checkedAt: number;
  /** The version check (and load) in flight: every caller meanwhile shares it. */
  inflight?: Promise<SilenceSet>;
  /** Bumped by invalidate: a load started before must not store its (older) result. */
  gen: number;
}

/** Counters for tests and metrics. */
export interface SilenceCacheStats {
  versionChecks: number;
  loads: number;
  shared: number;
  stale: number;
}

/**
 * Per-node cache of each tenant's compiled silences, kept in step with the store by its version: a
 * question costs one version read, and the silences are only read and compiled again when the version
 * moved. Concurrent questions for one tenant share one read (a flush of many groups costs one read).
 */
export class SilenceCache {
  private readonly tenants = new Map<string, TenantEntry>();
  private readonly maxTenants: number;
  private readonly freshForMs: number;
  private readonly clock: () => number;
  readonly stats: SilenceCacheStats = { versionChecks: 0, loads: 0, shared: 0, stale: 0 };

  constructor(
    private readonly store: SilenceStore,
    private readonly opts: SilenceCacheOptions = {},
  ) {
    this.maxTenants = Math.max(1, opts.maxTenants ?? 10_000);
    this.freshForMs = Math.max(0, opts.freshForMs ?? 0);
    this.clock = opts.clock ?? Date.now;
  }

  /** The tenant's silences as of now, compiled. `now` is the time retention is judged at when loading. */
  set(tenant: string, now: number): Promise<SilenceSet> {
    const e = this.touch(tenant);
    if (e.inflight) {
      this.stats.shared++;
      return e.inflight;
    }
    if (e.set && this.freshForMs > 0 && this.clock() - e.checkedAt < this.freshForMs)
      return Promise.resolve(e.set);
    const p = this.refresh(tenant, e, now);
    e.inflight = p;
    const clear = (): void => {
      if (e.inflight === p) e.inflight = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /**
   * Call after this node writes: the next `set()` asks the store again instead of sharing a read that
   * started before the write or trusting a fresh check (`freshForMs`). The compiled set is kept: the
   * moved version makes it reload, and unchanged silences are not compiled again.
   */
  invalidate(tenant: string): void {
    const e = this.tenants.get(tenant);
    if (!e) return;
    e.gen++;
    e.inflight = undefined;
    e.checkedAt = -Infinity;
  }

  /** Number of tenants cached. */
  get size(): number {
    return this.tenants.size;
  }

  private async refresh(tenant: string, e: TenantEntry, now: number): Promise<SilenceSet> {
    const gen = e.gen;
    const started = this.clock();
    try {
      this.stats.versionChecks++;
      const version = await this.store.version(tenant);
      if (e.set && e.set.version === version) {
        if (e.gen === gen) e.checkedAt = started;
        return e.set;
      }
      this.stats.loads++;
      const snap = await this.store.snapshot(tenant, now);
      const set = new SilenceSet(snap.silences, snap.version, e.set);
      // A read that started before an invalidate must not replace what a later read stored.
      if (e.gen === gen) {
        e.set = set;
        e.checkedAt = started;
      }
      return set;
    } catch (err) {
      const last = e.set;
      if (!last) throw err;
      this.stats.stale++;
      this.opts.onStale?.(tenant, err);
      return last;
    }
  }

  private touch(tenant: string): TenantEntry {
    let e = this.tenants.get(tenant);
    if (e) {
      // Map iteration order is insertion order: re-inserting marks it most recently used.
      this.tenants.delete(tenant);
      this.tenants.set(tenant, e);
      return e;
    }
    e = { checkedAt: 0, gen: 0 };
    this.tenants.set(tenant, e);
    while (this.tenants.size > this.maxTenants)
      this.tenants.delete(this.tenants.keys().next().value as string);
    return e;
  }
}
