import {
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  NflogRecorder,
  type Clock,
  type EventLog,
  type FlushStore,
  type GroupStore,
  type NotificationHistory,
} from '@herald/domain';
import {
  BullMqDeliveryQueue,
  buildReceivers,
  FailoverDeliveryQueue,
  MemoryDeliveryQueue,
  ShardedDeliveryQueue,
  type BuiltReceivers,
  type DeliveryLogger,
  type DeliveryQueue,
} from '@herald/delivery';
import type { HeraldMetrics } from '@herald/observability';
import type { RedisModeSource } from '@herald/redis';
import { CLOCK } from '../clock/clock.module';
import { attemptRecorder } from './attempt-recorder';
import { DeliveryRef, HERALD_METRICS } from '../metrics/metrics.tokens';
import {
  FLUSH_STORE,
  GROUP_STORE,
  GroupStoreModule,
  REDIS_MODE,
  STORE_HANDLES,
  type StoreHandles,
} from '../store/group-store.module';
import { DELIVERY_QUEUE, NFLOG_RECORDER, RECEIVERS } from './delivery.tokens';
import { ActivityModule } from '../activity/activity.module';
import { EVENT_LOG, NOTIFICATION_HISTORY } from '../activity/activity.tokens';

/** Dead-letter retention runs this often on every node with a delivery queue (idempotent). */
const SWEEP_EVERY_MS = 60_000;

function deliveryLogger(log: Logger): DeliveryLogger {
  const fmt = (obj: object, msg: string) => `${msg} ${JSON.stringify(obj)}`;
  return {
    info: (o, m) => log.log(fmt(o, m)),
    warn: (o, m) => log.warn(fmt(o, m)),
    error: (o, m) => log.error(fmt(o, m)),
  };
}

function createRecorder(
  flush: FlushStore,
  groups: GroupStore,
  clock: Clock,
  metrics?: HeraldMetrics,
): NflogRecorder {
  const log = new Logger('Nflog');
  return new NflogRecorder(flush, groups, clock, {
    onRefused: (e, res) => {
      metrics?.nflogRefused.inc({ reason: res.refused });
      // stale-sequence is routine (a delivery logged twice); stale-fence means a lock expired mid-flush.
      if (res.refused === 'stale-fence')
        log.warn(
          `notification-log write refused: the flush's group lock had expired and a newer holder wrote ${JSON.stringify({ tenant: e.tenant, groupId: e.groupId, receiver: e.receiver, state: e.state, seq: e.seq })}`,
        );
    },
  });
}

function createReceivers(cfg: HeraldConfig, clock: Clock, metrics?: HeraldMetrics): BuiltReceivers {
  const built = buildReceivers(cfg.receivers, cfg.global, {
    userAgent: 'Herald/0.1.0',
    clock,
    templateFiles: cfg.templateFiles,
    onSend: ({ kind, result }) => {
      if (result.kind === 'ok' && result.skipped) return; // nothing was sent
      metrics?.notificationRequests.inc({ integration: kind });
      if (result.kind !== 'ok')
        metrics?.notificationRequestsFailed.inc({
          integration: kind,
          reason: result.reason,
          retried: String(result.kind === 'retry'),
        });
    },
  });
  const log = new Logger('Delivery');
  for (const w of built.warnings) log.warn(w);
  return built;
}

/**
 * The delivery queue of this node. Redis mode: BullMQ shared by every node, falling back to the memory
 * queue with the rest of the node (one mode source); memory mode: the memory queue. Workers run only
 * with the `delivery` role; the memory queue always sends (during an outage the flushing node delivers).
 */
function createDeliveryQueue(
  cfg: HeraldConfig,
  handles: StoreHandles,
  mode: RedisModeSource | null,
  built: BuiltReceivers,
  recorder: NflogRecorder,
  clock: Clock,
  history: NotificationHistory,
  events: EventLog,
  metrics?: HeraldMetrics,
): DeliveryQueue {
  const h = cfg.herald;
  const logger = deliveryLogger(new Logger('Delivery'));
  const limits = h.delivery.rateLimits;
  const common = {
    onAttempt: attemptRecorder(h.nodeId, history, events, metrics),
    resolve: built.resolve,
    logger,
    clock,
    retry: { maxAttempts: h.delivery.attempts },
    concurrency: h.delivery.concurrency,
    rateLimit: (_tenant: string, receiver: string) => {
      const l = limits[receiver] ?? limits['*'];
      return l ? { max: l.max, durationMs: l.per } : undefined;
    },
    superseded: async (n: Parameters<NflogRecorder['superseded']>[0]) => {
      const hit = await recorder.superseded(n);
      if (hit) metrics?.notifications.inc({ receiver: n.receiver, outcome: 'superseded', reason: '' });
      return hit;
    },
  };
  const memory = new MemoryDeliveryQueue({
    ...common,
    maxItems: h.delivery.memoryMaxItems,
    maxDeadLetters: Math.min(h.delivery.deadLetterMax, 1000),
  });
  if (!mode || !handles.connection) return memory;
  const { connection, keys } = handles;
  const d = h.delivery;
  return new FailoverDeliveryQueue({
    // Sharded over herald.delivery.shards BullMQ queues (one: the `{<prefix>}` queue of old); the rate
    // limit buckets of every shard under the one prefix, so a receiver's limit holds across them.
    createBullMq: () =>
      new ShardedDeliveryQueue({
        shards: d.shards,
        prefixOf: (shard, shards) => keys.deliveryShardPrefix(shard, shards),
        recordKey: keys.deliveryShards(),
        connection,
        name: h.nodeId,
        concurrency: d.concurrency,
        logger,
        createShard: ({ bullPrefix, concurrency, shards }) =>
          new BullMqDeliveryQueue({
            ...common,
            concurrency,
            connection,
            name: h.nodeId,
            bullPrefix,
            rateLimitPrefix: keys.rateLimitPrefix(),
            deadLetterIndex: (tenant) => keys.deadLetterIndex(tenant, undefined, bullPrefix),
            checkEviction: false,
            worker: h.roles.has('delivery'),
            lockDuration: d.stalledTimeout,
            // The per-tenant bound split over the shards a tenant's dead letters spread over.
            deadLetters: {
              retentionMs: d.deadLetterRetention,
              maxPerTenant: Math.ceil(d.deadLetterMax / shards),
            },
          }),
      }),
    memory,
    mode,
    failedEnqueueHoldMs: h.redis.fallbackNotifyDelay,
    logger,
    clock,
  });
}

/**
 * Starts the queue, records deliveries and dead letters in the notification log (on whichever node
 * delivered), counts them, and applies dead-letter retention once a minute.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Delivery');
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    @Inject(NFLOG_RECORDER) private readonly recorder: NflogRecorder,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics,
    @Optional() private readonly deliveryRef?: DeliveryRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const q = this.queue;
    if (this.deliveryRef) this.deliveryRef.queue = q;
    const m = this.metrics;
    q.onDelivered(async (e) => {
      m?.notifications.inc({ receiver: e.notification.receiver, outcome: 'delivered', reason: '' });
      await this.recorder.delivered(e.notification);
    });
    // A given-up notification must not block its group: the next flush notifies again (new sequence).
    q.onDeadLetter(async (e) => {
      const d = e.deadLetter;
      m?.notifications.inc({
        receiver: d.notification.receiver,
        outcome: 'dead',
        reason: d.lastError?.reason ?? 'other',
      });
      await this.recorder.failed(d.notification);
    });
    if (q instanceof FailoverDeliveryQueue) {
      await q.start();
      this.sweeper = setInterval(() => void this.sweepDeadLetters(q), SWEEP_EVERY_MS);
      this.sweeper.unref();
    }
  }

  /** Dead-letter retention for every configured tenant (idempotent on every node). */
  private async sweepDeadLetters(q: FailoverDeliveryQueue): Promise<void> {
    const c = this.config.herald;
    for (const t of c.tenants.length ? c.tenants.map((x) => x.id) : [c.defaultTenant]) {
      await q.sweepDeadLetters(t).catch((e: unknown) => {
        this.log.warn(
          `dead-letter retention sweep of ${t} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.queue.close(5000);
  }
}

/** Delivery: receivers, the queue and its workers, the notification log's recorder, dead letters. */
@Module({
  imports: [GroupStoreModule, ActivityModule],
  providers: [
    {
      provide: RECEIVERS,
      inject: [HERALD_CONFIG, CLOCK, { token: HERALD_METRICS, optional: true }],
      useFactory: createReceivers,
    },
    {
      provide: NFLOG_RECORDER,
      inject: [FLUSH_STORE, GROUP_STORE, CLOCK, { token: HERALD_METRICS, optional: true }],
      useFactory: createRecorder,
    },
    {
      provide: DELIVERY_QUEUE,
      inject: [
        HERALD_CONFIG,
        STORE_HANDLES,
        REDIS_MODE,
        RECEIVERS,
        NFLOG_RECORDER,
        CLOCK,
        NOTIFICATION_HISTORY,
        EVENT_LOG,
        { token: HERALD_METRICS, optional: true },
      ],
      useFactory: createDeliveryQueue,
    },
    DeliveryService,
  ],
  exports: [DELIVERY_QUEUE, RECEIVERS, NFLOG_RECORDER],
})
export class DeliveryModule {}
