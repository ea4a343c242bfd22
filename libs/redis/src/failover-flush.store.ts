import { createHash } from 'node:crypto';
import type {
  ClaimedEntry,
  ClaimRequest,
  Clock,
  DueEntry,
  FlushStore,
  MemoryFlushStore,
  NflogEntry,
  NflogKey,
  NflogState,
  NflogWriteResult,
  PeekOptions,
} from '@herald/domain';
import { isUnavailableError } from './redis-connection';

/** How long a log write waits for Redis while the node is in fallback before it goes to memory (ms). */
const DEGRADED_LOG_WAIT_MS = 250;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** The failover group store's view of Redis, shared so both stores switch together. */
export interface RedisModeSource {
  /** True while the node serves from memory (Redis unavailable). */
  readonly degraded: boolean;
  /** Reports a connection-class error seen by another component, so everything switches at once. */
  reportUnavailable(err: unknown): void;
  /** Tells `cb` each time `degraded` changes; returns the unsubscribe function. */
  onModeChange(cb: (degraded: boolean) => void): () => void;
}

export interface FailoverFlushOptions {
  clock: Clock;
  /** This node's id: salts the sequences handed out during an outage so two nodes never share one. */
  nodeId: string;
  /**
   * How long into an outage the memory fallback starts notifying (`herald.redis.fallback_notify_delay`,
   * ms; default 0): until then nothing is claimed from memory, so an outage shorter than that (a
   * failover) pages nothing from memory that Redis' notification log would have held back.
   */
  notifyDelayMs?: number;
  /** Told once per outage that memory notifications wait (`notifyDelayMs`). */
  onHold?: (delayMs: number) => void;
}

/**
 * The sequence floor of a flush made while Redis is away: the seconds of the clock times 1 000 plus a
 * per-node salt. Other nodes may have notified the group meanwhile under sequences this node does not
 * know; numbering outage notifications from the clock keeps every delivery job id and Idempotency-Key
 * unique (one key, one content), and above whatever Redis holds, so the merge keeps them.
 */
export function outageSeqFloor(now: number, nodeId: string): number {
  const salt = parseInt(createHash('sha256').update(nodeId).digest('hex').slice(0, 8), 16) % 1000;
  return Math.floor(now / 1000) * 1000 + salt;
}

/**
 * The flush store that follows the group store's mode: Redis while Redis is up, the memory flush store
 * (which in memory mode is also the memory group store's due index) while the node is degraded.
 * Everything read from or written to the notification log in Redis is remembered in memory (bounded),
 * so an outage starts from what this node last knew — a Redis blip re-sends nothing. When Redis is
 * back, `sync()` merges the entries written during the outage into Redis (a log write refuses an older
 * sequence, so a newer entry of another node wins) before the scheduler claims from Redis again.
 */
export class FailoverFlushStore implements FlushStore {
  constructor(
    private readonly redis: FlushStore,
    private readonly memory: MemoryFlushStore,
    private readonly mode: RedisModeSource,
    private readonly opts: FailoverFlushOptions,
  ) {
    mode.onModeChange((degraded) => {
      this.outageSince = degraded ? opts.clock.now() : undefined;
      this.holdAnnounced = false;
    });
    if (mode.degraded) this.outageSince = opts.clock.now();
  }

  /** When the current outage began (this node's view); none while Redis is up. */
  private outageSince?: number;
  private holdAnnounced = false;

  /** The sequence floor of the current outage (`outageSeqFloor` at its first flush); none while Redis is up. */
  private outageFloor?: number;

  get dueBuckets(): number {
    return this.redis.dueBuckets;
  }

  get dueHeadsIncludeLeases(): boolean {
    // Only Redis' due index carries the marker; in an outage this node's own leases are in memory.
    return !this.mode.degraded && this.redis.dueHeadsIncludeLeases === true;
  }

  dueBucketOf(groupId: string): number {
    return this.redis.dueBucketOf(groupId);
  }

  /**
   * Call at the start of a tick: once Redis is back, merges what was written during the outage into it
   * — given-up and pending sequences first, then log entries — before the scheduler claims from Redis.
   */
  async sync(): Promise<void> {
    if (!this.mode.degraded) this.outageFloor = undefined;
    if (this.mode.degraded || this.memory.empty) return;
    const { logs, failed, pending } = this.memory.drain();
    const steps: (() => Promise<unknown>)[] = [
      ...failed.map((f) => () => this.redis.markFailed(f.key, f.seq, f.ttlMs)),
      ...pending.map((p) => () => this.redis.markPending(p.key, p.seq, p.ttlMs)),
      ...logs.map((l) => () => this.redis.writeLog(l.entry, l.ttlMs)),
    ];
    const putBack: (() => Promise<unknown>)[] = [
      ...failed.map((f) => () => this.memory.markFailed(f.key, f.seq, f.ttlMs)),
      ...pending.map((p) => () => this.memory.markPending(p.key, p.seq, p.ttlMs)),
      ...logs.map((l) => () => this.memory.writeLog(l.entry, l.ttlMs)),
    ];
    for (let i = 0; i < steps.length; i++) {
      try {
        await steps[i]();
      } catch (e) {
        // Still unreachable: keep the rest in memory for the next sync.
        for (const back of putBack.slice(i)) await back();
        this.fail(e);
        return;
      }
    }
  }

  async schedule(entry: DueEntry): Promise<void> {
    await this.routeOrMemory((s) => s.schedule(entry));
  }

  /** From Redis, or during an outage from memory (what `claimDue` claims from). */
  peekDue(opts?: PeekOptions): Promise<(number | null)[]> {
    return this.route((s) => s.peekDue(opts));
  }

  /**
   * From Redis, or during an outage from memory — but nothing in the first `notifyDelayMs` of it: the
   * groups stay due in memory and are claimed once the delay has passed, unless Redis is back first.
   */
  async claimDue(bucket: number, now: number, claim: ClaimRequest): Promise<ClaimedEntry[]> {
    const delay = this.opts.notifyDelayMs ?? 0;
    if (this.mode.degraded && delay > 0 && this.outageSince !== undefined && now < this.outageSince + delay) {
      if (!this.holdAnnounced) {
        this.holdAnnounced = true;
        this.opts.onHold?.(delay);
      }
      return [];
    }
    return this.route((s) => s.claimDue(bucket, now, claim));
  }

  complete(entry: ClaimedEntry, nextDueAt: number | null, tickDueAt?: number): Promise<boolean> {
    return this.route((s) => s.complete(entry, nextDueAt, tickDueAt));
  }

  async readLog(key: NflogKey): Promise<NflogEntry | null> {
    return (await this.readLogState(key)).entry;
  }

  /**
   * From Redis (remembered in memory), or during an outage from what this node remembers, with the
   * sequence floor of `outageSeqFloor` so outage notifications never reuse a sequence.
   */
  async readLogState(key: NflogKey): Promise<NflogState> {
    const fromMemory = async (): Promise<NflogState> => {
      const st = await this.memory.readLogState(key);
      // A notification this node enqueued and does not know finished (in BullMQ before the outage, or
      // queued during it): the flush takes its sequence and finds that job instead of paging again.
      if (st.pendingSeq > Math.max(st.entry?.seq ?? 0, st.failedSeq)) return st;
      // One floor per outage: a flush repeated while its notification is still queued must compute the
      // same sequence (the same job), not a new one a second later.
      this.outageFloor ??= outageSeqFloor(this.opts.clock.now(), this.opts.nodeId);
      return { ...st, failedSeq: Math.max(st.failedSeq, this.outageFloor) };
    };
    if (this.mode.degraded) return fromMemory();
    try {
      const st = await this.redis.readLogState(key);
      if (st.entry) this.memory.remember(st.entry, st.ttlMs);
      this.memory.rememberMarks(key, st, st.ttlMs);
      return st;
    } catch (e) {
      this.fail(e);
      throw e; // this flush is retried by the next tick (its lease lapses)
    }
  }

  /**
   * A delivered notification must be logged even when Redis fails at that moment (the send already
   * happened): the entry goes to memory and `sync()` merges it into Redis when Redis is back. The
   * fence follows the one rule of every adapter (per log entry; none = unchecked): the token Redis
   * accepted is remembered with the entry, so memory keeps refusing an older holder during an outage.
   * The merge writes without a token: it records sends that happened, which no fence may undo.
   */
  async writeLog(entry: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult> {
    if (this.mode.degraded) {
      // Redis first even in fallback, briefly: it may be back before this node's probe noticed (a
      // failover), and a send made then — a BullMQ job, which needs Redis — must be logged where every
      // node's superseded check reads it, or another node's copy of the job pages again. A Redis that
      // does not answer in time gets the entry from the merge (a late write of the same entry is refused
      // as stale there: harmless).
      const fromRedis = this.redis.writeLog(entry, ttlMs, fence).catch(() => null);
      const r = await Promise.race([fromRedis, sleep(DEGRADED_LOG_WAIT_MS).then(() => null)]);
      if (r) {
        if (r.written) this.memory.remember(entry, ttlMs, fence);
        return r;
      }
      return this.memory.writeLog(entry, ttlMs, fence);
    }
    const r = await this.routeOrMemory((s) => s.writeLog(entry, ttlMs, fence));
    if (r.via === this.redis && r.value.written) this.memory.remember(entry, ttlMs, fence);
    return r.value;
  }

  /** Like `writeLog`: a given-up notification is recorded in memory when Redis fails at that moment. */
  async markFailed(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    const r = await this.routeOrMemory((s) => s.markFailed(key, seq, ttlMs));
    if (r.via === this.redis) this.memory.rememberMarks(key, { failedSeq: seq }, ttlMs);
  }

  /**
   * Written to Redis while it is up, so every node sees a notification in flight (the recovery half
   * keeps the resolutions its firing alerts may need; the sequence a flush derives is the same), and
   * remembered: a Redis outage that starts while the job is still queued or retrying in BullMQ finds it
   * instead of paging from memory under a new sequence. During an outage the mark is kept and merged on
   * `sync`, so the first flush after the outage finds the job queued in memory (moved to BullMQ).
   */
  async markPending(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    const r = await this.routeOrMemory((s) => s.markPending(key, seq, ttlMs));
    if (r.via === this.redis) this.memory.rememberMarks(key, { pendingSeq: seq }, ttlMs); // for an outage that starts before it is sent
  }

  private async routeOrMemory<T>(fn: (s: FlushStore) => Promise<T>): Promise<{ value: T; via: FlushStore }> {
    if (this.mode.degraded) return { value: await fn(this.memory), via: this.memory };
    try {
      return { value: await fn(this.redis), via: this.redis };
    } catch (e) {
      if (!isUnavailableError(e)) throw e;
      this.fail(e);
      return { value: await fn(this.memory), via: this.memory };
    }
  }

  private async route<T>(fn: (s: FlushStore) => Promise<T>): Promise<T> {
    if (this.mode.degraded) return fn(this.memory);
    try {
      return await fn(this.redis);
    } catch (e) {
      this.fail(e);
      throw e; // this call's work is retried by the next tick (its lease lapses)
    }
  }

  private fail(e: unknown): void {
    if (isUnavailableError(e)) this.mode.reportUnavailable(e);
  }
}
