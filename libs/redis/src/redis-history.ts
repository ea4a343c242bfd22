import {
  decodeHistoryFields,
  encodeHistoryFields,
  historyMatches,
  type HistoryEntry,
  type HistoryQuery,
  type NotificationHistory,
  type StoredHistoryEntry,
} from '@herald/domain';
import type { RedisKeys } from './keys';
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

/**
 * The notification history in a capped Redis Stream per tenant (`RedisKeys.history`), plus each group's
 * newest entry in its own expiring key (`historyLast`: `GET /api/v1/groups/:id` reads one key instead
 * of scanning the stream). A record is one pipeline (XADD + SET, one slot) sent without waiting: the
 * caller is a send in progress.
 */
export class RedisNotificationHistory implements NotificationHistory {
  private inFlight = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisHistoryOptions,
  ) {}

  record(tenant: string, entry: HistoryEntry): void {
    if (this.inFlight >= (this.opts.maxInFlight ?? 1000)) {
      this.opts.onLost?.('busy');
      return;
    }
    try {
      const fields = encodeHistoryFields(entry);
      const last = decodeHistoryFields('', fields)!;
      const { id: _id, ...lastEntry } = last;
      this.inFlight++;
      this.redis
        .pipeline()
        .xadd(this.keys.history(tenant), 'MAXLEN', '~', String(this.opts.maxEntries()), '*', ...fields)
        .pexpire(this.keys.history(tenant), this.opts.lastTtlMs)
        .set(
          this.keys.historyLast(tenant, entry.groupId),
          JSON.stringify(lastEntry),
          'PX',
          this.opts.lastTtlMs,
        )
        .exec()
        .then((res) => {
          const failed = res?.find(([err]) => err);
          if (failed) this.opts.onLost?.('error', failed[0]);
        })
        .catch((e: unknown) => this.opts.onLost?.('error', e))
        .finally(() => this.inFlight--);
    } catch (e) {
      this.opts.onLost?.('error', e);
    }
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
