import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LockManager, QuorumLockBackend, RedisLockBackend } from '@herald/locks';
import { createRedisClient, RedisKeys } from '@herald/redis';
import { RedisGroupLock } from '../../../apps/server/src/flush/group-lock';
import { RedisServer } from '../../harness/redis-server';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../../harness/redis-topology';
import { waitUntil } from '../../harness/wait';

/**
 * On one Redis the flush's group lock does not wait for its release's answer (`detachRelease`): the
 * release's script call is written before `using` resolves, so the node's next acquire of the same
 * group follows it on the same connection and Redis runs it after the release. Pinned on every
 * topology with the node's own client kind (fail-fast, writes coalesced per turn): back-to-back flushes
 * of one group on one node both get the lock, and the key is gone soon after for the other nodes. With
 * quorum locks (Redlock sends its release later than that: a detached one lost this race every time)
 * the release is waited for, and the same holds.
 */
async function backToBack(lock: RedisGroupLock, exists: (group: string) => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const group = `g${i % 5}`;
    const runs: number[] = [];
    expect(await lock.withLock('t', group, async () => void runs.push(1))).toBe(true);
    expect(await lock.withLock('t', group, async () => void runs.push(2))).toBe(true);
    expect(runs).toEqual([1, 2]);
  }
  for (let i = 0; i < 5; i++)
    await waitUntil(async () => !(await exists(`g${i}`)), { what: `g${i} released` });
}

describe.each(TOPOLOGIES)('group lock on %s: released without waiting, taken again at once', (topology) => {
  let topo: RedisTopology;
  withRedisTopology(topology, (t) => (topo = t));

  it('two flushes of one group back to back on one node both take the lock', async () => {
    const keys = topo.keys(`gl${randomBytes(4).toString('hex')}`);
    const locks = new LockManager(new RedisLockBackend(topo.redis, { fenceKey: (k) => keys.lockFence(k) }));
    const lock = new RedisGroupLock(locks, (t, g) => keys.groupLock(t, g), { degraded: false });
    const other = await topo.client();
    await backToBack(lock, async (g) => (await other.exists(keys.groupLock('t', g))) === 1);
    expect(locks.heldCount).toBe(0);
  });
});

describe('group lock on quorum locks (3 masters): released without waiting, taken again at once', () => {
  let servers: RedisServer[];
  let clients: Redis[];
  beforeAll(async () => {
    servers = await Promise.all([RedisServer.start(), RedisServer.start(), RedisServer.start()]);
    clients = await Promise.all(
      servers.map(async (s) => {
        const c = createRedisClient({ url: s.url, commandTimeout: 1000, connectTimeout: 2000 }, 'fail-fast');
        await c.connect();
        return c;
      }),
    );
  });
  afterAll(async () => {
    for (const c of clients ?? []) c.disconnect();
    await Promise.all((servers ?? []).map((s) => s.stop()));
  });

  it('two flushes of one group back to back on one node both take the lock', async () => {
    const keys = new RedisKeys(`gq${randomBytes(4).toString('hex')}`, 1);
    const locks = new LockManager(new QuorumLockBackend(clients, { fenceKey: (k) => keys.lockFence(k) }));
    const lock = new RedisGroupLock(locks, (t, g) => keys.groupLock(t, g), { degraded: false });
    const held = async (g: string) =>
      (await Promise.all(clients.map((c) => c.exists(keys.groupLock('t', g))))).some((n) => n === 1);
    await backToBack(lock, held);
    expect(locks.heldCount).toBe(0);
  });
});
