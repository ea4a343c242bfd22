import { alertBatch as batch, AOF, post, readyStatus, startSinkStack, type SinkStack } from '../harness/app';
import { FAST_FAILOVER, hookConfig } from '../harness/config';
import { sleep, waitUntil } from '../harness/wait';

/**
 * Redis stopped mid-run: ingest, flushing and delivery go on from memory; notifications that could
 * not be delivered during the outage move to BullMQ when Redis returns; nothing is lost or sent twice.
 */
describe('flush and delivery across a Redis outage', () => {
  let env: SinkStack;
  let sinkDown = false;

  beforeAll(async () => {
    // AOF so the restarted server has the pre-outage state, as production Redis should.
    env = await startSinkStack(
      (sinkUrl) => hookConfig(sinkUrl, { groupWait: '0s', groupInterval: '1s', herald: FAST_FAILOVER }),
      { redis: AOF, respond: () => (sinkDown ? 503 : 200) },
    );
  });
  // A node's shutdown is bounded, not instant, after a Redis fault (locks 5 s + delivery queue 5 s).
  afterAll(() => env?.close(), 30_000);

  const count = (prefix: string, status: string, requests = env.sink.accepted) => {
    const keys = requests
      .map((r) => r.json as { groupKey: string; status: string })
      .filter((p) => p.status === status && p.groupKey.includes(`"${prefix}`))
      .map((p) => p.groupKey);
    return { raw: keys.length, distinct: new Set(keys).size };
  };

  it('keeps notifying from memory while Redis is down and hands the rest to BullMQ after it returns', async () => {
    const { sink, redis, node } = env;
    expect((await post(`${node.url}/api/v2/alerts`, batch('A', 20))).status).toBe(200);
    await sink.waitFor(() => count('A', 'firing').distinct === 20, 15_000, 'A before the outage');

    await redis.kill();
    expect((await post(`${node.url}/api/v2/alerts`, batch('B', 15))).status).toBe(200);
    expect(await readyStatus(node)).toBe('degraded');
    await sink.waitFor(() => count('B', 'firing').distinct === 15, 15_000, 'B delivered from memory');
    // The receiver fails now: C's notifications wait in the memory queue when Redis returns.
    sinkDown = true;
    expect((await post(`${node.url}/api/v2/alerts`, batch('C', 15))).status).toBe(200);
    await sink.waitFor(
      () => count('C', 'firing', sink.requests).distinct === 15,
      15_000,
      'every C notification refused once (waiting in the memory queue)',
    );

    await redis.startProcess(); // same port, state from the AOF
    await waitUntil(async () => (await readyStatus(node)) === 'ok', {
      timeoutMs: 15_000,
      what: 'the node back on Redis',
    });
    sinkDown = false;
    await sink.waitFor(() => count('C', 'firing').distinct === 15, 30_000, 'C after the outage');
    expect(await readyStatus(node)).toBe('ok');
    // Time under test: three group_intervals (1 s) more, and no group is notified twice.
    await sleep(3000);
    for (const p of ['A', 'B', 'C']) expect(count(p, 'firing').raw).toBe(p === 'A' ? 20 : 15);

    const past = new Date(Date.now() - 10).toISOString();
    const all = [
      ...batch('A', 20, { endsAt: past }),
      ...batch('B', 15, { endsAt: past }),
      ...batch('C', 15, { endsAt: past }),
    ];
    expect((await post(`${node.url}/api/v2/alerts`, all)).status).toBe(200);
    await sink.waitFor(
      () => ['A', 'B', 'C'].every((p) => count(p, 'resolved').distinct === (p === 'A' ? 20 : 15)),
      20_000,
      'every resolution',
    );
    // Time under test: three group_intervals more, and no resolution is sent twice.
    await sleep(3000);
    for (const p of ['A', 'B', 'C'])
      expect(count(p, 'resolved')).toEqual({ raw: p === 'A' ? 20 : 15, distinct: p === 'A' ? 20 : 15 });
  }, 90_000);
});
