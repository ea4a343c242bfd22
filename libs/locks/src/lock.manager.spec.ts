import type { LockBackend } from './lock.backend';
import { LockLostError, LockNotAcquiredError } from './lock.errors';
import { LockManager } from './lock.manager';
import type { LockMetrics } from './lock.metrics';

/** In-memory backend with the same contract as the Lua scripts (strict fake: no TTL expiry by itself). */
class FakeBackend implements LockBackend {
  readonly mode = 'single' as const;
  readonly owners = new Map<string, string>();
  private fence = 0;
  failNext = false;

  async tryAcquire(key: string, owner: string): Promise<number | null> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection closed');
    }
    if (this.owners.has(key)) return null;
    this.owners.set(key, owner);
    return ++this.fence;
  }
  async extend(key: string, owner: string): Promise<boolean> {
    return this.owners.get(key) === owner;
  }
  async release(key: string, owner: string): Promise<boolean> {
    if (this.owners.get(key) !== owner) return false;
    this.owners.delete(key);
    return true;
  }
}

describe('LockManager', () => {
  const KEY = 'h:t:lock:group:{g}';

  it('reports acquisitions, contention, hold time and release to the metrics hooks', async () => {
    const events: string[] = [];
    class Recorder implements Partial<LockMetrics> {
      readonly prefix = 'm:';
      acquired(resource: string) {
        events.push(`${this.prefix}acquired ${resource}`);
      }
      contended() {
        events.push(`${this.prefix}contended`);
      }
      released() {
        events.push(`${this.prefix}released`);
      }
    }
    const locks = new LockManager(new FakeBackend(), { metrics: new Recorder() });
    const lock = await locks.tryAcquire(KEY, 1000);
    expect(await locks.tryAcquire(KEY, 1000)).toBeNull();
    expect(await lock!.release()).toBe(true);
    expect(events).toEqual([`m:acquired ${KEY}`, 'm:contended', 'm:released']);
  });

  it('hands out rising fencing tokens', async () => {
    const locks = new LockManager(new FakeBackend());
    const first = await locks.tryAcquire(KEY, 1000);
    await first!.release();
    const second = await locks.tryAcquire(KEY, 1000);
    expect(second!.fence).toBeGreaterThan(first!.fence);
  });

  it('keeps working when a metrics hook throws', async () => {
    const locks = new LockManager(new FakeBackend(), {
      metrics: {
        acquired: () => {
          throw new Error('metrics bug');
        },
      },
    });
    expect(await locks.tryAcquire(KEY, 1000)).not.toBeNull();
  });

  it('fires the signal and reports a loss when Redis refuses an extend', async () => {
    const backend = new FakeBackend();
    const lost: string[] = [];
    const locks = new LockManager(backend, { metrics: { lost: (_r, _h, reason) => lost.push(reason) } });
    const lock = await locks.tryAcquire(KEY, 1000);
    backend.owners.set(KEY, 'someone else');
    expect(await lock!.extend()).toBe(false);
    expect(lock!.signal.aborted).toBe(true);
    expect(lock!.signal.reason).toBeInstanceOf(LockLostError);
    expect(lost).toEqual(['refused']);
    expect(await lock!.release()).toBe(false);
    expect(locks.heldCount).toBe(0);
  });

  it('counts a Redis error as a failed try and names it as the cause at the deadline', async () => {
    const backend = new FakeBackend();
    const locks = new LockManager(backend);
    await locks.tryAcquire(KEY, 1000);
    backend.failNext = true;
    const err = await locks
      .acquire(KEY, 1000, { waitMs: 30, retryDelayMs: 5, retryJitterMs: 0 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(LockNotAcquiredError);
    expect((err as LockNotAcquiredError).cause).toEqual(new Error('connection closed'));
  });

  it('using with detachRelease resolves before the release is answered; shutdown still waits for it', async () => {
    const backend = new FakeBackend();
    let answer!: () => void;
    const release = backend.release.bind(backend);
    backend.release = async (k, o) => {
      await new Promise<void>((r) => (answer = r)); // the release's round trip, held open
      return release(k, o);
    };
    const locks = new LockManager(backend);
    expect(await locks.using(KEY, 1000, async () => 'done', { detachRelease: true })).toBe('done');
    // Resolved, the release sent and not yet answered: still held here and in Redis.
    expect(locks.heldCount).toBe(1);
    expect(backend.owners.has(KEY)).toBe(true);
    let shut = false;
    const shutdown = locks.shutdown(5_000).then(() => (shut = true));
    await new Promise((r) => setImmediate(r));
    expect(shut).toBe(false);
    answer();
    await shutdown;
    expect(locks.heldCount).toBe(0);
    expect(backend.owners.has(KEY)).toBe(false);
  });

  it('using waits for the release by default', async () => {
    const backend = new FakeBackend();
    const locks = new LockManager(backend);
    await locks.using(KEY, 1000, async () => undefined);
    expect(backend.owners.has(KEY)).toBe(false);
    expect(locks.heldCount).toBe(0);
  });

  it('stops waiting when the caller aborts', async () => {
    const locks = new LockManager(new FakeBackend());
    await locks.tryAcquire(KEY, 1000);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('flush cancelled')), 20);
    await expect(locks.acquire(KEY, 1000, { waitMs: 10_000, signal: ctl.signal })).rejects.toThrow(
      'flush cancelled',
    );
  });

  it('declares the lock lost when its local validity runs out without an extension', async () => {
    let now = 1_000;
    const locks = new LockManager(new FakeBackend(), { clock: { now: () => now } });
    jest.useFakeTimers({ now });
    try {
      const lock = await locks.tryAcquire(KEY, 1000);
      // Valid until sent + ttl - (1% drift + 2 ms).
      expect(lock!.validUntil).toBe(1_000 + 1000 - 12);
      now += 987;
      jest.advanceTimersByTime(987);
      expect(lock!.signal.aborted).toBe(false);
      now += 1;
      jest.advanceTimersByTime(1);
      expect((lock!.signal.reason as LockLostError).reason).toBe('expired');
    } finally {
      jest.useRealTimers();
    }
  });

  it('holding: fn gets the lock (its fence); a signal read while held fires when the lock is lost; released after', async () => {
    const backend = new FakeBackend();
    const locks = new LockManager(backend);
    let fired: unknown;
    const fence = await locks.holding(KEY, 1000, async (lock) => {
      lock.signal.addEventListener('abort', () => (fired = lock.signal.reason), { once: true });
      backend.owners.set(KEY, 'someone else');
      expect(await lock.extend()).toBe(false);
      backend.owners.set(KEY, lock.owner);
      return lock.fence;
    });
    expect(fence).toBe(1);
    expect(fired).toBeInstanceOf(LockLostError);
    expect(locks.heldCount).toBe(0);
  });

  it('a lock released without its signal ever read hands out a signal that never fired', async () => {
    const locks = new LockManager(new FakeBackend());
    const lock = await locks.tryAcquire(KEY, 1000);
    expect(await lock!.release()).toBe(true);
    expect(lock!.signal.aborted).toBe(false);
  });

  it('rejects TTLs that are not whole milliseconds', async () => {
    const locks = new LockManager(new FakeBackend());
    await expect(locks.tryAcquire(KEY, 1.5)).rejects.toThrow('TTL');
  });
});
