import { startTwoNodes, type TestNode, type TwoNodes } from '../harness/app';
import { defaultConfig } from '../harness/config';
import { CapturingLogger, Client, secret, tenantsYaml } from '../harness/tenants';

// Per-tenant limits (issue 10, item 5) on two nodes sharing one Redis: the counts and the token bucket
// live in Redis, so whichever node a request reaches, the tenant's limit is the same.
const K = { flood: secret('flood'), small: secret('small'), few: secret('few'), free: secret('free') };

async function config(): Promise<string> {
  return defaultConfig(
    await tenantsYaml([
      { id: 'flood', keys: [K.flood], limits: '{ ingest_rate: 5, ingest_burst: 10 }' },
      { id: 'small', keys: [K.small], limits: '{ alertmanager_max_alerts_count: 3 }' },
      { id: 'few', keys: [K.few], limits: '{ max_groups: 1 }' },
      { id: 'free', keys: [K.free] },
    ]),
  );
}

const alerts = (name: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ labels: { alertname: name, instance: `i${from + i}` } }));

describe('per-tenant limits, enforced across nodes (two nodes, one Redis)', () => {
  let env: TwoNodes;
  let n1: TestNode;
  let n2: TestNode;
  const http = new Client();
  const post = (node: TestNode, k: string, body: unknown) =>
    http.call('POST', `${node.url}/api/v2/alerts`, { body, token: k });

  beforeAll(async () => {
    env = await startTwoNodes(await config(), { logger: new CapturingLogger() });
    ({ n1, n2 } = env);
  });
  afterAll(() => env?.close());

  it('over ingest_rate: 429 with Retry-After naming the limit, on the other node too; another tenant is untouched', async () => {
    expect((await post(n1, K.flood, alerts('Flood', 10))).status).toBe(200); // the burst
    const r = await post(n2, K.flood, alerts('Flood', 5, 10)); // 5 tokens = 1 s of refill
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body).toMatchObject({
      error:
        'tenant flood over herald.tenants[0].limits.ingest_rate (5 alerts/s): 5 alert(s) refused, nothing stored',
      field: 'herald.tenants[0].limits.ingest_rate',
      limit: 'ingestion_rate',
    });
    expect((await post(n2, K.free, alerts('Free', 50))).status).toBe(200);
    const stored = await http.call('GET', `${n1.url}/api/v2/alerts`, { token: K.flood });
    expect(stored.body).toHaveLength(10);
  });

  it('over max_alerts: new alerts refused with 429, re-sent (updated) alerts still accepted', async () => {
    expect((await post(n1, K.small, alerts('Small', 3))).status).toBe(200);
    const r = await post(n2, K.small, alerts('Small', 2, 3));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.body).toMatchObject({
      field: 'herald.tenants[1].limits.alertmanager_max_alerts_count',
      limit: 'alertmanager_max_alerts_count',
      stored: 0,
      refused: 2,
    });
    expect(r.body.error).toMatch(
      /^tenant small over herald\.tenants\[1\]\.limits\.alertmanager_max_alerts_count \(3 alerts\)/,
    );
    const again = alerts('Small', 3).map((a) => ({ ...a, annotations: { summary: 'updated' } }));
    expect((await post(n2, K.small, again)).status).toBe(200);
    const stored = await http.call('GET', `${n1.url}/api/v2/alerts`, { token: K.small });
    expect(stored.body.map((a: { annotations: { summary?: string } }) => a.annotations.summary)).toEqual([
      'updated',
      'updated',
      'updated',
    ]);
  });

  it('over max_groups: the alerts of a new group are refused, the existing group keeps taking alerts', async () => {
    expect((await post(n1, K.few, alerts('One', 1))).status).toBe(200);
    const r = await post(n2, K.few, alerts('Two', 2));
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ field: 'herald.tenants[2].limits.max_groups', refused: 2, stored: 0 });
    expect((await post(n2, K.few, alerts('One', 1, 1))).status).toBe(200);
  });

  it('counts every refusal in herald_tenant_limit_hits_total{tenant,limit} of the node that refused', async () => {
    const text = await (await fetch(`${n2.url}/metrics`)).text();
    const hits = (tenant: string, limit: string) =>
      Number(
        new RegExp(
          `^herald_tenant_limit_hits_total\\{tenant="${tenant}",limit="${limit}"\\} (\\d+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    expect(hits('flood', 'ingestion_rate')).toBe(1);
    expect(hits('small', 'alertmanager_max_alerts_count')).toBe(1);
    expect(hits('few', 'alertmanager_max_dispatcher_aggregation_groups')).toBe(1);
    expect(hits('free', 'ingestion_rate')).toBe(0);
    expect(text).toMatch(
      /^herald_ingest_requests_total\{tenant="flood",endpoint="api_v2_alerts",outcome="limited"\} 1$/m,
    );
  });
});
