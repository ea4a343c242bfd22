import { startNode, type TestNode } from '../harness/app';
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { CapturingLogger, Client, twoTeams, twoTeamSecrets } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

const S = twoTeamSecrets();

/** The dashboard's queue view: a tenant sees and retries only its own dead letters. */
describe('dead letters per tenant (GET /api/v1/queue, retry)', () => {
  let sink: HttpSink;
  let node: TestNode;
  const c = new Client();
  let status = 400;

  beforeAll(async () => {
    sink = await HttpSink.start();
    sink.respond(() => status);
    const yaml = hookConfig(sink.url, { groupWait: '0s', groupInterval: '1s', herald: await twoTeams(S) });
    node = await startNode(yaml, {}, { logger: new CapturingLogger() });
  });
  afterAll(async () => {
    await node.close();
    await sink.stop();
  }, 30_000);

  const login = (tenant: string, username: string, password: string) =>
    c.token(node.url, tenant, username, password);

  it('lists only the caller tenant dead letters and retries only those', async () => {
    const post = (key: string, name: string) =>
      c.call('POST', `${node.url}/api/v2/alerts`, { token: key, body: [{ labels: { alertname: name } }] });
    expect((await post(S.keyA, 'OnlyA')).status).toBe(200);
    expect((await post(S.keyB, 'OnlyB')).status).toBe(200);
    await sink.waitFor(() => sink.requests.length >= 2, 15_000, 'both 400s');
    const alice = await login('team-a', 'alice', S.alice);
    const victor = await login('team-a', 'victor', S.victor);
    const bob = await login('team-b', 'bob', S.bob);
    const a = await waitUntil(
      async () => {
        const r = await c.call('GET', `${node.url}/api/v1/queue`, { token: alice });
        return r.body.deadLetters?.length >= 1 && r;
      },
      { timeoutMs: 5000, intervalMs: 100, what: "team-a's dead letter listed" },
    );
    expect(a.status).toBe(200);
    expect(a.body.deadLetters.map((d: { groupKey: string }) => d.groupKey)).toEqual([
      '{}:{alertname="OnlyA"}',
    ]);
    expect(JSON.stringify(a.body)).not.toContain('OnlyB');
    const b = await c.call('GET', `${node.url}/api/v1/queue`, { token: bob });
    const bobsId = b.body.deadLetters[0].id as string;
    const alicesId = a.body.deadLetters[0].id as string;

    expect(
      (await c.call('POST', `${node.url}/api/v1/queue/dead-letters/${bobsId}/retry`, { token: alice }))
        .status,
    ).toBe(404);
    expect(
      (await c.call('POST', `${node.url}/api/v1/queue/dead-letters/${alicesId}/retry`, { token: victor }))
        .status,
    ).toBe(403);
    status = 200;
    const before = sink.accepted.length;
    expect(
      (await c.call('POST', `${node.url}/api/v1/queue/dead-letters/${alicesId}/retry`, { token: alice }))
        .status,
    ).toBe(202);
    await sink.waitFor(() => sink.accepted.length > before, 15_000, 'retried delivery');
    expect((sink.accepted[sink.accepted.length - 1].json as { groupKey: string }).groupKey).toBe(
      '{}:{alertname="OnlyA"}',
    );
    // Bob's is still dead; his retry-all brings it through.
    expect(
      (await c.call('POST', `${node.url}/api/v1/queue/dead-letters/retry-all`, { token: bob })).body,
    ).toEqual({ retried: 1 });
    await sink.waitFor(
      () => sink.accepted.some((r) => (r.json as { groupKey: string }).groupKey.includes('OnlyB')),
      15_000,
      'bob',
    );
  }, 60_000);
});
