import { isResolved, type Alert, type GroupState } from './alert';
import { mergeAlert } from './alert-merge';
import { nextTickOf } from './timers';
import {
  batchCost,
  COUNT_LIMIT_RETRY_MS,
  countGroupHalves,
  StoreCapacityError,
  TenantLimitError,
  type DueEntry,
  type GroupStateCounts,
  type ListGroupsOptions,
  type GroupStore,
  type GroupTarget,
  type ResolvedCleanup,
  type StoredGroup,
  type TenantIngestLimits,
  type TenantLimitName,
  type UpsertBatch,
  type UpsertResult,
} from './group.store';
import { MemoryInhibitionIndex } from './inhibit/inhibition-index';
import type { InhibitionRules, SourceQuery } from './inhibit/inhibit-rule';

interface MemGroup {
  tenant: string;
  target: GroupTarget;
  createdAt: number;
  firing: Map<string, Alert>;
  recovery: Map<string, Alert>;
  /** When the group may be forgotten: latest endsAt + retention (the Redis adapter's key TTL). */
  expiresAt: number;
}

export interface MemoryGroupStoreOptions {
  maxAlerts: number;
  maxGroups: number;
  /** How long a group outlives its latest alert end (ms). */
  retention: number;
  /**
   * The due index to write: the memory flush store's, so the scheduler claims what ingest schedules
   * (as both share the due zsets in Redis). Default: a private index (store-only use, tests).
   */
  due?: MemoryDueIndex;
  /** Inhibition rules: firing source alerts are indexed with every write, as the Redis script does. */
  inhibition?: InhibitionRules;
}

/** The due index as the memory group store needs it (implemented by MemoryFlushStore). */
export interface MemoryDueIndex {
  getDue(tenant: string, groupId: string, state: GroupState): DueEntry | undefined;
  setDue(entry: DueEntry): void;
  deleteDue(tenant: string, groupId: string, state: GroupState): void;
  /** Whether the group has notified already (Redis: `flushed` on its meta hash); absent: never. */
  hasFlushed?(tenant: string, groupId: string): boolean;
}

/** A plain map as due index. */
class MapDueIndex implements MemoryDueIndex {
  private readonly m = new Map<string, DueEntry>();
  private static key(tenant: string, groupId: string, state: GroupState): string {
    return `${tenant}\u0000${groupId}\u0000${state}`;
  }
  getDue(tenant: string, groupId: string, state: GroupState): DueEntry | undefined {
    return this.m.get(MapDueIndex.key(tenant, groupId, state));
  }
  setDue(entry: DueEntry): void {
    this.m.set(MapDueIndex.key(entry.tenant, entry.groupId, entry.state), { ...entry });
  }
  deleteDue(tenant: string, groupId: string, state: GroupState): void {
    this.m.delete(MapDueIndex.key(tenant, groupId, state));
  }
}

/**
 * The in-process adapter of the group store: the zero-config mode, and the fallback while Redis is
 * unreachable. Bounded by alert and group counts (a full store refuses new alerts with
 * StoreCapacityError; updates of stored alerts always pass). Single-threaded JS makes every upsert atomic.
 */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, MemGroup>();
  private readonly due: MemoryDueIndex;
  private alertCount = 0;
  private lastPrune = 0;
  /** Per tenant: alerts and groups held (kept for every tenant: a few map updates per write). */
  private readonly usage = new Map<string, { alerts: number; groups: number }>();
  /** Per tenant ingest token bucket (tenants with `ingestRate`). */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly sources = new MemoryInhibitionIndex();

  constructor(private readonly opts: MemoryGroupStoreOptions) {
    this.due = opts.due ?? new MapDueIndex();
  }

  get size(): { groups: number; alerts: number } {
    return { groups: this.groups.size, alerts: this.alertCount };
  }

  upsert(batch: UpsertBatch): Promise<UpsertResult> {
    try {
      return Promise.resolve(this.upsertSync(batch));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  private upsertSync(batch: UpsertBatch): UpsertResult {
    const { tenant, now, groups, limits } = batch;
    this.prune(now);
    if (limits?.ingestRate) this.takeTokens(tenant, limits, batchCost(batch), now);
    const use = this.usageOf(tenant);
    const maxAlerts = limits?.maxAlerts ?? Infinity;
    const maxGroups = limits?.maxGroups ?? Infinity;
    let refused = 0;
    let hit: TenantLimitName | undefined;
    const refuse = (limit: TenantLimitName, n: number) => {
      refused += n;
      hit ??= limit;
    };
    let written = 0;
    let createdGroups = 0;
    let nextDueAt: number | undefined; // the earliest due time this batch set
    const changedGroups: string[] = [];
    for (const { target, alerts } of groups) {
      const id = `${tenant}\u0000${target.groupId}`;
      let g = this.groups.get(id);
      if (!g) {
        // A new group over a tenant limit is not created at all (no empty group is left behind).
        if (use.groups >= maxGroups) {
          refuse('alertmanager_max_dispatcher_aggregation_groups', alerts.length);
          continue;
        }
        if (use.alerts >= maxAlerts) {
          refuse('alertmanager_max_alerts_count', alerts.length);
          continue;
        }
        if (this.groups.size >= this.opts.maxGroups) {
          throw new StoreCapacityError(
            `in-memory store is full: ${this.groups.size} groups (herald.memory.max_groups)`,
          );
        }
        g = {
          tenant,
          target,
          createdAt: now,
          firing: new Map(),
          recovery: new Map(),
          expiresAt: 0,
        };
        this.groups.set(id, g);
        use.groups++;
        createdGroups++;
      }
      let startedLongAgo = false;
      let anyFiring = false;
      let anyResolved = false;
      // The group changed: an alert joined the firing half (new, back from the recovery half, or firing
      // again after its endsAt passed) or resolved. A firing half parked until repeat_interval (see
      // parkedFlushAt) must then come back to its next group_interval tick.
      let changed = false;
      for (const incoming of alerts) {
        const fp = incoming.fingerprint;
        const stored = g.firing.get(fp) ?? g.recovery.get(fp);
        if (!stored && use.alerts >= maxAlerts) {
          refuse('alertmanager_max_alerts_count', 1);
          continue;
        }
        if (!stored && this.alertCount >= this.opts.maxAlerts) {
          throw new StoreCapacityError(
            `in-memory store is full: ${this.alertCount} alerts (herald.memory.max_alerts)`,
          );
        }
        const merged = mergeAlert(stored, incoming, now);
        if (!stored) {
          this.alertCount++;
          use.alerts++;
        }
        const wasFiring = !!stored && g.firing.has(fp) && !isResolved(stored, now);
        g.firing.delete(fp);
        g.recovery.delete(fp);
        if (isResolved(merged, now) !== !wasFiring) changed = true;
        if (isResolved(merged, now)) {
          g.recovery.set(fp, merged);
          anyResolved = true;
        } else {
          g.firing.set(fp, merged);
          anyFiring = true;
          if (merged.startsAt + target.groupWait < now) startedLongAgo = true;
        }
        g.expiresAt = Math.max(g.expiresAt, merged.endsAt + this.opts.retention, now + this.opts.retention);
        const entries = this.opts.inhibition?.sourceEntriesOf(fp, merged.labels);
        if (entries?.length) this.sources.record(tenant, fp, merged.endsAt, entries, now);
        written++;
      }
      const gid = target.groupId;
      if (anyFiring) {
        const cand = startedLongAgo ? now : now + target.groupWait;
        const cur = this.due.getDue(tenant, gid, 'firing');
        // Alertmanager: only a group that never flushed flushes at once for an alert that started long
        // ago; a notified group keeps its group_interval (Prometheus re-sends every minute).
        const pullForward = startedLongAgo && !this.due.hasFlushed?.(tenant, gid);
        if (!cur || (pullForward && cand < cur.dueAt)) {
          this.due.setDue({ tenant, groupId: gid, state: 'firing', dueAt: cand });
          nextDueAt = Math.min(nextDueAt ?? cand, cand);
        }
      }
      if (changed && batch.reportChanges) changedGroups.push(gid);
      const parked = changed ? this.due.getDue(tenant, gid, 'firing') : undefined;
      if (parked && parked.dueAt > now && this.due.hasFlushed?.(tenant, gid)) {
        // A parked half (see parkedFlushAt) comes back to its next group_interval tick.
        const tick = nextTickOf(parked.dueAt, target.groupInterval, now);
        if (tick < parked.dueAt) this.due.setDue({ tenant, groupId: gid, state: 'firing', dueAt: tick });
      }
      if (anyResolved && !this.due.getDue(tenant, gid, 'recovery')) {
        const dueAt = this.due.getDue(tenant, gid, 'firing')?.dueAt ?? now + target.groupWait;
        this.due.setDue({ tenant, groupId: gid, state: 'recovery', dueAt });
        nextDueAt = Math.min(nextDueAt ?? dueAt, dueAt);
      }
    }
    if (hit) {
      const value = hit === 'alertmanager_max_alerts_count' ? maxAlerts : maxGroups;
      throw new TenantLimitError(tenant, hit, value, COUNT_LIMIT_RETRY_MS, written, refused);
    }
    const r: UpsertResult =
      nextDueAt === undefined ? { written, createdGroups } : { written, createdGroups, nextDueAt };
    if (batch.reportChanges) r.changedGroups = changedGroups;
    return r;
  }

  private usageOf(tenant: string): { alerts: number; groups: number } {
    let u = this.usage.get(tenant);
    if (!u) this.usage.set(tenant, (u = { alerts: 0, groups: 0 }));
    return u;
  }

  /**
   * The tenant's token bucket (same arithmetic as upsert-groups.lua): refilled at `ingestRate`/s up to
   * the burst, a request needs min(cost, burst) tokens and takes `cost` (the bucket may go below zero,
   * so a request larger than the burst passes once the bucket is full, and the debt is paid in time).
   */
  private takeTokens(tenant: string, limits: TenantIngestLimits, cost: number, now: number): void {
    const rate = limits.ingestRate!;
    const burst = limits.ingestBurst ?? Math.max(1, rate);
    let b = this.buckets.get(tenant);
    if (!b) this.buckets.set(tenant, (b = { tokens: burst, at: now }));
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) * rate) / 1000);
    b.at = Math.max(b.at, now);
    const need = Math.min(cost, burst);
    if (b.tokens < need) {
      const wait = Math.ceil(((need - b.tokens) * 1000) / rate);
      throw new TenantLimitError(tenant, 'ingestion_rate', rate, wait, 0, cost);
    }
    b.tokens -= cost;
  }

  firingSources(tenant: string, queries: readonly SourceQuery[], now: number): Promise<(string | null)[]> {
    return this.sources.firingSources(tenant, queries, now);
  }

  listGroups(tenant: string, opts: ListGroupsOptions = {}): Promise<StoredGroup[]> {
    const out: StoredGroup[] = [];
    const mayHold = opts.mayHold;
    for (const g of this.groups.values()) {
      if (g.tenant !== tenant) continue;
      if (mayHold && !mayHold(g.target.groupLabels, g.target.receiver)) continue; // not copied
      out.push(toStored(g));
    }
    return Promise.resolve(out);
  }

  countStates(tenant: string): Promise<GroupStateCounts> {
    const out: GroupStateCounts = { alerts: { firing: 0, resolved: 0 }, groups: { firing: 0, recovery: 0 } };
    for (const g of this.groups.values()) {
      if (g.tenant !== tenant) continue;
      countGroupHalves(out, g.firing.size, g.recovery.size);
    }
    return Promise.resolve(out);
  }

  getGroup(tenant: string, groupId: string): Promise<StoredGroup | null> {
    const g = this.groups.get(`${tenant}\u0000${groupId}`);
    return Promise.resolve(g ? toStored(g) : null);
  }

  deleteGroup(tenant: string, groupId: string): Promise<boolean> {
    const id = `${tenant}\u0000${groupId}`;
    const g = this.groups.get(id);
    if (!g) return Promise.resolve(false);
    this.alertCount -= g.firing.size + g.recovery.size;
    this.forget(tenant, groupId);
    return Promise.resolve(true);
  }

  removeAlerts(tenant: string, groupId: string, cleanup: ResolvedCleanup, now: number): Promise<number> {
    const { remove: fingerprints, deleteGroup: deleteIfEmpty } = cleanup;
    const g = this.groups.get(`${tenant}\u0000${groupId}`);
    if (!g) return Promise.resolve(0);
    let removed = 0;
    for (const fp of fingerprints) {
      if (g.recovery.delete(fp)) removed++;
      const f = g.firing.get(fp);
      // A timed-out alert can sit in the firing half; one that fires again is not touched.
      if (f && isResolved(f, now)) {
        g.firing.delete(fp);
        removed++;
      }
    }
    this.alertCount -= removed;
    this.usageOf(tenant).alerts -= removed;
    if (deleteIfEmpty && g.firing.size === 0 && g.recovery.size === 0) this.forget(tenant, groupId);
    return Promise.resolve(removed);
  }

  /**
   * Hands over every group as upsert batches of at most `maxAlertsPerBatch` alerts (one tenant per
   * batch; a big group is split), with the alerts' original `updatedAt` so the receiving store merges
   * them correctly, and forgets them. Used to reconcile into Redis when it comes back; the bound keeps
   * each reconciliation write well inside the Redis command timeout.
   */
  drain(now: number, maxAlertsPerBatch = 500): UpsertBatch[] {
    const out: UpsertBatch[] = [];
    const open = new Map<string, { batch: UpsertBatch; alerts: number }>();
    for (const g of this.groups.values()) {
      const alerts = [...g.firing.values(), ...g.recovery.values()];
      for (let i = 0; i < alerts.length;) {
        let cur = open.get(g.tenant);
        if (!cur || cur.alerts >= maxAlertsPerBatch) {
          cur = { batch: { tenant: g.tenant, now, groups: [] }, alerts: 0 };
          open.set(g.tenant, cur);
          out.push(cur.batch);
        }
        const take = alerts.slice(i, i + (maxAlertsPerBatch - cur.alerts));
        cur.batch.groups.push({ target: g.target, alerts: take });
        cur.alerts += take.length;
        i += take.length;
      }
      this.alertCount -= g.firing.size + g.recovery.size;
      this.forget(g.tenant, g.target.groupId);
    }
    // The merge re-indexes every drained alert in Redis (the store indexes what it writes); a copy left
    // here could keep a source that resolved meanwhile inhibiting in the next outage.
    this.sources.clear();
    return out;
  }

  /**
   * Indexes every firing alert held as a source of the current `inhibition` rules (they were replaced,
   * e.g. by a config reload: alerts stored before were indexed under the old ones). Entries of rules no
   * longer configured are never read again (rule ids hash their content). Returns the entries written.
   */
  reindexSources(now: number): number {
    let n = 0;
    for (const g of this.groups.values()) {
      for (const a of g.firing.values()) {
        const entries = this.opts.inhibition?.sourceEntriesOf(a.fingerprint, a.labels);
        if (!entries?.length) continue;
        this.sources.record(g.tenant, a.fingerprint, a.endsAt, entries, now);
        n += entries.length;
      }
    }
    return n;
  }

  /** Forgets groups past their retention (the memory counterpart of key TTLs). */
  prune(now: number, force = false): void {
    // A full sweep is O(groups): at most once a second, not per request.
    if (!force && now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const g of this.groups.values()) {
      if (g.expiresAt > now) continue;
      this.alertCount -= g.firing.size + g.recovery.size;
      this.forget(g.tenant, g.target.groupId);
    }
  }

  /** Drops a group (and its share of the tenant's usage) and its due entries. */
  private forget(tenant: string, groupId: string): void {
    const id = `${tenant}\u0000${groupId}`;
    const g = this.groups.get(id);
    if (g) {
      const u = this.usageOf(tenant);
      u.alerts -= g.firing.size + g.recovery.size;
      u.groups--;
    }
    this.groups.delete(id);
    this.due.deleteDue(tenant, groupId, 'firing');
    this.due.deleteDue(tenant, groupId, 'recovery');
  }
}

function toStored(g: MemGroup): StoredGroup {
  const t = g.target;
  return {
    tenant: g.tenant,
    groupId: t.groupId,
    groupKey: t.groupKey,
    receiver: t.receiver,
    routeId: t.routeId,
    labels: t.groupLabels,
    groupWait: t.groupWait,
    groupInterval: t.groupInterval,
    repeatInterval: t.repeatInterval,
    createdAt: g.createdAt,
    firing: [...g.firing.values()],
    recovery: [...g.recovery.values()],
  };
}
