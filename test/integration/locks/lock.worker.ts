/**
 * A lock holder in its own process, driven by the lock integration tests (started with
 * test/harness/ts-register.js; one JSON argument; reports over the IPC channel).
 *   counter: `iterations` critical sections, each a non-atomic GET + SET of a shared counter under the
 *            lock; reports every hold as [start ns, end ns, fence] (CLOCK_MONOTONIC, system-wide).
 *   hold:    takes the lock with `using`, reports `acquired`, waits until its AbortSignal fires, then
 *            reports what Redis says to its extend / release and to a fenced write with its old token.
 */
import { Redis } from 'ioredis';
import { fencedSet, LockLostError, LockManager, RedisLockBackend } from '@herald/locks';

/** What the test asks a worker to do. */
export type WorkerCommand =
  | {
      mode: 'counter';
      url: string;
      key: string;
      lockFence: string;
      counterKey: string;
      iterations: number;
      ttlMs: number;
    }
  | {
      mode: 'hold';
      url: string;
      key: string;
      lockFence: string;
      ttlMs: number;
      fenceKey: string;
      dataKey: string;
    };

/** What a worker reports. */
export type WorkerMessage =
  | { type: 'holds'; holds: [string, string, number][]; refusedReleases: number }
  | { type: 'acquired'; fence: number; pttl: number }
  | {
      type: 'lost';
      reason: string;
      extendAccepted: boolean;
      releaseAccepted: boolean;
      lockRelease: boolean;
      fencedWrite: boolean;
      fence: number;
    };

const send = (m: WorkerMessage) => new Promise<void>((r) => process.send?.(m, () => r()));

async function main(cmd: WorkerCommand): Promise<void> {
  const redis = new Redis(cmd.url, { protocol: 2, lazyConnect: true, enableOfflineQueue: false });
  await redis.connect();
  // The worker locks `key` only; its fencing counter (`RedisKeys.lockFence(key)`) comes with the command.
  const backend = new RedisLockBackend(redis, { fenceKey: () => cmd.lockFence });
  const locks = new LockManager(backend);
  switch (cmd.mode) {
    case 'counter': {
      const holds: [string, string, number][] = [];
      let refusedReleases = 0;
      for (let i = 0; i < cmd.iterations; i++) {
        await locks.using(
          cmd.key,
          cmd.ttlMs,
          async (_signal, lock) => {
            const start = process.hrtime.bigint();
            const v = Number((await redis.get(cmd.counterKey)) ?? '0');
            // Yield between read and write so an unprotected section would lose updates.
            await new Promise((r) => setImmediate(r));
            await redis.set(cmd.counterKey, String(v + 1));
            const end = process.hrtime.bigint();
            holds.push([String(start), String(end), lock.fence]);
            if (!(await lock.release())) refusedReleases++;
          },
          { waitMs: 30_000, retryDelayMs: 1, retryJitterMs: 2 },
        );
      }
      await send({ type: 'holds', holds, refusedReleases });
      break;
    }
    case 'hold': {
      await locks.using(cmd.key, cmd.ttlMs, async (signal, lock) => {
        await send({ type: 'acquired', fence: lock.fence, pttl: await redis.pttl(cmd.key) });
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        const reason = signal.reason instanceof LockLostError ? signal.reason.reason : String(signal.reason);
        // Ask Redis directly: the handle already knows it is lost and would not send anything.
        const extendAccepted = await backend.extend(cmd.key, lock.owner, cmd.ttlMs);
        const releaseAccepted = await backend.release(cmd.key, lock.owner);
        const lockRelease = await lock.release();
        const fencedWrite = await fencedSet(redis, {
          fenceKey: cmd.fenceKey,
          key: cmd.dataKey,
          value: `stale:${lock.fence}`,
          token: lock.fence,
          ttlMs: 60_000,
        });
        await send({
          type: 'lost',
          reason,
          extendAccepted,
          releaseAccepted,
          lockRelease,
          fencedWrite,
          fence: lock.fence,
        });
      });
      break;
    }
  }
  await locks.shutdown(1000);
  redis.disconnect();
}

main(JSON.parse(process.argv[2]) as WorkerCommand).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
