/**
 * Notification history and live events on one in-process node in memory mode: every send attempt is
 * recorded (delivered, retrying, failed = dead-lettered), `GET /api/v1/groups/:id` answers the last one,
 * the SSE endpoint streams alert/silence/notification changes and resumes from `Last-Event-ID`, and its
 * bounds answer 400/503. The Redis side (two node processes, one Redis) is activity-cluster.e2e-spec.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@herald/config';
import { HeraldNode } from '../../apps/server/src/lifecycle/herald-node';
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { getJson, post, startNode, type TestNode } from '../harness/app';
import { SseClient } from '../harness/sse-client';
import { waitUntil } from '../harness/wait';

let sink: HttpSink;
let node: TestNode;
const clients: SseClient[] = [];

beforeAll(async () => {
  sink = await HttpSink.start();
  // Alerts named Bad* get a 400 (a dead letter at once); Flaky* get a 500 once, then 200.
  let flaky = 0;
  sink.respond((_i, req) => {
    const name = (req.json as { commonLabels?: { alertname?: string } })?.commonLabels?.alertname ?? '';
    if (name.startsWith('Bad')) return 400;
    if (name.startsWith('Flaky') && flaky++ === 0) return 500;
    return 200;
  });
  node = await startNode(
    hookConfig(`${sink.url}/hook?token=s3cr3t`, {
      groupWait: '100ms',
      groupInterval: '1s',
      repeatInterval: '1h',
      tick: '50ms',
      herald: `  delivery:\n    attempts: 3\n  events:\n    max_clients: 3\n  history:\n    max_entries: 50\n`,
    }),
  );
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await node?.close();
  await sink?.stop();
});

async function sse(headers: Record<string, string> = {}, query = ''): Promise<SseClient> {
  const c = await SseClient.connect(`${node.url}/api/v1/events${query}`, headers);
  clients.push(c);
  return c;
}

const alert = (alertname: string) => ({ labels: { alertname }, annotations: { summary: 'x' } });

async function history(q = ''): Promise<any[]> {
  const r = await getJson(`${node.url}/api/v1/notifications${q}`);
  expect(r.status).toBe(200);
  return r.body.notifications;
}

describe('notification history (memory mode)', () => {
  it('records a delivered notification, a retried one and a dead letter, newest first', async () => {
    expect((await post(`${node.url}/api/v2/alerts`, [alert('GoodOne')])).status).toBe(200);
    expect((await post(`${node.url}/api/v2/alerts`, [alert('BadOne')])).status).toBe(200);
    expect((await post(`${node.url}/api/v2/alerts`, [alert('FlakyOne')])).status).toBe(200);
    const rows = await waitUntil(
      async () => {
        const r = await history();
        const outcomes = r.map((e) => `${e.groupKey.match(/alertname="(\w+)"/)?.[1]}:${e.outcome}`);
        return outcomes.includes('GoodOne:delivered') &&
          outcomes.includes('BadOne:failed') &&
          outcomes.includes('FlakyOne:retrying') &&
          outcomes.includes('FlakyOne:delivered')
          ? r
          : null;
      },
      { timeoutMs: 15_000, what: 'history of three groups' },
    );
    for (let i = 1; i < rows.length; i++)
      expect(rows[i - 1].id >= rows[i].id || rows[i - 1].at >= rows[i].at).toBe(true);
    const bad = rows.find((e) => e.outcome === 'failed');
    expect(bad).toMatchObject({
      receiver: 'hook',
      integration: 'webhook',
      reason: 'first notification',
      alerts: 1,
      attempt: 1,
      statusCode: 400,
      node: node.config.herald.nodeId,
    });
    expect(bad.idempotencyKey).toEqual(expect.any(String));
    expect(bad.error).toContain('400');
    expect(bad.error).not.toContain('s3cr3t'); // URLs are cut to their host
    expect(new Date(bad.at).toISOString()).toBe(bad.at);
    const flaky = rows.filter((e) => e.groupKey.includes('FlakyOne'));
    expect(flaky.map((e) => [e.outcome, e.attempt])).toEqual([
      ['delivered', 2],
      ['retrying', 1],
    ]);
    expect(flaky[1].statusCode).toBe(500);

    // Filters: group, receiver, since, limit.
    const byGroup = await history(`?group=${bad.groupId}`);
    expect(byGroup.map((e) => e.id)).toEqual([bad.id]);
    expect(await history('?receiver=nobody')).toEqual([]);
    expect((await history('?limit=1')).length).toBe(1);
    const later = new Date(Date.parse(rows[0].at) + 1).toISOString();
    expect(await history(`?since=${encodeURIComponent(later)}`)).toEqual([]);
    expect((await history(`?since=${encodeURIComponent(rows[rows.length - 1].at)}`)).length).toBe(
      rows.length,
    );

    // GET /api/v1/groups/:id's lastNotification (it takes a session): activity-cluster.e2e-spec.ts.
  }, 30_000);

  it("is in the OpenAPI document, with the shape of a group's lastNotification", async () => {
    const doc = (await getJson(`${node.url}/api/docs/openapi.json`)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/notifications', '/api/v1/events']),
    );
    expect(Object.keys(doc.components.schemas.NotificationDto.properties)).toEqual(
      expect.arrayContaining(['outcome', 'attempt', 'idempotencyKey', 'node', 'statusCode', 'error']),
    );
    // The history's outcomes, a stalled attempt (its node stopped mid-send) included, in both shapes.
    for (const dto of ['LastNotificationDto', 'NotificationDto']) {
      expect(doc.components.schemas[dto].properties.outcome.enum).toEqual([
        'delivered',
        'retrying',
        'failed',
        'stalled',
      ]);
    }
  });

  it('answers 400 naming the parameter', async () => {
    for (const [q, field] of [
      ['group=xyz', 'group'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=1.5', 'limit'],
      [`receiver=${'r'.repeat(300)}`, 'receiver'],
    ]) {
      const r = await getJson(`${node.url}/api/v1/notifications?${q}`);
      expect([q, r.status, r.body.field]).toEqual([q, 400, field]);
    }
  });
});

describe('live events (memory mode)', () => {
  it('streams alert and silence changes, resumes from Last-Event-ID, bounds its clients', async () => {
    const a = await sse();
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toContain('text/event-stream');
    await waitUntil(() => a.comments.includes('connected'));
    await post(`${node.url}/api/v2/alerts`, [alert('Live1')]);
    const e1 = await a.waitFor((e) => e.event === 'alert');
    expect(e1.data).toMatchObject({ kind: 'alert', groupId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const e1Id = await a.idThrough(e1);
    expect(e1Id).toMatch(/^\d+-\d+$/);

    const s = await post(`${node.url}/api/v2/silences`, {
      matchers: [{ name: 'alertname', value: 'Live1', isRegex: false }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 't',
      comment: 'c',
    });
    expect(s.status).toBe(200);
    const e2 = await a.waitFor((e) => e.event === 'silence');
    expect(e2.data.silenceId).toBe(s.body.silenceID);

    // A client that saw e1 only gets e2 (and what came after) on resume.
    const b = await sse({ 'Last-Event-ID': e1Id });
    const replay = await b.waitFor((e) => e.event === 'silence' && e.data.silenceId === e2.data.silenceId);
    expect(b.events.some((e) => e.id === e1Id)).toBe(false);
    expect(b.events.some((e) => e.event === 'alert' && e.data.groupId === e1.data.groupId)).toBe(false);
    expect(replay.data).toEqual(e2.data);

    // The bound: max_clients 3.
    await sse();
    const over = await SseClient.connect(`${node.url}/api/v1/events`);
    clients.push(over);
    expect(over.status).toBe(503);
    await waitUntil(() => over.ended);
    expect(JSON.parse(over.text).field).toBe('herald.events.max_clients');

    const bad = await SseClient.connect(`${node.url}/api/v1/events`, { 'Last-Event-ID': 'nope' });
    clients.push(bad);
    expect(bad.status).toBe(400);
  }, 20_000);
});

describe('a config reload (memory mode, as main runs the node)', () => {
  it('ends the old application streams at once; history and events carry over; clients resume', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'herald-activity-')), 'herald.yml');
    const yaml = (repeat: string) =>
      hookConfig(sink.url, { groupWait: '50ms', groupInterval: '1s', repeatInterval: repeat, tick: '50ms' });
    writeFileSync(file, yaml('1h'));
    Logger.overrideLogger(['error']);
    const load = () => loadConfig({ env: { HERALD_NODE_ID: 'reload-1' }, filePath: file });
    const hn = new HeraldNode({ load, app: { logger: new Logger() } });
    const { port } = await hn.start(load(), { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    try {
      const c = await SseClient.connect(`${url}/api/v1/events`);
      clients.push(c);
      await waitUntil(() => c.comments.includes('connected'));
      await post(`${url}/api/v2/alerts`, [alert('ReloadA')]);
      const beforeEvent = await c.waitFor((e) => e.event === 'alert');
      const before = { id: await c.idThrough(beforeEvent) };
      await waitUntil(
        async () => (await getJson(`${url}/api/v1/notifications`)).body.notifications.length > 0,
      );

      writeFileSync(file, yaml('2h'));
      const t0 = Date.now();
      const r = await fetch(`${url}/-/reload`, { method: 'POST' });
      expect(r.status).toBe(200);
      await waitUntil(() => c.ended, { timeoutMs: 5000, what: 'the old stream ended' });
      expect(Date.now() - t0).toBeLessThan(3000); // not the 10 s drain

      await post(`${url}/api/v2/alerts`, [alert('ReloadB')]);
      const again = await SseClient.connect(`${url}/api/v1/events`, { 'Last-Event-ID': before.id });
      clients.push(again);
      await again.waitFor((e) => e.event === 'alert' && e.data.groupId !== beforeEvent.data.groupId);
      expect(again.events.find((e) => e.id === before.id)).toBeUndefined();
      expect(
        again.events.find((e) => e.event === 'alert' && e.data.groupId === beforeEvent.data.groupId),
      ).toBeUndefined();
      // The history of before the reload is still there.
      const h = (await getJson(`${url}/api/v1/notifications`)).body.notifications as any[];
      expect(h.some((e) => e.groupKey.includes('ReloadA'))).toBe(true);
    } finally {
      await hn.shutdown();
    }
  }, 30_000);
});
