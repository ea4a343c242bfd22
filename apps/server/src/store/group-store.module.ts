import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { MemoryFlushStore, MemoryGroupStore, systemClock, type GroupStore } from '@herald/domain';
import {
  createFailFastClient,
  FailoverGroupStore,
  RedisGroupStore,
  RedisKeys,
  type RedisConnectionOptions,
  type RedisModeSource,
  type StoreModeStatus,
} from '@herald/redis';

/** Injection token of the GroupStore port. */
export const GROUP_STORE = Symbol('GROUP_STORE');
/** Injection token of a `() => StoreModeStatus` used by health and metrics. */
export const STORE_STATUS = Symbol('STORE_STATUS');
/** Injection token of the request-path Redis client, or null in memory mode. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export type StoreStatusFn = () => StoreModeStatus | { mode: 'memory'; since: number; pendingAlerts: number };

/** Everything the store module built, for the modules that share its state (flush scheduler). */
export interface StoreHandles {
  store: GroupStore;
  status: StoreStatusFn;
  redis: Redis | null;
  /** The memory due index + notification log: memory mode, and the fallback while Redis is down. */
  memoryFlush: MemoryFlushStore;
  /** Redis mode: the failover store, whose mode the flush store and delivery follow. */
  mode: RedisModeSource | null;
  close: () => Promise<void>;
}

function connectionOptions(cfg: HeraldConfig): RedisConnectionOptions | null {
  const r = cfg.herald.redis;
  const base = {
    commandTimeout: r.commandTimeout,
    connectTimeout: r.connectTimeout,
    name: `herald:${cfg.herald.nodeId}`,
  };
  switch (r.mode) {
    case 'memory':
      return null;
    case 'single':
      return { ...base, url: r.url };
    case 'sentinel':
      return {
        ...base,
        sentinel: {
          masterName: r.sentinel.masterName,
          sentinels: r.sentinel.sentinels.map((s) => `${s.host}:${s.port}`),
          password: r.sentinel.password,
          sentinelPassword: r.sentinel.sentinelPassword,
        },
      };
  }
}

/**
 * Builds the group store for the configured mode: memory only (no Redis configured), or Redis with the
 * memory fallback. A Redis that is unreachable at start-up does not stop the node: it starts degraded
 * and reconciles when Redis appears.
 */
async function createStore(cfg: HeraldConfig): Promise<StoreHandles> {
  const log = new Logger('GroupStore');
  const memoryFlush = new MemoryFlushStore({ clock: systemClock, dueBuckets: cfg.herald.redis.dueBuckets });
  const memory = new MemoryGroupStore({
    maxAlerts: cfg.herald.memory.maxAlerts,
    maxGroups: cfg.herald.memory.maxGroups,
    retention: cfg.herald.retention,
    due: memoryFlush,
  });
  const opts = connectionOptions(cfg);
  if (!opts) {
    const since = Date.now();
    log.log('No Redis configured: in-memory mode (state is per node and lost on restart)');
    return {
      store: memory,
      status: () => ({ mode: 'memory', since, pendingAlerts: memory.size.alerts }),
      redis: null,
      memoryFlush,
      mode: null,
      close: () => Promise.resolve(),
    };
  }
  const redis = createFailFastClient(opts);
  // ioredis reports every failed reconnect as an 'error' event; the failover store logs the transitions.
  redis.on('error', () => undefined);
  const keys = new RedisKeys(cfg.herald.redis.keyPrefix, cfg.herald.redis.dueBuckets);
  const failover = new FailoverGroupStore(
    new RedisGroupStore(redis, keys, { retention: cfg.herald.retention }),
    memory,
    log,
    { probeInterval: cfg.herald.redis.reconnectCheckInterval, probe: () => redis.ping() },
  );
  try {
    await withTimeout(redis.connect(), cfg.herald.redis.connectTimeout);
    log.log(`Connected to Redis (key prefix "${keys.prefix}")`);
  } catch (e) {
    failover.startInFallback(e);
  }
  return {
    store: failover,
    status: () => failover.status(),
    redis,
    memoryFlush,
    mode: failover,
    close: () => {
      failover.close();
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Injection token of the StoreHandles. */
export const STORE_HANDLES = Symbol('STORE_HANDLES');
const HANDLES = STORE_HANDLES;

@Module({
  providers: [
    { provide: HANDLES, inject: [HERALD_CONFIG], useFactory: createStore },
    { provide: GROUP_STORE, inject: [HANDLES], useFactory: (h: StoreHandles) => h.store },
    { provide: STORE_STATUS, inject: [HANDLES], useFactory: (h: StoreHandles) => h.status },
    { provide: REDIS_CLIENT, inject: [HANDLES], useFactory: (h: StoreHandles) => h.redis },
  ],
  exports: [GROUP_STORE, STORE_STATUS, REDIS_CLIENT, STORE_HANDLES],
})
export class GroupStoreModule implements OnApplicationShutdown {
  constructor(@Inject(HANDLES) private readonly handles: StoreHandles) {}

  async onApplicationShutdown(): Promise<void> {
    await this.handles.close();
  }
}
