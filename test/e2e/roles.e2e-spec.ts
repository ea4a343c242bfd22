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
