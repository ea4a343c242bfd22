import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { defineLuaScript, type ScriptCommand } from '@herald/lua';
import { createRedisClient, isUnavailableError } from '@herald/redis';
import { RedisCluster, type ClusterNode } from '../harness/redis-cluster';
import { waitUntil } from '../harness/wait';

/**
 * Herald's own Cluster client (`herald.redis.cluster` → createRedisClient, fail-fast role) on a real
 * 3-master cluster (issue 15, "configuration"): scripts registered with defineCommand run on keys of
 * every master, routed by their keys; after a master is SIGKILLed and its replica promoted the same
 * client serves commands and scripts again, and a script cache flushed on the new master (NOSCRIPT) is
 * reloaded by the client without the caller noticing. The client does not autopipeline (see
 * redisClusterOptions in libs/redis/src/redis-connection.ts; Herald pipelines per master explicitly).
 */
describe('createRedisClient on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let bump: ScriptCommand<number>;
  let sum: ScriptCommand<number>;
  const scriptDir = mkdtempSync(join(tmpdir(), 'herald-cluster-lua-'));
  // One key per slot, spread so that every master holds some (picked from the client's slot map).
  let keys: string[] = [];

  /** The master (as the harness knows it) serving `key`, by the client's slot map. */
  const masterOf = (key: string): ClusterNode => {
    const addr = client.slots[calculateSlot(key)][0];
    const node = cluster.nodes.find((n) => n.address === addr);
    if (!node) throw new Error(`no node at ${addr}`);
    return node;
  };

  const errorstat = async (node: ClusterNode, name: string): Promise<number> => {
    const info = String(await cluster.command(node, 'INFO', 'errorstats'));
    return Number(new RegExp(`^errorstat_${name}:count=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  };

  beforeAll(async () => {
    // A fixed-key script and a variable-key one, loaded the way Herald loads its own (file name = key count).
    writeFileSync(join(scriptDir, 'bump-1.lua'), "return redis.call('INCRBY', KEYS[1], ARGV[1])\n");
    writeFileSync(
      join(scriptDir, 'sum-n.lua'),
      "local s = 0\nfor i = 1, #KEYS do s = s + tonumber(redis.call('GET', KEYS[i]) or '0') end\nreturn s\n",
    );
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
    client = createRedisClient(
      {
        cluster: { nodes: cluster.seedNodes() },
        commandTimeout: 1000,
        connectTimeout: 1000,
        name: 'herald:int',
      },
      'fail-fast',
    ) as Cluster;
    client.on('error', () => undefined);
    await client.connect();
    bump = defineLuaScript<number>(client, scriptDir, 'bump-1');
    sum = defineLuaScript<number>(client, scriptDir, 'sum-n');
    const perMaster = new Map<string, string[]>();
    for (let i = 0; perMaster.size < 3 || [...perMaster.values()].some((k) => k.length < 4); i++) {
      const key = `conn:{g${i}}:count`;
      const at = client.slots[calculateSlot(key)][0];
      const list = perMaster.get(at) ?? [];
      if (list.length < 4) list.push(key);
      perMaster.set(at, list);
    }
    keys = [...perMaster.values()].flat();
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
    rmSync(scriptDir, { recursive: true, force: true });
  });

  it('is a Cluster client with the fail-fast settings, running scripts on every master', async () => {
    expect(client.options).toMatchObject({
      enableOfflineQueue: false,
      enableAutoPipelining: false,
      scaleReads: 'master',
    });
    const replies = await Promise.all(keys.map((k) => bump([k], [1])));
    expect(replies).toEqual(keys.map(() => 1));
    expect(await Promise.all(keys.map((k) => client.get(k)))).toEqual(keys.map(() => '1'));
  });

  it('a variable-key (-n) script: concurrent calls on every master succeed (routed by their keys)', async () => {
    // Every call's keys share one hash tag; the calls together touch all three masters.
    const calls = keys.map((k) => [k, k.replace(':count', ':other')]);
    expect(await Promise.all(calls.map((ks) => sum(ks)))).toEqual(calls.map(() => 1));

    // One reason createRedisClient does not autopipeline: an autopipelining ioredis Cluster groups a call
    // by its first argument, for such a script the key count, so equal-count calls on different masters
    // share one pipeline, which ioredis refuses whole. (Pinned, with the MOVED replies an autopipeline
    // hands back during a reshard: see redisClusterOptions.)
    const plain = await cluster.client({ enableAutoPipelining: true });
    const plainSum = defineLuaScript<number>(plain, scriptDir, 'sum-n');
    await expect(Promise.all(calls.map((ks) => plainSum(ks)))).rejects.toThrow(
      'All keys in the pipeline should belong to the same slots allocation group',
    );
  });

  it('every client of the process learns a reshard from the slot-map watch (request path, blocking, a BullMQ duplicate), none re-reading an unchanged map', async () => {
    const conn = {
      cluster: { nodes: cluster.seedNodes() },
      commandTimeout: 1000,
      connectTimeout: 1000,
      name: 'herald:int-watch',
    };
    const blocking = createRedisClient(conn, 'blocking') as Cluster;
    blocking.on('error', () => undefined);
    await blocking.connect();
    const dup = blocking.duplicate(); // what BullMQ does for a worker's blocking connection
    dup.on('error', () => undefined);
    await dup.connect();
    const clients = [client, blocking, dup];
    const refreshes = clients.map(() => 0);
    clients.forEach((c, i) => {
      const own = c.refreshSlotsCache.bind(c);
      c.refreshSlotsCache = (cb) => {
        refreshes[i]++;
        own(cb);
      };
    });
    /** CLUSTER SLOTS served, all nodes (the watch asks one node a check). */
    const slotsCalls = async () => {
      let n = 0;
      for (const node of cluster.nodes) {
        const info = String(await cluster.command(node, 'INFO', 'commandstats'));
        n += Number(/^cmdstat_cluster\|slots:calls=(\d+)/m.exec(info)?.[1] ?? 0);
      }
      return n;
    };
    /** Every slot's master by `c`'s map equals the cluster's own. */
    const current = async (c: Cluster) => {
      const truth = (await cluster.command(cluster.masters()[0], 'CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][];
      return truth.every(([from, to, [host, port]]) => {
        for (let s = from; s <= to; s++) if (c.slots[s]?.[0] !== `${host}:${port}`) return false;
        return true;
      });
    };
    try {
      // No timer of its own: the watch re-reads each new client once (its first check), then nothing
      // while the map stays as it is — three checks later no client has re-read it again.
      for (const c of clients) expect(c.options.slotsRefreshInterval).toBe(0);
      await waitUntil(async () => refreshes.slice(1).every((n) => n >= 1), {
        timeoutMs: 5_000,
        what: 'the first check re-reading the new clients',
      });
      refreshes.fill(0);
      const calls0 = await slotsCalls();
      await waitUntil(async () => (await slotsCalls()) >= calls0 + 3, {
        timeoutMs: 6_000,
        what: 'three slot-map checks',
      });
      expect(refreshes).toEqual([0, 0, 0]);

      // A reshard: every client's map follows within a check or two, the idle ones included (they send
      // nothing, so no MOVED tells them).
      const [from, to] = cluster.masters();
      await cluster.reshard({ from, to, slots: 100 });
      await waitUntil(async () => (await Promise.all(clients.map(current))).every(Boolean), {
        timeoutMs: 5_000,
        intervalMs: 100,
        what: "every client's slot map after the reshard",
      });
      expect(refreshes.every((n) => n >= 1)).toBe(true);
    } finally {
      dup.disconnect();
      blocking.disconnect();
    }
  }, 60_000);

  it('recovers after a master is SIGKILLed and its replica promoted; NOSCRIPT on the new master is handled', async () => {
    const victim = masterOf(keys[0]);
    const victimKeys = keys.filter((k) => masterOf(k) === victim);
    await cluster.waitForReplication();
    await cluster.kill(victim, 'SIGKILL');

    // While the slot has no master the fail-fast client gives up within about command_timeout (1 s here;
    // the retries are spaced to fit in it), with an error Herald's failover store reads as "Redis
    // unavailable" (it then serves from memory), never as a script bug.
    const started = Date.now();
    const during = await bump([victimKeys[0]], [0]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    if (during !== undefined) expect(isUnavailableError(during)).toBe(true);

    const promoted = await cluster.waitForFailover(victim);
    // The same client learns the new topology: autopipelined calls on several slots of the old master get
    // MOVED replies that ioredis does not follow (they differ per slot) until the slot map is re-read,
    // when the process' slot-map watch (a check a second) sees it changed — so within a few seconds every
    // call succeeds again (each MOVED meanwhile counts as unavailability, not a bug).
    const bugs: unknown[] = [];
    await waitUntil(
      async () => {
        const got = await Promise.all(
          keys.map((k) =>
            bump([k], [10]).catch((e: unknown) => {
              if (!isUnavailableError(e)) bugs.push(e);
              throw e;
            }),
          ),
        );
        return got.every((v) => v >= 11) && got;
      },
      { timeoutMs: 3_000, intervalMs: 100, what: 'the script on every key after the failover' },
    );
    expect(bugs).toEqual([]);
    expect(masterOf(victimKeys[0]).address).toBe(promoted.address);
    const before = await Promise.all(keys.map((k) => client.get(k)));

    // The promoted replica's script cache is dropped: the next EVALSHA gets NOSCRIPT, and the client sends
    // the script again (EVAL) — the call still succeeds, the increment applied once.
    await cluster.command(promoted, 'SCRIPT', 'FLUSH');
    const noscriptBefore = await errorstat(promoted, 'NOSCRIPT');
    const after = await Promise.all(keys.map((k) => bump([k], [1])));
    expect(after).toEqual(before.map((v) => Number(v) + 1));
    expect(await errorstat(promoted, 'NOSCRIPT')).toBeGreaterThan(noscriptBefore);
    expect(await Promise.all(keys.map((k) => client.get(k)))).toEqual(after.map(String));
    // Plain commands and the variable-key script too.
    expect(await client.ping()).toBe('PONG');
    expect(await sum([keys[0], keys[0].replace(':count', ':other')])).toBe(after[0]);
  }, 20_000);
});
