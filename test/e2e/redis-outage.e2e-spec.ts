import { Redis } from 'ioredis';
import { groupAlerts, type Alert, type GroupStore } from '@herald/domain';
import { GROUP_STORE } from '../../apps/server/src/store/group-store.module';
import type { RedisServer } from '../harness/redis-server';
import { getJson, post, startNodeWithRedis, type TestNode, type TestNodeWithRedis } from '../harness/app';

const CONFIG = `
route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
herald:
  redis:
    command_timeout: 300ms
    reconnect_check_interval: 100ms
`;

/** Sum of HLEN over every firing/recovery group hash of the default tenant. */
async function storedAlerts(url: string): Promise<Set<string>> {
  const r = new Redis(url);
  const out = new Set<string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(
        cursor,
        'MATCH',
        'herald:default:alert:group:firing:*',
        'COUNT',
        1000,
      );
      cursor = next;
      for (const k of keys)
        for (const v of await r.hvals(k)) out.add(JSON.parse(v.slice(v.indexOf('|') + 1)).labels.instance);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return out;
}

describe('Redis killed during load', () => {
  let env: TestNodeWithRedis;
  let node: TestNode;
  let redis: RedisServer;
  beforeAll(async () => {
    env = await startNodeWithRedis(CONFIG);
    ({ node, redis } = env);
  });
  // A node's shutdown is bounded, not instant, after a Redis fault (locks 5 s + delivery queue 5 s).
  afterAll(() => env.close(), 30_000);

  it('keeps answering 200 and every alert sent during the outage ends up in Redis', async () => {
    let seq = 0;
    let killedAt = Infinity;
    const statuses = new Map<number, number>();
    const afterKill: string[] = [];
    let stop = false;
    // 4 concurrent Prometheus-like senders, each posting batches of 16 new alerts.
    const sender = async () => {
      while (!stop) {
        const started = Date.now();
        const batch = Array.from({ length: 16 }, () => {
          const i = seq++;
          return { labels: { alertname: `A${i % 50}`, instance: `i${i}` }, annotations: { n: String(i) } };
        });
        const r = await post(`${node.url}/api/v2/alerts`, batch);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (started > killedAt) afterKill.push(...batch.map((a) => a.labels.instance));
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    await new Promise((r) => setTimeout(r, 500));
    await redis.kill();
    killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const degraded = (await getJson(`${node.url}/health/ready`)).body;
    expect(degraded.status).toBe('degraded');
    expect(degraded.store.mode).toBe('memory-fallback');
    await redis.startProcess(); // same port, empty: the pre-kill data died with the process (no AOF here)
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await getJson(`${node.url}/health/ready`)).body.status === 'ok') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(senders);

    expect([...statuses.keys()]).toEqual([200]);
    expect(afterKill.length).toBeGreaterThan(100);
    const stored = await storedAlerts(redis.url);
    const missing = afterKill.filter((i) => !stored.has(i));
    expect(missing).toEqual([]);
    expect((await getJson(`${node.url}/health/ready`)).body.store.pendingAlerts).toBe(0);
    if (process.env.HERALD_TEST_LOGS) {
      console.log(
        `requests by status ${JSON.stringify([...statuses])}; ${afterKill.length} alerts sent after the kill, all in Redis`,
      );
    }
  }, 30_000);
});

describe('an entry Redis refuses during the merge after an outage', () => {
  let env: TestNodeWithRedis;
  let node: TestNode;
  let redis: RedisServer;
  beforeAll(async () => {
    env = await startNodeWithRedis(CONFIG);
    ({ node, redis } = env);
  });
  afterAll(() => env.close(), 30_000);

  it('the failover merge skips an entry Redis refuses and leaves fallback', async () => {
    await redis.pause();
    const store = node.app.get<GroupStore>(GROUP_STORE, { strict: false });
    const now = Date.now();
    try {
      // The first request finds Redis paused and falls back to memory within command_timeout.
      const r = await post(`${node.url}/api/v2/alerts`, [
        { labels: { alertname: 'Merge', instance: 'ok-1' } },
      ]);
      expect(r.status).toBe(200);
      expect((await getJson(`${node.url}/health/ready`)).body.store.mode).toBe('memory-fallback');
      // Ingest refuses such an alert now; memory takes whatever reaches it (here a time Redis cannot parse).
      const poison: Alert = {
        fingerprint: 'ffffffffffffffff',
        labels: { alertname: 'Merge', instance: 'poison' },
        annotations: {},
        startsAt: Number.NaN,
        endsAt: now + 600_000,
        updatedAt: now,
        timeout: false,
        generatorURL: '',
      };
      await store.upsert(groupAlerts(node.config.routeTree, 'default', now, [poison]));
    } finally {
      await redis.resume();
    }
    const r2 = await post(`${node.url}/api/v2/alerts`, [
      { labels: { alertname: 'Merge', instance: 'ok-2' } },
    ]);
    expect(r2.status).toBe(200);
    const deadline = Date.now() + 10_000;
    let ready = (await getJson(`${node.url}/health/ready`)).body;
    while (ready.status !== 'ok' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ready = (await getJson(`${node.url}/health/ready`)).body;
    }
    expect(ready.status).toBe('ok');
    expect(ready.store).toMatchObject({ mode: 'redis', pendingAlerts: 0 });
    const stored = await storedAlerts(redis.url);
    expect([...stored].filter((i) => i.startsWith('ok-')).sort()).toEqual(['ok-1', 'ok-2']);
    expect(stored.has('poison')).toBe(false);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/^herald_store_merge_skipped_total 1$/m);
  }, 30_000);
});
