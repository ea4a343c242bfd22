import { HttpSink } from '../harness/http-sink';
import { getJson, post, readyStatus, startNodeWithRedis, type TestNodeWithRedis } from '../harness/app';
import { waitUntil } from '../harness/wait';

const config = (okUrl: string, badUrl: string) => `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: broken
      matchers: ['team="broken"']
receivers:
  - name: hook
    webhook_configs:
      - url: ${okUrl}/hook
  - name: broken
    webhook_configs:
      - url: ${badUrl}/hook
`;

/** Parses the text exposition format into `name{labels} → value` (no timestamps in prom-client output). */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** The value of the one series of `name` whose labels include all of `labels`. */
function value(
  series: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const [key, v] of series) {
    const brace = key.indexOf('{');
    const n = brace < 0 ? key : key.slice(0, brace);
    if (n !== name) continue;
    if (Object.entries(labels).every(([k, val]) => key.includes(`${k}="${val}"`))) return v;
  }
  return undefined;
}

async function scrape(url: string): Promise<{ text: string; series: Map<string, number>; type: string }> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, series: parse(text), type: res.headers.get('content-type') ?? '' };
}

describe('observability: /metrics, /health, /api/v2/status (Redis mode)', () => {
  let t: TestNodeWithRedis;
  let ok: HttpSink;
  let bad: HttpSink;

  beforeAll(async () => {
    ok = await HttpSink.start();
    bad = await HttpSink.start();
    bad.respond(400); // a client error: given up at once → dead letter with reason clientError
    t = await startNodeWithRedis(config(ok.url, bad.url), { HERALD_NODE_ID: 'metrics-node-1' });
  }, 30_000);

  afterAll(async () => {
    // Redis back first (the last test kills it): a node closed while Redis is down leaves BullMQ's
    // worker timers (lock renewal, stalled check) running, which keeps the test process alive.
    if (t && !(await t.redis.ping())) {
      await t.redis.startProcess();
      await waitUntil(async () => (await readyStatus(t.node)) === 'ok', { what: 'the node back on Redis' });
    }
    await t?.close();
    await ok?.stop();
    await bad?.stop();
  }, 30_000);

  it('exports the Herald series after some load', async () => {
    const url = t.node.url;
    const now = Date.now();
    const alerts = [
      { labels: { alertname: 'A', instance: 'x' }, startsAt: new Date(now - 1000).toISOString() },
      { labels: { alertname: 'B', instance: 'y' }, startsAt: new Date(now - 1000).toISOString() },
      { labels: { alertname: 'C', team: 'broken' }, startsAt: new Date(now - 1000).toISOString() },
    ];
    expect((await post(`${url}/api/v2/alerts`, alerts)).status).toBe(200);
    // A mixed batch: one accepted, one rejected (400).
    const mixed = await post(`${url}/api/v2/alerts`, [{ labels: { alertname: 'D' } }, { labels: {} }]);
    expect(mixed.status).toBe(400);
    await ok.waitFor(() => ok.accepted.length >= 2, 15_000, 'two notifications');
    await bad.waitFor(() => bad.requests.length >= 1, 15_000, 'the broken receiver called');

    // Delivered/dead counters are recorded by the delivery events; wait for the dead letter to land.
    const { series, text, type } = await waitUntil(
      async () => {
        const s = await scrape(url);
        return value(s.series, 'herald_notifications_total', { outcome: 'dead' }) && s;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'herald_notifications_total{outcome="dead"} counted' },
    );
    expect(type).toContain('text/plain');
    expect(text).toContain('# TYPE herald_http_request_duration_seconds histogram');

    expect(
      value(series, 'herald_ingest_requests_total', {
        tenant: 'default',
        endpoint: 'api_v2_alerts',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      value(series, 'herald_ingest_requests_total', {
        tenant: 'default',
        endpoint: 'api_v2_alerts',
        outcome: 'invalid',
      }),
    ).toBe(1);
    expect(value(series, 'herald_ingest_alerts_total', { tenant: 'default', outcome: 'accepted' })).toBe(4);
    expect(value(series, 'herald_ingest_alerts_total', { tenant: 'default', outcome: 'rejected' })).toBe(1);
    expect(
      value(series, 'herald_http_request_duration_seconds_count', {
        route: '/api/v2/alerts',
        method: 'POST',
        status: '200',
      }),
    ).toBe(1);
    expect(value(series, 'herald_alerts', { state: 'firing' })).toBeGreaterThanOrEqual(3);
    expect(value(series, 'herald_alerts', { state: 'resolved' })).toBe(0);
    expect(value(series, 'herald_groups', { state: 'firing' })).toBeGreaterThanOrEqual(3);
    expect(value(series, 'herald_flush_total', { outcome: 'notified' })).toBeGreaterThanOrEqual(3);
    expect(value(series, 'herald_flush_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(
      value(series, 'herald_notifications_total', { receiver: 'hook', outcome: 'delivered' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(series, 'herald_notifications_total', {
        receiver: 'broken',
        outcome: 'dead',
        reason: 'clientError',
      }),
    ).toBe(1);
    for (const state of ['waiting', 'active', 'delayed', 'dead']) {
      expect(value(series, 'herald_queue_jobs', { state })).toBeGreaterThanOrEqual(0);
    }
    expect(value(series, 'herald_queue_jobs', { state: 'dead' })).toBe(1);
    expect(value(series, 'herald_lock_acquisitions_total', { kind: 'group' })).toBeGreaterThanOrEqual(3);
    expect(text).toContain('# TYPE herald_lock_contention_total counter');
    expect(text).toContain('# TYPE herald_lock_lost_total counter');
    expect(value(series, 'herald_redis_up')).toBe(1);
    const latency = value(series, 'herald_redis_latency_seconds')!;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(0.5);
    expect(value(series, 'herald_redis_fallback_active')).toBe(0);
    expect(value(series, 'herald_node_info', { node_id: 'metrics-node-1', version: '0.1.0' })).toBe(1);
    // Process and Node.js metrics under their standard names, beside Herald's own `herald_*`.
    expect(value(series, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value(series, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(series, 'nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(text).not.toMatch(/^herald_(process|nodejs)_/m);
    // No `node` label on the series: the scrape target adds it.
    expect(text).not.toMatch(/[{,]node="/);
  }, 40_000);

  it('answers /api/v2/status in Alertmanager shape with the heartbeating nodes', async () => {
    const { status, body } = await getJson(`${t.node.url}/api/v2/status`);
    expect(status).toBe(200);
    expect(body.cluster.name).toBe('metrics-node-1');
    expect(body.cluster.status).toBe('ready');
    expect(body.cluster.peers).toEqual([{ name: 'metrics-node-1', address: expect.stringMatching(/:\d+$/) }]);
    expect(Object.keys(body.versionInfo).sort()).toEqual(
      ['branch', 'buildDate', 'buildUser', 'goVersion', 'revision', 'version'].sort(),
    );
    expect(body.versionInfo.version).toBe('0.25.0'); // the Alertmanager API version (alertmanager_build_info)
    expect(body.versionInfo.branch).toBe('herald/0.1.0');
    expect(body.config.original).toContain('receiver: hook');
    expect(new Date(body.uptime).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('reports readiness with the Redis and queue checks', async () => {
    const { status, body } = await getJson(`${t.node.url}/health/ready`);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.store.mode).toBe('redis');
    expect(body.checks.redis).toMatchObject({ status: 'up', mode: 'redis', degraded: false });
    expect(body.checks.queue).toMatchObject({ status: 'up', mode: 'bullmq' });
    expect((await getJson(`${t.node.url}/health/live`)).body).toEqual({ status: 'ok' });
  });

  it('echoes a sane X-Request-Id and generates one when absent', async () => {
    const given = await fetch(`${t.node.url}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await fetch(`${t.node.url}/health/live`, { headers: { 'x-request-id': 'bad value\n' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sees a second node through the Redis heartbeats and reports fallback when Redis goes', async () => {
    const { startNode } = await import('../harness/app');
    const second = await startNode(config(ok.url, bad.url), {
      REDIS_URL: t.redis.url,
      HERALD_NODE_ID: 'metrics-node-2',
    });
    try {
      const { body } = await getJson(`${t.node.url}/api/v2/status`);
      expect(body.cluster.peers.map((p: { name: string }) => p.name)).toEqual([
        'metrics-node-1',
        'metrics-node-2',
      ]);
    } finally {
      await second.close();
    }
    const after = await getJson(`${t.node.url}/api/v2/status`);
    expect(after.body.cluster.peers.map((p: { name: string }) => p.name)).toEqual(['metrics-node-1']);
  });
  it('reports the memory fallback while Redis is away: metrics, ready (still 200) and status', async () => {
    const url = t.node.url;
    await t.redis.kill();
    // The first write after the kill switches the store to its memory fallback.
    expect((await post(`${url}/api/v2/alerts`, [{ labels: { alertname: 'During' } }])).status).toBe(200);
    const ready = await waitUntil(
      async () => {
        const r = await getJson(`${url}/health/ready`);
        return r.body.status === 'degraded' && r;
      },
      { timeoutMs: 5000, intervalMs: 100, what: '/health/ready degraded' },
    );
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.store.mode).toBe('memory-fallback');
    expect(ready.body.checks.redis).toMatchObject({ status: 'up', degraded: true });
    const { series } = await scrape(url);
    expect(value(series, 'herald_redis_fallback_active')).toBe(1);
    expect(value(series, 'herald_redis_up')).toBe(0);
    const status = await getJson(`${url}/api/v2/status`);
    expect(status.body.cluster.status).toBe('settling');
    expect(status.body.cluster.peers.map((p: { name: string }) => p.name)).toEqual(['metrics-node-1']);
  }, 20_000);
});
