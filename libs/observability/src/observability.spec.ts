import { Writable } from 'node:stream';
import { cached, HeraldMetrics, lockKind, singleFlight } from './metrics';
import { createHeraldLogger, PinoNestLogger, redactText } from './logger';
import { buildInfo } from './build-info';

function sink(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('HeraldMetrics', () => {
  it('keeps a registry per instance (two nodes in one process do not collide)', async () => {
    const a = new HeraldMetrics({ nodeId: 'a', version: '1' });
    const b = new HeraldMetrics({ nodeId: 'b', version: '1' });
    a.ingestRequests.inc({ tenant: 't', endpoint: 'api_v2_alerts', outcome: 'ok' });
    expect(await a.metrics()).toContain(
      'herald_ingest_requests_total{tenant="t",endpoint="api_v2_alerts",outcome="ok"} 1',
    );
    expect(await b.metrics()).not.toContain('tenant="t"');
    expect(await b.metrics()).toContain('herald_node_info{node_id="b",version="1"} 1');
    // Process and Node.js metrics keep their standard names (no `herald_` prefix).
    expect(await b.metrics()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(await b.metrics()).not.toContain('herald_process_');
  });

  it('reads scrape sources: redis up/latency, fallback, queue, states', async () => {
    const m = new HeraldMetrics({ nodeId: 'n', version: '1', defaultMetrics: false });
    m.setSources({
      redisPing: () => Promise.resolve(0.002),
      fallbackActive: () => true,
      queue: () => Promise.resolve({ waiting: 1, active: 2, delayed: 3, dead: 4 }),
      states: () =>
        Promise.resolve({ alerts: { firing: 5, resolved: 6 }, groups: { firing: 7, recovery: 8 } }),
    });
    const text = await m.metrics();
    for (const line of [
      'herald_redis_up 1',
      'herald_redis_latency_seconds 0.002',
      'herald_redis_fallback_active 1',
      'herald_queue_jobs{state="dead"} 4',
      'herald_alerts{state="resolved"} 6',
      'herald_groups{state="recovery"} 8',
    ])
      expect(text).toContain(line);
    // Redis goes: the very next scrape says so (regression: a 250 ms cache reported the last PING).
    m.setSources({ redisPing: () => Promise.reject(new Error('down')) });
    const down = await m.metrics();
    expect(down).toContain('herald_redis_up 0');
    expect(down).toMatch(/^herald_redis_latency_seconds 0$/m);
  });

  it('leaves the queue gauge without samples on a node that runs no delivery queue', async () => {
    const m = new HeraldMetrics({ nodeId: 'n', version: '1', defaultMetrics: false });
    m.setSources({ queue: () => Promise.resolve(null) });
    const text = await m.metrics();
    expect(text).toContain('# TYPE herald_queue_jobs gauge');
    expect(text).not.toContain('herald_queue_jobs{');
  });

  it('counts flush ticks and lock events by kind', async () => {
    const m = new HeraldMetrics({ nodeId: 'n', version: '1', defaultMetrics: false });
    m.recordFlush({ claimed: 0, notified: 0, skipped: 0, failed: 0 }, 1);
    m.recordFlush({ claimed: 3, notified: 2, skipped: 0, failed: 1 }, 0.01);
    const hooks = m.lockHooks();
    hooks.acquired('herald:t:lock:group:{g1}');
    hooks.contended('herald:t:lock:group:{g1}');
    hooks.lost('herald:t:lock:group:{g1}', 10, 'expired');
    const text = await m.metrics();
    for (const line of [
      'herald_flush_total{outcome="notified"} 2',
      'herald_flush_total{outcome="failed"} 1',
      'herald_flush_duration_seconds_count 1',
      'herald_lock_acquisitions_total{kind="group"} 1',
      'herald_lock_contention_total{kind="group"} 1',
      'herald_lock_lost_total{kind="group",reason="expired"} 1',
    ])
      expect(text).toContain(line);
    expect(lockKind('x:y')).toBe('other');
  });

  it('one PING per scrape serves both Redis gauges', async () => {
    const m = new HeraldMetrics({ nodeId: 'n', version: '1', defaultMetrics: false });
    let pings = 0;
    m.setSources({ redisPing: () => Promise.resolve((pings++, 0.001)) });
    await m.metrics();
    await m.metrics();
    expect(pings).toBe(2);
  });

  it('singleFlight shares the call in flight and starts a new one after it settled', async () => {
    let runs = 0;
    const f = singleFlight(() => Promise.resolve(++runs));
    expect(await Promise.all([f(), f()])).toEqual([1, 1]);
    expect(await f()).toBe(2);
  });

  it('cached shares one run within the TTL and retries after a failure', async () => {
    let t = 0;
    let calls = 0;
    const fn = cached(
      () => Promise.resolve(++calls),
      100,
      () => t,
    );
    expect(await fn()).toBe(1);
    expect(await fn()).toBe(1);
    t = 200;
    expect(await fn()).toBe(2);
    let fail = true;
    const flaky = cached(
      () => (fail ? Promise.reject(new Error('x')) : Promise.resolve('ok')),
      1000,
      () => 0,
    );
    await expect(flaky()).rejects.toThrow('x');
    fail = false;
    expect(await flaky()).toBe('ok');
  });
});

describe('HeraldMetrics: a node of several processes (herald.workers)', () => {
  it("one scrape counts every process' counters and histograms, and shared state once", async () => {
    const first = new HeraldMetrics({ nodeId: 'n', version: '1', defaultMetrics: false });
    const child = new HeraldMetrics({ nodeId: 'n/delivery-1', version: '1', defaultMetrics: false });
    const queue = () => Promise.resolve({ waiting: 1, active: 2, delayed: 3, dead: 4 });
    first.setSources({ queue, fallbackActive: () => false });
    child.setSources({ queue, fallbackActive: () => true });
    first.flushTotal.inc({ outcome: 'notified' }, 3);
    child.notifications.inc({ receiver: 'hook', outcome: 'delivered', reason: '' }, 5);
    child.notifications.inc({ receiver: 'hook', outcome: 'delivered', reason: '' }, 2);
    first.httpDuration.observe({ route: '/x', method: 'GET', status: '200' }, 0.002);
    child.httpDuration.observe({ route: '/x', method: 'GET', status: '200' }, 0.003);
    first.setPeers(async () => [await child.registry.getMetricsAsJSON()]);
    const text = await first.metrics();
    for (const line of [
      'herald_flush_total{outcome="notified"} 3',
      'herald_notifications_total{receiver="hook",outcome="delivered",reason=""} 7',
      'herald_http_request_duration_seconds_count{route="/x",method="GET",status="200"} 2',
      'herald_http_request_duration_seconds_bucket{le="0.0025",route="/x",method="GET",status="200"} 1',
      // Sampled from the same Redis by both: once, not twice.
      'herald_queue_jobs{state="dead"} 4',
      // Any process on its fallback: the node is.
      'herald_redis_fallback_active 1',
      'herald_node_info{node_id="n",version="1"} 1',
      'herald_node_info{node_id="n/delivery-1",version="1"} 1',
    ])
      expect(text).toContain(line);
    expect(text).not.toContain('herald_queue_jobs{state="dead"} 8');
    expect(text).toMatch(/^herald_build_info\{[^}]*\} 1$/m); // constant 1, not one per process
    // Without peers (one process), the registry as it is.
    first.setPeers(undefined);
    expect(await first.metrics()).not.toContain('herald_notifications_total{');
  });
});

describe('logging', () => {
  it('writes JSON lines with the node id, honours the level and redacts secrets', () => {
    const s = sink();
    const root = createHeraldLogger({ level: 'info', nodeId: 'node-7', destination: s.stream });
    const log = new PinoNestLogger(root);
    log.log('hello', 'Ctx');
    log.debug('hidden', 'Ctx');
    log.warn('login with Authorization: Bearer abc.def and password=hunter2', 'Auth');
    root.info(
      { req: { headers: { authorization: 'Basic Zm9vOmJhcg==', cookie: 'sid=1' } }, token: 't' },
      'req',
    );
    const lines = s.lines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'info', nodeId: 'node-7', context: 'Ctx', msg: 'hello' });
    expect(JSON.stringify(lines)).not.toMatch(/abc\.def|hunter2|Zm9vOmJhcg|sid=1|"t"/);
    expect(lines[2]).toMatchObject({
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' } },
      token: '[REDACTED]',
    });
  });

  it('redactText scrubs bearer tokens, passwords and api keys', () => {
    expect(redactText('Bearer abc123')).toBe('Bearer [REDACTED]');
    expect(redactText('{"api_key":"k1","user":"u"}')).toBe('{"api_key":"[REDACTED]","user":"u"}');
    expect(redactText('plain message')).toBe('plain message');
  });

  it('buildInfo reads the package version', () => {
    expect(buildInfo().version).toBe('0.1.0');
  });
});
