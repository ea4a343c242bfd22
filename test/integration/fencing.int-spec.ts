import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { LockManager, RedisLockBackend } from '@herald/locks';
import { RedisFlushStore, RedisKeys } from '@herald/redis';
import { RedisGroupLock } from '../../apps/server/src/flush/group-lock';
import { signalAndWait, track } from '../harness/process';
import { withRedis } from '../harness/redis-client';
import type { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';
import { FENCING_ENTRY, FENCING_GROUP, FENCING_LOCK_TTL_MS } from './fixtures/fencing-fixture';

let server: RedisServer;
let redis: Redis;
withRedis((r) => ({ server, redis } = r), { commandTimeout: 2000 });

const ROOT = join(__dirname, '..', '..');

describe('fencing: the group lock guards the notification log (issue 11 #2)', () => {
  it('a flush paused (SIGSTOP) past its lock TTL has its late log write refused after a newer holder wrote', async () => {
    const prefix = `f${randomBytes(4).toString('hex')}`;
    const keys = new RedisKeys(prefix, 4);
    const flush = new RedisFlushStore(redis, keys, { keyTtl: 86_400_000 });
    const holder = track(
      spawn(
        process.execPath,
        [
          '-r',
          join(ROOT, 'test', 'harness', 'ts-register.js'),
          join(__dirname, 'fixtures', 'group-lock-holder.ts'),
          server.url,
          prefix,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    const out: string[] = [];
    createInterface({ input: holder.stdout }).on('line', (l) => out.push(l));
    try {
      const locked = await waitUntil(() => out.find((l) => l.startsWith('locked ')), {
        what: 'the first holder to take the group lock',
        timeoutMs: 30_000,
      });
      const oldFence = Number(locked.split(' ')[1]);

      // The holder stops mid-flush (a GC pause, a stalled VM): its watchdog cannot extend the lock.
      holder.kill('SIGSTOP');
      const lockKey = keys.groupLock('t', FENCING_GROUP);
      await waitUntil(async () => (await redis.exists(lockKey)) === 0, {
        what: "the paused holder's lock to expire",
      });

      // Another node takes the lock and records its flush of the same half.
      const lock = new RedisGroupLock(
        new LockManager(new RedisLockBackend(redis, { fenceKey: (k) => keys.lockFence(k) })),
        (t, g) => keys.groupLock(t, g),
        { degraded: false },
        FENCING_LOCK_TTL_MS,
      );
      let newFence = 0;
      const got = await lock.withLock('t', FENCING_GROUP, async (fence) => {
        newFence = fence!;
        expect(await flush.writeLog(FENCING_ENTRY, 86_400_000, fence)).toEqual({ written: true });
      });
      expect(got).toBe(true);
      expect(newFence).toBeGreaterThan(oldFence);

      // The first holder wakes up and, unaware, writes what it decided before the pause.
      holder.kill('SIGCONT');
      holder.stdin.write('go\n');
      const wrote = await waitUntil(() => out.find((l) => l.startsWith('wrote ')), {
        what: "the paused holder's log write",
      });
      expect(JSON.parse(wrote.slice('wrote '.length))).toEqual({ written: false, refused: 'stale-fence' });
      const key = { tenant: 't', groupId: FENCING_GROUP, receiver: 'hook', state: 'firing' as const };
      expect(await flush.readLog(key)).toMatchObject({ seq: 1 });
    } finally {
      holder.kill('SIGCONT');
      await signalAndWait(holder, 'SIGTERM', 2000);
    }
  }, 60_000);
});
