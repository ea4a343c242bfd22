import { testNotification } from '../../../test/harness/notifications';
import type { DeliveryConnection } from './bullmq-delivery.queue';
import type { BullMqPart } from './failover-delivery.queue';
import {
  deliveryJobId,
  type DeadLetter,
  type DeadLetterEvent,
  type DeliveredEvent,
  type EnqueueResult,
  type Notification,
} from './notification';
import {
  deliveryShardOf,
  shardPrefixes,
  ShardedDeliveryQueue,
  type ShardSpec,
} from './sharded-delivery.queue';

const prefixOf = (i: number, n: number) => (n === 1 ? '{h}' : `{h.d${i}.n${n}}`);
const RECORD = '{h}:delivery:shards';

/** A Redis stand-in for the control client: sets and plain keys, shared by every queue of a test. */
class FakeRedis {
  readonly sets = new Map<string, Set<string>>();
  readonly keys = new Set<string>();
  masters = 1;
  policy = 'noeviction';
}

function fakeConnection(redis: FakeRedis): DeliveryConnection {
  const client = () => {
    const node = {
      status: 'wait',
      isCluster: redis.masters > 1,
      on: () => node,
      connect: () => ((node.status = 'ready'), Promise.resolve()),
      nodes: () => Array.from({ length: redis.masters }, () => node),
      call: () => Promise.resolve(['maxmemory-policy', redis.policy]),
      info: () => Promise.resolve(''),
      ping: () => Promise.resolve('PONG'),
      smembers: (k: string) => Promise.resolve([...(redis.sets.get(k) ?? [])]),
      sadd: (k: string, ...m: (string | number)[]) => {
        const s = redis.sets.get(k) ?? new Set<string>();
        redis.sets.set(k, s);
        m.forEach((x) => s.add(String(x)));
        return Promise.resolve(m.length);
      },
      exists: (...ks: string[]) => Promise.resolve(ks.filter((k) => redis.keys.has(k)).length),
      disconnect: () => undefined,
    };
    return node as never;
  };
  return { queue: client, worker: client };
}

/** One shard as a BullMQ stand-in: enqueues, dead letters and listeners it hands back. */
class FakeShard implements BullMqPart {
  readonly enqueued: Notification[] = [];
  dead: DeadLetter[] = [];
  started = false;
  closed = false;
  private readonly delivered = new Set<(e: DeliveredEvent) => void | Promise<void>>();
  private readonly deadCbs = new Set<(e: DeadLetterEvent) => void | Promise<void>>();
  constructor(readonly spec: ShardSpec) {}
  start = () => ((this.started = true), Promise.resolve());
  ping = () => Promise.resolve();
  enqueue = (n: Notification): Promise<EnqueueResult> => {
    this.enqueued.push(n);
    return Promise.resolve({ id: deliveryJobId(n), status: 'queued' });
  };
  onDelivered = (cb: (e: DeliveredEvent) => void | Promise<void>) => {
    this.delivered.add(cb);
    return () => void this.delivered.delete(cb);
  };
  onDeadLetter = (cb: (e: DeadLetterEvent) => void | Promise<void>) => {
    this.deadCbs.add(cb);
    return () => void this.deadCbs.delete(cb);
  };
  counts = () =>
    Promise.resolve({
      waiting: this.enqueued.length,
      active: 1,
      delayed: 2,
      dead: this.dead.length,
      completed: 0,
      dropped: 0,
    });
  deadLetters = (limit = 100, tenant?: string) =>
    Promise.resolve(
      this.dead
        .filter((d) => !tenant || d.notification.tenant === tenant)
        .sort((a, b) => b.failedAt - a.failedAt)
        .slice(0, limit),
    );
  deadLetterCount = (tenant: string) =>
    Promise.resolve(this.dead.filter((d) => d.notification.tenant === tenant).length);
  retryDeadLetter = (id: string) => {
    const had = this.dead.some((d) => d.id === id);
    this.dead = this.dead.filter((d) => d.id !== id);
    return Promise.resolve(had);
  };
  sweepDeadLetters = () => Promise.resolve(1);
  close = () => ((this.closed = true), Promise.resolve());
  emitDelivered(n: Notification) {
    for (const cb of this.delivered)
      void cb({ id: deliveryJobId(n), notification: n, attempts: 1, via: 'bullmq', deliveredAt: 1 });
  }
  emitDead(d: DeadLetter) {
    for (const cb of this.deadCbs) void cb({ deadLetter: d });
  }
}

function setup(redis: FakeRedis, shards?: number, concurrency = 8) {
  const made = new Map<string, FakeShard>();
  const q = new ShardedDeliveryQueue({
    createShard: (spec) => {
      const s = new FakeShard(spec);
      made.set(spec.bullPrefix, s);
      return s;
    },
    shards,
    prefixOf,
    recordKey: RECORD,
    connection: fakeConnection(redis),
    concurrency,
    refreshIntervalMs: 0,
  });
  return { q, made };
}

const deadLetter = (n: Notification, failedAt: number): DeadLetter => ({
  id: deliveryJobId(n),
  notification: n,
  attempts: 3,
  lastError: { integration: 'webhook[0]', reason: 'clientError', message: 'HTTP 400', at: failedAt },
  delivered: [],
  failedAt,
  via: 'bullmq',
});

describe('deliveryShardOf', () => {
  it('keeps a group (tenant, receiver, group key) in one shard whatever its sequence and half', () => {
    const shards = new Set<number>();
    for (let seq = 1; seq <= 50; seq++) {
      for (const state of ['firing', 'recovery'] as const) {
        shards.add(deliveryShardOf(testNotification({ group: 'G1', seq, state }), 7));
      }
    }
    expect(shards.size).toBe(1);
    expect(deliveryShardOf(testNotification({ group: 'G1' }), 1)).toBe(0);
  });

  it('spreads groups, receivers and tenants evenly over the shards', () => {
    for (const n of [2, 3, 5]) {
      const per = new Array<number>(n).fill(0);
      for (let g = 0; g < 3000; g++) {
        per[
          deliveryShardOf(
            { tenant: `t${g % 3}`, receiver: `r${g % 7}`, groupKey: `{}:{alertname="A${g}"}` },
            n,
          )
        ]++;
      }
      for (const c of per) expect(Math.abs(c - 3000 / n)).toBeLessThan(0.1 * (3000 / n));
    }
    const a = deliveryShardOf({ tenant: 'a', receiver: 'r', groupKey: 'g' }, 1 << 30);
    expect(deliveryShardOf({ tenant: 'b', receiver: 'r', groupKey: 'g' }, 1 << 30)).not.toBe(a);
    expect(deliveryShardOf({ tenant: 'a', receiver: 's', groupKey: 'g' }, 1 << 30)).not.toBe(a);
  });
});

describe('shardPrefixes', () => {
  it("lists every count's shards once, counts ascending", () => {
    expect(shardPrefixes([3, 1, 3], prefixOf)).toEqual(['{h}', '{h.d0.n3}', '{h.d1.n3}', '{h.d2.n3}']);
    expect(shardPrefixes([2, 2], (i) => `{p${i}}`)).toEqual(['{p0}', '{p1}']);
  });
});

describe('ShardedDeliveryQueue', () => {
  it('routes each group to its shard, in order, and starts every shard', async () => {
    const { q, made } = setup(new FakeRedis(), 3);
    await q.start();
    expect([...made.keys()]).toEqual(['{h.d0.n3}', '{h.d1.n3}', '{h.d2.n3}']);
    expect([...made.values()].every((s) => s.started && s.spec.shards === 3)).toBe(true);
    for (let g = 0; g < 60; g++)
      for (let seq = 1; seq <= 3; seq++) await q.enqueue(testNotification({ group: `G${g}`, seq }));
    for (const [prefix, s] of made) {
      expect(s.enqueued.length).toBeGreaterThan(0);
      for (const n of s.enqueued) expect(prefixOf(deliveryShardOf(n, 3), 3)).toBe(prefix);
      // One group's notifications in one queue, in sequence order.
      const byGroup = new Map<string, number[]>();
      for (const n of s.enqueued) byGroup.set(n.groupKey, [...(byGroup.get(n.groupKey) ?? []), n.seq]);
      for (const seqs of byGroup.values()) expect(seqs).toEqual([1, 2, 3]);
    }
    expect((await q.counts()).waiting).toBe(180);
    await q.close();
    expect([...made.values()].every((s) => s.closed)).toBe(true);
  });

  it('sums counts, merges dead letters newest first within the limit, retries in the shard holding one', async () => {
    const { q, made } = setup(new FakeRedis(), 2);
    await q.start();
    const [s0, s1] = [...made.values()];
    const n = (g: string, tenant = 'acme') => testNotification({ group: g, tenant });
    s0.dead = [deadLetter(n('a'), 10), deadLetter(n('b'), 40), deadLetter(n('x', 'other'), 50)];
    s1.dead = [deadLetter(n('c'), 30), deadLetter(n('d'), 20)];
    expect(await q.counts()).toEqual({
      waiting: 0,
      active: 2,
      delayed: 4,
      dead: 5,
      completed: 0,
      dropped: 0,
    });
    expect((await q.deadLetters(3)).map((d) => d.failedAt)).toEqual([50, 40, 30]);
    expect((await q.deadLetters(10, 'acme')).map((d) => d.failedAt)).toEqual([40, 30, 20, 10]);
    expect(await q.deadLetterCount('acme')).toBe(4);
    expect(await q.retryDeadLetter(deliveryJobId(n('d')))).toBe(true);
    expect(s1.dead.map((d) => d.failedAt)).toEqual([30]);
    expect(await q.retryDeadLetter('nope')).toBe(false);
    expect(await q.sweepDeadLetters('acme')).toBe(2);
    await q.close();
  });

  it('hands on delivered and dead-letter events from every shard', async () => {
    const { q, made } = setup(new FakeRedis(), 3);
    const delivered: string[] = [];
    const dead: number[] = [];
    q.onDelivered((e) => void delivered.push(e.notification.groupKey));
    q.onDeadLetter((e) => void dead.push(e.deadLetter.failedAt));
    await q.start();
    [...made.values()].forEach((s, i) => {
      s.emitDelivered(testNotification({ group: `G${i}` }));
      s.emitDead(deadLetter(testNotification({ group: `G${i}` }), i));
    });
    await new Promise((r) => setImmediate(r));
    expect(delivered.sort()).toEqual(['{}:{alertname="G0"}', '{}:{alertname="G1"}', '{}:{alertname="G2"}']);
    expect(dead.sort()).toEqual([0, 1, 2]);
    await q.close();
  });

  it('with one shard is one queue at the old prefix and writes no record', async () => {
    const redis = new FakeRedis();
    const { q, made } = setup(redis, undefined);
    await q.start();
    expect(q.shardCount).toBe(1);
    expect([...made.keys()]).toEqual(['{h}']);
    expect(redis.sets.size).toBe(0);
    await q.enqueue(testNotification());
    expect(made.get('{h}')!.enqueued).toHaveLength(1);
    await q.close();
  });

  it('auto: as many shards as the masters the client sees', async () => {
    const redis = new FakeRedis();
    redis.masters = 3;
    const { q, made } = setup(redis, undefined, 8);
    await q.start();
    expect(q.shardCount).toBe(3);
    expect(made.size).toBe(3);
    // The node's sends in flight are split over its shards.
    expect([...made.values()].map((s) => s.spec.concurrency)).toEqual([3, 3, 3]);
    expect([...redis.sets.get(RECORD)!]).toEqual(['3']);
    await q.close();
  });

  it('records every count: after a shrink the old shards keep their workers, enqueues go to the new ones', async () => {
    const redis = new FakeRedis();
    const first = setup(redis, 4);
    await first.q.start();
    await first.q.close();
    const { q, made } = setup(redis, 2);
    await q.start();
    expect([...redis.sets.get(RECORD)!].sort()).toEqual(['2', '4']);
    expect(q.recordedCounts).toEqual([2, 4]);
    expect([...made.keys()]).toEqual(shardPrefixes([2, 4], prefixOf));
    for (let g = 0; g < 40; g++) await q.enqueue(testNotification({ group: `G${g}` }));
    for (const [prefix, s] of made) {
      if (prefix.endsWith('.n4}')) expect(s.enqueued).toHaveLength(0);
      else expect(s.enqueued.length).toBeGreaterThan(0);
    }
    // Dead letters of an old shard are still listed and retried.
    const old = made.get('{h.d3.n4}')!;
    const n = testNotification({ group: 'old' });
    old.dead = [deadLetter(n, 5)];
    expect((await q.deadLetters()).map((d) => d.id)).toEqual([deliveryJobId(n)]);
    expect(await q.retryDeadLetter(deliveryJobId(n))).toBe(true);
    await q.close();
  });

  it('records the one-shard queue of a Herald before sharding when its keys exist', async () => {
    const redis = new FakeRedis();
    redis.keys.add('{h}:delivery:wait');
    const { q, made } = setup(redis, 2);
    await q.start();
    expect([...redis.sets.get(RECORD)!].sort()).toEqual(['1', '2']);
    expect([...made.keys()]).toEqual(['{h}', '{h.d0.n2}', '{h.d1.n2}']);
    expect(made.get('{h}')!.spec.shards).toBe(2);
    await q.close();
  });

  it("picks up another node's count on refresh, and records its own one next to it", async () => {
    const redis = new FakeRedis();
    const { q, made } = setup(redis, 1);
    await q.start();
    expect(made.size).toBe(1);
    redis.sets.set(RECORD, new Set(['3']));
    await q.refresh();
    expect([...made.keys()]).toEqual(['{h}', '{h.d0.n3}', '{h.d1.n3}', '{h.d2.n3}']);
    expect([...redis.sets.get(RECORD)!].sort()).toEqual(['1', '3']);
    // Enqueues still go to this node's count.
    await q.enqueue(testNotification());
    expect(made.get('{h}')!.enqueued).toHaveLength(1);
    await q.close();
  });

  it('closes the shards it started when one fails to start', async () => {
    const made: FakeShard[] = [];
    const q = new ShardedDeliveryQueue({
      createShard: (spec) => {
        const s = new FakeShard(spec);
        if (made.length === 1) s.start = () => Promise.reject(new Error('Connection is closed.'));
        made.push(s);
        return s;
      },
      shards: 3,
      prefixOf,
      recordKey: RECORD,
      connection: fakeConnection(new FakeRedis()),
      refreshIntervalMs: 0,
    });
    await expect(q.start()).rejects.toThrow('Connection is closed.');
    await q.close(100);
    expect(made.every((s) => s.closed)).toBe(true);
  });

  it('closes at once while a shard start hangs (Redis down), that shard included', async () => {
    const made: FakeShard[] = [];
    const q = new ShardedDeliveryQueue({
      createShard: (spec) => {
        const s = new FakeShard(spec);
        if (made.length === 2) s.start = () => new Promise<void>(() => undefined);
        made.push(s);
        return s;
      },
      shards: 3,
      prefixOf,
      recordKey: RECORD,
      connection: fakeConnection(new FakeRedis()),
      refreshIntervalMs: 0,
    });
    const started = q.start();
    await new Promise((r) => setImmediate(r));
    await q.close(100);
    expect(made).toHaveLength(3);
    expect(made.every((s) => s.closed)).toBe(true);
    void started;
  });
});
