import type {
  ClaimedEntry,
  ClaimRequest,
  DueEntry,
  FlushStore,
  NflogEntry,
  NflogKey,
  NflogRefusal,
  NflogState,
  NflogWriteResult,
  PeekOptions,
} from '@herald/domain';
import type { RedisClient } from './redis-connection';
import { RedisKeys } from './keys';
import { redisScripts } from './lua-scripts';
import { execPipeline } from './pipeline';

export interface RedisFlushStoreOptions {
  /**
   * Minimum TTL (ms) of the due index and lease keys this store writes (`herald.retention` fits): a
   * lapsed lease must survive until a claimer comes back for it, and no key is left without a TTL.
   */
  keyTtl: number;
}

/**
 * The Redis adapter of the flush store, shared by every node. Claims, completions and log writes are
 * single Lua scripts (files in `lua/`, one hash tag each), so concurrent schedulers cannot hand the
 * same due entry out twice nor log a flush twice. Key layout: README "Redis key schema".
 */
export class RedisFlushStore implements FlushStore {
  private readonly scripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisFlushStoreOptions,
  ) {
    this.scripts = redisScripts<{
      claimDue: string[];
      completeClaim: unknown;
      scheduleDue: unknown;
      writeNflog: unknown;
      markNflogSeq: unknown;
    }>(redis, {
      claimDue: 'claim-due-3',
      completeClaim: 'complete-claim-3',
      scheduleDue: 'schedule-due-1',
      writeNflog: 'write-nflog-2',
      markNflogSeq: 'mark-nflog-seq-1',
    });
  }

  get dueBuckets(): number {
    return this.keys.dueBuckets;
  }

  /** The claim scripts keep each bucket's earliest lease expiry in its due index (the lease marker). */
  readonly dueHeadsIncludeLeases = true;

  dueBucketOf(groupId: string): number {
    return this.keys.dueBucketOf(groupId);
  }

  async schedule(e: DueEntry): Promise<void> {
    const key = this.keys.dueBucket(this.keys.dueBucketOf(e.groupId));
    await this.scripts.scheduleDue(
      [key],
      [e.dueAt, this.keys.dueMember(e.tenant, e.groupId, e.state), this.opts.keyTtl],
    );
  }

  /**
   * `ZRANGE … 0 0 WITHSCORES` of every bucket's due index (and leases), pipelined (per master). A due
   * head may be the lease marker: the bucket's earliest lease expiry.
   */
  async peekDue(opts: PeekOptions = {}): Promise<(number | null)[]> {
    const k = this.keys;
    const n = k.dueBuckets;
    const due = opts.due !== false;
    const leases = opts.leases !== false;
    const per = Number(due) + Number(leases);
    const replies = await execPipeline(this.redis, (p) => {
      for (let b = 0; b < n; b++) {
        if (due) p.zrange(k.dueBucket(b), '0', '0', 'WITHSCORES');
        if (leases) p.zrange(k.dueLease(b), '0', '0', 'WITHSCORES');
      }
    });
    const out: (number | null)[] = [];
    for (let b = 0; b < n; b++) {
      let head: number | null = null;
      for (const [err, r] of replies.slice(per * b, per * b + per)) {
        if (err) throw err;
        const flat = r as string[];
        if (flat.length >= 2) head = Math.min(head ?? Infinity, Number(flat[1]));
      }
      out.push(head);
    }
    return out;
  }

  async claimDue(bucket: number, now: number, claim: ClaimRequest): Promise<ClaimedEntry[]> {
    this.checkBucket(bucket);
    const { leaseMs, owner, limit } = claim;
    const k = this.keys;
    const flat = await this.scripts.claimDue(
      [k.dueBucket(bucket), k.dueLease(bucket), k.dueClaims(bucket)],
      [now, leaseMs, owner, limit, this.opts.keyTtl, k.dueLeaseMarker],
    );
    const out: ClaimedEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const m = k.parseDueMember(flat[i]);
      // A member Herald did not write cannot be flushed; it stays leased until its key expires.
      if (m) out.push({ ...m, dueAt: Number(flat[i + 1]), bucket, owner, leaseUntil: now + leaseMs });
    }
    return out;
  }

  async complete(e: ClaimedEntry, nextDueAt: number | null, tickDueAt?: number): Promise<boolean> {
    const k = this.keys;
    const r = await this.scripts.completeClaim(
      [k.dueBucket(e.bucket), k.dueLease(e.bucket), k.dueClaims(e.bucket)],
      [
        k.dueMember(e.tenant, e.groupId, e.state),
        e.owner,
        nextDueAt ?? '',
        this.opts.keyTtl,
        nextDueAt === null ? '' : (tickDueAt ?? ''),
        k.dueLeaseMarker,
      ],
    );
    return Number(r) === 1;
  }

  async readLog(key: NflogKey): Promise<NflogEntry | null> {
    return (await this.readLogState(key)).entry;
  }

  /**
   * HGETALL and PTTL of the entry (what a node remembers of it lives as long). Reads asked for in the
   * same turn of the event loop — both halves of a flush, the flushes running beside it, the delivery
   * workers' superseded checks — go out as one pipeline (one per master on a Cluster, `execPipeline`):
   * one socket write and round trip instead of one each.
   */
  readLogState(key: NflogKey): Promise<NflogState> {
    return new Promise((resolve, reject) => {
      this.reads.push({ key, resolve, reject });
      if (this.reads.length === 1) process.nextTick(() => void this.sendReads());
    });
  }

  private reads: { key: NflogKey; resolve: (s: NflogState) => void; reject: (e: unknown) => void }[] = [];

  private async sendReads(): Promise<void> {
    const batch = this.reads;
    this.reads = [];
    await this.readBatch(batch);
  }

  private async readBatch(batch: typeof this.reads): Promise<void> {
    const keys = batch.map((r) => this.keys.nflog(r.key.tenant, r.key.groupId, r.key.state, r.key.receiver));
    let replies: [Error | null, unknown][];
    try {
      replies = await execPipeline(this.redis, (p) => {
        for (const k of keys) p.hgetall(k).pttl(k);
      });
    } catch (e) {
      if (batch.length === 1) return batch[0].reject(e);
      // One failing master (a failover) must not fail every read of the batch: a failed read is a
      // send-time dedup check in doubt, and a doubt sends. Each read alone then, as without batching.
      await Promise.all(batch.map((r) => this.readBatch([r])));
      return;
    }
    batch.forEach((r, i) => {
      const [[e1, raw], [e2, pttl]] = [replies[2 * i], replies[2 * i + 1]];
      if (e1 || e2) r.reject(e1 ?? e2);
      else {
        try {
          r.resolve(logState(r.key, raw as Record<string, string>, Number(pttl)));
        } catch (e) {
          r.reject(e);
        }
      }
    });
  }

  markFailed(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    return this.mark('fseq', key, seq, ttlMs);
  }

  markPending(key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    return this.mark('pseq', key, seq, ttlMs);
  }

  private async mark(field: 'fseq' | 'pseq', key: NflogKey, seq: number, ttlMs: number): Promise<void> {
    await this.scripts.markNflogSeq(
      [this.keys.nflog(key.tenant, key.groupId, key.state, key.receiver)],
      [field, seq, Math.max(1, Math.round(ttlMs))],
    );
  }

  /**
   * The fence is checked per log entry (group half and receiver): each half is flushed under its own
   * lock hold, so a newer token of the other half must not refuse this half's delivery-time write.
   */
  async writeLog(e: NflogEntry, ttlMs: number, fence?: number): Promise<NflogWriteResult> {
    const k = this.keys;
    const r = await this.scripts.writeNflog(
      [k.nflog(e.tenant, e.groupId, e.state, e.receiver), k.groupMeta(e.tenant, e.groupId)],
      [
        e.seq,
        e.timestamp,
        JSON.stringify(e.firing),
        JSON.stringify(e.resolved),
        Math.max(1, Math.round(ttlMs)),
        fence ?? '',
      ],
    );
    if (r === 'ok') return { written: true };
    if (r === 'stale-fence' || r === 'stale-sequence') return { written: false, refused: r as NflogRefusal };
    throw new Error(`write-nflog-2: unexpected reply ${String(r)}`);
  }

  private checkBucket(bucket: number): void {
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= this.keys.dueBuckets) {
      throw new RangeError(`due bucket ${bucket} out of range 0..${this.keys.dueBuckets - 1}`);
    }
  }
}

/** A log entry's hash and PTTL as the port's `NflogState`. */
function logState(key: NflogKey, h: Record<string, string>, pttl: number): NflogState {
  const ttlMs = pttl > 0 ? pttl : undefined;
  const failedSeq = Number(h.fseq ?? 0) || 0;
  const pendingSeq = Number(h.pseq ?? 0) || 0;
  if (!h.seq) return { entry: null, failedSeq, pendingSeq, ttlMs };
  return {
    entry: {
      tenant: key.tenant,
      groupId: key.groupId,
      receiver: key.receiver,
      state: key.state,
      firing: JSON.parse(h.firing) as string[],
      resolved: JSON.parse(h.resolved) as string[],
      timestamp: Number(h.ts),
      seq: Number(h.seq),
    },
    failedSeq,
    pendingSeq,
    ttlMs,
  };
}
