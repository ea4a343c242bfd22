import calculateSlot from 'cluster-key-slot';
import {
  createRedisClient,
  isClusterClient,
  masterNodes,
  RedisKeys,
  type RedisClient,
  type RedisClientRole,
  type RedisConnectionOptions,
} from '@herald/redis';
import { RedisCluster } from './redis-cluster';
import { RedisSentinel } from './redis-sentinel';
import { RedisServer } from './redis-server';

/** The Redis deployments Herald supports: one server, a Sentinel-managed master, a Redis Cluster. */
export type Topology = 'single' | 'sentinel' | 'cluster';

const ALL: readonly Topology[] = ['single', 'sentinel', 'cluster'];

/**
 * The topologies a suite runs on: all three, or those named in `HERALD_TEST_TOPOLOGIES`
 * (comma-separated, e.g. `single` for a quick local run). CI sets nothing: every topology.
 */
export const TOPOLOGIES: readonly Topology[] = (() => {
  const env = process.env.HERALD_TEST_TOPOLOGIES?.trim();
  if (!env) return ALL;
  const picked = env.split(',').map((s) => s.trim());
  const bad = picked.filter((t) => !ALL.includes(t as Topology));
  if (bad.length) throw new Error(`HERALD_TEST_TOPOLOGIES: unknown topology ${bad.join(', ')}`);
  return ALL.filter((t) => picked.includes(t));
})();

export interface RedisTopologyOptions {
  /** The suite client's command timeout (ms, default 1000). */
  commandTimeout?: number;
  connectTimeout?: number;
  /** Extra redis-server arguments for every data node, e.g. ['--maxmemory-policy', 'noeviction']. */
  args?: string[];
}

/** A running topology as a suite sees it (see `withRedisTopology`). */
export interface RedisTopology {
  topology: Topology;
  /** A connected fail-fast client (`createRedisClient(connection)`), as the stores use. */
  redis: RedisClient;
  /** How to reach it (url, sentinel or cluster), for code that makes its own clients. */
  connection: RedisConnectionOptions;
  /** Keys under `prefix` laid out for this topology (`cluster` on a cluster, `standalone` otherwise). */
  keys(prefix: string, dueBuckets?: number): RedisKeys;
  /** Another connected client of `role` (another node's connection); disconnected in afterAll. */
  client(role?: RedisClientRole): Promise<RedisClient>;
  /** KEYS `pattern` on every master (a cluster's keys live on several), sorted. */
  keysMatching(pattern: string): Promise<string[]>;
  /**
   * A `redis://` URL of the master holding `key` (on a cluster, the master serving its slot now), for
   * child processes that take a plain URL: commands on keys of that slot need no redirection.
   */
  urlOf(key: string): string;
  /** FLUSHALL on every master. */
  flushAll(): Promise<void>;
  /** single and sentinel: the master's server. */
  server?: RedisServer;
  /** sentinel: the sentinel process. */
  sentinel?: RedisSentinel;
  /** cluster: the cluster (its nodes, failover and reshard operations). */
  cluster?: RedisCluster;
}

/**
 * A suite's Redis of one topology, like `withRedis`: started in `beforeAll` and handed to `use` (assign
 * what you need to the suite's variables), everything stopped in `afterAll`.
 * - `single`: one redis-server;
 * - `sentinel`: a master and one real redis-sentinel monitoring it; clients find the master through it;
 * - `cluster`: 3 masters + 3 replicas (RedisCluster); clients are ioredis Cluster clients.
 * Start it once per file (describe block) and keep tests apart by key prefix, not by restarting.
 */
export function withRedisTopology(
  topology: Topology,
  use: (t: RedisTopology) => void,
  opts: RedisTopologyOptions = {},
): void {
  let started: Started | undefined;
  beforeAll(async () => {
    started = await startTopology(topology, opts);
    use(started.view);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  }, 30_000);
}

interface Started {
  view: RedisTopology;
  stop(): Promise<void>;
}

/** Starts `topology` outside Jest's hooks (withRedisTopology is the usual way). */
export async function startTopology(topology: Topology, opts: RedisTopologyOptions = {}): Promise<Started> {
  const timeouts = {
    commandTimeout: opts.commandTimeout ?? 1000,
    connectTimeout: opts.connectTimeout ?? 1000,
  };
  const clients: RedisClient[] = [];
  let server: RedisServer | undefined;
  let sentinel: RedisSentinel | undefined;
  let cluster: RedisCluster | undefined;
  const stop = async (): Promise<void> => {
    await Promise.all(clients.map(closeClient));
    await sentinel?.stop();
    await Promise.all([server?.stop(), cluster?.stop()]);
  };
  try {
    let connection: RedisConnectionOptions;
    switch (topology) {
      case 'single':
        server = await RedisServer.start({ args: opts.args });
        connection = { url: server.url, ...timeouts };
        break;
      case 'sentinel':
        // A local process: the sentinel hands out the address it monitors, which clients must reach.
        server = await RedisServer.start({ args: opts.args, localProcess: true });
        sentinel = await RedisSentinel.start(server);
        connection = { sentinel: sentinel.connection(), ...timeouts };
        break;
      case 'cluster':
        cluster = await RedisCluster.start({ args: opts.args });
        connection = { cluster: { nodes: cluster.seedNodes() }, ...timeouts };
        break;
    }
    const client = async (role: RedisClientRole = 'fail-fast'): Promise<RedisClient> => {
      const c = createRedisClient(connection, role);
      c.on('error', () => undefined);
      clients.push(c);
      await c.connect();
      return c;
    };
    const redis = await client();
    const view: RedisTopology = {
      topology,
      redis,
      connection,
      keys: (prefix, dueBuckets = 16) =>
        new RedisKeys(prefix, dueBuckets, topology === 'cluster' ? 'cluster' : 'standalone'),
      client,
      keysMatching: async (pattern) =>
        (await Promise.all(masterNodes(redis).map((n) => n.keys(pattern)))).flat().sort(),
      urlOf: (key) => {
        if (!isClusterClient(redis)) return server!.url;
        const [master] = redis.slots[calculateSlot(key)] ?? [];
        if (!master) throw new Error(`urlOf: no master known for ${key}`);
        return `redis://${master}`;
      },
      flushAll: async () => void (await Promise.all(masterNodes(redis).map((n) => n.flushall()))),
      server,
      sentinel,
      cluster,
    };
    return { view, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Disconnects a client the harness made, unless the test already did (a second disconnect of a closed
 * socket arms ioredis' 2 s destroy timer, which keeps Jest from exiting). A Cluster client is
 * disconnected only once no periodic slot refresh is in flight: ioredis 6 re-arms the refresh timer
 * from a refresh that completes after disconnect(), forever (cluster/index.js,
 * resetNodesRefreshInterval's nextRound does not check manuallyClosing).
 */
async function closeClient(c: RedisClient): Promise<void> {
  if (c.status === 'end') return;
  if (isClusterClient(c)) {
    const deadline = Date.now() + 3000;
    while ((c as unknown as { isRefreshing?: boolean }).isRefreshing && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  c.disconnect();
}
