import { createRedisClient, RedisDueWakeChannel, type RedisClient } from '@herald/redis';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';
import { waitUntil } from '../harness/wait';

/**
 * Scheduler wake-ups across nodes (RedisDueWakeChannel) on every Redis topology: what an `api` node's
 * ingest publishes reaches every subscribed scheduler, the due times of one event-loop turn go out as
 * one message of the earliest, and what is not a due time is ignored.
 */
describe.each(TOPOLOGIES)('RedisDueWakeChannel on %s', (topology) => {
  let t: RedisTopology;
  withRedisTopology(topology, (v) => (t = v));
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  const channelOf = (prefix: string, redis: RedisClient = t.redis) =>
    new RedisDueWakeChannel(redis, RedisDueWakeChannel.channelOf(prefix), () =>
      createRedisClient(t.connection, 'fail-fast', 'due-wake-test'),
    );

  /** A subscribed scheduler's view: the due times it was woken for, in order. */
  async function scheduler(prefix: string): Promise<number[]> {
    const got: number[] = [];
    closers.push(await channelOf(prefix).subscribe((d) => got.push(d)));
    return got;
  }

  it('every subscribed scheduler receives the due time an api node publishes', async () => {
    const [a, b] = [await scheduler('wake1'), await scheduler('wake1')];
    const api = channelOf('wake1', await t.client());
    api.publish(1_700_000_000_123);
    await waitUntil(() => a.length === 1 && b.length === 1, { timeoutMs: 5000, what: 'both wakes' });
    expect(a).toEqual([1_700_000_000_123]);
    expect(b).toEqual([1_700_000_000_123]);
    expect(api.failures).toBe(0);
  });

  it('the due times of one turn go out as one message carrying the earliest', async () => {
    const got = await scheduler('wake2');
    const api = channelOf('wake2');
    for (const d of [5000, 3000, 4000, 3500]) api.publish(d);
    await waitUntil(() => got.length === 1, { timeoutMs: 5000, what: 'one wake' });
    api.publish(9000); // a later turn: a message of its own
    await waitUntil(() => got.length === 2, { timeoutMs: 5000, what: 'a second wake' });
    expect(got).toEqual([3000, 9000]);
  });

  it('another deployment (key prefix) is not woken, and a message that is not a due time is ignored', async () => {
    const mine = await scheduler('wake3');
    const other = await scheduler('wake3other');
    const raw = await t.client();
    await raw.publish(RedisDueWakeChannel.channelOf('wake3'), 'not a number');
    await raw.publish(RedisDueWakeChannel.channelOf('wake3'), '1'.repeat(100));
    channelOf('wake3').publish(42);
    await waitUntil(() => mine.length === 1, { timeoutMs: 5000, what: 'the wake' });
    expect(mine).toEqual([42]);
    expect(other).toEqual([]);
  });
});
