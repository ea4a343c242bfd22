import { Redis, type RedisOptions } from 'ioredis';

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
 * A fail-fast client for the request path: no offline queue (a command while disconnected rejects at
 * once), a command timeout (a paused Redis does not hold requests), RESP2 for predictable reply shapes.
 * ioredis keeps reconnecting in the background; the failover store decides what to do meanwhile.
 */
export function createFailFastClient(opts: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: opts.commandTimeout,
    connectTimeout: opts.connectTimeout,
    maxRetriesPerRequest: 0,
    protocol: 2,
    lazyConnect: true,
    connectionName: opts.name,
    // Reconnect quickly at first, then every second at most: an outage should end as soon as Redis is back.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
  };
  if (opts.sentinel) {
    return new Redis({
      ...common,
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
  return new Redis(opts.url, common);
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
