import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LockManager, LockNotAcquiredError, LockUnavailableError, QuorumLockBackend } from '@herald/locks';
import { RedisKeys } from '@herald/redis';
import { rawClient } from '../../harness/redis-client';
import { RedisServer } from '../../harness/redis-server';
import { sleep } from '../../harness/wait';

/** Redlock quorum mode over 3 independent redis-servers, killed one at a time (tests run in order). */
describe('quorum lock (redlock 5, 3 masters)', () => {
  let servers: RedisServer[];
  let clients: Redis[];
  let a: LockManager;
  let b: LockManager;
  let keys: RedisKeys;
  const lockFence = (lockKey: string) => keys.lockFence(lockKey);
  const fences: number[] = [];

  // Fail fast (no offline queue): a dead master votes "against" at once instead of holding the quorum.
  const connect = (url: string) =>
    rawClient(url, { maxRetriesPerRequest: 0, commandTimeout: 500, retryStrategy: () => 100 });

  beforeAll(async () => {
    servers = await Promise.all([RedisServer.start(), RedisServer.start(), RedisServer.start()]);
    clients = await Promise.all(servers.map((s) => connect(s.url)));
    // Two nodes of the service, each with its own connections to the three masters.
    const clientsB = await Promise.all(servers.map((s) => connect(s.url)));
    clients.push(...clientsB);
    a = new LockManager(new QuorumLockBackend(clients.slice(0, 3), { fenceKey: lockFence }));
    b = new LockManager(new QuorumLockBackend(clientsB, { fenceKey: lockFence }));
    keys = new RedisKeys(`it${randomBytes(4).toString('hex')}`, 1);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** Takes, contends, extends and releases; records the fencing tokens handed out. */
  const exercise = async (group: string) => {
    const key = keys.groupLock('t1', group);
    const lock = await a.tryAcquire(key, 2000);
    expect(lock).not.toBeNull();
    fences.push(lock!.fence);
    expect(await b.tryAcquire(key, 2000)).toBeNull();
    expect(await lock!.extend()).toBe(true);
    expect(await lock!.release()).toBe(true);
    const next = await b.acquire(key, 2000, { waitMs: 500 });
    fences.push(next.fence);
    expect(await next.release()).toBe(true);
  };

  it('takes, refuses a contender, extends and releases with all 3 masters up', async () => {
    await exercise('g1');
    // Also with the watchdog: a hold longer than its TTL stays exclusive.
    await a.using(keys.groupLock('t1', 'g1'), 300, async (signal) => {
      // Time under test: a hold of more than two TTLs (300 ms), kept by the watchdog.
      await sleep(700);
      expect(await b.tryAcquire(keys.groupLock('t1', 'g1'), 300)).toBeNull();
      expect(signal.aborted).toBe(false);
    });
  });

  it('keeps working with one master killed, fencing tokens still rising', async () => {
    await servers[0].kill();
    await exercise('g1');
    expect(fences).toEqual([...fences].sort((x, y) => x - y));
    expect(new Set(fences).size).toBe(fences.length);
  });

  it('refuses with two masters killed', async () => {
    await servers[1].kill();
    await expect(a.tryAcquire(keys.groupLock('t1', 'g2'), 2000)).rejects.toBeInstanceOf(LockUnavailableError);
    const err = await a.acquire(keys.groupLock('t1', 'g2'), 2000, { waitMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockNotAcquiredError);
    expect((err as LockNotAcquiredError).cause).toBeInstanceOf(LockUnavailableError);
    expect(a.heldCount).toBe(0);
  });
});
