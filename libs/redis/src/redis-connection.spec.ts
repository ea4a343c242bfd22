import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import {
  createRedisClient,
  isUnavailableError,
  redisClientOptions,
  redisClusterOptions,
  redisConnection,
  redisConnectionOptions,
  type RedisConnectionOptions,
} from './redis-connection';

const TIMEOUTS = { commandTimeout: 1000, connectTimeout: 2000 };
const CLUSTER: RedisConnectionOptions = {
  ...TIMEOUTS,
  name: 'herald:n1',
  cluster: { nodes: ['10.0.0.1:7000', '[::1]:7001'], username: 'u', password: 'p' },
};

function replyError(message: string): Error {
  const e = new Error(message);
  Object.defineProperty(e, 'name', { value: 'ReplyError' });
  return e;
}

describe('redisConnectionOptions', () => {
  it('carries a cluster configuration (IPv6 seeds bracketed) with the timeouts and client name', () => {
    expect(
      redisConnectionOptions(
        {
          ...TIMEOUTS,
          mode: 'cluster',
          cluster: {
            nodes: [
              { host: 'r1', port: 7000 },
              { host: '::1', port: 7001 },
            ],
            password: 'p',
            tls: { serverName: 'redis.internal', insecureSkipVerify: false },
          },
        },
        'n1',
      ),
    ).toEqual({
      ...TIMEOUTS,
      name: 'herald:n1',
      cluster: {
        nodes: ['r1:7000', '[::1]:7001'],
        password: 'p',
        tls: { serverName: 'redis.internal', insecureSkipVerify: false },
      },
    });
  });

  it('is null in memory mode and a URL for a single master', () => {
    expect(redisConnectionOptions({ ...TIMEOUTS, mode: 'memory' }, 'n1')).toBeNull();
    expect(redisConnectionOptions({ ...TIMEOUTS, mode: 'single', url: 'redis://r' }, 'n1')).toEqual({
      ...TIMEOUTS,
      name: 'herald:n1',
      url: 'redis://r',
    });
  });
});

describe('redisClusterOptions', () => {
  it('fail-fast: no offline queue, command timeout, no autopipelining, masters only, short retries', () => {
    const o = redisClusterOptions(CLUSTER, 'fail-fast');
    expect(o).toMatchObject({
      scaleReads: 'master',
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: false,
      retryDelayOnMoved: 0,
      // 16 tries spaced to fit in the 1 s command timeout: a lost master fails a request within it.
      retryDelayOnFailover: 62,
      retryDelayOnTryAgain: 62,
      retryDelayOnClusterDown: 62,
      maxRedirections: 16,
      slotsRefreshTimeout: 2000,
      // No refresh timer of its own: the process' SlotMapWatch re-reads the map when it changed.
      slotsRefreshInterval: 0,
    });
    expect(o.redisOptions).toEqual({
      connectTimeout: 2000,
      commandTimeout: 1000,
      protocol: 2,
      lazyConnect: true,
      connectionName: 'herald:n1',
      maxRetriesPerRequest: 0,
      username: 'u',
      password: 'p',
    });
    // Node connections never reconnect on their own (ioredis fixes that); the cluster does, soon.
    expect(o.redisOptions).not.toHaveProperty('retryStrategy');
    const retry = o.clusterRetryStrategy as (times: number) => number | null;
    expect(retry(1)).toBe(100);
    expect(retry(50)).toBe(1000);
  });

  it('blocking (BullMQ worker): maxRetriesPerRequest null, offline queue, no command timeout, no autopipelining', () => {
    const o = redisClusterOptions(CLUSTER, 'blocking', 'herald:n1:delivery-worker');
    expect(o.enableOfflineQueue).toBe(true);
    expect(o.enableAutoPipelining).toBe(false);
    expect(o).toMatchObject({
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      // Re-read by the process' SlotMapWatch (never asked itself: its connections may block).
      slotsRefreshInterval: 0,
    });
    expect(o.redisOptions).toMatchObject({
      maxRetriesPerRequest: null,
      connectionName: 'herald:n1:delivery-worker',
    });
    expect(o.redisOptions).not.toHaveProperty('commandTimeout');
  });

  it('tool: gives up at once; tool-watch reconnects', () => {
    const tool = redisClusterOptions(CLUSTER, 'tool');
    expect((tool.clusterRetryStrategy as (n: number) => number | null)(1)).toBeNull();
    expect(tool.enableOfflineQueue).toBe(false);
    expect(tool.redisOptions).toMatchObject({ disconnectTimeout: 100, commandTimeout: 1000 });
    // heraldctl holds one client: ioredis' own timer, at the node's check interval.
    expect(tool.slotsRefreshInterval).toBe(1000);
    const watch = redisClusterOptions(CLUSTER, 'tool-watch');
    expect((watch.clusterRetryStrategy as (n: number) => number | null)(1)).toBe(100);
  });

  it('retry spacing stays between 10 and 100 ms whatever the command timeout', () => {
    const delay = (commandTimeout: number) =>
      redisClusterOptions({ ...CLUSTER, commandTimeout }, 'fail-fast').retryDelayOnFailover;
    expect(delay(50)).toBe(10);
    expect(delay(5000)).toBe(100);
  });

  it('reads the TLS files into the node options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-redis-tls-'));
    for (const f of ['ca', 'cert', 'key']) writeFileSync(join(dir, f), `${f}-pem`);
    const o = redisClusterOptions(
      {
        ...CLUSTER,
        cluster: {
          nodes: ['a:1'],
          tls: {
            caFile: join(dir, 'ca'),
            certFile: join(dir, 'cert'),
            keyFile: join(dir, 'key'),
            serverName: 'redis.internal',
            insecureSkipVerify: true,
          },
        },
      },
      'fail-fast',
    );
    const tls = o.redisOptions?.tls as Record<string, unknown>;
    expect(String(tls.ca)).toBe('ca-pem');
    expect(String(tls.cert)).toBe('cert-pem');
    expect(String(tls.key)).toBe('key-pem');
    expect(tls).toMatchObject({ servername: 'redis.internal', rejectUnauthorized: false });
    expect(
      redisClusterOptions({ ...CLUSTER, cluster: { nodes: ['a:1'], tls: {} } }, 'fail-fast').redisOptions
        ?.tls,
    ).toEqual({});
  });

  it('names a TLS file that cannot be read', () => {
    expect(() =>
      redisClusterOptions(
        { ...CLUSTER, cluster: { nodes: ['a:1'], tls: { caFile: '/nonexistent/ca.pem' } } },
        'fail-fast',
      ),
    ).toThrow('Redis TLS CA file /nonexistent/ca.pem');
  });
});

describe('createRedisClient', () => {
  it('makes an ioredis Cluster on the seeds for a cluster configuration (lazily: nothing connects)', () => {
    const c = createRedisClient(CLUSTER, 'fail-fast');
    try {
      expect(c).toBeInstanceOf(Cluster);
      const cluster = c as Cluster;
      expect(cluster.status).toBe('wait');
      expect((cluster as unknown as { startupNodes: unknown }).startupNodes).toEqual([
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ]);
      expect(cluster.options.enableAutoPipelining).toBe(false);
    } finally {
      c.disconnect();
    }
  });

  it('a slot refresh asked of a Cluster client closed by hand does nothing (ioredis re-armed its refresh loop after disconnect)', async () => {
    const c = createRedisClient(CLUSTER, 'fail-fast') as Cluster;
    c.on('error', () => undefined);
    c.disconnect();
    const done = jest.fn();
    c.refreshSlotsCache(done);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).not.toHaveBeenCalled(); // the periodic loop continues only from this callback
  });

  it('BullMQ connection: Cluster clients for queue and worker', () => {
    const conn = redisConnection(CLUSTER);
    const [q, w] = [conn.queue('herald:n1:delivery-queue'), conn.worker('herald:n1:delivery-worker')];
    try {
      expect(q).toBeInstanceOf(Cluster);
      expect(w).toBeInstanceOf(Cluster);
      expect((w as Cluster).options.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
    } finally {
      q.disconnect();
      w.disconnect();
    }
  });

  it('keeps a URL client a Redis, and refuses two endpoints at once', () => {
    const r = createRedisClient({ ...TIMEOUTS, url: 'redis://127.0.0.1:1' });
    expect(r).toBeInstanceOf(Redis);
    r.disconnect();
    expect(() => createRedisClient({ ...CLUSTER, url: 'redis://a' })).toThrow(
      'one of url, sentinel or cluster',
    );
    expect(() => createRedisClient({ ...TIMEOUTS, cluster: { nodes: [] } })).toThrow('at least one node');
  });

  it('single-node client options are unchanged', () => {
    expect(redisClientOptions({ ...TIMEOUTS, name: 'x' }, 'fail-fast')).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
    });
  });
});

describe('isUnavailableError', () => {
  it.each([
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'MOVED 3999 127.0.0.1:6381',
    'ASK 3999 127.0.0.1:6381',
    "READONLY You can't write against a read only replica.",
    'LOADING Redis is loading the dataset in memory',
  ])('a %p reply is unavailability', (message) => {
    expect(isUnavailableError(replyError(message))).toBe(true);
  });

  it.each([
    'ERR Error running script (call to f_x): @user_script:1: wrong number of arguments',
    "CROSSSLOT Keys in request don't hash to the same slot",
    'WRONGTYPE Operation against a key holding the wrong kind of value',
    'NOSCRIPT No matching script. Please use EVAL.',
  ])('a %p reply is a bug, not unavailability', (message) => {
    expect(isUnavailableError(replyError(message))).toBe(false);
  });

  it("the Cluster client's own failures are unavailability", () => {
    class ClusterAllFailedError extends Error {
      override name = 'ClusterAllFailedError';
    }
    for (const e of [
      new ClusterAllFailedError('Failed to refresh slots cache.'),
      new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 1 127.0.0.1:7000'),
      new Error("Cluster isn't ready and enableOfflineQueue options is false"),
      new Error('None of startup nodes is available'),
      new Error('Connection is closed.'),
      new Error('Command timed out'),
    ]) {
      expect(isUnavailableError(e)).toBe(true);
    }
    expect(isUnavailableError('not an error')).toBe(false);
  });
});
