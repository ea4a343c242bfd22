import { Redis, type Cluster, type RedisOptions } from 'ioredis';

/**
 * The ioredis client type, for code outside this library (apps import no `ioredis` themselves): a
 * standalone or Sentinel-managed `Redis`, or a Redis Cluster client (`herald.redis.cluster`).
 */
export type RedisClient = Redis | Cluster;

/** How to reach Redis: a URL (standalone) or Sentinel. */
export interface RedisConnectionOptions {
  url?: string;
  sentinel?: { masterName: string; sentinels: string[]; password?: string; sentinelPassword?: string };
  /** Request-path commands fail after this long instead of waiting (ms). */
  commandTimeout: number;
  connectTimeout: number;
  /** Client name shown in CLIENT LIST (node id + role), useful when debugging a cluster of nodes. */
  name?: string;
}

/**
 * Herald's Redis settings as `herald.redis` holds them (`RedisSettings` of `@herald/config` fits; kept
 * structural so this library does not depend on the config one).
 */
export type RedisEndpointSettings = { readonly commandTimeout: number; readonly connectTimeout: number } & (
  | { readonly mode: 'memory' }
  | { readonly mode: 'single'; readonly url: string }
  | {
      readonly mode: 'sentinel';
      readonly sentinel: {
        readonly masterName: string;
        readonly sentinels: readonly { readonly host: string; readonly port: number }[];
        readonly password?: string;
        readonly sentinelPassword?: string;
      };
    }
);

/**
 * The one translation of Herald's Redis settings into connection options: null in memory mode, else
 * the URL or Sentinel, the timeouts, and the client name `herald:<nodeId>`.
 */
export function redisConnectionOptions(
  r: RedisEndpointSettings,
  nodeId: string,
): RedisConnectionOptions | null {
  const base = {
    commandTimeout: r.commandTimeout,
    connectTimeout: r.connectTimeout,
    name: `herald:${nodeId}`,
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
 * What a client is for:
 * - `fail-fast`: the request path (and BullMQ's queue client): no offline queue (a command while
 *   disconnected rejects at once), a command timeout (a paused Redis does not hold requests).
 * - `blocking`: a BullMQ worker: it blocks and must survive reconnects (`maxRetriesPerRequest: null`,
 *   no command timeout).
 * - `tool`: heraldctl: fail-fast, no reconnect (an unreachable Redis is reported at once), and a short
 *   disconnect so the process exits promptly.
 * - `tool-watch`: heraldctl watch: like `tool`, but reconnects.
 * Every client speaks RESP2 (predictable reply shapes; BullMQ parses RESP2) and connects lazily.
 */
export type RedisClientRole = 'fail-fast' | 'blocking' | 'tool' | 'tool-watch';

/** Reconnect quickly at first, then every second at most: an outage should end as soon as Redis is back. */
const reconnectSoon = (times: number): number => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/** The ioredis options of a client of `role` (without the endpoint). */
export function redisClientOptions(
  opts: RedisConnectionOptions,
  role: RedisClientRole,
  name = opts.name,
): RedisOptions {
  const common: RedisOptions = {
    connectTimeout: opts.connectTimeout,
    protocol: 2,
    lazyConnect: true,
    connectionName: name,
    retryStrategy: reconnectSoon,
  };
  switch (role) {
    case 'fail-fast':
      return {
        ...common,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: opts.commandTimeout,
      };
    case 'blocking':
      return { ...common, maxRetriesPerRequest: null };
    case 'tool':
    case 'tool-watch':
      return {
        ...common,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: opts.commandTimeout,
        retryStrategy: role === 'tool' ? () => null : reconnectSoon,
        disconnectTimeout: 100, // every command is awaited before disconnect; don't hold the process 2 s
      };
  }
}

/** The one place that makes a Herald Redis client (URL or Sentinel) for `role`; `name` overrides `opts.name`. */
export function createRedisClient(
  opts: RedisConnectionOptions,
  role: RedisClientRole = 'fail-fast',
  name?: string,
): Redis {
  const options = redisClientOptions(opts, role, name ?? opts.name);
  if (opts.sentinel) {
    return new Redis({
      ...options,
      name: opts.sentinel.masterName,
      sentinels: opts.sentinel.sentinels.map((s) => {
        const i = s.lastIndexOf(':');
        return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
      }),
      password: opts.sentinel.password,
      sentinelPassword: opts.sentinel.sentinelPassword,
    });
  }
  if (!opts.url) throw new Error('Redis connection needs a url or a sentinel configuration');
  return new Redis(opts.url, options);
}

/**
 * A fail-fast client for the request path (`createRedisClient(opts, 'fail-fast')`). ioredis keeps
 * reconnecting in the background; the failover store decides what to do meanwhile.
 */
export function createFailFastClient(opts: RedisConnectionOptions): Redis {
  return createRedisClient(opts, 'fail-fast');
}

/**
 * The clients the BullMQ delivery queue makes (`DeliveryConnection` of `@herald/delivery`): a fail-fast
 * one for enqueues and queue reads, a blocking one for the worker, each named by the caller.
 */
export function redisConnection(opts: RedisConnectionOptions): {
  queue(name: string): Redis;
  worker(name: string): Redis;
} {
  return {
    queue: (name) => createRedisClient(opts, 'fail-fast', name),
    worker: (name) => createRedisClient(opts, 'blocking', name),
  };
}

const UNAVAILABLE_REPLIES =
  /^(LOADING|READONLY|MASTERDOWN|BUSY|OOM|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/**
 * True when an error means "Redis is not available right now" (connection closed, not writeable,
 * timed out, loading, read-only replica after a failover...) rather than a bug in a command or script.
 */
export function isUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return UNAVAILABLE_REPLIES.test(err.message);
  return true;
}

/** ioredis' `commandTimeout` expired: the command may still run; Redis may be busy rather than gone. */
export function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && err.message === 'Command timed out';
}
