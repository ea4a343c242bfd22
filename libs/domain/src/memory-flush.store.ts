import type { GroupState } from './alert';
import type { Clock } from './clock';
import { dueBucketOf, type ClaimedEntry, type FlushStore } from './flush.store';
import type { DueEntry } from './group.store';
import type { NflogEntry, NflogKey, NflogWriteResult } from './nflog';

interface Lease {
  entry: DueEntry;
  owner: string;
  until: number;
}

export interface MemoryFlushStoreOptions {
  /** Expires log entries and fences (claims take `now` as an argument, like the Redis adapter). */
  clock: Clock;
  dueBuckets?: number;
}

const member = (tenant: string, groupId: string, state: GroupState): string =>
  `${tenant}\u0000${groupId}\u0000${state}`;
const logId = (k: NflogKey): string => `${member(k.tenant, k.groupId, k.state)}\u0000${k.receiver}`;

/**
 * The in-process adapter of the flush store (single node: zero-config mode and the Redis fallback).
 * Single-threaded JS makes each call atomic, which is all the contract asks of the Redis scripts.
 */
export class MemoryFlushStore implements FlushStore {
  readonly dueBuckets: number;
  private readonly clock: Clock;
  private readonly due = new Map<number, Map<string, DueEntry>>();
  private readonly leases = new Map<number, Map<string, Lease>>();
  private readonly logs = new Map<string, { entry: NflogEntry; expiresAt: number }>();
  private readonly fences = new Map<string, { fence: number; expiresAt: number }>();

  constructor(opts: MemoryFlushStoreOptions) {
    this.clock = opts.clock;
    this.dueBuckets = opts.dueBuckets ?? 1;
  }

  dueBucketOf(groupId: string): number {
    return dueBucketOf(groupId, this.dueBuckets);
  }

  schedule(entry: DueEntry): Promise<void> {
    this.bucket(this.due, this.dueBucketOf(entry.groupId)).set(
      member(entry.tenant, entry.groupId, entry.state),
      {
        ...entry,
      },
    );
    return Promise.resolve();
  }

  claimDue(
    bucket: number,
    now: number,
    leaseMs: number,
    owner: string,
    limit: number,
  ): Promise<ClaimedEntry[]> {
    const due = this.bucket(this.due, bucket);
    const leases = this.bucket(this.leases, bucket);
    const out: ClaimedEntry[] = [];
    const take = (m: string, entry: DueEntry) => {
      leases.set(m, { entry, owner, until: now + leaseMs });
      out.push({ ...entry, bucket, owner, leaseUntil: now + leaseMs });
    };
    const lapsed = [...leases].filter(([, l]) => l.until <= now).sort((a, b) => a[1].until - b[1].until);
    for (const [m, l] of lapsed) {
      if (out.length >= limit) break;
      take(m, l.entry);
    }
    const ready = [...due]
      .filter(([m, d]) => d.dueAt <= now && !leases.has(m))
      .sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [m, d] of ready) {
      if (out.length >= limit) break;
      due.delete(m);
      take(m, d);
    }
    return Promise.resolve(out);
  }

  renewLease(entry: ClaimedEntry, now: number, leaseMs: number): Promise<boolean> {
    const l = this.ownLease(entry);
    if (l) l.until = now + leaseMs;
    return Promise.resolve(!!l);
  }

  complete(entry: ClaimedEntry, nextDueAt: number | null): Promise<boolean> {
    const l = this.ownLease(entry);
    if (!l) return Promise.resolve(false);
    const m = member(entry.tenant, entry.groupId, entry.state);
    this.bucket(this.leases, entry.bucket).delete(m);
    if (nextDueAt !== null) {
      this.bucket(this.due, entry.bucket).set(m, { ...l.entry, dueAt: nextDueAt });
    }
    return Promise.resolve(true);
  }

  readLog(key: NflogKey): Promise<NflogEntry | null> {
    const e = this.logs.get(logId(key));
    if (!e || e.expiresAt <= this.clock.now()) return Promise.resolve(null);
    return Promise.resolve(copy(e.entry));
  }

  writeLog(entry: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult> {
    const now = this.clock.now();
    const groupId = `${entry.tenant}\u0000${entry.groupId}`;
    if (fence !== undefined) {
      const f = this.fences.get(groupId);
      const highest = f && f.expiresAt > now ? f.fence : -Infinity;
      if (fence < highest) return Promise.resolve({ written: false, refused: 'stale-fence' });
    }
    const id = logId(entry);
    const stored = this.logs.get(id);
    if (stored && stored.expiresAt > now && stored.entry.seq >= entry.seq) {
      return Promise.resolve({ written: false, refused: 'stale-sequence' });
    }
    if (fence !== undefined) {
      const f = this.fences.get(groupId);
      const keep = f && f.expiresAt > now ? f : { fence, expiresAt: 0 };
      this.fences.set(groupId, {
        fence: Math.max(keep.fence, fence),
        expiresAt: Math.max(keep.expiresAt, now + ttlMs),
      });
    }
    this.logs.set(id, { entry: copy(entry), expiresAt: now + ttlMs });
    return Promise.resolve({ written: true });
  }

  // --- The due index as MemoryGroupStore uses it (memory mode shares one index between ingest and
  // --- the scheduler, as Redis mode shares the due zsets).

  /** The due entry of a group half (not counting a held lease), if any. */
  getDue(tenant: string, groupId: string, state: GroupState): DueEntry | undefined {
    return this.due.get(this.dueBucketOf(groupId))?.get(member(tenant, groupId, state));
  }

  /** Puts or moves a due entry (synchronous form of `schedule`). */
  setDue(entry: DueEntry): void {
    this.bucket(this.due, this.dueBucketOf(entry.groupId)).set(
      member(entry.tenant, entry.groupId, entry.state),
      {
        ...entry,
      },
    );
  }

  /** Forgets a group half's due entry and lease (the group was deleted or drained elsewhere). */
  deleteDue(tenant: string, groupId: string, state: GroupState): void {
    const b = this.dueBucketOf(groupId);
    this.due.get(b)?.delete(member(tenant, groupId, state));
    this.leases.get(b)?.delete(member(tenant, groupId, state));
  }

  /** Due entries with `dueAt <= until`, oldest first. */
  listDueSync(until: number, limit: number): DueEntry[] {
    const out: DueEntry[] = [];
    for (const m of this.due.values()) for (const d of m.values()) if (d.dueAt <= until) out.push({ ...d });
    return out.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit);
  }

  /**
   * Hands over every live notification-log entry with its remaining TTL and forgets all state (logs,
   * fences, due entries, leases). Used when Redis returns: the logs are merged into Redis so nothing
   * notified during the outage is notified again; due entries are re-created by the group reconciliation.
   */
  drainLogs(): { entry: NflogEntry; ttlMs: number }[] {
    const now = this.clock.now();
    const out: { entry: NflogEntry; ttlMs: number }[] = [];
    for (const { entry, expiresAt } of this.logs.values()) {
      if (expiresAt > now) out.push({ entry: copy(entry), ttlMs: expiresAt - now });
    }
    this.logs.clear();
    this.fences.clear();
    this.due.clear();
    this.leases.clear();
    return out;
  }

  /** Whether anything is held (logs, due entries or leases). */
  get empty(): boolean {
    const any = (m: Map<number, Map<string, unknown>>) => [...m.values()].some((x) => x.size > 0);
    return this.logs.size === 0 && !any(this.due) && !any(this.leases);
  }

  private ownLease(entry: ClaimedEntry): Lease | undefined {
    const l = this.bucket(this.leases, entry.bucket).get(member(entry.tenant, entry.groupId, entry.state));
    return l && l.owner === entry.owner ? l : undefined;
  }

  private bucket<V>(m: Map<number, Map<string, V>>, b: number): Map<string, V> {
    let x = m.get(b);
    if (!x) m.set(b, (x = new Map()));
    return x;
  }
}

function copy(e: NflogEntry): NflogEntry {
  return { ...e, firing: [...e.firing], resolved: [...e.resolved] };
}
