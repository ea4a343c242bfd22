import type { Cluster, Redis } from 'ioredis';
import { checkEvictionPolicy, type DeliveryConnection } from './bullmq-delivery.queue';
import type { BullMqPart } from './failover-delivery.queue';
import {
  DeliveryEvents,
  silentLogger,
  type DeadLetter,
  type DeliveryCounts,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
} from './notification';

/** What one shard's queue is made with. */
export interface ShardSpec {
  /** The shard's BullMQ prefix (`RedisKeys.deliveryShardPrefix`). */
  bullPrefix: string;
  /** This shard's part of the node's sends in flight (the node's total split over every shard run). */
  concurrency: number;
  /** How many shards this node enqueues to (e.g. to split a per-tenant bound between them). */
  shards: number;
}

/** Options of the sharded delivery queue. */
export interface ShardedDeliveryOptions {
  /**
   * Makes the queue of one shard (not started): a `BullMqDeliveryQueue` under `spec.bullPrefix`, its
   * eviction check off (done here, on every master, once), its rate-limit buckets under the one prefix
   * every shard shares.
   */
  createShard: (spec: ShardSpec) => BullMqPart;
  /** `herald.delivery.shards`; undefined: auto — 1 on one Redis, the masters seen at start on a Cluster. */
  shards?: number;
  /** BullMQ prefix of shard `shard` of `shards` (`RedisKeys.deliveryShardPrefix`). */
  prefixOf: (shard: number, shards: number) => string;
  /** The shard record: a set of every shard count enqueued with (`RedisKeys.deliveryShards`). */
  recordKey: string;
  /** For the control client (record, masters, eviction policy): its `queue()` client. */
  connection: DeliveryConnection;
  /** Client name prefix (`<name>:delivery-shards`). Default `herald`. */
  name?: string;
  /** BullMQ queue name, for the one-shard layout's keys (default `delivery`). */
  queueName?: string;
  /** The node's sends in flight, split over the shards it runs (default 8). */
  concurrency?: number;
  /** How often the record is read again to pick up shards other nodes added (ms, default 30 000). */
  refreshIntervalMs?: number;
  logger?: DeliveryLogger;
}

/** The most shards (`herald.delivery.shards` ≤ 64). */
export const MAX_SHARDS = 64;

/**
 * The shard a notification goes to: a stable hash (FNV-1a, 32 bits) of its group identity — tenant,
 * receiver, group key — modulo `shards`. Never the sequence or the half: one group's notifications for
 * one receiver stay in one queue, in order; different groups spread evenly. The same on every node.
 */
export function deliveryShardOf(
  n: Pick<Notification, 'tenant' | 'receiver' | 'groupKey'>,
  shards: number,
): number {
  if (shards <= 1) return 0;
  const s = `${n.tenant}\u0000${n.receiver}\u0000${n.groupKey}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/**
 * The prefixes of every shard of every count in `counts` (a count's shards in order, counts ascending,
 * each prefix once): what workers and listings cover.
 */
export function shardPrefixes(
  counts: Iterable<number>,
  prefixOf: (shard: number, shards: number) => string,
): string[] {
  const out = new Set<string>();
  for (const n of [...new Set(counts)].sort((a, b) => a - b)) {
    for (let i = 0; i < n; i++) out.add(prefixOf(i, n));
  }
  return [...out];
}

/** BullMQ keys that exist once a one-shard queue was used (a version before sharding). */
const LEGACY_PARTS = [
  'meta',
  'id',
  'wait',
  'paused',
  'active',
  'prioritized',
  'delayed',
  'failed',
  'completed',
  'events',
];

type ControlClient = Redis | Cluster;

/**
 * Delivery over N BullMQ queues, each under its own hash tag, so a Redis Cluster spreads the delivery
 * load over its masters (`herald.delivery.shards`). A notification goes to the shard of its group
 * (`deliveryShardOf`); counts are summed and dead letters merged over every shard; a dead letter is
 * retried in the shard that holds it.
 *
 * A shard's prefix depends on the count (shard i of N lies in the i-th N-th of the slot space), so a
 * changed count must not strand the jobs of the old one: every count a node enqueues with is added to
 * the shard record in Redis (a small set), and workers and listings cover the shards of every recorded
 * count, while enqueues go to the configured count's only. The record is read again every
 * `refreshIntervalMs`, so a node picks up shards another node added. A queue in front of one shard
 * with nothing recorded writes no record at all (the keys of a Herald before sharding, unchanged).
 */
export class ShardedDeliveryQueue implements BullMqPart {
  private readonly events: DeliveryEvents;
  private readonly log: DeliveryLogger;
  private readonly shards = new Map<string, BullMqPart>();
  /** Shards made and being started (close() closes them too: a start may hang while Redis is down). */
  private readonly starting = new Map<string, BullMqPart>();
  private control?: ControlClient;
  private configured = 0;
  private recorded: number[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;
  private lastErrorLog = 0;

  constructor(private readonly opts: ShardedDeliveryOptions) {
    this.log = opts.logger ?? silentLogger;
    this.events = new DeliveryEvents(this.log);
  }

  /** The shard count this node enqueues with (after `start()`). */
  get shardCount(): number {
    return this.configured;
  }

  /** The prefixes of the shards this node runs (workers, listings), after `start()`. */
  get prefixes(): string[] {
    return [...this.shards.keys()];
  }

  /** The shard counts the record holds (plus this node's), after `start()`. */
  get recordedCounts(): number[] {
    return [...this.recorded];
  }

  /**
   * Connects, resolves the shard count (auto: the masters the client sees), checks the eviction policy
   * on every master, records the count and starts every shard. Rejects while Redis is unreachable.
   */
  async start(): Promise<void> {
    const control = this.opts.connection.queue(`${this.opts.name ?? 'herald'}:delivery-shards`);
    this.control = control;
    control.on('error', (e: Error) => this.logRedisError(e));
    if (control.status === 'wait') await control.connect();
    const masters = control.isCluster ? (control as Cluster).nodes('master').length : 1;
    this.configured = this.opts.shards ?? Math.max(1, Math.min(MAX_SHARDS, masters));
    await checkEvictionPolicy(control, this.log);
    const counts = await this.syncRecord();
    this.log.info(
      {
        shards: this.configured,
        auto: this.opts.shards === undefined,
        masters,
        recorded: counts,
      },
      `delivery sharded over ${this.configured} queue${this.configured === 1 ? '' : 's'}`,
    );
    await this.ensureShards(counts);
    const every = this.opts.refreshIntervalMs ?? 30_000;
    if (every > 0 && !this.closed) {
      this.timer = setInterval(() => void this.refresh(), every);
      this.timer.unref();
    }
  }

  /**
   * Reads the record again and starts the shards of counts other nodes added (what the timer does).
   * Never rejects (a failure is logged; the next turn tries again).
   */
  async refresh(): Promise<void> {
    if (this.closed || !this.control) return;
    try {
      await this.ensureShards(await this.syncRecord());
    } catch (e) {
      this.logRedisError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  async ping(): Promise<void> {
    await Promise.all([this.control?.ping(), ...this.all().map((s) => s.ping())]);
  }

  enqueue(n: Notification, opts?: EnqueueOptions): Promise<EnqueueResult> {
    const prefix = this.opts.prefixOf(deliveryShardOf(n, this.configured), this.configured);
    const shard = this.shards.get(prefix);
    if (!shard) return Promise.reject(new Error('sharded delivery queue not started'));
    return shard.enqueue(n, opts);
  }

  onDelivered: DeliveryQueue['onDelivered'] = (cb) => this.events.onDelivered(cb);

  onDeadLetter: DeliveryQueue['onDeadLetter'] = (cb) => this.events.onDeadLetter(cb);

  async counts(): Promise<DeliveryCounts> {
    const all = await Promise.all(this.all().map((s) => s.counts()));
    const sum: DeliveryCounts = { waiting: 0, active: 0, delayed: 0, dead: 0, completed: 0, dropped: 0 };
    for (const c of all) for (const k of Object.keys(sum) as (keyof DeliveryCounts)[]) sum[k] += c[k];
    return sum;
  }

  /** Every shard's newest `limit`, merged newest first (by failedAt), at most `limit`. */
  async deadLetters(limit = 100, tenant?: string): Promise<DeadLetter[]> {
    const all = await Promise.all(this.all().map((s) => s.deadLetters(limit, tenant)));
    return all
      .flat()
      .sort((a, b) => b.failedAt - a.failedAt)
      .slice(0, limit);
  }

  async deadLetterCount(tenant: string): Promise<number> {
    const all = await Promise.all(this.all().map((s) => s.deadLetterCount(tenant)));
    return all.reduce((a, b) => a + b, 0);
  }

  /** Tried in each shard in turn (a job id lives in one). */
  async retryDeadLetter(id: string, tenant?: string): Promise<boolean> {
    for (const s of this.all()) if (await s.retryDeadLetter(id, tenant)) return true;
    return false;
  }

  async sweepDeadLetters(tenant: string, now?: number): Promise<number> {
    const all = await Promise.all(this.all().map((s) => s.sweepDeadLetters(tenant, now)));
    return all.reduce((a, b) => a + b, 0);
  }

  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([...this.all(), ...this.starting.values()].map((s) => s.close(timeoutMs)));
    this.control?.disconnect();
  }

  private all(): BullMqPart[] {
    return [...this.shards.values()];
  }

  /**
   * Reads the record and adds this node's count to it; returns every count to cover. Nothing recorded
   * and one shard: nothing written (a Herald before sharding, or one that never had more). Nothing
   * recorded and more shards: the one-shard queue is recorded too when its keys exist (jobs of the
   * version before sharding still to drain).
   */
  private async syncRecord(): Promise<number[]> {
    const control = this.control!;
    const key = this.opts.recordKey;
    const recorded = (await control.smembers(key))
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n >= 1 && n <= MAX_SHARDS);
    const add: number[] = [];
    if (recorded.length === 0) {
      if (this.configured === 1) return (this.recorded = [1]);
      const prefix = this.opts.prefixOf(0, 1);
      const q = this.opts.queueName ?? 'delivery';
      if ((await control.exists(...LEGACY_PARTS.map((p) => `${prefix}:${q}:${p}`))) > 0) add.push(1);
    }
    if (!recorded.includes(this.configured)) add.push(this.configured);
    if (add.length) await control.sadd(key, ...add);
    this.recorded = [...new Set([...recorded, ...add])].sort((a, b) => a - b);
    return this.recorded;
  }

  /** Creates and starts the shards of `counts` not running yet (at once); rejects if one fails. */
  private async ensureShards(counts: number[]): Promise<void> {
    const prefixes = shardPrefixes([...counts, this.configured], this.opts.prefixOf);
    const missing = prefixes.filter((p) => !this.shards.has(p) && !this.starting.has(p));
    if (missing.length === 0 || this.closed) return;
    const concurrency = Math.max(1, Math.ceil((this.opts.concurrency ?? 8) / prefixes.length));
    const started = missing.map((bullPrefix) => {
      const shard = this.opts.createShard({ bullPrefix, concurrency, shards: this.configured });
      this.starting.set(bullPrefix, shard);
      return shard
        .start()
        .then(() => {
          if (this.closed) return; // close() closed it
          shard.onDelivered((e) => this.events.delivered.emit(e));
          shard.onDeadLetter((e) => this.events.dead.emit(e));
          this.shards.set(bullPrefix, shard);
        })
        .catch(async (e: unknown) => {
          if (!this.closed) await shard.close(100).catch(() => undefined);
          throw e;
        })
        .finally(() => this.starting.delete(bullPrefix));
    });
    await Promise.all(started);
    if (this.shards.size > 1 && missing.length < prefixes.length) {
      this.log.info({ added: missing, shards: this.shards.size }, 'delivery shards added from the record');
    }
  }

  /** One line per 10 s at most. */
  private logRedisError(e: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.log.warn({ err: e.message, client: 'shards' }, 'delivery shard record Redis error');
  }
}
