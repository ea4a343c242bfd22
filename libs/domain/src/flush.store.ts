import type { DueEntry } from './group.store';
import type { NflogEntry, NflogKey, NflogState, NflogWriteResult } from './nflog';

/** A due entry a claimer holds a lease on. Pass it back to `complete`. */
export interface ClaimedEntry extends DueEntry {
  /** The due-index bucket it came from. */
  bucket: number;
  /** Who claimed it (node id + something unique per tick is fine). */
  owner: string;
  /** When the lease lapses and another claimer may take the entry (epoch ms). */
  leaseUntil: number;
}

/** Who claims, for how long, and how many entries at most (one claim of one bucket). */
export interface ClaimRequest {
  /** How long the lease lasts before another claimer may take the entry (ms). */
  leaseMs: number;
  /** Who claims (node id + something unique per tick is fine). */
  owner: string;
  limit: number;
}

/** What `peekDue` reads: the due index, the leases, or both (default). */
export interface PeekOptions {
  due?: boolean;
  leases?: boolean;
}

/**
 * The flush store port: the scheduler's side of the due index, and the notification log. Adapters:
 * Redis (shared by every node; claims are atomic Lua scripts) and memory. Both pass
 * `flush-store.contract.ts`.
 *
 * Semantics every adapter keeps:
 * - `claimDue` moves entries due at `now` out of the due index into a lease atomically, so two
 *   claimers never get the same entry; an entry whose lease lapsed (crashed claimer) is handed out
 *   again; an entry re-added to the due index (by ingest) while leased is left there until completed;
 * - `complete` only acts for the lease's current owner;
 * - `writeLog` refuses an entry whose `seq` is not newer than the stored one, and (with `fence`) a
 *   writer whose fencing token is lower than the highest one recorded for that entry — group half and
 *   receiver, not the whole group: each half flushes under its own lock hold (the group lock's token;
 *   an equal token passes, none is not checked; see libs/redis/src/lua/write-nflog-2.lua).
 */
export interface FlushStore {
  /** Number of due-index buckets; the scheduler claims from each. */
  readonly dueBuckets: number;
  /**
   * True when `peekDue({ leases: false })` already tells when a lease lapses (Redis: the claim scripts
   * keep each bucket's earliest lease expiry in its due index): the scheduler then reads the leases
   * themselves only rarely, for leases written without it (a node of an older version mid-upgrade).
   */
  readonly dueHeadsIncludeLeases?: boolean;
  /** The bucket a group's due entries live in. */
  dueBucketOf(groupId: string): number;
  /** Puts (or moves) a group half on the due index at `entry.dueAt`. */
  schedule(entry: DueEntry): Promise<void>;
  /**
   * When each bucket next has something to claim: the earliest due time of its index or the earliest
   * lease expiry (a lapsed lease is claimed again), whichever is first; null for a bucket with neither.
   * One round trip (per master on a Cluster), no script: the scheduler reads it to claim only buckets
   * with something due and to sleep until the next due time. A head may be a member still under lease
   * (ingest re-added it while it flushes): a claim of it then finds nothing. `leases: false` reads the
   * due index only, `due: false` the leases only (half the commands each): lease expiries matter only
   * once a claimer crashed, so the scheduler reads them less often. Where the due index carries the
   * earliest lease too (`dueHeadsIncludeLeases`, Redis' lease marker), `leases: false` tells both.
   */
  peekDue(opts?: PeekOptions): Promise<(number | null)[]>;
  /** Claims up to `claim.limit` entries of `bucket` due at `now` (lapsed leases first, then oldest due). */
  claimDue(bucket: number, now: number, claim: ClaimRequest): Promise<ClaimedEntry[]>;
  /**
   * Ends a lease: reschedules the half at `nextDueAt` (overriding an entry ingest added meanwhile) or,
   * with null, leaves the due index as it is. With `tickDueAt` (the flush parked the half at a later
   * `nextDueAt`), an entry ingest added meanwhile (an alert joined) is rescheduled at `tickDueAt`
   * instead. False (and no change) when the lease was lost.
   */
  complete(entry: ClaimedEntry, nextDueAt: number | null, tickDueAt?: number): Promise<boolean>;
  readLog(key: NflogKey): Promise<NflogEntry | null>;
  /** The log entry of a half and its given-up / pending sequences (`markFailed`, `markPending`), in one read. */
  readLogState(key: NflogKey): Promise<NflogState>;
  /**
   * Records that notification `seq` of a half was given up (dead-lettered) without touching what the
   * receiver was last told: the next flush notifies again under a higher sequence (a new delivery job
   * and Idempotency-Key) instead of finding the dead job and sending nothing (Alertmanager: a failed
   * notification is not logged, so the next flush retries). Keeps the highest seq; lives `ttlMs`.
   */
  markFailed(key: NflogKey, seq: number, ttlMs: number): Promise<void>;
  /**
   * Records that notification `seq` of a half was enqueued. Adapters whose sequences always follow from
   * the log (Redis) may ignore it; the outage fallback keeps it so that, merged into Redis, a flush after
   * the outage finds the queued job instead of notifying the group a second time.
   */
  markPending(key: NflogKey, seq: number, ttlMs: number): Promise<void>;
  /** Records a notification; `ttlMs` is `nflogTtl(repeat_interval)`; `fence` is the group lock's token. */
  writeLog(entry: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult>;
}

/** The due-index bucket of a group: the same function as `RedisKeys.dueBucketOf`. */
export function dueBucketOf(groupId: string, buckets: number): number {
  return parseInt(groupId.slice(-4), 16) % buckets;
}
