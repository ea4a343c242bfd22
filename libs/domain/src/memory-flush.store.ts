import type { GroupState } from './alert';
import type { Clock } from './clock';
import {
  dueBucketOf,
  type ClaimedEntry,
  type ClaimRequest,
  type FlushStore,
  type PeekOptions,
} from './flush.store';
import type { DueEntry } from './group.store';
import type { NflogEntry, NflogKey, NflogState, NflogWriteResult } from './nflog';

interface Lease {
  entry: DueEntry;
  owner: string;
  until: number;
}

export interface MemoryFlushStoreOptions {
  /** Expires log entries and fences (claims take `now` as an argument, like the Redis adapter). */
  clock: Clock;
  dueBuckets?: number;
  /**
   * Bound on log entries remembered from Redis (`remember`) for the fallback; the least recently
   * remembered go first. Entries written here (memory mode, or during an outage) are never evicted.
   * Default 100 000.
   */
  maxRemembered?: number;
}

/**
 * Log writes between two sweeps of expired entries, at least; at most as many as the state held after the
 * last sweep: a sweep visits all of it, so sweeping no more often than that keeps its cost O(1) per write
 * (every 1 000 writes, a fallback mirror of 8 000 groups was swept every ~125 notifications: 1 % of the
 * node's busy CPU in `npm run bench:notify`), and the state at most doubles between sweeps.
 */
const PURGE_EVERY = 1000;

interface LogSlot {
  entry: NflogEntry;
  expiresAt: number;
  /** Written here (memory mode or Redis outage) and not yet handed to Redis by `drainLogs`. */
  dirty: boolean;
}

interface MarkSlot {
  seq: number;
  expiresAt: number;
  /** Marked here (memory mode or Redis outage) and not yet handed to Redis by `drain`. */
  dirty: boolean;
}

/** A marked sequence handed back by `drain`. */
export interface DrainedMark {
  key: NflogKey;
  seq: number;
  ttlMs: number;
}

/**
 * Highest sequence per group half and receiver for one kind of mark (given up, or enqueued and not yet
 * delivered), with the remembered/dirty split of the log entries.
 */
class SeqMarks {
  private readonly slots = new Map<string, MarkSlot>();
  private dirtyCount = 0;

  constructor(private readonly max: number) {}

  get dirty(): number {
    return this.dirtyCount;
  }

  get size(): number {
    return this.slots.size;
  }

  get(id: string, now: number): number {
    const m = this.slots.get(id);
    return m && m.expiresAt > now ? m.seq : 0;
  }

  /** Raises the mark to `seq`; `dirty` for a mark made here, clean for one remembered from Redis. */
  set(id: string, seq: number, expiresAt: number, now: number, dirty: boolean): void {
    const cur = this.slots.get(id);
    const live = cur && cur.expiresAt > now ? cur : null;
    if (!dirty && live && live.seq >= seq) return; // a higher one is known (and still to merge if dirty)
    if (cur?.dirty) this.dirtyCount--;
    if (dirty) this.dirtyCount++;
    this.slots.delete(id);
    this.slots.set(id, {
      seq: Math.max(live?.seq ?? 0, seq),
      expiresAt: Math.max(live?.expiresAt ?? 0, expiresAt),
      dirty,
    });
    if (this.slots.size > this.max) {
      for (const [k, v] of this.slots) {
        if (this.slots.size <= this.max) break;
        if (!v.dirty) this.slots.delete(k);
      }
    }
  }

  /** Forgets expired marks (a mark made here that expired has nothing left to merge). */
  purge(now: number): void {
    for (const [k, v] of this.slots) {
      if (v.expiresAt > now) continue;
      if (v.dirty) this.dirtyCount--;
      this.slots.delete(k);
    }
  }

  /** The dirty marks (now clean), for the merge into Redis. */
  drain(now: number): { id: string; seq: number; ttlMs: number }[] {
    const out: { id: string; seq: number; ttlMs: number }[] = [];
    if (this.dirtyCount === 0) return out;
    for (const [id, m] of this.slots) {
      if (!m.dirty) continue;
      m.dirty = false;
      this.dirtyCount--;
      if (m.expiresAt > now) out.push({ id, seq: m.seq, ttlMs: m.expiresAt - now });
    }
    return out;
  }
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
  private readonly logs = new Map<string, LogSlot>();
  /** Highest fencing token accepted per log entry (group half and receiver), like the Redis hash's `fence`. */
  private readonly fences = new Map<string, { fence: number; expiresAt: number }>();
  /**
   * Groups whose notification log was written (`<tenant>\0<gid>` → until when it is kept): Redis sets
   * `flushed` on the group's meta hash in the same write, and ingest then no longer pulls the group's
   * next flush forward for alerts that started long ago.
   */
  private readonly flushedGroups = new Map<string, number>();
  private readonly failed: SeqMarks;
  private readonly pending: SeqMarks;
  private readonly maxRemembered: number;
  /** Clean (remembered) log slots, and dirty slots of each map: kept as counts so `empty` is O(1). */
  private remembered = 0;
  private dirtyLogs = 0;
  /** Writes since the last sweep, and how many the next sweep waits for (see PURGE_EVERY). */
  private writes = 0;
  private purgeAfter = PURGE_EVERY;

  constructor(opts: MemoryFlushStoreOptions) {
    this.clock = opts.clock;
    this.dueBuckets = opts.dueBuckets ?? 1;
    this.maxRemembered = opts.maxRemembered ?? 100_000;
    this.failed = new SeqMarks(this.maxRemembered);
    this.pending = new SeqMarks(this.maxRemembered);
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

  peekDue(opts: PeekOptions = {}): Promise<(number | null)[]> {
    const out: (number | null)[] = [];
    for (let b = 0; b < this.dueBuckets; b++) {
      let head = Infinity;
      if (opts.due !== false) for (const d of this.due.get(b)?.values() ?? []) head = Math.min(head, d.dueAt);
      if (opts.leases !== false)
        for (const l of this.leases.get(b)?.values() ?? []) head = Math.min(head, l.until);
      out.push(head === Infinity ? null : head);
    }
    return Promise.resolve(out);
  }

  claimDue(bucket: number, now: number, claim: ClaimRequest): Promise<ClaimedEntry[]> {
    const { leaseMs, owner, limit } = claim;
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

  complete(entry: ClaimedEntry, nextDueAt: number | null, tickDueAt?: number): Promise<boolean> {
    const l = this.ownLease(entry);
    if (!l) return Promise.resolve(false);
    const m = member(entry.tenant, entry.groupId, entry.state);
    this.bucket(this.leases, entry.bucket).delete(m);
    if (nextDueAt !== null) {
      const due = this.bucket(this.due, entry.bucket);
      const at = tickDueAt !== undefined && due.has(m) ? tickDueAt : nextDueAt;
      due.set(m, { ...l.entry, dueAt: at });
    }
    return Promise.resolve(true);
  }

  readLog(key: NflogKey): Promise<NflogEntry | null> {
    const e = this.logs.get(logId(key));
    if (!e || e.expiresAt <= this.clock.now()) return Promise.resolve(null);
    return Promise.resolve(copy(e.entry));
  }

  async readLogState(key: NflogKey): Promise<NflogState> {
    const id = logId(key);
    const now = this.clock.now();
    return {
      entry: await this.readLog(key),
      failedSeq: this.failed.get(id, now),
      pendingSeq: this.pending.get(id, now),
    };
  }

  markFailed(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    this.failed.set(logId(key), seq, now + ttlMs, now, true);
    return Promise.resolve();
  }

  markPending(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    const now = this.clock.now();
    this.pending.set(logId(key), seq, now + ttlMs, now, true);
    return Promise.resolve();
  }

  /**
   * Keeps a copy of what Redis holds for a half (read or written there), so that a Redis outage starts
   * from what this node last knew instead of an empty log (which would re-notify every group). Not
   * handed back to Redis by `drain`; an entry written here with a newer sequence is kept instead.
   */
  remember(entry: NflogEntry, ttlMs = Infinity, fence?: number): void {
    const id = logId(entry);
    const now = this.clock.now();
    // The token Redis accepted fences this entry here too: a stale holder stays refused in an outage.
    if (fence !== undefined) this.raiseFence(id, fence, now + ttlMs, now);
    const cur = this.logs.get(id);
    if (cur?.dirty && cur.entry.seq >= entry.seq) return;
    if (cur) this.dropSlot(id, cur); // re-inserted below: the most recently remembered go last
    // As long as Redis keeps it: remembered entries of groups long gone would otherwise pile up.
    this.logs.set(id, { entry: copy(entry), expiresAt: now + ttlMs, dirty: false });
    this.markFlushed(entry.tenant, entry.groupId, now + ttlMs);
    this.remembered++;
    this.evictRemembered();
    this.tick(now);
  }

  /** `remember` for the marks of a half read from Redis (given-up and pending sequences). */
  rememberMarks(key: NflogKey, marks: { failedSeq?: number; pendingSeq?: number }, ttlMs = Infinity): void {
    const id = logId(key);
    const now = this.clock.now();
    if (marks.failedSeq) this.failed.set(id, marks.failedSeq, now + ttlMs, now, false);
    if (marks.pendingSeq) this.pending.set(id, marks.pendingSeq, now + ttlMs, now, false);
    this.tick(now);
  }

  /** Counts a write; every PURGE_EVERY writes, expired state is swept. */
  private tick(now: number): void {
    if (++this.writes < this.purgeAfter) return;
    this.writes = 0;
    this.purgeExpired(now);
    const held =
      this.logs.size + this.fences.size + this.flushedGroups.size + this.failed.size + this.pending.size;
    this.purgeAfter = Math.max(PURGE_EVERY, held);
  }

  /**
   * Drops expired log entries, fences and marks. In memory mode (no Redis, nothing drained) groups come
   * and go; without this their logs would stay after they expired. Runs after PURGE_EVERY writes or more
   * (see there).
   */
  private purgeExpired(now: number): void {
    // Deleting the entry a Map iteration is at is safe: no copies of the maps.
    for (const [id, slot] of this.logs) if (slot.expiresAt <= now) this.dropSlot(id, slot);
    for (const [id, f] of this.fences) if (f.expiresAt <= now) this.fences.delete(id);
    for (const [g, until] of this.flushedGroups) if (until <= now) this.flushedGroups.delete(g);
    this.failed.purge(now);
    this.pending.purge(now);
  }

  private dropSlot(id: string, slot: LogSlot): void {
    this.logs.delete(id);
    if (slot.dirty) this.dirtyLogs--;
    else this.remembered--;
  }

  private evictRemembered(): void {
    if (this.remembered <= this.maxRemembered) return;
    for (const [k, v] of this.logs) {
      if (this.remembered <= this.maxRemembered) break;
      if (!v.dirty) this.dropSlot(k, v);
    }
  }

  /**
   * The rule of write-nflog-2.lua: a token lower than the highest accepted for this entry (group half
   * and receiver) is refused, an equal one passes, none is not checked.
   */
  writeLog(entry: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult> {
    const now = this.clock.now();
    const id = logId(entry);
    if (fence !== undefined) {
      const f = this.fences.get(id);
      const highest = f && f.expiresAt > now ? f.fence : -Infinity;
      if (fence < highest) return Promise.resolve({ written: false, refused: 'stale-fence' });
    }
    const stored = this.logs.get(id);
    if (stored && stored.expiresAt > now && stored.entry.seq >= entry.seq) {
      return Promise.resolve({ written: false, refused: 'stale-sequence' });
    }
    if (fence !== undefined) this.raiseFence(id, fence, now + ttlMs, now);
    if (stored) this.dropSlot(id, stored);
    this.logs.set(id, { entry: copy(entry), expiresAt: now + ttlMs, dirty: true });
    this.markFlushed(entry.tenant, entry.groupId, now + ttlMs);
    this.dirtyLogs++;
    this.tick(now);
    return Promise.resolve({ written: true });
  }

  private raiseFence(id: string, fence: number, expiresAt: number, now: number): void {
    const f = this.fences.get(id);
    const keep = f && f.expiresAt > now ? f : { fence, expiresAt: 0 };
    this.fences.set(id, {
      fence: Math.max(keep.fence, fence),
      expiresAt: Math.max(keep.expiresAt, expiresAt),
    });
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

  private markFlushed(tenant: string, groupId: string, until: number): void {
    const k = `${tenant}\u0000${groupId}`;
    if ((this.flushedGroups.get(k) ?? 0) < until) this.flushedGroups.set(k, until);
  }

  /** Whether the group has notified (a log entry was written or remembered for it, still kept). */
  hasFlushed(tenant: string, groupId: string): boolean {
    return (this.flushedGroups.get(`${tenant}\u0000${groupId}`) ?? 0) > this.clock.now();
  }

  /** Forgets a group half's due entry and lease (the group was deleted or drained elsewhere). */
  deleteDue(tenant: string, groupId: string, state: GroupState): void {
    if (state === 'firing') this.flushedGroups.delete(`${tenant}\u0000${groupId}`);
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
   * Hands over every live notification-log entry written here (not the remembered ones) with its
   * remaining TTL, and forgets the outage's state (fences, due entries, leases); what was handed over
   * stays remembered as Redis's view. Used when Redis returns: the logs are merged into Redis so nothing
   * notified during the outage is notified again; due entries are re-created by the group reconciliation.
   */
  drainLogs(): { entry: NflogEntry; ttlMs: number }[] {
    return this.drain().logs;
  }

  /** `drainLogs`, with the given-up and pending sequences marked here as well. */
  drain(): { logs: { entry: NflogEntry; ttlMs: number }[]; failed: DrainedMark[]; pending: DrainedMark[] } {
    const now = this.clock.now();
    const logs: { entry: NflogEntry; ttlMs: number }[] = [];
    if (this.dirtyLogs > 0) {
      for (const [id, slot] of [...this.logs]) {
        if (!slot.dirty) continue;
        this.dropSlot(id, slot);
        if (slot.expiresAt <= now) continue;
        logs.push({ entry: copy(slot.entry), ttlMs: slot.expiresAt - now });
        this.remember(slot.entry, slot.expiresAt - now);
      }
    }
    const marks = (m: SeqMarks): DrainedMark[] =>
      m.drain(now).map(({ id, seq, ttlMs }) => {
        const [tenant, groupId, state, receiver] = id.split('\u0000');
        return { key: { tenant, groupId, state: state as GroupState, receiver }, seq, ttlMs };
      });
    const failed = marks(this.failed);
    const pending = marks(this.pending);
    this.fences.clear();
    this.due.clear();
    this.leases.clear();
    return { logs, failed, pending };
  }

  /** Whether anything written here is held (logs or given-up marks not yet merged, due entries, leases). */
  get empty(): boolean {
    const any = (m: Map<number, Map<string, unknown>>) => [...m.values()].some((x) => x.size > 0);
    return (
      this.dirtyLogs === 0 &&
      this.failed.dirty === 0 &&
      this.pending.dirty === 0 &&
      !any(this.due) &&
      !any(this.leases)
    );
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
