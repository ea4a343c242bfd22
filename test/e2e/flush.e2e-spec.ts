import { HttpSink } from '../harness/http-sink';
import { alertBatch, post, startNode, startNodeWithRedis, type TestNode } from '../harness/app';
import { hookConfig } from '../harness/config';
import { sleep } from '../harness/wait';

const config = (sinkUrl: string) =>
  hookConfig(sinkUrl, { groupWait: '0s', groupInterval: '1s', repeatInterval: '1h', sendResolved: true });

type Payload = {
  status: string;
  groupKey: string;
  alerts: { status: string }[];
  notification_reason?: string;
};
const payloads = (sink: HttpSink) => sink.accepted.map((r) => r.json as Payload);

/** Waits for `groups` notifications of `status`, then two more group_intervals in which none may follow. */
async function settle(sink: HttpSink, status: string, groups: number): Promise<Payload[]> {
  await sink.waitFor(
    () => payloads(sink).filter((p) => p.status === status).length >= groups,
    15_000,
    status,
  );
  // Time under test: two more group_interval (1 s) ticks with nothing new, so nothing is sent again.
  await sleep(2500);
  return payloads(sink);
}

async function scenario(node: TestNode, sink: HttpSink, groups: number): Promise<void> {
  const firing = alertBatch('G', groups).map((a) => ({ ...a, labels: { ...a.labels, instance: 'a' } }));
  expect((await post(`${node.url}/api/v2/alerts`, firing)).status).toBe(200);
  const first = await settle(sink, 'firing', groups);
  expect(first.filter((p) => p.status === 'firing')).toHaveLength(groups);
  expect(new Set(first.map((p) => p.groupKey)).size).toBe(groups);
  expect(first[0].notification_reason).toBe('first notification');

  const resolved = firing.map((a) => ({ ...a, endsAt: new Date(Date.now() - 10).toISOString() }));
  expect((await post(`${node.url}/api/v2/alerts`, resolved)).status).toBe(200);
  const all = await settle(sink, 'resolved', groups);
  expect(all.filter((p) => p.status === 'resolved')).toHaveLength(groups);
  expect(all.filter((p) => p.status === 'firing')).toHaveLength(groups);
  expect(all.find((p) => p.status === 'resolved')!.notification_reason).toBe('all alerts resolved');
  // Resolved and notified groups are deleted.
  const left = await fetch(`${node.url}/api/v2/alerts/groups`).then((r) => r.json() as Promise<unknown[]>);
  expect(left).toEqual([]);
}

describe('flush and delivery: one notification per group, then one on resolution', () => {
  let sink: HttpSink;
  beforeEach(async () => {
    sink = await HttpSink.start();
  });
  afterEach(() => sink.stop());

  it('Redis mode (BullMQ delivery)', async () => {
    const env = await startNodeWithRedis(config(sink.url));
    try {
      await scenario(env.node, sink, 20);
      const h = sink.accepted[0].headers;
      expect(h['idempotency-key']).toMatch(/^[0-9a-f]{64}-1$/);
    } finally {
      await env.close();
    }
  }, 40_000);

  it('memory mode (no Redis)', async () => {
    const node = await startNode(config(sink.url));
    try {
      await scenario(node, sink, 20);
    } finally {
      await node.close();
    }
  }, 40_000);
});
