import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { retryDelay, retryOptions, type DeliveryRetryOptions } from './delivery-retry';
import {
  deliveryJobId,
  describe,
  isSuperseded,
  Listeners,
  silentLogger,
  type DeadLetter,
  type DeadLetterEvent,
  type DeliveredEvent,
  type DeliveryCounts,
  type DeliveryError,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type Notification,
  type SupersededCheck,
} from './notification';
import { RedisRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter';
import { dispatch, type IntegrationResolver } from './receiver';

/** How to reach Redis for delivery (the same shape as `@herald/redis`'s connection options). */
export interface DeliveryRedisOptions {
  url?: string;
  sentinel?: { masterName: string; sentinels: string[]; password?: string; sentinelPassword?: string };
  /** Enqueue and queue reads fail after this long instead of waiting (ms, default 1000). */
  commandTimeout?: number;
  connectTimeout?: number;
  /** Client name prefix shown in CLIENT LIST. */
  name?: string;
}

/** Options of the BullMQ delivery queue. */
export interface BullMqDeliveryOptions {
  redis: DeliveryRedisOptions;
  resolve: IntegrationResolver;
  /** Key prefix; BullMQ keys become `{<prefix>}:<queueName>:…` (one hash tag: Cluster-safe). Default `herald`. */
  prefix?: string;
  /** Default `delivery`. */
  queueName?: string;
  retry?: Partial<DeliveryRetryOptions>;
  /** Run a worker on this node (the delivery role). Default true. */
  worker?: boolean;
  /** Sends in flight at once per node (default 8). */
  concurrency?: number;
  /** Per-receiver rate limit (a token bucket in Redis shared by all nodes); undefined = unlimited. */
  rateLimit?: (tenant: string, receiver: string) => RateLimit | undefined;
  /**
   * How long delivered jobs stay. Default: removed at once — the notification log is written before a
   * job completes, so a late re-enqueue of the same flush finds the log, not the job, and nothing else
   * needs them (kept 24 h they grew Redis by megabytes a minute under group churn).
   */
  keepCompleted?: { ageSec: number; count: number };
  /** Stalled-job lock (ms): a worker that dies mid-send frees its job after this. Default 30 000. */
  lockDuration?: number;
  /** Dedup right before the send: a superseded job completes without sending. */
  superseded?: SupersededCheck;
  /**
   * Dead letters are indexed per tenant (`{<prefix>}:<queue>:dead:<tenant>`, zset id → failedAt) and
   * removed, job and all, after `retentionMs` or beyond `maxPerTenant` (oldest first). Default 7 days /
   * 10 000.
   */
  deadLetters?: { retentionMs: number; maxPerTenant: number };
  logger?: DeliveryLogger;
}

interface JobData {
  n: Notification;
  /** Integrations that already accepted (never re-sent on retry). */
  done: string[];
  lastError?: DeliveryError;
}

/** A retryable failure; carries the receiver's `Retry-After` to the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(
    readonly error: DeliveryError,
    readonly retryAfterMs?: number,
  ) {
    super(`${error.integration}: ${error.reason}: ${error.message}`);
    this.name = 'RetryableDeliveryError';
  }
}

const JOB_NAME = 'notify';
const BACKOFF_TYPE = 'herald';

function baseRedisOptions(o: DeliveryRedisOptions): RedisOptions {
  return {
    connectTimeout: o.connectTimeout ?? 2000,
    // BullMQ's replies are parsed for RESP2; ioredis 6 defaults to RESP3.
    protocol: 2,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  };
}

function newClient(o: DeliveryRedisOptions, extra: RedisOptions): Redis {
  const opts = { ...baseRedisOptions(o), ...extra };
  if (o.sentinel) {
    return new Redis({
      ...opts,
      name: o.sentinel.masterName,
      sentinels: o.sentinel.sentinels.map((s) => {
        const i = s.lastIndexOf(':');
        return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
      }),
      password: o.sentinel.password,
      sentinelPassword: o.sentinel.sentinelPassword,
    });
  }
  if (!o.url) throw new Error('delivery Redis needs a url or a sentinel configuration');
  return new Redis(o.url, opts);
}

/**
 * Reads `maxmemory-policy` and warns unless it is `noeviction`: with eviction Redis may silently drop
 * queued notifications. Returns the policy, or undefined when the server hides CONFIG (managed Redis).
 */
export async function checkEvictionPolicy(client: Redis, log: DeliveryLogger): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const r = (await client.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    policy = r[1];
  } catch {
    const info = await client.info('memory').catch(() => '');
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy === undefined) log.warn({}, 'cannot read Redis maxmemory-policy: make sure it is noeviction');
  else if (policy !== 'noeviction') {
    log.warn(
      { policy },
      `Redis maxmemory-policy is ${policy}: set it to noeviction, or queued notifications may be evicted`,
    );
  }
  return policy;
}

/**
 * The delivery queue shared by all nodes: a BullMQ queue under the hash-tag prefix `{herald}`, job id
 * = `deliveryJobId` (a second enqueue of the same flush is a no-op), retries with the domain backoff
 * (5xx, 429, transport errors), other 4xx → `UnrecoverableError` → the failed set, kept as dead
 * letters with payload and last error. Workers use their own `maxRetriesPerRequest: null` connection.
 * Call `start()` before use; it fails while Redis is unreachable.
 */
export class BullMqDeliveryQueue implements DeliveryQueue {
  private readonly queueClient: Redis;
  private readonly workerClient: Redis;
  private readonly queue: Queue<JobData>;
  private worker?: Worker<JobData>;
  private readonly retry: DeliveryRetryOptions;
  private readonly limiter: RateLimiter;
  private readonly log: DeliveryLogger;
  private readonly deliveredL: Listeners<DeliveredEvent>;
  private readonly deadL: Listeners<DeadLetterEvent>;
  private readonly abort = new AbortController();
  private lastErrorLog = 0;
  /** The BullMQ key prefix, e.g. `{herald}`. */
  readonly bullPrefix: string;
  readonly queueName: string;

  constructor(private readonly opts: BullMqDeliveryOptions) {
    this.retry = retryOptions(opts.retry);
    this.log = opts.logger ?? silentLogger;
    this.deliveredL = new Listeners(this.log, 'onDelivered');
    this.deadL = new Listeners(this.log, 'onDeadLetter');
    this.bullPrefix = `{${opts.prefix ?? 'herald'}}`;
    this.queueName = opts.queueName ?? 'delivery';
    const name = opts.redis.name ?? 'herald';
    // Fail fast on the enqueue path, so the failover queue can fall back to memory within one timeout.
    this.queueClient = newClient(opts.redis, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.redis.commandTimeout ?? 1000,
      connectionName: `${name}:delivery-queue`,
    });
    // BullMQ workers need maxRetriesPerRequest null (they block and must survive reconnects).
    this.workerClient = newClient(opts.redis, {
      maxRetriesPerRequest: null,
      connectionName: `${name}:delivery-worker`,
    });
    this.queueClient.on('error', (e) => this.logRedisError('queue', e));
    this.workerClient.on('error', (e) => this.logRedisError('worker', e));
    this.limiter = new RedisRateLimiter(this.workerClient, `${this.bullPrefix}:${this.queueName}:rate`);
    this.queue = new Queue<JobData>(this.queueName, {
      connection: this.queueClient,
      prefix: this.bullPrefix,
      skipWaitingForReady: false,
    });
    this.queue.on('error', (e) => this.logRedisError('queue', e));
  }

  /** Connects, checks the eviction policy and starts the worker. Rejects while Redis is unreachable. */
  async start(): Promise<void> {
    await this.queue.waitUntilReady(); // BullMQ connects the (lazy) client itself
    await checkEvictionPolicy(this.queueClient, this.log);
    if (this.opts.worker === false || this.worker) return;
    this.worker = new Worker<JobData>(this.queueName, (job, token) => this.process(job, token), {
      connection: this.workerClient,
      prefix: this.bullPrefix,
      concurrency: this.opts.concurrency ?? 8,
      autorun: true,
      lockDuration: this.opts.lockDuration ?? 30_000,
      // A job whose worker died (SIGKILL mid-send) must run again on another node, not be failed:
      // check for stalled jobs as often as a lock can lapse, and allow several stalls per job. The
      // re-send carries the same Idempotency-Key, and its success writes the notification log.
      stalledInterval: this.opts.lockDuration ?? 30_000,
      maxStalledCount: 10,
      removeOnComplete: this.removeOnComplete,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          retryDelay(
            this.retry,
            attemptsMade,
            err instanceof RetryableDeliveryError ? err.retryAfterMs : undefined,
          ),
      },
    });
    this.worker.on('error', (e) => this.logRedisError('worker', e));
    this.worker.on('failed', (job, err) => {
      if (job) void this.afterFailure(job, err);
    });
  }

  private get removeOnComplete(): { age?: number; count: number } {
    const k = this.opts.keepCompleted;
    return k ? { age: k.ageSec, count: k.count } : { count: 0 };
  }

  /** A cheap round trip: resolves when Redis answers. */
  async ping(): Promise<void> {
    await this.queueClient.ping();
  }

  async enqueue(n: Notification, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const id = deliveryJobId(n);
    // BullMQ's add ignores an existing id without saying so; look first to tell the caller. Two nodes
    // racing here both see "queued", yet only one job exists: the id makes the add itself idempotent.
    const existing = await this.queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      return { id, status: 'duplicate', delivered: state === 'completed', dead: state === 'failed' };
    }
    await this.queue.add(
      JOB_NAME,
      { n, done: [...(opts.delivered ?? [])] },
      {
        jobId: id,
        delay: opts.delayMs && opts.delayMs > 0 ? Math.round(opts.delayMs) : undefined,
        attempts: this.retry.maxAttempts,
        backoff: { type: BACKOFF_TYPE },
        // Dead letters are kept for the retention (swept per tenant); twice that is the net for jobs
        // whose index is gone.
        removeOnFail: { age: Math.ceil((2 * this.deadRetention) / 1000) },
        removeOnComplete: this.removeOnComplete,
      },
    );
    return { id, status: 'queued' };
  }

  onDelivered(cb: (e: DeliveredEvent) => void | Promise<void>): () => void {
    return this.deliveredL.add(cb);
  }

  onDeadLetter(cb: (e: DeadLetterEvent) => void | Promise<void>): () => void {
    return this.deadL.add(cb);
  }

  async counts(): Promise<DeliveryCounts> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
      'completed',
    );
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      dead: c.failed ?? 0,
      completed: c.completed ?? 0,
      dropped: 0,
    };
  }

  async deadLetters(limit = 100, tenant?: string): Promise<DeadLetter[]> {
    if (tenant === undefined) {
      const jobs = (await this.queue.getFailed(0, Math.max(0, limit - 1))) as Job<JobData>[];
      return jobs.filter(Boolean).map((j) => this.toDeadLetter(j));
    }
    const key = this.deadIndexKey(tenant);
    const ids = await this.queueClient.zrevrange(key, 0, Math.max(0, limit - 1));
    const jobs = await Promise.all(
      ids.map((id) => this.queue.getJob(id) as Promise<Job<JobData> | undefined>),
    );
    const out: DeadLetter[] = [];
    const stale: string[] = [];
    const states = await Promise.all(jobs.map((j) => j?.getState()));
    jobs.forEach((j, i) =>
      j && states[i] === 'failed' ? out.push(this.toDeadLetter(j)) : stale.push(ids[i]),
    );
    // Retried by hand elsewhere (heraldctl) or removed: the index follows the queue.
    if (stale.length) await this.queueClient.zrem(key, ...stale);
    return out;
  }

  deadLetterCount(tenant: string): Promise<number> {
    return this.queueClient.zcard(this.deadIndexKey(tenant));
  }

  async retryDeadLetter(id: string, tenant?: string): Promise<boolean> {
    if (tenant !== undefined && (await this.queueClient.zscore(this.deadIndexKey(tenant), id)) === null) {
      return false;
    }
    const job = (await this.queue.getJob(id)) as Job<JobData> | undefined;
    if (!job || (await job.getState()) !== 'failed') return false;
    if (tenant !== undefined && job.data.n.tenant !== tenant) return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await this.queueClient.zrem(this.deadIndexKey(job.data.n.tenant), id);
    return true;
  }

  /**
   * Removes a tenant's dead letters older than the retention (jobs and index entries). Run periodically
   * for every configured tenant (a new dead letter also sweeps its tenant); idempotent on every node.
   */
  async sweepDeadLetters(tenant: string, now = Date.now()): Promise<number> {
    const key = this.deadIndexKey(tenant);
    const expired = await this.queueClient.zrangebyscore(key, '-inf', now - this.deadRetention);
    for (const id of expired) {
      const job = await this.queue.getJob(id);
      if (job && (await job.getState()) === 'failed') await job.remove();
    }
    if (expired.length) await this.queueClient.zrem(key, ...expired);
    return expired.length;
  }

  private get deadRetention(): number {
    return this.opts.deadLetters?.retentionMs ?? 7 * 24 * 3600_000;
  }

  /** The per-tenant dead-letter index (same hash tag as BullMQ's keys). */
  deadIndexKey(tenant: string): string {
    return `${this.bullPrefix}:${this.queueName}:dead:${tenant}`;
  }

  /**
   * Indexes a new dead letter under its tenant and applies retention there: dead letters older than
   * the retention, or beyond the per-tenant bound (oldest first), are removed with their jobs.
   */
  private async indexDead(d: DeadLetter): Promise<void> {
    const retention = this.deadRetention;
    const max = this.opts.deadLetters?.maxPerTenant ?? 10_000;
    const key = this.deadIndexKey(d.notification.tenant);
    const now = Date.now();
    // The index outlives its newest entry's retention (a net if the tenant leaves the config; BullMQ's
    // own removeOnFail age is the net for the jobs).
    const [, , expired, card] = (await this.queueClient
      .multi()
      .zadd(key, d.failedAt, d.id)
      .pexpire(key, 2 * retention)
      .zrangebyscore(key, '-inf', now - retention)
      .zcard(key)
      .exec())!.map(([err, v]) => {
      if (err) throw err;
      return v;
    }) as [unknown, unknown, string[], number];
    const over = card - expired.length - max;
    const evict =
      over > 0
        ? await this.queueClient.zrange(key, String(expired.length), String(expired.length + over - 1))
        : [];
    const gone = [...expired, ...evict];
    if (gone.length === 0) return;
    for (const id of gone) {
      const job = await this.queue.getJob(id);
      if (job && (await job.getState()) === 'failed') await job.remove();
    }
    await this.queueClient.zrem(key, ...gone);
    if (evict.length) {
      this.log.warn(
        { tenant: d.notification.tenant, evicted: evict.length, maxPerTenant: max },
        'dead letters over the per-tenant bound: oldest removed',
      );
    }
  }

  /**
   * Closes the worker and the queue, bounded: `worker.close()` waits for jobs in flight and hangs while
   * Redis is down, so after `timeoutMs` sends are aborted and the connections dropped.
   */
  async close(timeoutMs = 5000): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    const graceful = Promise.all([this.worker?.close(), this.queue.close()]).then(
      () => true,
      () => false,
    );
    const ok = await Promise.race([
      graceful,
      new Promise<false>((r) => (t = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(t);
    if (!ok) {
      this.abort.abort();
      this.log.warn({ timeoutMs }, 'delivery queue did not close in time: in-flight sends aborted');
      void this.worker?.close(true).catch(() => undefined);
    }
    this.queueClient.disconnect();
    this.workerClient.disconnect();
  }

  private async process(job: Job<JobData>, token?: string): Promise<void> {
    const { n, done } = job.data;
    if (await isSuperseded(this.opts.superseded, n, this.log)) return;
    const limit = this.opts.rateLimit?.(n.tenant, n.receiver);
    if (limit) {
      const wait = await this.limiter.take(`${n.tenant}|${n.receiver}`, limit);
      if (wait > 0) {
        // Waiting for a token is not a failed attempt: park the job without touching its budget.
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }
    const r = await dispatch(n, this.opts.resolve(n.tenant, n.receiver), done, this.abort.signal);
    if (r.kind !== 'ok') await job.updateData({ n, done: r.done, lastError: r.error });
    switch (r.kind) {
      case 'ok':
        await this.deliveredL.emit({
          id: job.id ?? deliveryJobId(n),
          notification: n,
          attempts: job.attemptsMade + 1,
          via: 'bullmq',
          deliveredAt: Date.now(),
        });
        return;
      case 'retry':
        throw new RetryableDeliveryError(r.error, r.retryAfterMs);
      case 'give-up':
        throw new UnrecoverableError(`${r.error.integration}: ${r.error.reason}: ${r.error.message}`);
    }
  }

  private async afterFailure(job: Job<JobData>, err: Error): Promise<void> {
    try {
      // 'failed' fires for every failed attempt; only the last one makes a dead letter.
      if ((await job.getState()) !== 'failed') return;
      const d = this.toDeadLetter(job);
      await this.indexDead(d);
      this.log.warn(
        { ...describe(job.data.n), id: d.id, attempts: d.attempts, error: d.lastError },
        'dead letter',
      );
      await this.deadL.emit({ deadLetter: d });
    } catch (e) {
      this.log.warn({ err: String(e), cause: err.message }, 'cannot inspect failed delivery job');
    }
  }

  private toDeadLetter(j: Job<JobData>): DeadLetter {
    return {
      id: j.id ?? deliveryJobId(j.data.n),
      notification: j.data.n,
      attempts: j.attemptsMade,
      lastError: j.data.lastError ?? {
        integration: '-',
        reason: 'other',
        message: j.failedReason ?? 'unknown',
        at: j.finishedOn ?? Date.now(),
      },
      delivered: j.data.done ?? [],
      failedAt: j.finishedOn ?? j.processedOn ?? Date.now(),
      via: 'bullmq',
    };
  }

  /** One line per 10 s at most: a Redis outage makes every client retry many times a second. */
  private logRedisError(what: string, e: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.log.warn({ err: e.message, client: what }, 'delivery queue Redis error');
  }
}
