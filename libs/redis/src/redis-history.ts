import {
  decodeHistoryFields,
  historyFields,
  historyMatches,
  storedHistoryEntry,
  type HistoryEntry,
  type HistoryQuery,
  type NotificationHistory,
  type StoredHistoryEntry,
} from '@herald/domain';
import type { RedisKeys } from './keys';
import { redisScript } from './lua-scripts';
import { execPipeline } from './pipeline';
import type { RedisClient } from './redis-connection';

/** Options of the Redis notification history. */
export interface RedisHistoryOptions {
  /** Entries kept per tenant (`XADD … MAXLEN ~`); read on every write, so a reload applies it. */
  maxEntries: () => number;
  /**
   * How long the stream and a group's newest entry (`historyLast`) outlive their last write (ms): every
   * Herald key expires, so a tenant that is gone leaves nothing behind.
   */
  lastTtlMs: number;
  /** Writes in flight at most; beyond, an entry is dropped (counted) rather than queued. Default 1 000. */
  maxInFlight?: number;
  /** A write failed or was dropped (`error` / `busy`): count it; log sparingly. */
  onLost?: (why: 'error' | 'busy', err?: unknown) => void;
}

/** Entries read per XREVRANGE while filtering. */
const CHUNK = 500;

/** The command `redisScript` defines for history-last-1.lua (queued by name in the batch's pipeline). */
const LAST_STALLED = 'herald:history-last-1';

/**
 * The notification history in a capped Redis Stream per tenant (`RedisKeys.history`), plus each group's
 * newest entry in its own expiring key (`historyLast`: `GET /api/v1/groups/:id` reads one key instead
 * of scanning the stream). Records are sent without waiting (the caller is a send in progress) and
 * batched: those of one turn of the event loop go out as one pipeline (XADD + SET each, one PEXPIRE per
 * stream; one per master on a Cluster, the tenant's keys share a slot) — a pipeline of its own per
 * record cost ~7 % of a node's CPU at 700 notifications/s. A stalled attempt's newest-entry write is
 * conditional (history-last-1.lua): the job's re-run on another node may have recorded its outcome first.
 */
export class RedisNotificationHistory implements NotificationHistory {
  /** Records buffered or being written (the `maxInFlight` bound counts both). */
  private inFlight = 0;
  private batch: { tenant: string; entry: HistoryEntry }[] = [];
  /** Batches being written. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisHistoryOptions,
  ) {
    redisScript(redis, 'history-last-1'); // defines LAST_STALLED on the client
  }

  record(tenant: string, entry: HistoryEntry): void {
    if (this.inFlight >= (this.opts.maxInFlight ?? 1000)) {
      this.opts.onLost?.('busy');
      return;
    }
    this.inFlight++;
    this.batch.push({ tenant, entry });
    // setImmediate: after the I/O callbacks of this turn, so the sends settling together share a write.
    if (this.batch.length === 1) {
      setImmediate(() => {
        const sent = this.send().catch(() => undefined); // send counts its own failures
        this.sending.add(sent);
        void sent.finally(() => this.sending.delete(sent));
      });
    }
  }

  private async send(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    // Per record the index of its first command (-1: not encodable, counted as lost already).
    const first: number[] = [];
    let replies: [Error | null, unknown][] = [];
    try {
      replies = await execPipeline(this.redis, (p) => {
        let n = 0;
        const streams = new Set<string>();
        for (const { tenant, entry } of batch) {
          try {
            // What the stream keeps, also as the group's newest entry.
            const last = storedHistoryEntry(entry);
            const fields = historyFields(last);
            const stream = this.keys.history(tenant);
            p.xadd(stream, 'MAXLEN', '~', String(this.opts.maxEntries()), '*', ...fields);
            const lastKey = this.keys.historyLast(tenant, entry.groupId);
            if (entry.outcome === 'stalled') {
              (p as unknown as Record<string, (...a: (string | number)[]) => unknown>)[LAST_STALLED].call(
                p,
                lastKey,
                JSON.stringify(last),
                this.opts.lastTtlMs,
                entry.idempotencyKey,
                entry.attempt,
              );
            } else {
              p.set(lastKey, JSON.stringify(last), 'PX', this.opts.lastTtlMs);
            }
            first.push(n);
            n += 2;
            streams.add(stream);
          } catch (e) {
            first.push(-1);
            this.opts.onLost?.('error', e);
          }
        }
        for (const stream of streams) p.pexpire(stream, this.opts.lastTtlMs);
      });
    } catch (e) {
      for (const f of first) if (f >= 0) this.opts.onLost?.('error', e);
      return;
    } finally {
      this.inFlight -= batch.length;
    }
    for (const f of first) {
      if (f < 0) continue;
      const err = replies[f]?.[0] ?? replies[f + 1]?.[0];
      if (err) this.opts.onLost?.('error', err);
    }
  }

  /**
   * Resolves once every record made before the call is written or counted lost (the node's shutdown
   * waits on it: a record still buffered for the next turn is not dropped by closing the connection).
   * Records made meanwhile are not waited for, so a steady stream of them cannot hold it up.
   */
  async drain(): Promise<void> {
    // The buffered batch's send is scheduled with setImmediate before this one: it has started after it.
    if (this.batch.length > 0) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([...this.sending]);
  }

  /**
   * Newest first. The stream is read backwards in chunks (from `since` when given, so old entries are
   * never read); filters apply to what is read, and at most the stream's bound is read.
   */
  async list(tenant: string, q: HistoryQuery): Promise<StoredHistoryEntry[]> {
    const key = this.keys.history(tenant);
    // Stream ids are Redis' clock, `at` the node's: the range starts a minute early, `at` decides.
    const start = q.since === undefined ? '-' : String(Math.max(0, Math.floor(q.since) - 60_000));
    const out: StoredHistoryEntry[] = [];
    let end = '+';
    let read = 0;
    const budget = Math.max(this.opts.maxEntries() * 2, CHUNK);
    while (out.length < q.limit && read < budget) {
      const rows = (await this.redis.xrevrange(key, end, start, 'COUNT', CHUNK)) as [string, string[]][];
      for (const [id, fields] of rows) {
        const e = decodeHistoryFields(id, fields);
        if (e && historyMatches(e, q)) out.push(e);
        if (out.length >= q.limit) break;
      }
      read += rows.length;
      if (rows.length < CHUNK) break;
      end = `(${rows[rows.length - 1][0]}`;
    }
    return out;
  }

  async last(tenant: string, groupId: string): Promise<HistoryEntry | null> {
    const raw = await this.redis.get(this.keys.historyLast(tenant, groupId));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as HistoryEntry;
    } catch {
      return null;
    }
  }
}
