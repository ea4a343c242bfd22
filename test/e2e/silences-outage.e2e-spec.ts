import { AOF, metricSample, post, readyStatus, startNode, type TestNode } from '../harness/app';
import { FAST_FAILOVER, hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

/**
 * A silence created while Redis is SIGKILLed: node 1 takes it in memory (and still lists the silences
 * it knew before the outage); when Redis is back it is merged in and is in force on every node — listed
 * by node 2 under the same id, shown on node 2's alerts, and its group is not notified by any node's
 * flush while the unsilenced control group is.
 */
const hour = 3_600_000;
const silence = (team: string) => ({
  matchers: [{ name: 'team', value: team, isRegex: false, isEqual: true }],
  startsAt: new Date().toISOString(),
  endsAt: new Date(Date.now() + hour).toISOString(),
  createdBy: 'e2e',
  comment: `silence ${team}`,
});
const ids = async (node: TestNode): Promise<string[]> =>
  ((await (await fetch(`${node.url}/api/v2/silences`)).json()) as { id: string }[]).map((s) => s.id);
const suppressed = (node: TestNode): Promise<number> =>
  metricSample(node.url, 'herald_notifications_suppressed_total{reason="silence"}');

describe('a silence created during a Redis outage', () => {
  let redis: RedisServer | undefined;
  let sink: HttpSink | undefined;
  const nodes: TestNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close();
    await sink?.stop();
    await redis?.stop();
  });

  it('is kept in memory, merged into Redis on its return and in force on every node', async () => {
    redis = await RedisServer.start(AOF); // what was written before the kill survives it
    sink = await HttpSink.start();
    const yaml = hookConfig(sink.url, {
      groupWait: '0s',
      groupInterval: '1s',
      repeatInterval: '1h',
      tick: '100ms',
      herald: FAST_FAILOVER,
    });
    const n1 = await startNode(yaml, { REDIS_URL: redis.url, HERALD_NODE_ID: 'n1' });
    nodes.push(n1);
    const n2 = await startNode(yaml, { REDIS_URL: redis.url, HERALD_NODE_ID: 'n2' });
    nodes.push(n2);

    const before = (await post(`${n1.url}/api/v2/silences`, silence('pre'))).body.silenceID as string;
    expect(await ids(n2)).toEqual([before]);

    await redis.kill();
    // The first write after the kill notices it (command timeout) and lands in memory: still 200.
    const created = await post(`${n1.url}/api/v2/silences`, silence('db'));
    expect(created.status).toBe(200);
    const during = created.body.silenceID as string;
    expect(await readyStatus(n1)).toBe('degraded');
    expect((await ids(n1)).sort()).toEqual([before, during].sort());

    await redis.startProcess();
    await waitUntil(async () => (await readyStatus(n1)) === 'ok' && (await readyStatus(n2)) === 'ok', {
      timeoutMs: 15_000,
      what: 'both nodes back on Redis',
    });
    await waitUntil(async () => (await ids(n2)).includes(during), {
      timeoutMs: 10_000,
      what: 'node 2 lists the silence made during the outage',
    });
    const listed = await ids(n2);
    expect(listed.sort()).toEqual([before, during].sort()); // no duplicate, no new id
    expect((await ids(n1)).sort()).toEqual(listed);

    expect(
      (
        await post(`${n2.url}/api/v2/alerts`, [
          { labels: { alertname: 'Quiet', team: 'db' } },
          { labels: { alertname: 'Loud', team: 'web' } },
        ])
      ).status,
    ).toBe(200);
    const alerts = (await (await fetch(`${n2.url}/api/v2/alerts?filter=team="db"`)).json()) as {
      status: { state: string; silencedBy: string[] };
    }[];
    expect(alerts.map((a) => a.status)).toEqual([
      { state: 'suppressed', silencedBy: [during], inhibitedBy: [], mutedBy: [] },
    ]);
    const sent = (name: string) =>
      sink!.accepted.filter((r) => (r.json as { groupKey: string }).groupKey.includes(`"${name}"`));
    await sink.waitFor(() => sent('Loud').length === 1, 10_000, 'the control group notified');
    // Both nodes flush (whoever takes the group's lock): the silenced group is held back by either.
    await waitUntil(async () => (await suppressed(n1)) + (await suppressed(n2)) >= 3, {
      timeoutMs: 10_000,
      what: 'flushes of the silenced group',
    });
    expect(sent('Quiet')).toEqual([]);
  }, 90_000);
});
