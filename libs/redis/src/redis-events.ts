import {
  decodeEventBatch,
  encodeEventBatch,
  EventCoalescer,
  EventHub,
  type EventListener,
  type EventLog,
  type HeraldEvent,
  type StoredBatch,
} from '@herald/domain';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/** Options of the Redis event log. */
export interface RedisEventLogOptions {
  /** Batches (stream entries: one per node, tenant and window) kept per tenant (`XADD … MAXLEN ~`). */
  maxEntries: () => number;
  /** The tenants whose streams the reader follows (the configured ones); read again every block. */
  tenants: () => readonly string[];
  /** Events are written once per window (default 100 ms), one pipeline for all tenants. */
  windowMs?: number;
  /** Distinct events per tenant and window (default 500); beyond, one "many changed" event. */
  maxPerWindow?: number;
  /** XREAD BLOCK timeout (default 2 000 ms): how soon a changed tenant list is followed. */
  blockMs?: number;
  /** A write or read failed: count it; log sparingly. */
  onError?: (what: 'write' | 'read', err: unknown) => void;
  /** How long a tenant's stream outlives its last write (default 24 h: every Herald key expires). */
  ttlMs?: number;
}

type XReadReply = [string, [string, string[]][]][] | null;

/**
 * Live events through Redis Streams: every node appends what changed on it to the tenant's capped
 * stream (coalesced: one entry per tenant and window, all in one pipeline), and one reader per node — `XREAD BLOCK` on its own
 * connection over every tenant's stream — fans what any node wrote out to this node's subscribers.
 * So a change on one node reaches the SSE clients of all nodes about a window plus a round trip later,
 * with one Redis connection per node whatever the number of clients.
 */
export class RedisEventLog implements EventLog {
  private readonly hub = new EventHub();
  private readonly coalescer: EventCoalescer;
  /** Per tenant: the id the reader has read up to. */
  private readonly cursors = new Map<string, string>();
  private running: Promise<void> | undefined;
  private closed = false;
  private writes = new Set<Promise<unknown>>();

  constructor(
    private readonly redis: RedisClient,
    /** The reader's dedicated (blocking) connection. */
    private readonly reader: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisEventLogOptions,
  ) {
    this.coalescer = new EventCoalescer((b) => this.write(b), {
      windowMs: opts.windowMs ?? 100,
      maxPerWindow: opts.maxPerWindow ?? 500,
    });
  }

  publish(tenant: string, events: readonly HeraldEvent[]): void {
    if (this.closed) return;
    this.coalescer.add(tenant, events);
  }

  subscribe(tenant: string, listener: EventListener): () => void {
    return this.hub.subscribe(tenant, listener);
  }

  /** Starts the reader (once): from the streams' current ends, so only what is new is fanned out. */
  start(): void {
    this.running ??= this.readLoop();
  }

  async after(tenant: string, id: string, limit: number): Promise<StoredBatch[]> {
    const rows = (await this.redis.xrange(this.keys.events(tenant), `(${id}`, '+', 'COUNT', limit)) as [
      string,
      string[],
    ][];
    return decodeRows(rows);
  }

  async oldest(tenant: string): Promise<string | undefined> {
    const rows = (await this.redis.xrange(this.keys.events(tenant), '-', '+', 'COUNT', 1)) as [
      string,
      string[],
    ][];
    return rows[0]?.[0];
  }

  /** Subscribers on this node (all tenants). */
  get listeners(): number {
    return this.hub.listeners;
  }

  /** Writes what is pending, stops the reader; bounded (1 s each) so a Redis outage cannot hold a shutdown. */
  async close(): Promise<void> {
    this.coalescer.flush();
    this.closed = true;
    await Promise.race([Promise.allSettled([...this.writes]), sleep(1000)]);
    // A blocked XREAD queued while Redis is down is not always rejected by disconnect(): do not wait on it.
    this.reader.disconnect();
    await Promise.race([this.running?.catch(() => undefined), sleep(1000)]);
  }

  private write(batch: Map<string, HeraldEvent[]>): void {
    const p = this.redis.pipeline();
    const max = String(this.opts.maxEntries());
    // One entry per tenant and window: ingest costs one XADD per window, whatever it touched.
    for (const [tenant, events] of batch) {
      const key = this.keys.events(tenant);
      p.xadd(key, 'MAXLEN', '~', max, '*', ...encodeEventBatch(events));
      p.pexpire(key, this.opts.ttlMs ?? 86_400_000);
    }
    const w = p
      .exec()
      .then((res) => {
        const failed = res?.find(([err]) => err);
        if (failed) this.opts.onError?.('write', failed[0]);
      })
      .catch((e: unknown) => this.opts.onError?.('write', e))
      .finally(() => this.writes.delete(w));
    this.writes.add(w);
  }

  private async readLoop(): Promise<void> {
    const blockMs = this.opts.blockMs ?? 2000;
    while (!this.closed) {
      try {
        await this.followTenants();
        const tenants = [...this.cursors.keys()];
        if (tenants.length === 0) {
          await sleep(blockMs);
          continue;
        }
        const reply = (await this.reader.xread(
          'COUNT',
          1000,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...tenants.map((t) => this.keys.events(t)),
          ...tenants.map((t) => this.cursors.get(t)!),
        )) as XReadReply;
        if (!reply) continue;
        const byKey = new Map(tenants.map((t) => [this.keys.events(t), t]));
        for (const [key, rows] of reply) {
          const tenant = byKey.get(key);
          if (tenant === undefined || rows.length === 0) continue;
          this.cursors.set(tenant, rows[rows.length - 1][0]);
          this.hub.dispatch(tenant, decodeRows(rows));
        }
      } catch (e) {
        if (this.closed) return;
        this.opts.onError?.('read', e);
        await sleep(1000);
      }
    }
  }

  /** Adds tenants new to the list at their stream's current end; drops those no longer configured. */
  private async followTenants(): Promise<void> {
    const want = new Set(this.opts.tenants());
    for (const t of this.cursors.keys()) if (!want.has(t)) this.cursors.delete(t);
    for (const t of want) {
      if (this.cursors.has(t)) continue;
      const last = (await this.redis.xrevrange(this.keys.events(t), '+', '-', 'COUNT', 1)) as [
        string,
        string[],
      ][];
      this.cursors.set(t, last[0]?.[0] ?? '0-0');
    }
  }
}

function decodeRows(rows: [string, string[]][]): StoredBatch[] {
  const out: StoredBatch[] = [];
  for (const [id, fields] of rows) {
    const events = decodeEventBatch(fields);
    if (events?.length) out.push({ id, events });
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
