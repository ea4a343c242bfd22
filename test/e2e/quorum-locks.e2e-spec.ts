/**
 * `herald.locks.mode: quorum` (issue 11 #2): two nodes on one Redis for groups, taking their group locks
 * on a majority of three independent lock masters. Every group is notified once, the fencing tokens are
 * handed out by the lock masters, and a lock master down still leaves a majority.
 */
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { startNode, type TestNode } from '../harness/app';
import { connectedClient } from '../harness/redis-client';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const GROUPS = 10;
let redis: RedisServer;
let lockMasters: RedisServer[];
let sink: HttpSink;
let nodes: TestNode[];

const config = () =>
  hookConfig(sink.url, {
    groupWait: '0s',
    groupInterval: '1s',
    repeatInterval: '1h',
    tick: '100ms',
    herald: `  locks:
    mode: quorum
    quorum:
      nodes: [${lockMasters.map((m) => m.url).join(', ')}]
`,
  });

beforeAll(async () => {
  [redis, sink, ...lockMasters] = await Promise.all([
    RedisServer.start(),
    HttpSink.start(),
    RedisServer.start(),
    RedisServer.start(),
    RedisServer.start(),
  ] as const);
  nodes = await Promise.all(
    ['q1', 'q2'].map((id) => startNode(config(), { REDIS_URL: redis.url, HERALD_NODE_ID: id })),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all((nodes ?? []).map((n) => n.close()));
  await sink?.stop();
  await Promise.all([redis, ...(lockMasters ?? [])].map((r) => r?.stop()));
});

async function post(node: TestNode, prefix: string): Promise<void> {
  const alerts = Array.from({ length: GROUPS }, (_, i) => ({ labels: { alertname: `${prefix}${i}` } }));
  const res = await fetch(`${node.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(res.status).toBe(200);
}

function notified(prefix: string): string[] {
  return sink.accepted
    .map((r) => (r.json as { groupKey: string }).groupKey)
    .filter((k) => k.includes(`"${prefix}`));
}

describe('quorum group locks', () => {
  it('two nodes locking on three masters notify every group once; the masters hand out the fencing tokens', async () => {
    await post(nodes[0], 'Quorum');
    await post(nodes[1], 'Quorum');
    await sink.waitFor(() => notified('Quorum').length >= GROUPS, 20_000, `${GROUPS} notifications`);
    // Every node flushes each group again after group_interval (nothing new): still one page per group.
    await waitUntil(
      async () => {
        const text = await (await fetch(`${nodes[0].url}/metrics`)).text();
        const both = await (await fetch(`${nodes[1].url}/metrics`)).text();
        const skipped = (t: string) =>
          Number(/herald_flush_total\{outcome="skipped"\} (\d+)/.exec(t)?.[1] ?? 0);
        return skipped(text) + skipped(both) >= GROUPS;
      },
      { timeoutMs: 20_000, what: 'a second flush of every group' },
    );
    expect(new Set(notified('Quorum')).size).toBe(GROUPS);
    expect(notified('Quorum')).toHaveLength(GROUPS);
    for (const m of lockMasters) {
      const c = await connectedClient(m.url);
      expect((await c.keys('*:lock:group:*:fence')).length).toBeGreaterThan(0);
      c.disconnect();
    }
  }, 60_000);

  it('with one lock master down, a majority still locks and groups are notified', async () => {
    await lockMasters[2].stop();
    await post(nodes[1], 'Minority');
    await sink.waitFor(() => notified('Minority').length >= GROUPS, 20_000, `${GROUPS} notifications`);
    expect(new Set(notified('Minority')).size).toBe(GROUPS);
  }, 60_000);
});
