import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { systemClock, type FlushStore, type GroupStore } from '@herald/domain';
import {
  BullMqDeliveryQueue,
  buildReceivers,
  FailoverDeliveryQueue,
  MemoryDeliveryQueue,
  receiverSendsResolved,
  type DeliveryLogger,
  type DeliveryQueue,
  type JsonValue,
  type Notification,
} from '@herald/delivery';
import { LockManager, LockNotAcquiredError, LockKeys, RedisLockBackend } from '@herald/locks';
import { FailoverFlushStore, RedisFlushStore, RedisKeys } from '@herald/redis';
import type { HeraldMetrics } from '@herald/observability';
import { DeliveryRef, HERALD_METRICS } from '../metrics/metrics.tokens';
import { GROUP_STORE, REDIS_CLIENT, STORE_HANDLES, type StoreHandles } from '../store/group-store.module';
import { FlushRunner, type OutgoingNotification, type RunnerReceiver } from './flush-runner';

/** The group lock outlives a slow flush by far; the watchdog extends it while the flush runs. */
const LOCK_TTL_MS = 15_000;

function deliveryLogger(log: Logger): DeliveryLogger {
  const fmt = (obj: object, msg: string) => `${msg} ${JSON.stringify(obj)}`;
  return {
    info: (o, m) => log.log(fmt(o, m)),
    warn: (o, m) => log.warn(fmt(o, m)),
    error: (o, m) => log.error(fmt(o, m)),
  };
}

/**
 * Flushing and delivery on this node: every node runs the scheduler (claims make each flush happen on
 * exactly one of them) and a delivery worker. Redis mode: Redis flush store + group locks + BullMQ, each
 * falling back to memory with the group store; memory mode: everything in process.
 */
@Injectable()
export class FlushScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Flush');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private lastSweep = 0;
  private delivery!: DeliveryQueue;

  /** The delivery queue of this node (dead letters for the admin API). */
  get deliveryQueue(): DeliveryQueue {
    return this.delivery;
  }
  private runner!: FlushRunner;
  private locks: LockManager | null = null;
  private flush!: FlushStore;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(GROUP_STORE) private readonly groups: GroupStore,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(STORE_HANDLES) private readonly handles: StoreHandles,
    // observability (issue 7): metrics hooks and the queue for /metrics and /health/ready
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics,
    @Optional() private readonly deliveryRef?: DeliveryRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.config;
    const h = cfg.herald;
    const built = buildReceivers(cfg.receivers, cfg.global, { userAgent: 'Herald/0.1.0' });
    for (const w of built.warnings) this.log.warn(w);
    const logger = deliveryLogger(new Logger('Delivery'));
    const retry = { maxAttempts: h.delivery.attempts };
    const limits = h.delivery.rateLimits;
    const rateLimit = (_tenant: string, receiver: string) => {
      const l = limits[receiver] ?? limits['*'];
      return l ? { max: l.max, durationMs: l.per } : undefined;
    };
    // The runner exists by the time a worker sends anything (built below, before the first tick).
    const superseded = async (n: Notification): Promise<boolean> => {
      const hit = await this.runner.superseded(n.meta as unknown as OutgoingNotification);
      if (hit) this.metrics?.notifications.inc({ receiver: n.receiver, outcome: 'superseded', reason: '' });
      return hit;
    };
    const memory = new MemoryDeliveryQueue({
      resolve: built.resolve,
      logger,
      retry,
      concurrency: h.delivery.concurrency,
      maxItems: h.delivery.memoryMaxItems,
      superseded,
      maxDeadLetters: Math.min(h.delivery.deadLetterMax, 1000),
      rateLimit,
    });
    const r = h.redis;
    if (this.redis && r.mode !== 'memory') {
      const keys = new RedisKeys(r.keyPrefix, r.dueBuckets);
      this.flush = new FailoverFlushStore(
        new RedisFlushStore(this.redis, keys, { keyTtl: h.retention }),
        this.handles.memoryFlush,
        this.handles.mode!,
        { clock: systemClock, nodeId: h.nodeId },
      );
      this.locks = new LockManager(new RedisLockBackend(this.redis), { metrics: this.metrics?.lockHooks() });
      const redisOpts =
        r.mode === 'single'
          ? { url: r.url }
          : {
              sentinel: {
                masterName: r.sentinel.masterName,
                sentinels: r.sentinel.sentinels.map((s) => `${s.host}:${s.port}`),
                password: r.sentinel.password,
                sentinelPassword: r.sentinel.sentinelPassword,
              },
            };
      const failover = new FailoverDeliveryQueue({
        createBullMq: () =>
          new BullMqDeliveryQueue({
            redis: {
              ...redisOpts,
              commandTimeout: r.commandTimeout,
              connectTimeout: r.connectTimeout,
              name: h.nodeId,
            },
            resolve: built.resolve,
            prefix: r.keyPrefix,
            logger,
            retry,
            concurrency: h.delivery.concurrency,
            lockDuration: h.delivery.stalledTimeout,
            rateLimit,
            deadLetters: {
              retentionMs: h.delivery.deadLetterRetention,
              maxPerTenant: h.delivery.deadLetterMax,
            },
            superseded,
          }),
        memory,
        logger,
      });
      await failover.start();
      this.delivery = failover;
    } else {
      this.flush = this.handles.memoryFlush;
      this.delivery = memory;
    }
    const lockKeys = new LockKeys(r.keyPrefix);
    const receivers = new Map<string, RunnerReceiver>();
    for (const rc of cfg.receivers) {
      const webhook = rc.webhookConfigs[0];
      receivers.set(rc.name, {
        name: rc.name,
        sendResolved: receiverSendsResolved(rc),
        maxAlerts: typeof webhook?.max_alerts === 'number' ? webhook.max_alerts : 0,
        deliverable: (built.byName.get(rc.name)?.length ?? 0) > 0,
        unsupported: rc.unsupportedKinds,
      });
    }
    this.runner = new FlushRunner(
      this.groups,
      this.flush,
      {
        enqueue: async (n) => {
          const res = await this.delivery.enqueue({
            tenant: n.tenant,
            receiver: n.receiver,
            groupKey: n.groupKey,
            groupId: n.groupId,
            state: n.state,
            seq: n.seq,
            payload: n.payload,
            idempotencyKey: n.idempotencyKey,
            meta: n as unknown as JsonValue,
          });
          if (res.status !== 'duplicate') return res.status === 'queued' ? 'queued' : 'pending';
          return res.delivered ? 'delivered' : res.dead ? 'dead' : 'pending';
        },
      },
      async (tenant, groupId, fn) => {
        if (!this.locks || this.handles.mode?.degraded) {
          await fn(); // one process: the claim is exclusive already
          return true;
        }
        try {
          await this.locks.using(lockKeys.group(tenant, groupId), LOCK_TTL_MS, () => fn(), { waitMs: 0 });
          return true;
        } catch (e) {
          if (e instanceof LockNotAcquiredError) return false;
          throw e;
        }
      },
      systemClock,
      {
        nodeId: h.nodeId,
        externalURL: h.externalUrl,
        leaseMs: h.scheduler.lease,
        claimLimit: h.scheduler.claimBatch,
        concurrency: h.scheduler.concurrency,
        receivers,
        onError: (entry, e) =>
          this.log.warn(
            `flush of ${entry.tenant}/${entry.groupId} (${entry.state}) failed, retried after the lease: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
          ),
        applyCleanup: async (tenant, groupId, cleanup) => {
          await this.groups.removeAlerts(tenant, groupId, cleanup.remove, cleanup.deleteGroup, Date.now());
        },
        onUnsupported: (n, kinds) => {
          // herald.allow_unsupported_receivers: never silent — one line and one count per notification.
          this.log.warn(
            `notification not sent by unsupported integration(s) ${kinds.join(', ')} of receiver ${n.receiver} ${JSON.stringify({ tenant: n.tenant, groupKey: n.groupKey, state: n.state, seq: n.seq, alerts: n.payload.alerts.length })}`,
          );
          for (const _ of kinds)
            this.metrics?.notifications.inc({ receiver: n.receiver, outcome: 'unsupported', reason: '' });
        },
      },
    );
    // observability (issue 7)
    if (this.deliveryRef) this.deliveryRef.queue = this.delivery;
    if (this.metrics) {
      const m = this.metrics;
      this.delivery.onDelivered((e) => {
        m.notifications.inc({ receiver: e.notification.receiver, outcome: 'delivered', reason: '' });
      });
      this.delivery.onDeadLetter((e) => {
        const d = e.deadLetter;
        m.notifications.inc({
          receiver: d.notification.receiver,
          outcome: 'dead',
          reason: d.lastError?.reason ?? 'other',
        });
      });
    }
    this.delivery.onDelivered(async (e) => {
      await this.runner.delivered(e.notification.meta as unknown as OutgoingNotification);
    });
    // A given-up notification must not block its group: the next flush notifies again (new sequence).
    this.delivery.onDeadLetter(async (e) => {
      await this.runner.failed(e.deadLetter.notification.meta as unknown as OutgoingNotification, Date.now());
    });
    this.timer = setInterval(() => {
      if (this.running) return; // never overlap ticks
      this.running = this.tick().finally(() => (this.running = undefined));
    }, h.scheduler.tick);
  }

  private async tick(): Promise<void> {
    try {
      if (this.flush instanceof FailoverFlushStore) await this.flush.sync();
      const t0 = performance.now();
      const res = await this.runner.tick();
      this.metrics?.recordFlush(res, (performance.now() - t0) / 1000); // observability (issue 7)
    } catch (e) {
      this.log.warn(`flush tick failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    await this.sweepDeadLetters();
  }

  /** Dead-letter retention for every configured tenant, once a minute (idempotent on every node). */
  private async sweepDeadLetters(): Promise<void> {
    const now = Date.now();
    if (!(this.delivery instanceof FailoverDeliveryQueue) || now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    const c = this.config.herald;
    const tenants = c.tenants.length ? c.tenants.map((t) => t.id) : [c.defaultTenant];
    for (const t of tenants) {
      try {
        await this.delivery.sweepDeadLetters(t);
      } catch (e) {
        this.log.warn(
          `dead-letter retention sweep of ${t} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.locks?.shutdown(5000);
    await this.delivery?.close(5000);
  }
}
