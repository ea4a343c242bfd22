import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  defaultStages,
  FlushPipeline,
  FlushRunner,
  Inhibitor,
  PROCESS_LOCK,
  type InhibitionRules,
  RouteTimeIntervalEvaluator,
  Silencer,
  type Clock,
  type EnqueueOutcome,
  type FlushStore,
  type GroupLock,
  type GroupStore,
  type NflogRecorder,
  type OutgoingNotification,
  type RunnerReceiver,
  type SilenceCache,
} from '@herald/domain';
import { receiverSendsResolved, type BuiltReceivers, type DeliveryQueue } from '@herald/delivery';
import { LockManager, LocksModule } from '@herald/locks';
import type { HeraldMetrics } from '@herald/observability';
import {
  createRedisClient,
  redisConnectionOptions,
  RedisDueWakeChannel,
  type RedisClient,
  type RedisKeys,
  type RedisModeSource,
} from '@herald/redis';
import { CLOCK } from '../clock/clock.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { DELIVERY_QUEUE, NFLOG_RECORDER, RECEIVERS } from '../delivery/delivery.tokens';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import {
  FLUSH_STORE,
  GROUP_STORE,
  GroupStoreModule,
  INHIBITION_RULES,
  REDIS_CLIENT,
  REDIS_KEYS,
  REDIS_MODE,
} from '../store/group-store.module';
import { SilencesModule } from '../silences/silences.module';
import { SILENCE_CACHE } from '../silences/silences.tokens';
import { FlushScheduler } from './flush.scheduler';
import { DUE_WAKE, DUE_WAKE_SOURCE, FLUSH_RUNNER, GROUP_LOCK } from './flush.tokens';
import { RedisGroupLock } from './group-lock';
import { lockModuleOptions } from './lock-backend';

/** The runner's view of delivery: the notification as a job, the enqueue result as the flush's outcome. */
function notifier(queue: DeliveryQueue) {
  return {
    async enqueue(n: OutgoingNotification): Promise<EnqueueOutcome> {
      const res = await queue.enqueue(n); // the payload once, the log record beside it
      if (res.status !== 'duplicate') return res.status === 'queued' ? 'queued' : 'pending';
      return res.delivered ? 'delivered' : res.dead ? 'dead' : 'pending';
    },
  };
}

function runnerReceivers(cfg: HeraldConfig, built: BuiltReceivers): Map<string, RunnerReceiver> {
  return new Map(
    cfg.receivers.map((rc) => [
      rc.name,
      {
        name: rc.name,
        sendResolved: receiverSendsResolved(rc),
        deliverable: (built.byName.get(rc.name)?.length ?? 0) > 0,
        unsupported: rc.unsupportedKinds,
      },
    ]),
  );
}

function createRunner(
  cfg: HeraldConfig,
  groups: GroupStore,
  flush: FlushStore,
  queue: DeliveryQueue,
  lock: GroupLock,
  clock: Clock,
  recorder: NflogRecorder,
  built: BuiltReceivers,
  rules: InhibitionRules,
  silences: SilenceCache,
  metrics?: HeraldMetrics,
): FlushRunner {
  const log = new Logger('Flush');
  const h = cfg.herald;
  return new FlushRunner(
    {
      groups,
      flush,
      notifier: notifier(queue),
      lock,
      clock,
      recorder,
      pipeline: new FlushPipeline(
        defaultStages({
          // The group store is the inhibition index (sources written with the alerts).
          inhibitor: new Inhibitor(rules, groups),
          timeIntervals: new RouteTimeIntervalEvaluator(cfg.routeTree, cfg.timeIntervals),
          // Silences from the per-node cache: one version read per tenant per batch of flushes.
          silencer: new Silencer(silences),
        }),
      ),
    },
    {
      nodeId: h.nodeId,
      externalURL: h.externalUrl,
      leaseMs: h.scheduler.lease,
      claimLimit: h.scheduler.claimBatch,
      retryMs: h.scheduler.tick,
      concurrency: h.scheduler.concurrency,
      receivers: runnerReceivers(cfg, built),
      onError: (entry, e) =>
        log.warn(
          `flush of ${entry.tenant}/${entry.groupId} (${entry.state}) failed, retried after the lease: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        ),
      onUnsupported: (n, kinds) => {
        // herald.allow_unsupported_receivers: never silent — one line and one count per notification.
        log.warn(
          `notification not sent by unsupported integration(s) ${kinds.join(', ')} of receiver ${n.receiver} ${JSON.stringify({ tenant: n.tenant, groupKey: n.groupKey, state: n.state, seq: n.seq, alerts: n.payload.alerts.length })}`,
        );
        for (const _ of kinds)
          metrics?.notifications.inc({ receiver: n.receiver, outcome: 'unsupported', reason: '' });
      },
    },
  );
}

/**
 * Flushing: the domain's FlushRunner wired to the stores, the delivery queue and the group lock, and the
 * scheduler that ticks it on `scheduler` nodes. Redis mode takes group locks from LocksModule.
 */
@Module({})
export class FlushModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    const redis = config.herald.redis.mode !== 'memory';
    return {
      module: FlushModule,
      // Global for DUE_WAKE only: the node's ingest wakes its scheduler (absent without this module).
      global: true,
      exports: [DUE_WAKE],
      imports: [
        GroupStoreModule,
        DeliveryModule,
        SilencesModule,
        ...(redis
          ? [
              LocksModule.forRootAsync({
                imports: [GroupStoreModule],
                inject: [
                  HERALD_CONFIG,
                  REDIS_CLIENT,
                  REDIS_KEYS,
                  CLOCK,
                  { token: HERALD_METRICS, optional: true },
                ],
                useFactory: lockModuleOptions,
              }),
            ]
          : []),
      ],
      providers: [
        redis
          ? {
              provide: GROUP_LOCK,
              inject: [LockManager, REDIS_KEYS, REDIS_MODE],
              useFactory: (locks: LockManager, keys: RedisKeys, mode: RedisModeSource) =>
                new RedisGroupLock(locks, (t, g) => keys.groupLock(t, g), mode),
            }
          : { provide: GROUP_LOCK, useValue: PROCESS_LOCK },
        {
          provide: FLUSH_RUNNER,
          inject: [
            HERALD_CONFIG,
            GROUP_STORE,
            FLUSH_STORE,
            DELIVERY_QUEUE,
            GROUP_LOCK,
            CLOCK,
            NFLOG_RECORDER,
            RECEIVERS,
            INHIBITION_RULES,
            SILENCE_CACHE,
            { token: HERALD_METRICS, optional: true },
          ],
          useFactory: createRunner,
        },
        {
          provide: DUE_WAKE_SOURCE,
          inject: [HERALD_CONFIG, REDIS_CLIENT, REDIS_KEYS],
          useFactory: (cfg: HeraldConfig, client: RedisClient | null, keys: RedisKeys) => {
            const opts = redisConnectionOptions(cfg.herald.redis, cfg.herald.nodeId);
            if (!client || !opts) return null;
            const subscriber = () =>
              createRedisClient(opts, 'fail-fast', `herald:${cfg.herald.nodeId}:due-wake`);
            return new RedisDueWakeChannel(client, RedisDueWakeChannel.channelOf(keys.prefix), subscriber);
          },
        },
        FlushScheduler,
        { provide: DUE_WAKE, useExisting: FlushScheduler },
      ],
    };
  }
}
