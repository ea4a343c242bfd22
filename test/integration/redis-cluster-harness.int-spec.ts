import type { Cluster } from 'ioredis';
import { CLUSTER_SLOTS, RedisCluster, type ClusterNode } from '../harness/redis-cluster';
import { waitUntil } from '../harness/wait';

/**
 * The Redis Cluster harness itself (issue 15 groundwork): six real redis-server processes joined by
 * redis-cli, written and read through ioredis' Cluster client, surviving a master's SIGKILL and a
 * reshard of 1 000 slots.
 */
describe('RedisCluster harness', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  const keys = Array.from({ length: 2000 }, (_, i) => `harness:key:${i}`);
  const value = (k: string) => `v-${k}`;

  /** Every key read back through the cluster client (which may need a moment to learn a new topology). */
  const allReadable = (what: string) =>
    waitUntil(
      async () => {
        const got = await Promise.all(keys.map((k) => client.get(k)));
        const wrong = keys.filter((k, i) => got[i] !== value(k));
        return wrong.length === 0 || undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: `all ${keys.length} keys readable ${what}` },
    );

  const dbsize = async (n: ClusterNode) => Number(await cluster.command(n, 'DBSIZE'));

  beforeAll(async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
    client = await cluster.client();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('comes up with 3 masters, one replica each, and all 16384 slots covered', async () => {
    expect(cluster.nodes).toHaveLength(6);
    expect(new Set(cluster.nodes.map((n) => n.pid)).size).toBe(6);
    expect(cluster.seedNodes()).toEqual(cluster.nodes.map((n) => `127.0.0.1:${n.port}`));
    const masters = cluster.masters();
    expect(masters).toHaveLength(3);
    for (const m of masters) expect(cluster.replicasOf(m)).toHaveLength(1);

    const ranges = (await client.cluster('SLOTS')) as [number, number, ...unknown[]][];
    expect(ranges.reduce((sum, [a, b]) => sum + b - a + 1, 0)).toBe(CLUSTER_SLOTS);
    for (const n of cluster.nodes) {
      expect(String(await cluster.command(n, 'CLUSTER', 'INFO'))).toMatch(/^cluster_state:ok/m);
    }
  }, 30_000);

  it('writes keys in many slots through the Cluster client and reads them back', async () => {
    await Promise.all(keys.map((k) => client.set(k, value(k))));
    const slots = await Promise.all(keys.map((k) => client.cluster('KEYSLOT', k)));
    expect(new Set(slots).size).toBeGreaterThan(1500);
    const perMaster = await Promise.all(cluster.masters().map(dbsize));
    for (const n of perMaster) expect(n).toBeGreaterThan(0);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(keys.length);
    await allReadable('after the writes');
  }, 60_000);

  it('SIGKILL of a master: its replica is promoted and the keys of its slots stay readable', async () => {
    await cluster.waitForReplication();
    const victim = cluster.masters()[0];
    const [replica] = cluster.replicasOf(victim);
    const victimKeys = await dbsize(victim);

    const t0 = Date.now();
    await cluster.kill(victim, 'SIGKILL');
    const promoted = await cluster.waitForFailover(victim);
    const failoverMs = Date.now() - t0;

    expect(promoted.id).toBe(replica.id);
    expect(promoted.role).toBe('master');
    expect(cluster.masters()).toHaveLength(3);
    expect(cluster.masters()).not.toContain(victim);
    expect(await dbsize(promoted)).toBe(victimKeys);
    await allReadable('after the failover');

    // The old master comes back under its id as a replica of its successor.
    await cluster.restart(victim);
    expect(victim.role).toBe('replica');
    expect(cluster.replicasOf(promoted).map((n) => n.id)).toEqual([victim.id]);
    expect(failoverMs).toBeLessThan(15_000);
  }, 60_000);

  it('a reshard of 1000 slots between two masters completes and every key stays readable', async () => {
    const [from, to] = cluster.masters();
    const [fromBefore, toBefore] = [await dbsize(from), await dbsize(to)];
    await cluster.reshard({ from, to, slots: 1000 });

    const [fromAfter, toAfter] = [await dbsize(from), await dbsize(to)];
    expect(fromAfter).toBeLessThan(fromBefore);
    expect(toAfter - toBefore).toBe(fromBefore - fromAfter);
    await allReadable('after the reshard');
  }, 60_000);

  it('SIGSTOP of a master fails it over; after SIGCONT it rejoins as a replica', async () => {
    await cluster.waitForReplication();
    const victim = cluster.masters()[1];
    const [replica] = cluster.replicasOf(victim);
    await cluster.kill(victim, 'SIGSTOP');
    expect((await cluster.waitForFailover(victim)).id).toBe(replica.id);
    await allReadable('while the old master hangs');

    await cluster.kill(victim, 'SIGCONT');
    await cluster.waitSettled();
    expect(victim.role).toBe('replica');
    expect(victim.masterId).toBe(replica.id);
    expect(cluster.masters()).toHaveLength(3);
  }, 60_000);
});
