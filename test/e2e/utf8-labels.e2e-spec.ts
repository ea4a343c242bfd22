import { metricSample, post, startNode, startSinkStack, type SinkStack, type TestNode } from '../harness/app';
import { waitUntil } from '../harness/wait';

/**
 * Issue 13 §3a, through the whole stack (HTTP, Redis store and scripts, scheduler, webhook): an alert
 * with the UTF-8 label names `service.name` (OpenTelemetry, as Prometheus 3 sends it) and `名前` is
 * ingested, grouped by `service.name`, silenced by a matcher on it, listed with
 * `filter="service.name"="api"`, and notified with Alertmanager's fingerprint and group key once the
 * silence ends. With `herald.label_names: classic` the same alert is a 400 naming the label.
 *
 * Fingerprint and group key: `go run test/compat/utf8-label-vectors.go` (prometheus/common v0.70.1's
 * algorithms, which Alertmanager ≥ 0.27 uses; the names are not quoted in the group key).
 */
const API = { alertname: 'Down', 'service.name': 'api', 名前: '値' };
const API_FINGERPRINT = '81f361e2a08d6ea6';
const WEB = { alertname: 'Down', 'service.name': 'web', 名前: '値' };

const yaml = (sinkUrl: string) => `
route:
  receiver: hook
  group_by: [service.name]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: ${sinkUrl}/hook }]
herald:
  scheduler: { tick: 100ms }
`;

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

type Payload = {
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: { labels: Record<string, string>; fingerprint: string }[];
};

describe('UTF-8 label names end to end (Redis mode)', () => {
  let env: SinkStack;
  beforeAll(async () => {
    env = await startSinkStack(yaml);
  });
  afterAll(() => env?.close(), 30_000);

  it('ingested, grouped by service.name, silenced by a matcher on it, filtered with "service.name"="api", then notified with Alertmanager\'s fingerprint and group key', async () => {
    const { node, sink } = env;
    const url = node.url;
    const now = Date.now();
    const created = await call('POST', `${url}/api/v2/silences`, {
      matchers: [{ name: 'service.name', value: 'api', isRegex: false, isEqual: true }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      createdBy: 'e2e',
      comment: 'UTF-8 name',
    });
    expect(created.status).toBe(200);
    const id = created.body.silenceID as string;

    expect(await post(`${url}/api/v2/alerts`, [{ labels: API }, { labels: WEB }])).toEqual({
      status: 200,
      body: '',
    });

    const sent = (service: string) =>
      sink.accepted
        .map((r) => r.json as Payload)
        .filter((p) => p.groupKey === `{}:{service.name="${service}"}`);
    await sink.waitFor(() => sent('web').length === 1, 10_000, 'the unsilenced group notified');
    expect(sent('web')[0].groupLabels).toEqual({ 'service.name': 'web' });
    expect(sent('web')[0].alerts[0].labels).toEqual(WEB);
    const suppressed = () => metricSample(url, 'herald_notifications_suppressed_total{reason="silence"}');
    await waitUntil(async () => (await suppressed()) >= 3, { timeoutMs: 10_000, what: 'silenced flushes' });
    expect(sent('api')).toEqual([]);

    // The filter of the issue, as amtool/karma send it: a quoted UTF-8 name.
    const filter = encodeURIComponent('"service.name"="api"');
    const listed = await call('GET', `${url}/api/v2/alerts?filter=${filter}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({
      labels: API,
      fingerprint: API_FINGERPRINT,
      status: { state: 'suppressed', silencedBy: [id], inhibitedBy: [] },
    });
    // Unquoted UTF-8 names parse too (Alertmanager's UTF-8 syntax), and so do names in other matchers.
    const byJapanese = await call('GET', `${url}/api/v2/alerts?filter=${encodeURIComponent('名前=~"値"')}`);
    expect(
      byJapanese.body.map((a: { labels: Record<string, string> }) => a.labels['service.name']).sort(),
    ).toEqual(['api', 'web']);
    const groups = await call('GET', `${url}/api/v2/alerts/groups?filter=${filter}`);
    expect(groups.body.map((g: { labels: Record<string, string> }) => g.labels)).toEqual([
      { 'service.name': 'api' },
    ]);
    const silences = await call('GET', `${url}/api/v2/silences?filter=${filter}`);
    expect(silences.body.map((s: { id: string }) => s.id)).toEqual([id]);

    expect((await call('DELETE', `${url}/api/v2/silence/${id}`)).status).toBe(200);
    await sink.waitFor(
      () => sent('api').length === 1,
      10_000,
      'the api group notified once the silence ended',
    );
    const [p] = sent('api');
    expect(p.groupLabels).toEqual({ 'service.name': 'api' });
    expect(p.alerts.map((a) => [a.labels, a.fingerprint])).toEqual([[API, API_FINGERPRINT]]);
  }, 60_000);

  it('a bad quoted filter is a 400 naming the filter and the position', async () => {
    const r = await call(
      'GET',
      `${env.node.url}/api/v2/alerts?filter=${encodeURIComponent('"service.name"="api')}`,
    );
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/filter.*unterminated string/);
  });
});

describe('herald.label_names: classic', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startNode(`
route: { receiver: r, group_by: [alertname] }
receivers: [{ name: r }]
herald: { label_names: classic }
`);
  });
  afterAll(() => node?.close());

  it('rejects a UTF-8 name with 400 naming the label; the valid alert of the batch is stored', async () => {
    const r = await post(`${node.url}/api/v2/alerts`, [{ labels: { alertname: 'Ok' } }, { labels: API }]);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('[1].labels[\\"service.name\\"]');
    expect(JSON.stringify(r.body)).toContain('herald.label_names is classic');
    const alerts = await call('GET', `${node.url}/api/v2/alerts`);
    expect(alerts.body.map((a: { labels: Record<string, string> }) => a.labels)).toEqual([
      { alertname: 'Ok' },
    ]);
  });

  it('refuses a quoted UTF-8 name in a filter (400 naming filter), as Alertmanager in classic mode', async () => {
    const r = await call(
      'GET',
      `${node.url}/api/v2/alerts?filter=${encodeURIComponent('"service.name"="api"')}`,
    );
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('filter');
    const ok = await call('GET', `${node.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="Ok"')}`);
    expect(ok.status).toBe(200);
  });

  it('refuses to load a config grouping by a UTF-8 name, naming the field', async () => {
    await expect(
      startNode(`
route: { receiver: r, group_by: [service.name] }
receivers: [{ name: r }]
herald: { label_names: classic }
`),
    ).rejects.toThrow(/route\.group_by\[0\]: invalid label name "service\.name"/);
  });
});
