// A running Herald pages through the receiver kinds a new user brings from alertmanager.yml (issue 14):
// ingest → group → flush → delivery queue → integration → vendor fake, with a `templates:` file and Go
// templates in the fields. PagerDuty must trigger once for the group and resolve only when the whole
// group has resolved (Herald's firing and recovery halves flush separately).
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, startNode, type TestNode } from '../harness/app';
import { VendorFake } from '../harness/vendor-fakes';
import { sleep, waitUntil } from '../harness/wait';

let node: TestNode;
let pd: VendorFake;
let slack: VendorFake;
let og: VendorFake;

const TEMPLATE = `{{ define "team.summary" }}{{ .CommonLabels.alertname }} on {{ range .Alerts.Firing }}{{ .Labels.instance }} {{ end }}{{ end }}`;

beforeAll(async () => {
  [pd, slack, og] = await Promise.all([
    VendorFake.start('pagerduty'),
    VendorFake.start('slack'),
    VendorFake.start('opsgenie'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'herald-receivers-'));
  writeFileSync(join(dir, 'team.tmpl'), TEMPLATE);
  node = await startNode(`
templates: ['${dir}/*.tmpl']
route:
  receiver: pager
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: pager
    pagerduty_configs:
      - routing_key: 0123456789abcdef0123456789abcdef
        url: ${pd.endpoint()}
        description: '{{ template "team.summary" . }}'
        severity: '{{ if eq .CommonLabels.severity "page" }}critical{{ else }}warning{{ end }}'
    slack_configs:
      - api_url: ${slack.endpoint()}
        channel: '#ops'
        title: '{{ .Status | toUpper }}: {{ template "team.summary" . }}'
        send_resolved: true
    opsgenie_configs:
      - api_url: ${og.url}/
        api_key: og-test-key
`);
});

afterAll(async () => {
  await node?.close();
  await Promise.all([pd?.stop(), slack?.stop(), og?.stop()]);
});

const alert = (instance: string, endsAt?: string) => ({
  labels: { alertname: 'DiskFull', severity: 'page', instance },
  annotations: { summary: `disk full on ${instance}` },
  ...(endsAt ? { endsAt } : {}),
});

it('triggers PagerDuty, posts Slack and creates the Opsgenie alert with the templates applied', async () => {
  const res = await post(`${node.url}/api/v2/alerts`, [alert('db-1'), alert('db-2')]);
  expect(res.status).toBe(200);
  const [first] = await pd.waitForAccepted(1);
  const groupKey = '{}:{alertname="DiskFull"}';
  expect(first.json).toMatchObject({
    routing_key: '0123456789abcdef0123456789abcdef',
    event_action: 'trigger',
    dedup_key: createHash('sha256').update(groupKey).digest('hex'),
    payload: { summary: 'DiskFull on db-1 db-2 ', severity: 'critical', source: 'Alertmanager' },
  });
  const [s] = await slack.waitForAccepted(1);
  expect(s.json).toMatchObject({
    channel: '#ops',
    attachments: [{ title: 'FIRING: DiskFull on db-1 db-2 ' }],
  });
  const [o] = await og.waitForAccepted(1);
  expect(o.path).toBe('/v2/alerts');
  expect(o.json).toMatchObject({ alias: createHash('sha256').update(groupKey).digest('hex') });
});

it('a partial resolution never resolves the incident; the last one does', async () => {
  const past = new Date(Date.now() - 1000).toISOString();
  await post(`${node.url}/api/v2/alerts`, [alert('db-1', past), alert('db-2')]);
  // Slack (send_resolved) hears about the partial resolution; PagerDuty gets a trigger, not a resolve.
  await slack.waitForAccepted(2);
  await pd.waitForAccepted(2);
  expect(pd.accepted.map((r) => (r.json as { event_action: string }).event_action)).toEqual([
    'trigger',
    'trigger',
  ]);
  await post(`${node.url}/api/v2/alerts`, [alert('db-1', past), alert('db-2', past)]);
  await waitUntil(() => pd.accepted.length >= 3, { timeoutMs: 10_000 });
  expect((pd.accepted[2].json as { event_action: string }).event_action).toBe('resolve');
  await waitUntil(() => og.accepted.some((r) => r.path.endsWith('/close')), { timeoutMs: 10_000 });
  // Nothing more: one trigger per change and one resolve (two group_intervals of quiet).
  await sleep(2300);
  expect(pd.accepted).toHaveLength(3);
});
