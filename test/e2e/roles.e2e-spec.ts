/**
 * Roles (issue 11 #5): an `api` node ingests and serves the API but never flushes or delivers; a
 * `scheduler,delivery` node flushes and delivers but serves no API. Together, on one Redis, every group
 * is notified exactly once.
 */
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { NodeProcess } from '../harness/node-process';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const CONFIG = (sink: string) =>
  hookConfig(sink, { groupWait: '1s', groupInterval: '2s', repeatInterval: '1h', tick: '200ms' });

const GROUPS = 20;
let redis: RedisServer;
let sink: HttpSink;
let api: NodeProcess;
let worker: NodeProcess | undefined;

beforeAll(async () => {
  redis = await RedisServer.start();
  sink = await HttpSink.start();
  api = await NodeProcess.start('api-1', CONFIG(sink.url), { REDIS_URL: redis.url, HERALD_ROLES: 'api' });
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill()]);
  await sink?.stop();
  await redis?.stop();
});

/** A sample of a counter on a node's /metrics (0 when absent). */
async function counter(node: NodeProcess, sample: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('node roles', () => {
  it('api and scheduler,delivery nodes together notify every group exactly once', async () => {
    const alerts = Array.from({ length: GROUPS }, (_, i) => ({
      labels: { alertname: `Roles${i}`, instance: 'a' },
      startsAt: new Date().toISOString(),
    }));
    const res = await fetch(`${api.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
    const groups = await (await fetch(`${api.url}/api/v2/alerts/groups`)).json();
    expect(groups).toHaveLength(GROUPS);
    // The api node runs no scheduler: its flush counter has no sample at all.
    expect(await counter(api, 'herald_flush_total{outcome="notified"}')).toBe(0);
    expect(sink.requests).toHaveLength(0);

    worker = await NodeProcess.start('worker-1', CONFIG(sink.url), {
      REDIS_URL: redis.url,
      HERALD_ROLES: 'scheduler,delivery',
    });
    // No API on the worker: ingest is the api role's.
    expect((await fetch(`${worker.url}/api/v2/alerts`)).status).toBe(404);

    await sink.waitFor(() => sink.accepted.length >= GROUPS, 30_000, `${GROUPS} notifications`);
    // Every group flushes again after group_interval with nothing new: skipped, not notified twice.
    const w = worker;
    await waitUntil(async () => (await counter(w, 'herald_flush_total{outcome="skipped"}')) >= GROUPS, {
      timeoutMs: 30_000,
      what: 'a second flush of every group',
    });
    const keys = sink.accepted.map((r) => (r.json as { groupKey: string }).groupKey);
    expect(keys).toHaveLength(GROUPS);
    expect(new Set(keys).size).toBe(GROUPS);
    expect(await counter(w, 'herald_flush_total{outcome="notified"}')).toBe(GROUPS);
  }, 90_000);
});

describe('node roles: an api node wakes the schedulers', () => {
  // A poll of a minute: a notification within seconds can only come from the wake-up the api node
  // publishes (RedisDueWakeChannel), not from the scheduler finding the group on its own.
  const WAKE_CONFIG = (url: string) =>
    hookConfig(url, {
      groupWait: '0s',
      groupInterval: '1h',
      repeatInterval: '4h',
      herald: '  scheduler:\n    poll: 60s\n',
    });
  let redis2: RedisServer;
  let sink2: HttpSink;
  let api2: NodeProcess;
  let worker2: NodeProcess;

  beforeAll(async () => {
    redis2 = await RedisServer.start();
    sink2 = await HttpSink.start();
    const env = { REDIS_URL: redis2.url };
    [api2, worker2] = await Promise.all([
      NodeProcess.start('api-2', WAKE_CONFIG(sink2.url), { ...env, HERALD_ROLES: 'api' }),
      NodeProcess.start('worker-2', WAKE_CONFIG(sink2.url), { ...env, HERALD_ROLES: 'scheduler,delivery' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([api2?.kill(), worker2?.kill()]);
    await sink2?.stop();
    await redis2?.stop();
  });

  it('a group due at once (group_wait 0s) posted to an api node is notified by the scheduler node within 2 s, not at its next poll', async () => {
    const took: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = sink2.accepted.length;
      const t0 = Date.now();
      const res = await fetch(`${api2.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: `Wake${i}` }, startsAt: new Date().toISOString() }]),
      });
      expect(res.status).toBe(200);
      await sink2.waitFor(() => sink2.accepted.length > before, 10_000, `the notification of Wake${i}`);
      took.push(Date.now() - t0);
    }
    expect(Math.max(...took)).toBeLessThan(2000);
    const names = sink2.accepted.map(
      (r) => (r.json as { groupLabels: { alertname: string } }).groupLabels.alertname,
    );
    expect(names).toEqual(['Wake0', 'Wake1', 'Wake2', 'Wake3', 'Wake4']);
  }, 60_000);
});
