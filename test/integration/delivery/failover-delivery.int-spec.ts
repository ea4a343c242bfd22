import { randomBytes } from 'node:crypto';
import type { GlobalConfig } from '@herald/config';
import {
  BullMqDeliveryQueue,
  buildReceivers,
  FailoverDeliveryQueue,
  MemoryDeliveryQueue,
  type DeliveredEvent,
} from '@herald/delivery';
import { createFailFastClient } from '@herald/redis';
import { HttpSink } from '../../harness/http-sink';
import { testNotification, testReceiver } from '../../harness/notifications';
import { RedisServer } from '../../harness/redis-server';
import { waitUntil } from '../../harness/wait';
import { deliveryConnection, ProbingModeSource } from './delivery-connection';

jest.setTimeout(30_000);

const global: GlobalConfig = { resolveTimeout: 300_000, raw: {} };
const FAST = { backoff: { initialMs: 50, multiplier: 1.5, jitter: 0.5, maxMs: 300 }, maxAttempts: 50 };

const until = (pred: () => boolean, timeoutMs: number, what: string) =>
  waitUntil(pred, { timeoutMs, intervalMs: 20, what });

/** The flush sequence in an `Idempotency-Key` (`<sha>-<seq>`). */
const seqOf = (key: unknown) => Number(String(key).split('-')[1]);

describe('failover delivery: Redis stopped mid-run', () => {
  let server: RedisServer;
  let sink: HttpSink;
  let q: FailoverDeliveryQueue;
  let mode: ProbingModeSource;

  beforeAll(async () => {
    // AOF with fsync on every write: jobs BullMQ accepted survive the SIGKILL, as in production.
    server = await RedisServer.start({
      args: ['--maxmemory-policy', 'noeviction', '--appendonly', 'yes', '--appendfsync', 'always'],
    });
    sink = await HttpSink.start();
  });
  afterAll(async () => {
    await q?.close(2000);
    mode?.close();
    await Promise.all([server.stop(), sink.stop()]);
  });

  it('keeps delivering from memory, moves what is left to BullMQ after the restart, loses nothing', async () => {
    const built = buildReceivers([testReceiver({ webhookConfigs: [{ url: `${sink.url}/hook` }] })], global, {
      userAgent: 'Herald/test',
    });
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const memory = new MemoryDeliveryQueue({ resolve: built.resolve, retry: FAST, concurrency: 4 });
    // The node's Redis mode (the group store in the app), probing every 100 ms while Redis is away.
    mode = new ProbingModeSource(
      createFailFastClient({ url: server.url, commandTimeout: 300, connectTimeout: 300 }),
      100,
    );
    q = new FailoverDeliveryQueue({
      memory,
      mode,
      enqueueTimeoutMs: 500,
      createBullMq: () =>
        new BullMqDeliveryQueue({
          connection: deliveryConnection(server.url, { commandTimeout: 300, connectTimeout: 300 }),
          bullPrefix: `{${prefix}}`,
          resolve: built.resolve,
          retry: FAST,
          concurrency: 4,
        }),
    });
    const delivered: DeliveredEvent[] = [];
    q.onDelivered((e) => void delivered.push(e));
    expect(await q.start()).toBe('bullmq');

    // Phase 1: Redis up — 10 notifications through BullMQ.
    for (let s = 1; s <= 10; s++)
      expect((await q.enqueue(testNotification({ seq: s }))).status).toBe('queued');
    await until(() => delivered.length === 10, 10_000, 'phase 1 deliveries');

    // Phase 2: Redis killed. Seqs 11–20 are delivered from memory at once; the receiver refuses 21–30
    // with 503 until Redis is back, so they are still pending in memory when it returns.
    let receiverDown = true;
    sink.respond((_i, req) => (seqOf(req.headers['idempotency-key']) > 20 && receiverDown ? 503 : 200));
    await server.kill();
    for (let s = 11; s <= 30; s++) {
      const r = await q.enqueue(testNotification({ seq: s }));
      expect(r.status).toBe('queued');
    }
    expect(q.mode).toBe('memory');
    await until(
      () => delivered.filter((d) => d.notification.seq > 10).length === 10,
      10_000,
      'memory deliveries',
    );
    expect(delivered.filter((d) => d.notification.seq > 10).every((d) => d.via === 'memory')).toBe(true);
    await until(() => sink.requests.some((r) => r.status === 503), 5000, 'refused sends');
    expect(memory.size).toBe(10);

    // Phase 3: Redis restarts; the mode source's probe finds it, moves 21–30 to BullMQ; new ones go there too.
    await server.startProcess();
    await until(() => q.mode === 'bullmq', 10_000, 'back on BullMQ');
    receiverDown = false;
    for (let s = 31; s <= 35; s++) await q.enqueue(testNotification({ seq: s }));
    await until(() => delivered.length === 35, 15_000, 'all deliveries');

    const bySeq = new Map<number, DeliveredEvent[]>();
    for (const d of delivered) bySeq.set(d.notification.seq, [...(bySeq.get(d.notification.seq) ?? []), d]);
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect([...bySeq.values()].every((ds) => ds.length === 1)).toBe(true);
    const via = (lo: number, hi: number) =>
      delivered.filter((d) => d.notification.seq >= lo && d.notification.seq <= hi).map((d) => d.via);
    expect(new Set(via(1, 10))).toEqual(new Set(['bullmq']));
    expect(new Set(via(11, 20))).toEqual(new Set(['memory']));
    expect(new Set(via(31, 35))).toEqual(new Set(['bullmq']));
    // 21–30: the ones pending at the restart went through BullMQ (a send in flight may finish in memory).
    expect(via(21, 30).filter((v) => v === 'bullmq').length).toBeGreaterThanOrEqual(6);
    const accepted = new Set(sink.accepted.map((r) => r.headers['idempotency-key']));
    expect(accepted.size).toBe(35);
    expect(sink.accepted).toHaveLength(35); // no duplicate delivery either
    const counts = await q.counts();
    expect(counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, dead: 0, dropped: 0 });
    expect(memory.size).toBe(0);
  });
});
