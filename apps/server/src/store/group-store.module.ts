import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { CLOCK } from '../clock/clock.module';
import {
  InhibitionRules,
  MemoryFlushStore,
  MemoryGroupStore,
  withTimeout,
  type Clock,
  type FlushStore,
  type GroupStore,
} from '@herald/domain';
import {
  createRedisClient,
  FailoverFlushStore,
  FailoverGroupStore,
  RedisFlushStore,
  RedisGroupStore,
  RedisKeys,
  backfillInhibitionIndex,
  redisConnection,
  redisConnectionOptions,
  type RedisClient,
  type RedisModeSource,
  type StoreModeStatus,
} from '@herald/redis';

/** Injection token of the GroupStore port. */
export const GROUP_STORE = Symbol('GROUP_STORE');
/** Injection token of a `() => StoreModeStatus` used by health and metrics. */
export const STORE_STATUS = Symbol('STORE_STATUS');
/** Injection token of the request-path Redis client, or null in memory mode. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Injection token of the FlushStore port (due index + notification log), following the group store's mode. */
export const FLUSH_STORE = Symbol('FLUSH_STORE');
/**
 * Injection token of the node's one source of "is Redis up" (`RedisModeSource`), or null in memory
 * mode: the failover group store, which the flush store, the group lock and delivery follow.
 */
export const REDIS_MODE = Symbol('REDIS_MODE');
/** Injection token of the node's `RedisKeys`: every Redis key is built and read through this one. */
export const REDIS_KEYS = Symbol('REDIS_KEYS');
/** Injection token of the node's compiled `inhibit_rules` (the store indexes sources, flush and API read). */
export const INHIBITION_RULES = Symbol('INHIBITION_RULES');

export type StoreStatusFn = () => StoreModeStatus | { mode: 'memory'; since: number; pendingAlerts: number };

/** Everything the store module built, for the modules that share its state (flush scheduler). */
export interface StoreHandles {
  store: GroupStore;
  status: StoreStatusFn;
  redis: RedisClient | null;
  /** The memory due index + notification log: memory mode, and the fallback while Redis is down. */
  memoryFlush: MemoryFlushStore;
  /** The flush store the scheduler and delivery use (Redis with the memory fallback, or memory). */
  flush: FlushStore;
  /** Redis mode: every key, and the clients BullMQ makes (same endpoint, timeouts and names). */
  keys: RedisKeys;
  connection: ReturnType<typeof redisConnection> | null;
  /** Redis mode: the failover store, whose mode the flush store and delivery follow. */
  mode: RedisModeSource | null;
  /** The config's inhibition rules, compiled once: the stores index sources by them. */
  inhibition: InhibitionRules;
  /** Redis mode: backfills the inhibition index for a new rule set (in the background, once per rule set). */
  backfill?: () => void;
  close: () => Promise<void>;
}

/**
 * Builds the group store for the configured mode: memory only (no Redis configured), or Redis with the
 * memory fallback. A Redis that is unreachable at start-up does not stop the node: it starts degraded
 * and reconciles when Redis appears.
 */
async function createStore(cfg: HeraldConfig, clock: Clock): Promise<StoreHandles> {
  const log = new Logger('GroupStore');
  const memoryFlush = new MemoryFlushStore({ clock, dueBuckets: cfg.herald.redis.dueBuckets });
  const inhibition = new InhibitionRules(cfg.inhibitRules);
  const memory = new MemoryGroupStore({
    maxAlerts: cfg.herald.memory.maxAlerts,
    maxGroups: cfg.herald.memory.maxGroups,
    retention: cfg.herald.retention,
    due: memoryFlush,
    inhibition,
  });
  const keys = new RedisKeys(cfg.herald.redis.keyPrefix, cfg.herald.redis.dueBuckets);
  const opts = redisConnectionOptions(cfg.herald.redis, cfg.herald.nodeId);
  if (!opts) {
    const since = clock.now();
    log.log('No Redis configured: in-memory mode (state is per node and lost on restart)');
    return {
      store: memory,
      status: () => ({ mode: 'memory', since, pendingAlerts: memory.size.alerts }),
      redis: null,
      memoryFlush,
      flush: memoryFlush,
      keys,
      connection: null,
      mode: null,
      inhibition,
      close: () => Promise.resolve(),
    };
  }
  const redis = createRedisClient(opts, 'fail-fast');
  // ioredis reports every failed reconnect as an 'error' event; the failover store logs the transitions.
  redis.on('error', () => undefined);
  const redisStore = new RedisGroupStore(redis, keys, { retention: cfg.herald.retention, inhibition });
  const failover = new FailoverGroupStore(redisStore, memory, log, {
    probeInterval: cfg.herald.redis.reconnectCheckInterval,
    probe: () => redis.ping(),
    clock,
  });
  try {
    await withTimeout(
      redis.connect(),
      cfg.herald.redis.connectTimeout,
      `no connection within ${cfg.herald.redis.connectTimeout} ms`,
    );
    log.log(`Connected to Redis (key prefix "${keys.prefix}")`);
  } catch (e) {
    failover.startInFallback(e);
  }
  let stopping = false;
  let backfilling: Promise<void> | undefined;
  const backfill = () => {
    if (inhibition.empty || failover.degraded) return;
    backfilling = backfillInhibitionIndex({
      redis,
      keys,
      store: redisStore,
      rules: inhibition,
      nodeId: cfg.herald.nodeId,
      now: () => clock.now(),
      doneTtlMs: cfg.herald.retention,
      stopped: () => stopping,
    })
      .then((r) => {
        if (r.outcome === 'done')
          log.log(
            `inhibition index backfilled for ${inhibition.rules.length} rule(s): ${r.listed} source entries from ${r.groups} group(s) of ${r.tenants} tenant(s) in ${r.ms} ms`,
          );
      })
      .catch((e: unknown) =>
        log.warn(`inhibition index backfill failed (retried at the next start): ${String(e)}`),
      );
  };
  return {
    store: failover,
    status: () => failover.status(),
    redis,
    memoryFlush,
    flush: new FailoverFlushStore(
      new RedisFlushStore(redis, keys, { keyTtl: cfg.herald.retention }),
      memoryFlush,
      failover,
      { clock, nodeId: cfg.herald.nodeId },
    ),
    keys,
    connection: redisConnection(opts),
    mode: failover,
    inhibition,
    backfill,
    close: async () => {
      stopping = true;
      await backfilling;
      failover.close();
      redis.disconnect();
    },
  };
}

/** Injection token of the StoreHandles. */
export const STORE_HANDLES = Symbol('STORE_HANDLES');
const HANDLES = STORE_HANDLES;

@Module({
  providers: [
    { provide: HANDLES, inject: [HERALD_CONFIG, CLOCK], useFactory: createStore },
    { provide: GROUP_STORE, inject: [HANDLES], useFactory: (h: StoreHandles) => h.store },
    { provide: STORE_STATUS, inject: [HANDLES], useFactory: (h: StoreHandles) => h.status },
    { provide: REDIS_CLIENT, inject: [HANDLES], useFactory: (h: StoreHandles) => h.redis },
    { provide: FLUSH_STORE, inject: [HANDLES], useFactory: (h: StoreHandles) => h.flush },
    { provide: REDIS_MODE, inject: [HANDLES], useFactory: (h: StoreHandles) => h.mode },
    { provide: REDIS_KEYS, inject: [HANDLES], useFactory: (h: StoreHandles) => h.keys },
    { provide: INHIBITION_RULES, inject: [HANDLES], useFactory: (h: StoreHandles) => h.inhibition },
  ],
  exports: [
    GROUP_STORE,
    STORE_STATUS,
    REDIS_CLIENT,
    STORE_HANDLES,
    FLUSH_STORE,
    REDIS_MODE,
    REDIS_KEYS,
    INHIBITION_RULES,
  ],
})
export class GroupStoreModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(HANDLES) private readonly handles: StoreHandles) {}

  onApplicationBootstrap(): void {
    this.handles.backfill?.(); // not awaited: start-up does not wait for a walk over the stored alerts
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handles.close();
  }
}
