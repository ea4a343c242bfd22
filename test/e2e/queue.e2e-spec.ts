import { randomBytes } from 'node:crypto';
import { hashSecret } from '@herald/sessions';
import { HttpSink } from '../harness/http-sink';
import { CapturingLogger, Client, startCapturedNode, type Node } from './tenancy.helpers';

const FAST = { N: 1024, r: 8, p: 1 };
const secret = (n: string) => `${n}-${randomBytes(8).toString('hex')}`;
const S = {
  keyA: secret('ka'),
  keyB: secret('kb'),
  alice: secret('pa'),
  victor: secret('pv'),
  bob: secret('pb'),
};

/** The dashboard's queue view: a tenant sees and retries only its own dead letters. */
describe('dead letters per tenant (GET /api/v1/queue, retry)', () => {
  let sink: HttpSink;
  let node: Node;
  const c = new Client();
  let status = 400;

  beforeAll(async () => {
    sink = await HttpSink.start();
    sink.respond(() => status);
    const h = async (s: string) => JSON.stringify(await hashSecret(s, FAST));
    const yaml = `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: ${sink.url}/hook
herald:
  tenants:
    - id: team-a
      api_keys: [${await h(S.keyA)}]
      users:
        - { username: alice, password_hash: ${await h(S.alice)}, role: admin }
        - { username: victor, password_hash: ${await h(S.victor)}, role: viewer }
    - id: team-b
      api_keys: [${await h(S.keyB)}]
      users:
        - { username: bob, password_hash: ${await h(S.bob)}, role: admin }
`;
    node = await startCapturedNode(yaml, {}, new CapturingLogger());
  });
  afterAll(async () => {
    await node.app.close();
    await sink.stop();
  }, 30_000);

  const login = async (tenant: string, username: string, password: string) =>
    (await c.call('POST', `${node.url}/api/v1/auth/login`, { body: { tenant, username, password } })).body
      .token as string;

  it('lists only the caller tenant dead letters and retries only those', async () => {
    const post = (key: string, name: string) =>
      c.call('POST', `${node.url}/api/v2/alerts`, { token: key, body: [{ labels: { alertname: name } }] });
    expect((await post(S.keyA, 'OnlyA')).status).toBe(200);
    expect((await post(S.keyB, 'OnlyB')).status).toBe(200);
    await sink.waitFor(() => sink.requests.length >= 2, 15_000, 'both 400s');
    const alice = await login('team-a', 'alice', S.alice);
    const victor = await login('team-a', 'victor', S.victor);
    const bob = await login('team-b', 'bob', S.bob);
    let a = { status: 0, body: { deadLetters: [] as { id: string; groupKey: string }[] } } as any;
    for (let i = 0; i < 50 && !(a.body.deadLetters?.length >= 1); i++) {
      a = await c.call('GET', `${node.url}/api/v1/queue`, { token: alice });
      await new Promise((r) => setTimeout(r, 100));
    }
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
