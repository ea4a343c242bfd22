import { testNotification } from '../../../test/harness/notifications';
import { MemoryDeliveryQueue, type MemoryDeliveryOptions } from './memory-delivery.queue';
import type {
  DeliveredEvent,
  DeliveryLogger,
  EnqueueOptions,
  EnqueueResult,
  Notification,
} from './notification';
import type { Integration, SendResult } from './receiver';

/** A receiver answering from a script of results (the last one repeats). */
function scripted(...results: SendResult[]): Integration & { calls: number } {
  const i = {
    name: 'webhook[0]',
    calls: 0,
    receiver: {
      kind: 'fake',
      send: () => Promise.resolve(results[Math.min(i.calls++, results.length - 1)]),
    },
  };
  return i;
}

const fast = { backoff: { initialMs: 5, multiplier: 1.5, jitter: 0, maxMs: 20 }, maxAttempts: 4 };
const retry500: SendResult = { kind: 'retry', reason: 'serverError', message: 'HTTP 500', status: 500 };

function queue(i: Integration, o: Partial<MemoryDeliveryOptions> = {}) {
  const q = new MemoryDeliveryQueue({ resolve: () => [i], retry: fast, ...o });
  const delivered: DeliveredEvent[] = [];
  q.onDelivered((e) => void delivered.push(e));
  const next = () => new Promise<DeliveredEvent>((r) => q.onDelivered(r));
  return { q, delivered, next };
}

describe('MemoryDeliveryQueue', () => {
  it('delivers and tells onDelivered listeners', async () => {
    const { q, next } = queue(scripted({ kind: 'ok' }));
    const done = next();
    expect((await q.enqueue(testNotification())).status).toBe('queued');
    const e = await done;
    expect(e).toMatchObject({ via: 'memory', attempts: 1, notification: { seq: 1 } });
    expect(await q.counts()).toMatchObject({ waiting: 0, active: 0, completed: 1, dead: 0, dropped: 0 });
    await q.close();
  });

  it('retries 5xx with backoff until the receiver recovers', async () => {
    const rcv = scripted(retry500, retry500, { kind: 'ok' });
    const { q, next } = queue(rcv);
    const done = next();
    await q.enqueue(testNotification());
    expect((await done).attempts).toBe(3);
    expect(rcv.calls).toBe(3);
    await q.close();
  });

  it('dead-letters a 4xx at once, keeping payload and reason, and can retry it', async () => {
    const rcv = scripted(
      { kind: 'give-up', reason: 'clientError', message: 'HTTP 400: bad', status: 400 },
      { kind: 'ok' },
    );
    const { q, next } = queue(rcv);
    const dead = new Promise((r) => q.onDeadLetter(r));
    const n = testNotification();
    const { id } = await q.enqueue(n);
    await dead;
    const [d] = await q.deadLetters();
    expect(d).toMatchObject({
      id,
      attempts: 1,
      notification: n,
      lastError: { reason: 'clientError', status: 400 },
    });
    expect(rcv.calls).toBe(1);
    const done = next();
    expect(await q.retryDeadLetter(id)).toBe(true);
    await done;
    expect(await q.counts()).toMatchObject({ dead: 0, completed: 1 });
    await q.close();
  });

  it('dead-letters after the attempt budget', async () => {
    const rcv = scripted(retry500);
    const { q } = queue(rcv);
    const dead = new Promise((r) => q.onDeadLetter(r));
    await q.enqueue(testNotification());
    await dead;
    expect(rcv.calls).toBe(4);
    expect((await q.deadLetters())[0].lastError?.reason).toBe('serverError');
    await q.close();
  });

  it('treats a second enqueue of the same flush as a no-op, before and after delivery', async () => {
    const rcv = scripted({ kind: 'ok' });
    const { q, next } = queue(rcv);
    const done = next();
    const n = testNotification({ seq: 3 });
    expect((await q.enqueue(n)).status).toBe('queued');
    expect((await q.enqueue(n)).status).toBe('duplicate');
    await done;
    expect(await q.enqueue(n)).toMatchObject({ status: 'duplicate', delivered: true });
    expect((await q.enqueue(testNotification({ seq: 4 }))).status).toBe('queued');
    await q.close();
    expect(rcv.calls).toBe(2);
  });

  it('counts and logs what overflow drops', async () => {
    const logged: string[] = [];
    const log: DeliveryLogger = { info: () => {}, warn: () => {}, error: (_o, m) => void logged.push(m) };
    const never: Integration = { name: 'w', receiver: { kind: 'slow', send: () => new Promise(() => {}) } };
    const q = new MemoryDeliveryQueue({ resolve: () => [never], maxItems: 2, concurrency: 1, logger: log });
    await q.enqueue(testNotification({ seq: 1 }));
    await q.enqueue(testNotification({ seq: 2 }));
    expect((await q.enqueue(testNotification({ seq: 3 }))).status).toBe('dropped');
    expect(await q.counts()).toMatchObject({ active: 1, waiting: 1, dropped: 1 });
    expect(logged).toEqual(['memory delivery queue full: notification dropped']);
    await q.close(10);
  });

  it('drains pending notifications to another queue, keeping delivered integrations', async () => {
    const rcv = scripted(retry500);
    const q = new MemoryDeliveryQueue({
      resolve: () => [rcv],
      retry: { ...fast, backoff: { ...fast.backoff, initialMs: 60_000, maxMs: 60_000 } },
    });
    const moved: [Notification, EnqueueOptions | undefined][] = [];
    const target = {
      enqueue: (n: Notification, o?: EnqueueOptions): Promise<EnqueueResult> => {
        moved.push([n, o]);
        return Promise.resolve({ id: 'x', status: 'queued' });
      },
    };
    await q.enqueue(testNotification({ seq: 1 }));
    await q.enqueue(testNotification({ seq: 2 }));
    await new Promise((r) => setTimeout(r, 20)); // both failed once and wait a minute
    expect(await q.counts()).toMatchObject({ delayed: 2 });
    expect(await q.drainTo(target)).toEqual({ moved: 2, left: 0 });
    expect(moved.map(([n]) => n.seq)).toEqual([1, 2]);
    expect(moved[0][1]?.delayMs).toBeGreaterThan(50_000);
    expect(await q.counts()).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
    await q.close();
  });

  it('keeps notifications when the drain target fails', async () => {
    const q = new MemoryDeliveryQueue({
      resolve: () => [scripted(retry500)],
      retry: { ...fast, backoff: { ...fast.backoff, initialMs: 60_000, maxMs: 60_000 } },
    });
    await q.enqueue(testNotification());
    await new Promise((r) => setTimeout(r, 20));
    const r = await q.drainTo({ enqueue: () => Promise.reject(new Error('Redis down')) });
    expect(r).toEqual({ moved: 0, left: 1 });
    await q.close(10);
  });

  it('holds back sends beyond the per-receiver rate limit', async () => {
    const rcv = scripted({ kind: 'ok' });
    const { q, delivered } = queue(rcv, { rateLimit: () => ({ max: 2, durationMs: 200 }) });
    const t0 = Date.now();
    for (let s = 1; s <= 4; s++) await q.enqueue(testNotification({ seq: s }));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => delivered.length === 4 && (clearInterval(check), resolve()), 5);
    });
    // 2 at once, then 1 token per 100 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    await q.close();
  });
});
