import { HttpSink } from '../harness/http-sink';
import { post, startNode, type TestNode } from '../harness/app';
import { RedisServer } from '../harness/redis-server';

/**
 * Redis stopped mid-run: ingest, flushing and delivery go on from memory; notifications that could
 * not be delivered during the outage move to BullMQ when Redis returns; nothing is lost or sent twice.
 */
describe('flush and delivery across a Redis outage', () => {
  let redis: RedisServer;
  let sink: HttpSink;
  let node: TestNode;
  let sinkDown = false;

  beforeAll(async () => {
    // AOF so the restarted server has the pre-outage state, as production Redis should.
    redis = await RedisServer.start({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    sink = await HttpSink.start();
    sink.respond(() => (sinkDown ? 503 : 200));
    node = await startNode(
      `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: ${sink.url}/hook
herald:
  redis:
    command_timeout: 300ms
    reconnect_check_interval: 100ms
`,
      { REDIS_URL: redis.url },
    );
  });
  // A node's shutdown is bounded, not instant, after a Redis fault (locks 5 s + delivery queue 5 s).
  afterAll(async () => {
    await node.close();
    await sink.stop();
    await redis.stop();
  }, 30_000);

  const batch = (prefix: string, n: number, endsAt?: string) =>
    Array.from({ length: n }, (_, i) => ({
      labels: { alertname: `${prefix}${i}` },
      startsAt: new Date(Date.now() - 1000).toISOString(),
      ...(endsAt ? { endsAt } : {}),
    }));
  const count = (prefix: string, status: string) => {
    const keys = sink.accepted
      .map((r) => r.json as { groupKey: string; status: string })
      .filter((p) => p.status === status && p.groupKey.includes(`"${prefix}`))
      .map((p) => p.groupKey);
    return { raw: keys.length, distinct: new Set(keys).size };
  };
  const ready = async () => (await (await fetch(`${node.url}/health/ready`)).json()) as { status: string };

  it('keeps notifying from memory while Redis is down and hands the rest to BullMQ after it returns', async () => {
    expect((await post(`${node.url}/api/v2/alerts`, batch('A', 20))).status).toBe(200);
    await sink.waitFor(() => count('A', 'firing').distinct === 20, 15_000, 'A before the outage');

    await redis.kill();
    expect((await post(`${node.url}/api/v2/alerts`, batch('B', 15))).status).toBe(200);
    expect((await ready()).status).toBe('degraded');
    await sink.waitFor(() => count('B', 'firing').distinct === 15, 15_000, 'B delivered from memory');
    // The receiver fails now: C's notifications wait in the memory queue when Redis returns.
    sinkDown = true;
    expect((await post(`${node.url}/api/v2/alerts`, batch('C', 15))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));

    await redis.startProcess(); // same port, state from the AOF
    await new Promise((r) => setTimeout(r, 1500));
    sinkDown = false;
    await sink.waitFor(() => count('C', 'firing').distinct === 15, 30_000, 'C after the outage');
    expect((await ready()).status).toBe('ok');
    await new Promise((r) => setTimeout(r, 3000));
    for (const p of ['A', 'B', 'C']) expect(count(p, 'firing').raw).toBe(p === 'A' ? 20 : 15);

    const past = new Date(Date.now() - 10).toISOString();
    const all = [...batch('A', 20, past), ...batch('B', 15, past), ...batch('C', 15, past)];
    expect((await post(`${node.url}/api/v2/alerts`, all)).status).toBe(200);
    await sink.waitFor(
      () => ['A', 'B', 'C'].every((p) => count(p, 'resolved').distinct === (p === 'A' ? 20 : 15)),
      20_000,
      'every resolution',
    );
    await new Promise((r) => setTimeout(r, 3000));
    for (const p of ['A', 'B', 'C'])
      expect(count(p, 'resolved')).toEqual({ raw: p === 'A' ? 20 : 15, distinct: p === 'A' ? 20 : 15 });
  }, 90_000);
});
