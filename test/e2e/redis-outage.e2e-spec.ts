import { Redis } from 'ioredis';
import { groupAlerts, type Alert, type GroupStore } from '@herald/domain';
import { GROUP_STORE } from '../../apps/server/src/store/group-store.module';
import { getJson, post, readyStatus } from '../harness/app';
import { defaultConfig, FAST_FAILOVER } from '../harness/config';
import { nodeWithRedisSuite } from '../harness/suites';
import { waitUntil } from '../harness/wait';

const CONFIG = defaultConfig(FAST_FAILOVER);

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
  const env = nodeWithRedisSuite(CONFIG);

  it('keeps answering 200 and every alert sent during the outage ends up in Redis', async () => {
    const { node, redis } = env;
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
    const answered = () => [...statuses.values()].reduce((a, b) => a + b, 0);
    await waitUntil(() => answered() >= 8, { what: 'two batches per sender before the kill' });
    await redis.kill();
    killedAt = Date.now();
    // The outage lasts until the node has switched to memory and taken more than 100 alerts there.
    const degraded = await waitUntil(
      async () => {
        const ready = (await getJson(`${node.url}/health/ready`)).body;
        return ready.status === 'degraded' && afterKill.length > 100 && ready;
      },
      { timeoutMs: 10_000, what: 'degraded with more than 100 alerts sent after the kill' },
    );
    expect(degraded.status).toBe('degraded');
    expect(degraded.store.mode).toBe('memory-fallback');
    await redis.startProcess(); // same port, empty: the pre-kill data died with the process (no AOF here)
    await waitUntil(async () => (await readyStatus(node)) === 'ok', { what: 'the node back on Redis' });
    // Load goes on after the recovery: two more batches per sender.
    const atRecovery = answered();
    await waitUntil(() => answered() >= atRecovery + 8, {
      what: 'two batches per sender after the recovery',
    });
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
  const env = nodeWithRedisSuite(CONFIG);

  it('the failover merge skips an entry Redis refuses and leaves fallback', async () => {
    const { node, redis } = env;
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
    const ready = await waitUntil(
      async () => {
        const body = (await getJson(`${node.url}/health/ready`)).body;
        return body.status === 'ok' && body;
      },
      { what: 'the node back on Redis after the merge' },
    );
    expect(ready.status).toBe('ok');
    expect(ready.store).toMatchObject({ mode: 'redis', pendingAlerts: 0 });
    const stored = await storedAlerts(redis.url);
    expect([...stored].filter((i) => i.startsWith('ok-')).sort()).toEqual(['ok-1', 'ok-2']);
    expect(stored.has('poison')).toBe(false);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toMatch(/^herald_store_merge_skipped_total 1$/m);
  }, 30_000);
});
