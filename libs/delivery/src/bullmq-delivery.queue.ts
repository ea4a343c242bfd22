import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { DeliveryCore, type DeliveryCoreOptions } from './delivery-core';
import { retryDelay } from './delivery-retry';
import {
  deliveryJobId,
  storedNotification,
  type DeadLetter,
  type DeliveryCounts,
  type DeliveryError,
  type DeliveryLogger,
  type DeliveryQueue,
  type EnqueueOptions,
  type EnqueueResult,
  type LegacyNotification,
  type Notification,
} from './notification';
import { RedisRateLimiter } from './rate-limiter';
import { fulfilsWithin } from './timeout';

/** A standalone/Sentinel client or a Redis Cluster one (the commands used here work on both). */
type RedisClient = Redis | Cluster;

/**
 * Makes the adapter's Redis clients from the app's connection settings (URL or Sentinel, auth,
 * timeouts: libs/redis' connection factory). `name` is the client name for CLIENT LIST.
 */
export interface DeliveryConnection {
  /**
   * For enqueues and queue reads: fail fast, so the failover queue can fall back to memory within one
   * timeout — no offline queue, `maxRetriesPerRequest: 0`, a command timeout, RESP2 (BullMQ parses
   * RESP2 replies), `lazyConnect` (BullMQ connects it). What `createFailFastClient` makes.
   */
  queue(name: string): RedisClient;
  /**
   * For the worker (only made when this node runs one): it blocks and must survive reconnects, so
   * `maxRetriesPerRequest: null`, RESP2, `lazyConnect`.
   */
  worker(name: string): RedisClient;
}

/** Options of the BullMQ delivery queue: the delivery core's, plus where and how jobs live in Redis. */
export interface BullMqDeliveryOptions extends Omit<DeliveryCoreOptions, 'limiter'> {
  connection: DeliveryConnection;
  /** Client name prefix shown in CLIENT LIST (`<name>:delivery-queue`, `<name>:delivery-worker`). */
  name?: string;
  /**
   * BullMQ key prefix with its hash tag; keys become `<bullPrefix>:<queueName>:…` (one hash tag:
   * Cluster-safe). Default `{herald}`.
   */
  bullPrefix?: string;
  /**
   * Prefix of the per-receiver token buckets (`<prefix>:<tenant>|<receiver>`, what `RedisKeys.rateLimit`
   * builds). Default `<bullPrefix>:<queueName>:rate`.
   */
  rateLimitPrefix?: string;
  /** Key of a tenant's dead-letter index (`RedisKeys.deadLetterIndex`). Default `<bullPrefix>:<queueName>:dead:<tenant>`. */
  deadLetterIndex?: (tenant: string) => string;
  /** Default `delivery`. */
  queueName?: string;
  /**
   * Check Redis' eviction policy in `start()` (default true; the sharded queue checks every master
   * once instead).
   */
  checkEviction?: boolean;
  /** Run a worker on this node (the delivery role). Default true. */
  worker?: boolean;
  /** Sends in flight at once per node (default 8). */
  concurrency?: number;
  /**
   * How long delivered jobs stay. Default: removed at once — the notification log is written before a
   * job completes, so a late re-enqueue of the same flush finds the log, not the job, and nothing else
   * needs them (kept 24 h they grew Redis by megabytes a minute under group churn).
   */
  keepCompleted?: { ageSec: number; count: number };
  /** Stalled-job lock (ms): a worker that dies mid-send frees its job after this. Default 30 000. */
  lockDuration?: number;
  /**
   * Dead letters are indexed per tenant (`deadLetterIndex`, zset id → failedAt) and
   * removed, job and all, after `retentionMs` or beyond `maxPerTenant` (oldest first). Default 7 days /
   * 10 000.
   */
  deadLetters?: { retentionMs: number; maxPerTenant: number };
}

interface JobData {
  /** A job written before `Notification.log` existed holds a `LegacyNotification`. */
  n: Notification | LegacyNotification;
  /** Integrations that already accepted (never re-sent on retry). */
  done: string[];
  lastError?: DeliveryError;
}

/** A retryable failure; carries the delay the delivery core chose to the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(
    readonly error: DeliveryError,
    readonly delayMs: number,
  ) {
    super(errorMessage(error));
    this.name = 'RetryableDeliveryError';
  }
}

const errorMessage = (e: DeliveryError) => `${e.integration}: ${e.reason}: ${e.message}`;

const JOB_NAME = 'notify';
const BACKOFF_TYPE = 'herald';
/** Dead letters past the retention removed by BullMQ's age per sweep (see `cleanExpired`). */
const DEAD_CLEAN_LIMIT = 1000;

/**
 * Reads `maxmemory-policy` and warns unless it is `noeviction`: with eviction Redis may silently drop
 * queued notifications. On a Cluster every master is read (delivery shards live on all of them).
 * Returns the policy (the first one that is not `noeviction`, if any), or undefined when the server
 * hides CONFIG (managed Redis).
 */
export async function checkEvictionPolicy(
  client: RedisClient,
  log: DeliveryLogger,
): Promise<string | undefined> {
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const policies = await Promise.all(nodes.map((n) => readEvictionPolicy(n)));
  const bad = policies.find((p) => p !== undefined && p !== 'noeviction');
  if (bad !== undefined) {
    log.warn(
      { policy: bad, masters: nodes.length },
      `Redis maxmemory-policy is ${bad}: set it to noeviction, or queued notifications may be evicted`,
    );
    return bad;
  }
  if (policies.length === 0 || policies.some((p) => p === undefined)) {
    log.warn({}, 'cannot read Redis maxmemory-policy: make sure it is noeviction');
    return undefined;
  }
  return policies[0];
}

async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const r = (await client.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    return r[1];
  } catch {
    const info = await client.info('memory').catch(() => '');
    return /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
}

/**
 * The delivery queue shared by all nodes: a BullMQ queue under the hash-tag prefix `{herald}`, job id
 * = `deliveryJobId` (a second enqueue of the same flush is a no-op), retries with the domain backoff
 * (5xx, 429, transport errors), other 4xx → `UnrecoverableError` → the failed set, kept as dead
 * letters with payload and last error. Workers use their own `maxRetriesPerRequest: null` connection.
 * Call `start()` before use; it fails while Redis is unreachable.
 */
/**
 * How long (s) an idle worker blocks on its queue's marker before looking again (a BZPOPMIN and the
 * moveToActive script: 7 commands per look). A new job, or a delayed one coming due, ends the wait at
 * once, so this only sets what an idle worker costs: BullMQ's ceiling for a blocking wait (10 s) instead
 * of its default 5. BullMQ's watchdog on the wait fires a second after it: a worker closed while Redis
 * is away keeps that one timer until then.
 */
export const WORKER_DRAIN_DELAY_S = 10;

export class BullMqDeliveryQueue implements DeliveryQueue {
  private readonly queueClient: RedisClient;
  private workerClient?: RedisClient;
  private readonly queue: Queue<JobData>;
  private worker?: Worker<JobData>;
  private readonly core: DeliveryCore;
  private readonly log: DeliveryLogger;
  private lastErrorLog = 0;
  /** When `cleanExpired` last ran BullMQ's clean (wall-clock ms). */
  private cleanedAt = -Infinity;
  /** The BullMQ key prefix, e.g. `{herald}`. */
  readonly bullPrefix: string;
  readonly queueName: string;
  private readonly name: string;
  /** Token buckets on the worker's client (made in start(): only a worker sends). */
  private rateLimiter?: RedisRateLimiter;
  /** Stalls this node's check found and is still recording, by job id (see the 'stalled' listener). */
  private readonly stallRecords = new Map<string, Promise<void>>();

  constructor(private readonly opts: BullMqDeliveryOptions) {
    this.core = new DeliveryCore({
      ...opts,
      limiter: { take: (key, limit, now) => this.rateLimiter!.take(key, limit, now) },
    });
    this.log = this.core.log;
    this.bullPrefix = opts.bullPrefix ?? '{herald}';
    this.queueName = opts.queueName ?? 'delivery';
    this.name = opts.name ?? 'herald';
    this.queueClient = opts.connection.queue(`${this.name}:delivery-queue`);
    this.queueClient.on('error', (e) => this.logRedisError('queue', e));
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
    if (this.opts.checkEviction !== false) await checkEvictionPolicy(this.queueClient, this.log);
    if (this.opts.worker === false || this.worker) return;
    this.workerClient = this.opts.connection.worker(`${this.name}:delivery-worker`);
    this.workerClient.on('error', (e) => this.logRedisError('worker', e));
    this.rateLimiter = new RedisRateLimiter(
      this.workerClient,
      this.opts.rateLimitPrefix ?? `${this.bullPrefix}:${this.queueName}:rate`,
      this.core.clock,
    );
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
      drainDelay: WORKER_DRAIN_DELAY_S,
      removeOnComplete: this.removeOnComplete,
      settings: {
        // The delivery core chose the delay (backoff or Retry-After); anything else thrown gets the backoff.
        backoffStrategy: (attemptsMade, _type, err) =>
          err instanceof RetryableDeliveryError ? err.delayMs : retryDelay(this.core.retry, attemptsMade),
      },
    });
    this.worker.on('error', (e) => this.logRedisError('worker', e));
    this.worker.on('failed', (job, err) => {
      if (job) void this.afterFailure(job, err);
    });
    // Whichever node's stalled check finds it: the job's worker stopped mid-attempt (see above). The
    // check has put the job back in the queue already, so this node's worker may take it again while the
    // record still reads the job: `process` waits for the record first, or the history would list the
    // stall after the re-run's outcome. A re-run on another node is not held up (one round trip of a
    // rare event can still put its outcome first there; the group's newest entry then stays the outcome,
    // see history-last-1.lua).
    this.worker.on('stalled', (jobId) => {
      const recording: Promise<void> = this.afterStall(jobId).finally(() => {
        if (this.stallRecords.get(jobId) === recording) this.stallRecords.delete(jobId);
      });
      this.stallRecords.set(jobId, recording);
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

  enqueue(n: Notification, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    return this.add(n, opts, false);
  }

  private async add(n: Notification, opts: EnqueueOptions, retried: boolean): Promise<EnqueueResult> {
    const id = deliveryJobId(n);
    // BullMQ's add ignores an existing id without saying so (a no-op but for a 'duplicated' event): ask
    // whether the job exists in the same write as the add, on the same connection, so Redis answers
    // before the add runs — one round trip per notification, not two. Two nodes racing here both see
    // "queued", yet only one job exists: the id makes the add itself idempotent.
    // -1: the lookup failed where the add did not — the job is there, but whose it is is not known.
    const existed = this.queueClient.exists(this.queue.toKey(id)).catch(() => -1);
    await this.queue.add(
      JOB_NAME,
      { n, done: [...(opts.delivered ?? [])] },
      {
        jobId: id,
        delay: opts.delayMs && opts.delayMs > 0 ? Math.round(opts.delayMs) : undefined,
        attempts: this.core.retry.maxAttempts,
        backoff: { type: BACKOFF_TYPE },
        // Dead letters are kept for the retention (swept per tenant); twice that is the net for jobs
        // whose index is gone.
        removeOnFail: { age: Math.ceil((2 * this.deadRetention) / 1000) },
        removeOnComplete: this.removeOnComplete,
      },
    );
    if ((await existed) !== 0) {
      const job = await this.queue.getJob(id);
      // Removed since (completed, or a dead letter swept): enqueue afresh, as a look before the add
      // would have — the send-time log check drops a notification already delivered.
      if (!job) return retried ? { id, status: 'queued' } : this.add(n, opts, true);
      const state = await job.getState();
      return { id, status: 'duplicate', delivered: state === 'completed', dead: state === 'failed' };
    }
    return { id, status: 'queued' };
  }

  onDelivered: DeliveryQueue['onDelivered'] = (cb) => this.core.events.onDelivered(cb);

  onDeadLetter: DeliveryQueue['onDeadLetter'] = (cb) => this.core.events.onDeadLetter(cb);

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
  async sweepDeadLetters(tenant: string, now = this.core.clock.now()): Promise<number> {
    const key = this.deadIndexKey(tenant);
    const expired = await this.queueClient.zrangebyscore(key, '-inf', now - this.deadRetention);
    for (const id of expired) {
      const job = await this.queue.getJob(id);
      if (job && (await job.getState()) === 'failed') await job.remove();
    }
    if (expired.length) await this.queueClient.zrem(key, ...expired);
    await this.cleanExpired();
    return expired.length;
  }

  /**
   * Dead letters past the retention that no tenant index names any more go too, by BullMQ's own age
   * (the failed set is scored by when a job failed): an index lapses 2 × the retention after its newest
   * entry, so with no sweep in between (a retention shorter than the sweep period, or a tenant gone from
   * the config) its old jobs stayed in the failed set until BullMQ's lazy removeOnFail. Bounded per call,
   * and once per `min(retention, 10 s)` at most (the periodic sweep calls it per tenant; each call also
   * adds a `cleaned` event to BullMQ's stream); the next sweep or dead letter takes the rest.
   */
  private async cleanExpired(): Promise<void> {
    const now = Date.now(); // BullMQ's clean measures the age by the wall clock too
    if (now - this.cleanedAt < Math.min(this.deadRetention, 10_000)) return;
    this.cleanedAt = now;
    await this.queue.clean(this.deadRetention, DEAD_CLEAN_LIMIT, 'failed');
  }

  private get deadRetention(): number {
    return this.opts.deadLetters?.retentionMs ?? 7 * 24 * 3600_000;
  }

  /** The per-tenant dead-letter index (same hash tag as BullMQ's keys). */
  deadIndexKey(tenant: string): string {
    return this.opts.deadLetterIndex?.(tenant) ?? `${this.bullPrefix}:${this.queueName}:dead:${tenant}`;
  }

  /**
   * Indexes a new dead letter under its tenant and applies retention there: dead letters older than
   * the retention, or beyond the per-tenant bound (oldest first), are removed with their jobs.
   */
  private async indexDead(d: DeadLetter): Promise<void> {
    const retention = this.deadRetention;
    const max = this.opts.deadLetters?.maxPerTenant ?? 10_000;
    const key = this.deadIndexKey(d.notification.tenant);
    const now = this.core.clock.now();
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
    await this.cleanExpired();
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
    const graceful = Promise.all([this.worker?.close(), this.queue.close()]);
    if (!(await fulfilsWithin(graceful, timeoutMs))) {
      this.core.abortSends();
      this.log.warn({ timeoutMs }, 'delivery queue did not close in time: in-flight sends aborted');
      void this.worker?.close(true).catch(() => undefined);
      this.stopWorkerTimers();
    }
    this.queueClient.disconnect();
    this.workerClient?.disconnect();
  }

  /**
   * A forced close while Redis is down does not stop the worker: BullMQ hands back the graceful close
   * still pending (it waits on jobs whose completion needs Redis), so its lock-renewal timer re-arms
   * forever and the stalled check runs on, keeping the process alive. Stop both (bullmq 6 internals:
   * `lockManager.close()` only clears its timer; `stalledCheckStopper` clears the other).
   */
  private stopWorkerTimers(): void {
    const w = this.worker as unknown as
      { lockManager?: { close(): Promise<void> }; stalledCheckStopper?: () => void } | undefined;
    void w?.lockManager?.close().catch(() => undefined);
    w?.stalledCheckStopper?.();
  }

  /** One turn of the delivery core; this adapter only maps its outcome to BullMQ job states. */
  private async process(job: Job<JobData>, token?: string): Promise<void> {
    const stall = job.id === undefined ? undefined : this.stallRecords.get(job.id);
    if (stall) await stall; // the stall this node found is recorded before the attempt runs again
    const n = storedNotification(job.data.n);
    const o = await this.core.deliver({
      n,
      done: job.data.done ?? [],
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts,
    });
    switch (o.kind) {
      case 'superseded':
        return;
      case 'rate-limited':
        // Waiting for a token is not a failed attempt: park the job without touching its budget.
        await job.moveToDelayed(this.core.clock.now() + o.waitMs, token);
        throw new DelayedError();
      case 'delivered':
        return this.core.delivered(job.id ?? deliveryJobId(n), n, o.attempts, 'bullmq');
      case 'retry':
        await job.updateData({ n, done: o.done, lastError: o.error });
        throw new RetryableDeliveryError(o.error, o.delayMs);
      case 'dead':
        await job.updateData({ n, done: o.done, lastError: o.error });
        throw new UnrecoverableError(errorMessage(o.error));
    }
  }

  private async afterFailure(job: Job<JobData>, err: Error): Promise<void> {
    try {
      // 'failed' fires for every failed attempt; only the last one makes a dead letter.
      if ((await job.getState()) !== 'failed') return;
      const d = this.toDeadLetter(job);
      await this.indexDead(d);
      await this.core.dead(d);
    } catch (e) {
      this.log.warn({ err: String(e), cause: err.message }, 'cannot inspect failed delivery job');
    }
  }

  /** A stalled job goes into the notification history (its attempt runs again) and the log. */
  private async afterStall(id: string): Promise<void> {
    try {
      const job = (await this.queue.getJob(id)) as Job<JobData> | undefined;
      if (!job) return; // removed meanwhile (over its stall budget, and removed on failure)
      const n = storedNotification(job.data.n);
      this.log.warn(
        { job: id, tenant: n.tenant, receiver: n.receiver, attempt: job.attemptsMade + 1 },
        'delivery job stalled (the node sending it stopped before it finished): it runs again',
      );
      this.core.stalled({ n, done: job.data.done ?? [], attemptsMade: job.attemptsMade });
    } catch (e) {
      this.log.warn({ err: String(e), job: id }, 'cannot inspect stalled delivery job');
    }
  }

  private toDeadLetter(j: Job<JobData>): DeadLetter {
    const n = storedNotification(j.data.n);
    const now = () => this.core.clock.now();
    return {
      id: j.id ?? deliveryJobId(n),
      notification: n,
      attempts: j.attemptsMade,
      lastError: j.data.lastError ?? {
        integration: '-',
        reason: 'other',
        message: j.failedReason ?? 'unknown',
        at: j.finishedOn ?? now(),
      },
      delivered: j.data.done ?? [],
      failedAt: j.finishedOn ?? j.processedOn ?? now(),
      via: 'bullmq',
    };
  }

  /** One line per 10 s at most: a Redis outage makes every client retry many times a second. */
  private logRedisError(what: string, e: Error): void {
    const now = this.core.clock.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.log.warn({ err: e.message, client: what }, 'delivery queue Redis error');
  }
}
