import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { slotMapWatchFor } from './slot-map-watch';

/**
 * The ioredis client type, for code outside this library (apps import no `ioredis` themselves): a
 * standalone or Sentinel-managed `Redis`, or a Redis Cluster client (`herald.redis.cluster`).
 */
export type RedisClient = Redis | Cluster;

/** TLS towards Redis Cluster nodes; files are read when a client is made. */
export interface RedisTlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** SNI and the name checked against the certificates (nodes are reached by IP). */
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** Redis Cluster: seed nodes (`host:port`, IPv6 as `[::1]:port`), credentials, TLS. */
export interface RedisClusterConnection {
  nodes: string[];
  username?: string;
  password?: string;
  tls?: RedisTlsOptions;
}

/** How to reach Redis: a URL (standalone), Sentinel or a Redis Cluster (exactly one). */
export interface RedisConnectionOptions {
  url?: string;
  sentinel?: { masterName: string; sentinels: string[]; password?: string; sentinelPassword?: string };
  cluster?: RedisClusterConnection;
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
  | {
      readonly mode: 'cluster';
      readonly cluster: {
        readonly nodes: readonly { readonly host: string; readonly port: number }[];
        readonly username?: string;
        readonly password?: string;
        readonly tls?: Readonly<RedisTlsOptions>;
      };
    }
);

/**
 * The one translation of Herald's Redis settings into connection options: null in memory mode, else
 * the URL, Sentinel or Cluster, the timeouts, and the client name `herald:<nodeId>`.
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
    case 'cluster':
      return {
        ...base,
        cluster: {
          nodes: r.cluster.nodes.map((n) =>
            n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`,
          ),
          ...(r.cluster.username !== undefined && { username: r.cluster.username }),
          ...(r.cluster.password !== undefined && { password: r.cluster.password }),
          ...(r.cluster.tls && { tls: { ...r.cluster.tls } }),
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

/** `host:port` / `[v6]:port` → ioredis' `{ host, port }`. */
function splitHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const host = s.slice(0, i);
  return {
    host: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host,
    port: Number(s.slice(i + 1)),
  };
}

/** Node TLS options of `tls` (the files read now; a file that went missing fails the client, named). */
export function redisTlsOptions(tls: RedisTlsOptions): TlsOptions {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`Redis TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  return {
    ...(tls.caFile && { ca: read(tls.caFile, 'CA file') }),
    ...(tls.certFile && { cert: read(tls.certFile, 'certificate file') }),
    ...(tls.keyFile && { key: read(tls.keyFile, 'key file') }),
    ...(tls.serverName && { servername: tls.serverName }),
    ...(tls.insecureSkipVerify && { rejectUnauthorized: false }),
  };
}

/** Redirections and retries a Cluster command gets before it fails (ioredis' default). */
const MAX_REDIRECTIONS = 16;

/**
 * How often a node's Cluster clients learn of a changed slot map (ms). Besides a hung master (its socket
 * never closes), this is what ends a stale map after a failover for pipelined commands: ioredis only
 * retries (and refreshes on) a pipeline's MOVED when every command of it got the same reply, so an
 * (auto)pipeline spanning several slots of a failed-over master returns its MOVED replies to the
 * callers until the map is re-read. A node's `fail-fast` and `blocking` clients do not re-read it on
 * timers of their own: one {@link SlotMapWatch} per process and cluster asks one node a second and
 * makes the clients re-read it when it changed (with a timer per client, each refresh a connection of
 * its own with CLIENT SETNAME and CLUSTER SLOTS and a 16 384-slot map rebuild, an idle node made 7.4
 * connections and 15 commands a second on a 3-master cluster, `npm run bench:idle`). heraldctl's
 * clients (`tool`) keep ioredis' own timer at this interval.
 */
const SLOTS_REFRESH_INTERVAL = 1000;

/**
 * The ioredis Cluster options of a client of `role` (without the seed nodes). Per node connection the
 * role's options (`redisClientOptions`) apply, except what ioredis itself fixes for node connections
 * (`retryStrategy: null`, an offline queue per node: a lost node is found again through the slot map,
 * not by reconnecting to it). The cluster-level behaviour:
 * - `enableOfflineQueue` as the role's (fail-fast: a command while the cluster is not ready rejects);
 * - `clusterRetryStrategy` reconnects soon (`tool`: gives up, so heraldctl reports at once);
 * - MOVED retried at once (the slot map is refreshed meanwhile), TRYAGAIN / CLUSTERDOWN / a closed node
 *   connection (failover) after a short delay (100 ms; with a command timeout, spaced so the 16 tries
 *   fit in it), at most 16 redirections per command;
 * - the slot map re-read when the process' slot-map watch sees it changed (checked every second,
 *   SLOTS_REFRESH_INTERVAL; `tool` clients: every second on their own) and at every redirection it
 *   handles;
 * - no autopipelining: ioredis follows MOVED/ASK for a single command, but an (auto)pipeline's MOVED
 *   replies reach the callers unless all of its commands got the same one — during a reshard that
 *   made requests fail (and nodes fall back to memory) for up to a slot-map refresh. Where Herald
 *   batches (an ingest request's per-slot upserts, group reads) it pipelines explicitly per master
 *   with `execPipeline`, which sends a redirected command again on its own.
 * All commands go to masters (`scaleReads: 'master'`): Herald reads its own writes.
 */
export function redisClusterOptions(
  opts: RedisConnectionOptions,
  role: RedisClientRole,
  name = opts.name,
): ClusterOptions {
  const c = opts.cluster;
  if (!c) throw new Error('redisClusterOptions needs a cluster configuration');
  const node = redisClientOptions(opts, role, name);
  // A command the cluster cannot place (its master's connection closed, CLUSTERDOWN, TRYAGAIN) is retried
  // up to MAX_REDIRECTIONS times, and ioredis' command timeout only runs while it sits on a node: for
  // the roles with a timeout the retries are spaced so that all of them fit in it (1 s → 62 ms apart),
  // so a lost master costs a request no more than command_timeout before the memory fallback.
  const retryDelay =
    role === 'blocking'
      ? 100
      : Math.max(10, Math.min(100, Math.floor(opts.commandTimeout / MAX_REDIRECTIONS)));
  const { retryStrategy: _nodeRetry, enableOfflineQueue, ...perNode } = node;
  return {
    scaleReads: 'master',
    lazyConnect: true,
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: false,
    clusterRetryStrategy: role === 'tool' ? () => null : reconnectSoon,
    retryDelayOnMoved: 0,
    retryDelayOnFailover: retryDelay,
    retryDelayOnTryAgain: retryDelay,
    retryDelayOnClusterDown: retryDelay,
    maxRedirections: MAX_REDIRECTIONS,
    slotsRefreshTimeout: opts.connectTimeout,
    // 0: no timer of its own; the process' SlotMapWatch re-reads the map when it changed.
    slotsRefreshInterval: watched(role) ? 0 : SLOTS_REFRESH_INTERVAL,
    redisOptions: {
      ...perNode,
      ...(c.username !== undefined && { username: c.username }),
      ...(c.password !== undefined && { password: c.password }),
      ...(c.tls && { tls: redisTlsOptions(c.tls) }),
    },
  };
}

/**
 * ioredis' Cluster with one fix: its periodic slot refresh re-arms its timer when a refresh finishes,
 * even after `disconnect()` — a refresh in flight at disconnect then loops every interval forever (no
 * nodes, a live timer), so a process that closed every client (heraldctl, tests, a BullMQ queue closed
 * on reload) never exits. A refresh asked of a client closed by hand does nothing, which ends the loop.
 */
class HeraldCluster extends Cluster {
  override refreshSlotsCache(callback?: Parameters<Cluster['refreshSlotsCache']>[0]): void {
    if ((this as unknown as { manuallyClosing: boolean }).manuallyClosing) return;
    super.refreshSlotsCache(callback);
  }
}

/** Clients whose slot map the process' SlotMapWatch keeps current (a node's; not heraldctl's). */
function watched(role: RedisClientRole): boolean {
  return role === 'fail-fast' || role === 'blocking';
}

/**
 * The one place that makes a Herald Redis client (URL, Sentinel or Cluster) for `role`; `name`
 * overrides `opts.name`. A Cluster configuration gives an ioredis `Cluster`.
 */
export function createRedisClient(
  opts: RedisConnectionOptions & { cluster?: undefined },
  role?: RedisClientRole,
  name?: string,
): Redis;
export function createRedisClient(
  opts: RedisConnectionOptions,
  role?: RedisClientRole,
  name?: string,
): RedisClient;
export function createRedisClient(
  opts: RedisConnectionOptions,
  role: RedisClientRole = 'fail-fast',
  name?: string,
): RedisClient {
  const modes = [opts.url, opts.sentinel, opts.cluster].filter((m) => m !== undefined).length;
  if (modes > 1) throw new Error('Redis connection takes one of url, sentinel or cluster');
  // A node's clients write once per turn of the event loop; heraldctl's are left as ioredis has them.
  const coalesce = role === 'fail-fast' || role === 'blocking';
  if (opts.cluster) {
    if (opts.cluster.nodes.length === 0) throw new Error('Redis Cluster connection needs at least one node');
    // RESP2 replies in ioredis' legacy shapes, as for the other clients (redisClientOptions).
    const options = redisClusterOptions(opts, role, name ?? opts.name);
    const cluster = new HeraldCluster(
      opts.cluster.nodes.map(splitHostPort),
      options as ConstructorParameters<typeof HeraldCluster>[1],
    );
    if (coalesce) cluster.on('+node', (node: Redis) => coalesceWrites(node));
    if (watched(role)) {
      const c = opts.cluster;
      const watch = slotMapWatchFor(JSON.stringify([[...c.nodes].sort(), c.username ?? '']), {
        intervalMs: SLOTS_REFRESH_INTERVAL,
        timeoutMs: Math.min(SLOTS_REFRESH_INTERVAL, opts.connectTimeout),
      });
      // Only request-path clients are asked: a blocking client's connections may sit in BZPOPMIN.
      watch.add(cluster, role === 'fail-fast');
      // BullMQ duplicates a worker's client for its blocking connections: the copy has the same options
      // (no refresh timer of its own), so it joins the watch (never asked: it blocks).
      const duplicate = cluster.duplicate.bind(cluster);
      cluster.duplicate = (...args: Parameters<Cluster['duplicate']>) => {
        const copy = duplicate(...args);
        if (!copy.options.slotsRefreshInterval) watch.add(copy, false);
        return copy;
      };
    }
    return cluster;
  }
  const options = redisClientOptions(opts, role, name ?? opts.name);
  let client: Redis;
  if (opts.sentinel) {
    client = new Redis({
      ...options,
      name: opts.sentinel.masterName,
      sentinels: opts.sentinel.sentinels.map(splitHostPort),
      password: opts.sentinel.password,
      sentinelPassword: opts.sentinel.sentinelPassword,
    });
  } else {
    if (!opts.url) throw new Error('Redis connection needs a url, a sentinel or a cluster configuration');
    client = new Redis(opts.url, options);
  }
  return coalesce ? coalesceWrites(client) : client;
}

/**
 * Makes `client` write the commands of one turn of the event loop to its socket at once: the socket is
 * corked at the first write of a turn and uncorked by `setImmediate` (the same turn's check phase, so
 * nothing waits for I/O), one `writev` instead of a syscall per command. ioredis writes each command
 * (or pipeline) as it is sent, and a node's flushes, deliveries and history send theirs from many
 * callbacks of one turn: those syscalls were ~27 % of the node's main thread in `npm run bench:notify`
 * (and Redis read as often). Applied to every socket the client connects (reconnects included).
 */
export function coalesceWrites(client: Redis): Redis {
  client.on('connect', () => {
    const stream = (client as unknown as { stream?: Duplex }).stream;
    if (!stream || coalescing.has(stream)) return;
    coalescing.add(stream);
    const write = stream.write;
    let corked = false;
    const uncork = () => {
      corked = false;
      stream.uncork();
    };
    stream.write = function (this: Duplex, ...args: unknown[]): boolean {
      if (!corked) {
        corked = true;
        stream.cork();
        setImmediate(uncork);
      }
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    };
  });
  return client;
}

const coalescing = new WeakSet<object>();

/**
 * A fail-fast client for the request path (`createRedisClient(opts, 'fail-fast')`). ioredis keeps
 * reconnecting in the background; the failover store decides what to do meanwhile.
 */
export function createFailFastClient(opts: RedisConnectionOptions & { cluster?: undefined }): Redis;
export function createFailFastClient(opts: RedisConnectionOptions): RedisClient;
export function createFailFastClient(opts: RedisConnectionOptions): RedisClient {
  return createRedisClient(opts, 'fail-fast');
}

/**
 * The clients the BullMQ delivery queue makes (`DeliveryConnection` of `@herald/delivery`): a fail-fast
 * one for enqueues and queue reads, a blocking one for the worker, each named by the caller. Cluster
 * clients for a cluster configuration (BullMQ's keys then need one hash tag in its prefix).
 */
export function redisConnection(opts: RedisConnectionOptions): {
  queue(name: string): RedisClient;
  worker(name: string): RedisClient;
} {
  return {
    queue: (name) => createRedisClient(opts, 'fail-fast', name),
    worker: (name) => createRedisClient(opts, 'blocking', name),
  };
}

// MOVED / ASK reach a caller when ioredis cannot retry them: a pipeline (explicit or automatic) whose
// commands did not all fail the same way, e.g. one slot of it migrated mid-reshard. Transient topology.
const UNAVAILABLE_REPLIES =
  /^(LOADING|READONLY|MASTERDOWN|BUSY|OOM|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|NOREPLICAS|MISCONF)\b/;

/**
 * True when an error means "Redis is not available right now" (connection closed, not writeable,
 * timed out, loading, read-only replica after a failover...) rather than a bug in a command or script.
 * Every error that is not a Redis reply counts, which covers the Cluster client's own: slot map not
 * readable from any node (`ClusterAllFailedError`, "Failed to refresh slots cache."), "Too many Cluster
 * redirections", "Cluster isn't ready and enableOfflineQueue options is false", "None of startup nodes
 * is available", "Connection is closed.".
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
