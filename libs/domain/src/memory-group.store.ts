import { isResolved, type Alert } from './alert';
import { mergeAlert } from './alert-merge';
import {
  StoreCapacityError,
  type DueEntry,
  type GroupStore,
  type GroupTarget,
  type StoredGroup,
  type UpsertBatch,
  type UpsertResult,
} from './group.store';

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
}

/**
 * The in-process adapter of the group store: the zero-config mode, and the fallback while Redis is
 * unreachable. Bounded by alert and group counts (a full store refuses new alerts with
 * StoreCapacityError; updates of stored alerts always pass). Single-threaded JS makes every upsert atomic.
 */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, MemGroup>();
  private readonly due = new Map<string, DueEntry>();
  private alertCount = 0;
  private lastPrune = 0;

  constructor(private readonly opts: MemoryGroupStoreOptions) {}

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

  private upsertSync({ tenant, now, groups }: UpsertBatch): UpsertResult {
    this.prune(now);
    let written = 0;
    let createdGroups = 0;
    for (const { target, alerts } of groups) {
      const id = `${tenant}\u0000${target.groupId}`;
      let g = this.groups.get(id);
      if (!g) {
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
        createdGroups++;
      }
      let startedLongAgo = false;
      let anyFiring = false;
      let anyResolved = false;
      for (const incoming of alerts) {
        const fp = incoming.fingerprint;
        const stored = g.firing.get(fp) ?? g.recovery.get(fp);
        if (!stored && this.alertCount >= this.opts.maxAlerts) {
          throw new StoreCapacityError(
            `in-memory store is full: ${this.alertCount} alerts (herald.memory.max_alerts)`,
          );
        }
        const merged = mergeAlert(stored, incoming, now);
        if (!stored) this.alertCount++;
        g.firing.delete(fp);
        g.recovery.delete(fp);
        if (isResolved(merged, now)) {
          g.recovery.set(fp, merged);
          anyResolved = true;
        } else {
          g.firing.set(fp, merged);
          anyFiring = true;
          if (merged.startsAt + target.groupWait < now) startedLongAgo = true;
        }
        g.expiresAt = Math.max(g.expiresAt, merged.endsAt + this.opts.retention, now + this.opts.retention);
        written++;
      }
      const firingKey = `${id}\u0000firing`;
      if (anyFiring) {
        const cand = startedLongAgo ? now : now + target.groupWait;
        const cur = this.due.get(firingKey);
        if (!cur || (startedLongAgo && cand < cur.dueAt)) {
          this.due.set(firingKey, { tenant, groupId: target.groupId, state: 'firing', dueAt: cand });
        }
      }
      if (anyResolved) {
        const recKey = `${id}\u0000recovery`;
        if (!this.due.has(recKey)) {
          const dueAt = this.due.get(firingKey)?.dueAt ?? now + target.groupWait;
          this.due.set(recKey, { tenant, groupId: target.groupId, state: 'recovery', dueAt });
        }
      }
    }
    return { written, createdGroups };
  }

  listGroups(tenant: string): Promise<StoredGroup[]> {
    const out: StoredGroup[] = [];
    for (const g of this.groups.values()) if (g.tenant === tenant) out.push(toStored(g));
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
    this.groups.delete(id);
    this.due.delete(`${id}\u0000firing`);
    this.due.delete(`${id}\u0000recovery`);
    return Promise.resolve(true);
  }

  listDue(until: number, limit: number): Promise<DueEntry[]> {
    const out = [...this.due.values()].filter((d) => d.dueAt <= until);
    out.sort((a, b) => a.dueAt - b.dueAt);
    return Promise.resolve(out.slice(0, limit));
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
    for (const [id, g] of this.groups) {
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
      this.groups.delete(id);
      this.due.delete(`${id}\u0000firing`);
      this.due.delete(`${id}\u0000recovery`);
    }
    return out;
  }

  /** Forgets groups past their retention (the memory counterpart of key TTLs). */
  prune(now: number, force = false): void {
    // A full sweep is O(groups): at most once a second, not per request.
    if (!force && now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [id, g] of this.groups) {
      if (g.expiresAt > now) continue;
      this.alertCount -= g.firing.size + g.recovery.size;
      this.groups.delete(id);
      this.due.delete(`${id}\u0000firing`);
      this.due.delete(`${id}\u0000recovery`);
    }
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
