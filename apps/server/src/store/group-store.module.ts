import {
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { CLOCK } from '../clock/clock.module';
import { compatKey, NODE_STATE, type NodeState } from '../lifecycle/node-state';
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
 * The settings of the store layer a config reload may change. The stores hold a reference to these
 * objects and read them on every call, so a reload applies them in place (`SharedStore.apply`) without
 * rebuilding the stores and losing what they hold.
 */
interface LiveSettings {
  memory: {
    maxAlerts: number;
    maxGroups: number;
    retention: number;
    due: MemoryFlushStore;
    inhibition: InhibitionRules;
  };
  redis: { retention: number; inhibition: InhibitionRules };
  flush: { keyTtl: number };
}

/**
 * The store layer of a node, independent of any one application: the memory stores, the Redis client and
 * the failover store. Built once per process when a `NodeState` carries it over reloads (its key is the
 * Redis connection and node id, which need a restart to change); else once per application.
 */
interface SharedStore {
  handles: Omit<StoreHandles, 'inhibition' | 'backfill' | 'close'>;
  memory: MemoryGroupStore;
  settings: LiveSettings;
  /** The rules the stores index sources by now. */
  readonly inhibition: InhibitionRules;
  /** Applies a new config's memory bounds, retention and inhibition rules to the running stores. */
  apply(cfg: HeraldConfig, rules: InhibitionRules): void;
  /** Redis mode: backfills the inhibition index for `rules` (once per rule set); `stopped` ends it early. */
  backfill?: (rules: InhibitionRules, stopped: () => boolean) => Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the store layer for the configured mode: memory only (no Redis configured), or Redis with the
 * memory fallback. A Redis that is unreachable at start-up does not stop the node: it starts degraded
 * and reconciles when Redis appears.
 */
async function createShared(cfg: HeraldConfig, clock: Clock): Promise<SharedStore> {
  const log = new Logger('GroupStore');
  const memoryFlush = new MemoryFlushStore({ clock, dueBuckets: cfg.herald.redis.dueBuckets });
  const inhibition = new InhibitionRules(cfg.inhibitRules);
  const settings: LiveSettings = {
    memory: {
      maxAlerts: cfg.herald.memory.maxAlerts,
      maxGroups: cfg.herald.memory.maxGroups,
      retention: cfg.herald.retention,
      due: memoryFlush,
      inhibition,
    },
    redis: { retention: cfg.herald.retention, inhibition },
    flush: { keyTtl: cfg.herald.retention },
  };
  const memory = new MemoryGroupStore(settings.memory);
  const apply = (next: HeraldConfig, rules: InhibitionRules) => {
    const m = settings.memory;
    m.maxAlerts = next.herald.memory.maxAlerts;
    m.maxGroups = next.herald.memory.maxGroups;
    m.retention = settings.redis.retention = settings.flush.keyTtl = next.herald.retention;
    if (rules.id === m.inhibition.id) return;
    m.inhibition = settings.redis.inhibition = rules;
    // Alerts stored before were indexed under the old rules: index the firing ones under the new rules
    // at once (Redis mode backfills its index in the background; this is the memory store's copy).
    const n = memory.reindexSources(clock.now());
    if (n > 0) log.log(`inhibition index of the memory store rebuilt for the new rules: ${n} source entries`);
  };
  const keys = new RedisKeys(
    cfg.herald.redis.keyPrefix,
    cfg.herald.redis.dueBuckets,
    cfg.herald.redis.mode === 'cluster' ? 'cluster' : 'standalone',
  );
  const opts = redisConnectionOptions(cfg.herald.redis, cfg.herald.nodeId);
  if (!opts) {
    const since = clock.now();
    log.log('No Redis configured: in-memory mode (state is per node and lost on restart)');
    return {
      handles: {
        store: memory,
        status: () => ({ mode: 'memory', since, pendingAlerts: memory.size.alerts }),
        redis: null,
        memoryFlush,
        flush: memoryFlush,
        keys,
        connection: null,
        mode: null,
      },
      memory,
      settings,
      get inhibition() {
        return settings.memory.inhibition;
      },
      apply,
      close: () => Promise.resolve(),
    };
  }
  const redis = createRedisClient(opts, 'fail-fast');
  // ioredis reports every failed reconnect as an 'error' event; the failover store logs the transitions.
  redis.on('error', () => undefined);
  const redisStore = new RedisGroupStore(redis, keys, settings.redis);
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
  const running = new Set<Promise<void>>();
  const backfill = (rules: InhibitionRules, stopped: () => boolean): Promise<void> => {
    if (rules.empty || failover.degraded) return Promise.resolve();
    const p = backfillInhibitionIndex({
      redis,
      keys,
      store: redisStore,
      rules,
      nodeId: cfg.herald.nodeId,
      now: () => clock.now(),
      doneTtlMs: settings.redis.retention,
      stopped,
    })
      .then((r) => {
        if (r.outcome === 'done')
          log.log(
            `inhibition index backfilled for ${rules.rules.length} rule(s): ${r.listed} source entries from ${r.groups} group(s) of ${r.tenants} tenant(s) in ${r.ms} ms`,
          );
      })
      .catch((e: unknown) =>
        log.warn(`inhibition index backfill failed (retried at the next start): ${String(e)}`),
      )
      .finally(() => running.delete(p));
    running.add(p);
    return p;
  };
  return {
    handles: {
      store: failover,
      status: () => failover.status(),
      redis,
      memoryFlush,
      flush: new FailoverFlushStore(new RedisFlushStore(redis, keys, settings.flush), memoryFlush, failover, {
        clock,
        nodeId: cfg.herald.nodeId,
        notifyDelayMs: cfg.herald.redis.fallbackNotifyDelay,
        onHold: (ms) =>
          log.warn(
            `notifications from memory wait ${ms} ms into the outage (fallback_notify_delay): other nodes may have sent them`,
          ),
      }),
      keys,
      connection: redisConnection(opts),
      mode: failover,
    },
    memory,
    settings,
    get inhibition() {
      return settings.redis.inhibition;
    },
    apply,
    backfill,
    close: async () => {
      await Promise.all(running);
      failover.close();
      redis.disconnect();
    },
  };
}

/**
 * One application's view of the store layer: its own compiled inhibition rules (the shared ones when
 * the rule set is unchanged) and its own backfill, stopped when the application closes. `owned`: the
 * application built the layer and closes it too.
 */
function appHandles(shared: SharedStore, cfg: HeraldConfig, owned: boolean): StoreHandles {
  const fresh = new InhibitionRules(cfg.inhibitRules);
  const inhibition = fresh.id === shared.inhibition.id ? shared.inhibition : fresh;
  let stopping = false;
  let backfilling: Promise<void> | undefined;
  const run = shared.backfill;
  return {
    ...shared.handles,
    inhibition,
    backfill: run ? () => void (backfilling = run(inhibition, () => stopping)) : undefined,
    close: async () => {
      stopping = true;
      await backfilling;
      if (owned) await shared.close();
    },
  };
}

/**
 * The store handles of an application. With a `NodeState` (main's `HeraldNode`) the store layer is
 * kept across config reloads, so groups, timers, the notification log and the memory fallback's
 * content survive them; the new config's bounds and rules apply when the new application goes live.
 */
async function createStore(cfg: HeraldConfig, clock: Clock, state?: NodeState): Promise<StoreHandles> {
  if (!state) return appHandles(await createShared(cfg, clock), cfg, true);
  const shared = await state.keep(
    'store',
    compatKey(cfg.herald.redis, cfg.herald.nodeId),
    () => createShared(cfg, clock),
    (s) => s.close(),
  );
  const handles = appHandles(shared, cfg, false);
  state.onLive(() => shared.apply(cfg, handles.inhibition));
  // The backfill indexes under rules the stores write with only once this application is live.
  const backfill = handles.backfill;
  return backfill ? { ...handles, backfill: () => state.onLive(backfill) } : handles;
}

/** Injection token of the StoreHandles. */
export const STORE_HANDLES = Symbol('STORE_HANDLES');
const HANDLES = STORE_HANDLES;

@Module({
  providers: [
    {
      provide: HANDLES,
      inject: [HERALD_CONFIG, CLOCK, { token: NODE_STATE, optional: true }],
      useFactory: createStore,
    },
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
