import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import type { GlobalConfig } from '@herald/config';
import {
  BullMqDeliveryQueue,
  buildReceivers,
  deliveryJobId,
  deliveryShardOf,
  ShardedDeliveryQueue,
  shardPrefixes,
  type DeadLetterEvent,
  type DeliveredEvent,
  type RateLimit,
} from '@herald/delivery';
import { redisConnection, RedisKeys, type RedisConnectionOptions } from '@herald/redis';
import { run, type CliIo } from '../../../apps/cli/src/commands';
import { HttpSink } from '../../harness/http-sink';
import { testNotification, testReceiver } from '../../harness/notifications';
import { RedisCluster } from '../../harness/redis-cluster';
import { waitUntil } from '../../harness/wait';

/**
 * Delivery sharded over BullMQ queues on a real 3-master Redis Cluster (issue 15, "delivery on
 * Cluster"): the shards (auto: one per master) land on different masters, notifications of many groups
 * spread over them and are each delivered once, a receiver's rate limit holds across shards, and a dead
 * letter in any shard is listed and retried through the sharded queue.
 */
jest.setTimeout(30_000);

const global: GlobalConfig = { resolveTimeout: 300_000, raw: {} };
/** Fast backoff so retries take tens of ms. */
const FAST = { backoff: { initialMs: 50, multiplier: 1.5, jitter: 0.5, maxMs: 400 }, maxAttempts: 3 };

describe('sharded BullMQ delivery on Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let sink: HttpSink;
  let conn: RedisConnectionOptions;
  const open: ShardedDeliveryQueue[] = [];

  beforeAll(async () => {
    [cluster, sink] = await Promise.all([
      RedisCluster.start({ masters: 3, replicasPerMaster: 0 }),
      HttpSink.start(),
    ]);
    client = await cluster.client();
    conn = { cluster: { nodes: cluster.seedNodes() }, commandTimeout: 5000, connectTimeout: 2000 };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(open.splice(0).map((q) => q.close(2000)));
    await sink?.stop();
    await cluster?.stop();
  });

  beforeEach(() => {
    sink.requests.length = 0;
    sink.respond(200);
  });

  /** A started sharded queue under a fresh key prefix, as the server builds it. */
  async function start(
    o: {
      shards?: number;
      rateLimit?: RateLimit;
      keepCompleted?: boolean;
      worker?: boolean;
      keys?: RedisKeys;
    } = {},
  ) {
    const keys = o.keys ?? new RedisKeys(`t${randomBytes(4).toString('hex')}`, 48, 'cluster');
    const built = buildReceivers([testReceiver({ webhookConfigs: [{ url: `${sink.url}/hook` }] })], global, {
      userAgent: 'Herald/0.1.0',
    });
    const connection = redisConnection(conn);
    const q = new ShardedDeliveryQueue({
      shards: o.shards,
      prefixOf: (i, n) => keys.deliveryShardPrefix(i, n),
      recordKey: keys.deliveryShards(),
      connection,
      concurrency: 12,
      createShard: ({ bullPrefix, concurrency }) =>
        new BullMqDeliveryQueue({
          connection,
          resolve: built.resolve,
          retry: FAST,
          concurrency,
          bullPrefix,
          rateLimitPrefix: keys.rateLimitPrefix(),
          rateLimit: o.rateLimit && (() => o.rateLimit),
          deadLetterIndex: (t) => keys.deadLetterIndex(t, undefined, bullPrefix),
          checkEviction: false,
          worker: o.worker,
          keepCompleted: o.keepCompleted ? { ageSec: 3600, count: 10_000 } : undefined,
        }),
    });
    open.push(q);
    const delivered: DeliveredEvent[] = [];
    const dead: DeadLetterEvent[] = [];
    q.onDelivered((e) => void delivered.push(e));
    q.onDeadLetter((e) => void dead.push(e));
    await q.start();
    return { q, keys, delivered, dead };
  }

  /** The master (port) serving a key, by the client's slot map. */
  const masterOf = (key: string) => client.slots[calculateSlot(key)][0];

  it('puts one shard per master (auto) and delivers 300 notifications once each, spread over the masters', async () => {
    const { q, keys, delivered } = await start({ keepCompleted: true });
    expect(q.shardCount).toBe(3);
    const prefixes = q.prefixes;
    expect(prefixes).toHaveLength(3);
    const masters = prefixes.map((p) => masterOf(keys.deliveryQueueKey('wait', 'delivery', p)));
    expect(new Set(masters).size).toBe(3);
    expect(new Set(masters)).toEqual(new Set(cluster.masters().map((m) => m.address)));
    expect(await client.smembers(keys.deliveryShards())).toEqual(['3']);

    const ns = Array.from({ length: 300 }, (_, i) =>
      testNotification({ group: `G${i}`, tenant: `t${i % 3}`, seq: 1 + (i % 4) }),
    );
    await Promise.all(ns.map((n) => q.enqueue(n)));
    await waitUntil(() => delivered.length >= 300, { timeoutMs: 20_000, what: '300 delivered' });
    // Exactly once: one request per notification (its Idempotency-Key), no more after a pause.
    await sink.waitFor(() => sink.requests.length >= 300);
    const idem = sink.requests.map((r) => String(r.headers['idempotency-key']));
    expect(new Set(idem).size).toBe(300);
    expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(ns.map((n) => deliveryJobId(n))));

    // The jobs' spread over the masters: each shard's completed set, on its own master.
    const perMaster = new Map<string, number>();
    for (const p of prefixes) {
      const done = await client.zcard(keys.deliveryQueueKey('completed', 'delivery', p));
      perMaster.set(masterOf(keys.deliveryQueueKey('completed', 'delivery', p)), done);
    }
    expect([...perMaster.values()].reduce((a, b) => a + b, 0)).toBe(300);
    for (const n of perMaster.values()) expect(Math.abs(n - 100)).toBeLessThanOrEqual(20);
    expect(sink.requests).toHaveLength(300);
  });

  it("holds a receiver's rate limit across shards (one bucket, not one per shard)", async () => {
    // 10 sends per second with bursts of 10, for 40 notifications of groups in every shard.
    const { q, delivered } = await start({ shards: 3, rateLimit: { max: 10, durationMs: 1000 } });
    const ns = Array.from({ length: 40 }, (_, i) => testNotification({ group: `R${i}` }));
    const perShard = [0, 0, 0];
    for (const n of ns) perShard[deliveryShardOf(n, 3)]++;
    expect(Math.min(...perShard)).toBeGreaterThanOrEqual(8);
    await Promise.all(ns.map((n) => q.enqueue(n)));
    await waitUntil(() => delivered.length >= 40, { timeoutMs: 15_000, what: '40 delivered' });
    const at = sink.requests.map((r) => r.at).sort((a, b) => a - b);
    expect(at).toHaveLength(40);
    // Per shard it would be 30 at once, then 30/s: in total at most the burst plus the refill (+3 for
    // arrivals bunched by a loaded machine).
    const t0 = at[0];
    const within = (ms: number) => at.filter((t) => t - t0 <= ms).length;
    expect(within(400)).toBeLessThanOrEqual(10 + 4 + 3);
    expect(within(1000)).toBeLessThanOrEqual(10 + 10 + 3);
    // 30 sends past the burst need ~3 s at 10/s.
    expect(at[39] - t0).toBeGreaterThanOrEqual(2500);
  });

  it('lists and retries a dead letter of any shard through the sharded queue', async () => {
    const { q, keys, delivered, dead } = await start({ shards: 3 });
    // A group in the last shard, which the receiver refuses (400: no retry, a dead letter at once).
    let g = 0;
    while (deliveryShardOf(testNotification({ group: `D${g}`, tenant: 'acme' }), 3) !== 2) g++;
    const n = testNotification({ group: `D${g}`, tenant: 'acme' });
    const other = testNotification({ group: 'fine', tenant: 'acme' });
    sink.respond((_i, req) => (req.body.includes(`D${g}`) ? 400 : 200));
    await q.enqueue(n);
    await q.enqueue(other);
    await waitUntil(() => dead.length === 1 && delivered.length === 1, { what: 'one dead, one delivered' });
    const id = deliveryJobId(n);
    const shardPrefix = keys.deliveryShardPrefix(2, 3);
    expect(await client.zscore(keys.deliveryQueueKey('failed', 'delivery', shardPrefix), id)).not.toBeNull();
    expect(await client.zscore(keys.deadLetterIndex('acme', 'delivery', shardPrefix), id)).not.toBeNull();

    expect((await q.deadLetters()).map((d) => d.id)).toEqual([id]);
    expect((await q.deadLetters(10, 'acme')).map((d) => d.id)).toEqual([id]);
    expect(await q.deadLetterCount('acme')).toBe(1);
    expect((await q.counts()).dead).toBe(1);

    sink.respond(200);
    expect(await q.retryDeadLetter(id, 'acme')).toBe(true);
    await waitUntil(() => delivered.some((e) => e.id === id), { what: 'the retried one delivered' });
    expect(await q.deadLetterCount('acme')).toBe(0);
    expect(await q.deadLetters()).toEqual([]);
    expect(await q.retryDeadLetter(id)).toBe(false);

    // heraldctl sees and retries a dead letter of another shard too.
    let h = 0;
    while (deliveryShardOf(testNotification({ group: `E${h}`, tenant: 'acme' }), 3) !== 1) h++;
    const m = testNotification({ group: `E${h}`, tenant: 'acme' });
    sink.respond((_i, req) => (req.body.includes(`E${h}`) ? 400 : 200));
    await q.enqueue(m);
    await waitUntil(() => dead.length === 2, { what: 'the second dead letter' });
    const ctl = async (...args: string[]) => {
      const out: string[] = [];
      const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(l), readStdin: async () => '' };
      const argv = [...args, '--redis-cluster', cluster.seedNodes().join(','), '--prefix', keys.prefix];
      return { code: await run(argv, io), out: out.join('\n') };
    };
    const listed = await ctl('queue', '--json');
    expect(listed.code).toBe(0);
    const view = JSON.parse(listed.out) as {
      counts: { dead: number };
      shards: { queue: string; dead: number }[];
      deadLetters: { id: string; queue: string }[];
    };
    expect(view.counts.dead).toBe(1);
    // The one-shard queue (always looked at) and the three recorded shards.
    expect(view.shards.map((s) => s.queue).sort()).toEqual(
      [keys.bullPrefix(), ...[0, 1, 2].map((i) => keys.deliveryShardPrefix(i, 3))]
        .map((p) => `${p}:delivery`)
        .sort(),
    );
    expect(view.deadLetters).toEqual([
      expect.objectContaining({ id: deliveryJobId(m), queue: `${keys.deliveryShardPrefix(1, 3)}:delivery` }),
    ]);
    sink.respond(200);
    expect(await ctl('queue', 'retry', '--all')).toEqual({ code: 0, out: 'retried 1 dead letter' });
    await waitUntil(() => delivered.some((e) => e.id === deliveryJobId(m)), { what: 'retried by heraldctl' });
    expect(await q.deadLetterCount('acme')).toBe(0);
  });

  it('strands no job when the shard count shrinks: the old shards keep their workers', async () => {
    // A node with 3 shards and no worker leaves jobs in all three; then only a 2-shard node runs.
    const before = await start({ shards: 3, worker: false });
    const ns = Array.from({ length: 30 }, (_, i) => testNotification({ group: `S${i}` }));
    await Promise.all(ns.map((n) => before.q.enqueue(n)));
    expect((await before.q.counts()).waiting).toBe(30);
    await before.q.close(2000);
    const after = await start({ shards: 2, keys: before.keys });
    expect((await client.smembers(before.keys.deliveryShards())).sort()).toEqual(['2', '3']);
    // Every shard of both counts (a prefix two counts share is one queue).
    expect(after.q.prefixes.sort()).toEqual(
      shardPrefixes([2, 3], (i, n) => before.keys.deliveryShardPrefix(i, n)).sort(),
    );
    await waitUntil(() => after.delivered.length >= 30, { timeoutMs: 10_000, what: '30 delivered' });
    expect(new Set(after.delivered.map((e) => e.id))).toEqual(new Set(ns.map((n) => deliveryJobId(n))));
    // New notifications go to the 2 shards only.
    await after.q.enqueue(testNotification({ group: 'new' }));
    await waitUntil(() => after.delivered.length >= 31, { what: 'the new one delivered' });
    expect(sink.requests).toHaveLength(31);
  });
});
