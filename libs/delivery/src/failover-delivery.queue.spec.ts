import { testNotification } from '../../../test/harness/notifications';
import { FailoverDeliveryQueue, type BullMqPart, type DeliveryModeSource } from './failover-delivery.queue';
import { MemoryDeliveryQueue } from './memory-delivery.queue';
import { deliveryJobId, type EnqueueResult, type Notification } from './notification';
import type { SendResult } from './receiver';

/** The node's mode as a test drives it (the failover group store in the app). */
class TestMode implements DeliveryModeSource {
  degraded = false;
  reported: unknown[] = [];
  private readonly cbs = new Set<(d: boolean) => void>();
  onModeChange(cb: (d: boolean) => void) {
    this.cbs.add(cb);
    return () => void this.cbs.delete(cb);
  }
  reportUnavailable(err: unknown) {
    this.reported.push(err);
    this.set(true);
  }
  set(degraded: boolean) {
    if (degraded === this.degraded) return;
    this.degraded = degraded;
    for (const cb of this.cbs) cb(degraded);
  }
}

/** A BullMQ stand-in that records enqueues and can be made to fail. */
function fakeBull() {
  const enqueued: Notification[] = [];
  const state = { down: false, starts: 0 };
  const fail = () => Promise.reject(new Error('Connection is closed.'));
  const bull: BullMqPart = {
    start: () => (state.starts++, state.down ? fail() : Promise.resolve()),
    ping: () => (state.down ? fail() : Promise.resolve()),
    enqueue: (n: Notification): Promise<EnqueueResult> => {
      if (state.down) return fail();
      enqueued.push(n);
      return Promise.resolve({ id: deliveryJobId(n), status: 'queued' });
    },
    onDelivered: () => () => undefined,
    onDeadLetter: () => () => undefined,
    counts: () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, dead: 0, completed: 0, dropped: 0 }),
    deadLetters: () => Promise.resolve([]),
    deadLetterCount: () => Promise.resolve(0),
    retryDeadLetter: () => Promise.resolve(false),
    sweepDeadLetters: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
  return { bull, enqueued, state };
}

const retry500: SendResult = { kind: 'retry', reason: 'serverError', message: 'HTTP 500', status: 500 };
const slow = { backoff: { initialMs: 60_000, multiplier: 1.5, jitter: 0, maxMs: 60_000 }, maxAttempts: 4 };

/** A logger that keeps every line's message (for the log-line regressions). */
function lines() {
  const all: string[] = [];
  const keep = (_o: object, msg: string) => void all.push(msg);
  return { all, logger: { info: keep, warn: keep, error: keep } };
}

function setup(degraded = false, failedEnqueueHoldMs?: number) {
  const mode = new TestMode();
  mode.degraded = degraded;
  const fake = fakeBull();
  const log = lines();
  // The receiver refuses, so what memory holds stays there until it is moved.
  const memory = new MemoryDeliveryQueue({
    resolve: () => [
      { name: 'webhook[0]', receiver: { kind: 'fake', send: () => Promise.resolve(retry500) } },
    ],
    retry: slow,
  });
  const q = new FailoverDeliveryQueue({
    createBullMq: () => fake.bull,
    memory,
    mode,
    enqueueTimeoutMs: 200,
    failedEnqueueHoldMs,
    logger: log.logger,
  });
  return { q, mode, memory, logs: log.all, ...fake };
}

describe('FailoverDeliveryQueue follows the node mode source', () => {
  // Issue 17: every clean start logged "delivery queue: Redis is back" (the queue starts in memory mode
  // and its first switch to BullMQ looked like a recovery).
  it('logs no false "Redis is back" on a clean start', async () => {
    const { q, logs } = setup();
    expect(await q.start()).toBe('bullmq');
    expect(logs.filter((l) => /back|unavailable|does not answer/.test(l))).toEqual([]);
    await q.close(10);
  });

  it('logs "Redis is back" once after a reported outage, and again after the next one', async () => {
    const { q, mode, logs } = setup();
    await q.start();
    for (let i = 0; i < 2; i++) {
      mode.set(true);
      mode.set(false);
      await new Promise((r) => setTimeout(r, 20));
      expect(q.mode).toBe('bullmq');
    }
    expect(logs.filter((l) => l.startsWith('delivery queue:'))).toEqual([
      'delivery queue: Redis unavailable, delivering from memory',
      'delivery queue: Redis is back, using BullMQ',
      'delivery queue: Redis unavailable, delivering from memory',
      'delivery queue: Redis is back, using BullMQ',
    ]);
    await q.close(10);
  });

  it('started while Redis is down: says so, then "Redis is back" when it returns', async () => {
    const { q, mode, logs } = setup(true);
    expect(await q.start()).toBe('memory');
    mode.set(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(logs.filter((l) => l.startsWith('delivery queue:'))).toEqual([
      'delivery queue: Redis unavailable at start, delivering from memory',
      'delivery queue: Redis is back, using BullMQ',
    ]);
    await q.close(10);
  });

  it('starts on BullMQ when Redis is up', async () => {
    const { q, enqueued } = setup();
    expect(await q.start()).toBe('bullmq');
    expect((await q.enqueue(testNotification())).status).toBe('queued');
    expect(enqueued).toHaveLength(1);
    await q.close(10);
  });

  it('sends a failed enqueue to memory, tells the source, and follows it to memory', async () => {
    const { q, mode, memory, state } = setup();
    await q.start();
    state.down = true;
    expect((await q.enqueue(testNotification({ seq: 1 }))).status).toBe('queued');
    expect(mode.reported).toHaveLength(1);
    expect(q.mode).toBe('memory');
    expect(memory.size).toBe(1);
    await q.close(10);
  });

  it('a timed-out enqueue whose job landed (event-loop stall) is tried again on BullMQ: duplicate, nothing in memory, no outage reported', async () => {
    const { q, mode, memory, bull, enqueued } = setup();
    await q.start();
    const add = bull.enqueue;
    let calls = 0;
    bull.enqueue = (n) => {
      calls++;
      if (calls === 1) {
        enqueued.push(n); // landed in Redis; the answer came too late for the timer
        return new Promise<EnqueueResult>(() => undefined);
      }
      return Promise.resolve({ id: deliveryJobId(n), status: 'duplicate', delivered: false });
    };
    const r = await q.enqueue(testNotification({ seq: 3 }));
    expect(r.status).toBe('duplicate');
    expect(calls).toBe(2);
    expect(q.enqueueRetries).toBe(1);
    expect(mode.reported).toHaveLength(0);
    expect(q.mode).toBe('bullmq');
    expect(memory.size).toBe(0);
    expect(enqueued).toHaveLength(1);
    bull.enqueue = add;
    await q.close(10);
  });

  it('stays in memory while the source is degraded, then moves what memory holds to BullMQ', async () => {
    const { q, mode, memory, enqueued, state } = setup(true);
    expect(await q.start()).toBe('memory');
    expect(state.starts).toBe(0); // no probing of its own
    await q.enqueue(testNotification({ seq: 1 }));
    await q.enqueue(testNotification({ seq: 2 }));
    await new Promise((r) => setTimeout(r, 20)); // both tried once, waiting a minute
    expect(memory.size).toBe(2);
    mode.set(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(q.mode).toBe('bullmq');
    expect(enqueued.map((n) => n.seq)).toEqual([1, 2]);
    expect(memory.size).toBe(0);
    await q.close(10);
  });

  it('reports a BullMQ that does not start although the source says Redis is up', async () => {
    const { q, mode, state } = setup();
    state.down = true;
    expect(await q.start()).toBe('memory');
    expect(mode.reported).toHaveLength(1);
    state.down = false;
    mode.set(false); // the source's probe found Redis again
    await new Promise((r) => setTimeout(r, 20));
    expect(q.mode).toBe('bullmq');
    await q.close(10);
  });

  it('holds a notification whose BullMQ enqueue failed (it may have landed): Redis back within the hold, it goes to BullMQ at once', async () => {
    let tries = 0;
    const mode = new TestMode();
    const fake = fakeBull();
    const memory = new MemoryDeliveryQueue({
      resolve: () => [
        {
          name: 'webhook[0]',
          receiver: { kind: 'fake', send: () => (tries++, Promise.resolve({ kind: 'ok' } as SendResult)) },
        },
      ],
      retry: slow,
    });
    const q = new FailoverDeliveryQueue({
      createBullMq: () => fake.bull,
      memory,
      mode,
      enqueueTimeoutMs: 200,
      failedEnqueueHoldMs: 60_000,
    });
    await q.start();
    fake.state.down = true;
    expect((await q.enqueue(testNotification({ seq: 7 }))).status).toBe('queued');
    await new Promise((r) => setTimeout(r, 20));
    expect(tries).toBe(0); // held, not sent from memory
    expect(await memory.counts()).toMatchObject({ waiting: 0, delayed: 1 });
    fake.state.down = false;
    mode.set(false);
    await new Promise((r) => setTimeout(r, 20));
    // Drained to BullMQ without the hold: BullMQ's enqueue (same job id) decides, nothing sent twice.
    expect(fake.enqueued.map((n) => n.seq)).toEqual([7]);
    expect(memory.size).toBe(0);
    expect(tries).toBe(0);
    await q.close(10);
  });
});
