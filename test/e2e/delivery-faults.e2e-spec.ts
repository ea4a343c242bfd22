import { alertBatch, AOF, post, readyStatus, startSinkStack, type SinkStack } from '../harness/app';
import { FAST_FAILOVER, hookConfig } from '../harness/config';
import type { HttpSink } from '../harness/http-sink';
import { sleep, waitUntil } from '../harness/wait';

/**
 * Issue 10 #1 and #4, with real processes: a receiver outage longer than the retry budget must not stop
 * a group's notifications for good, and a Redis connection loss must not re-notify every active group.
 */
const yaml = (sinkUrl: string) =>
  hookConfig(sinkUrl, {
    groupWait: '0s',
    groupInterval: '2s',
    repeatInterval: '1h',
    herald: `  scheduler:
    tick: 100ms
  delivery:
    attempts: 2
${FAST_FAILOVER}`,
  });

const alerts = (prefix: string, n: number) =>
  alertBatch(prefix, n, { endsAt: new Date(Date.now() + 3_600_000).toISOString() });

interface Sent {
  groupKey: string;
  status: string;
  key: string;
  alerts: string;
}

function sentBy(sink: HttpSink, prefix: string): Sent[] {
  return sink.accepted
    .map((r) => {
      const p = r.json as { groupKey: string; status: string; alerts: { fingerprint: string }[] };
      return {
        groupKey: p.groupKey,
        status: p.status,
        key: String(r.headers['idempotency-key']),
        alerts: p.alerts
          .map((a) => a.fingerprint)
          .sort()
          .join(','),
      };
    })
    .filter((s) => s.groupKey.includes(`"${prefix}`));
}

describe('delivery faults (issue 10)', () => {
  let env: SinkStack;
  let sinkDown = false;

  beforeAll(async () => {
    env = await startSinkStack(yaml, { redis: AOF, respond: () => (sinkDown ? 503 : 200) });
  });
  afterAll(() => env?.close(), 30_000);

  it('a receiver outage longer than the retry budget does not stop notifications: every group is notified once the receiver is back', async () => {
    const { sink, node } = env;
    sinkDown = true;
    expect((await post(`${node.url}/api/v2/alerts`, alerts('R', 20))).status).toBe(200);
    // Two attempts each, then dead letters (the old behaviour: the group was blocked for good).
    await sink.waitFor(
      () => sink.requests.filter((r) => r.status === 503).length >= 40,
      15_000,
      '2 attempts each',
    );
    // Time under test: more than a group_interval (2 s) with the receiver down.
    await sleep(3000);
    sinkDown = false;
    await sink.waitFor(
      () => new Set(sentBy(sink, 'R').map((s) => s.groupKey)).size === 20,
      20_000,
      'all 20 groups',
    );
    // Time under test: two more group_intervals (2 s), and no repeats.
    await sleep(4500);
    const sent = sentBy(sink, 'R');
    expect(sent).toHaveLength(20);
    // The re-sent notifications carry new Idempotency-Keys (never -1, the given-up sequence's).
    expect(sent.every((s) => !s.key.endsWith('-1'))).toBe(true);
    const queue = await (await fetch(`${node.url}/metrics`)).text();
    expect(queue).toMatch(/herald_notifications_total\{[^}]*outcome="dead"[^}]*\} [1-9]/);
  }, 60_000);

  it('a Redis connection loss re-notifies no group, and no Idempotency-Key names two contents', async () => {
    const { sink, node, redis } = env;
    expect((await post(`${node.url}/api/v2/alerts`, alerts('K', 30))).status).toBe(200);
    await sink.waitFor(() => sentBy(sink, 'K').length === 30, 15_000, 'K notified');
    await redis.kill();
    // Prometheus re-sends the same firing alerts during the outage: they land in memory. Time under
    // test: the outage spans two group_intervals (2 s) of flushes from memory.
    for (let i = 0; i < 3; i++) {
      expect((await post(`${node.url}/api/v2/alerts`, alerts('K', 30))).status).toBe(200);
      await sleep(1500);
    }
    await redis.startProcess();
    await waitUntil(async () => (await readyStatus(node)) === 'ok', {
      timeoutMs: 10_000,
      what: 'the node back on Redis',
    });
    // Time under test: re-sends over two group_intervals after the blip, and no group is re-notified.
    for (let i = 0; i < 2; i++) {
      expect((await post(`${node.url}/api/v2/alerts`, alerts('K', 30))).status).toBe(200);
      await sleep(2000);
    }
    expect(await readyStatus(node)).toBe('ok');
    const sent = sentBy(sink, 'K');
    expect(sent).toHaveLength(30); // each group once: the blip re-sent nothing
    const contentByKey = new Map<string, string>();
    for (const s of sinkAll(sink)) {
      const seen = contentByKey.get(s.key);
      if (seen !== undefined) expect(s.alerts).toBe(seen);
      contentByKey.set(s.key, s.alerts);
    }
  }, 60_000);
});

function sinkAll(sink: HttpSink): Sent[] {
  return sentBy(sink, '');
}
