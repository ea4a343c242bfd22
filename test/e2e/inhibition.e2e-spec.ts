/**
 * Inhibition across nodes with real processes: 3 Herald nodes on one redis-server behind nginx. The
 * source alert reaches node 1, its target node 2: the target is not notified while the source fires,
 * the API reports it suppressed, and once the source resolves (posted to node 3) it is notified once.
 */
import { fingerprint } from '@herald/domain';
import { clusterConfig, startProcessCluster, type ProcessCluster } from '../harness/cluster';
import { sleep } from '../harness/wait';

const RULES = `
inhibit_rules:
  - name: critical mutes warning
    source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [cluster]
`;

let cluster: ProcessCluster;

beforeAll(async () => {
  cluster = await startProcessCluster({
    ids: ['node-1', 'node-2', 'node-3'],
    yaml: (sink) => clusterConfig(sink, '1s', '') + RULES,
  });
}, 90_000);

afterAll(() => cluster?.stop());

async function post(url: string, alerts: unknown[]): Promise<void> {
  const r = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(r.status).toBe(200);
  await r.arrayBuffer();
}

const source = { alertname: 'DiskDead', severity: 'critical', cluster: 'eu' };
const target = { alertname: 'DiskSlow', severity: 'warning', cluster: 'eu' };
const control = { alertname: 'DiskSlowUS', severity: 'warning', cluster: 'us' };
const startsAt = new Date(Date.now() - 1000).toISOString();

/** Firing notifications per alertname, and the alerts they carried. */
function notifications(alertname: string): { status: string; alerts: string[] }[] {
  return cluster.sink.accepted
    .map(
      (r) =>
        r.json as {
          status: string;
          groupLabels: { alertname: string };
          alerts: { labels: { alertname: string } }[];
        },
    )
    .filter((p) => p.groupLabels.alertname === alertname)
    .map((p) => ({ status: p.status, alerts: p.alerts.map((a) => a.labels.alertname) }));
}

interface ApiAlert {
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

async function apiAlerts(query = ''): Promise<ApiAlert[]> {
  const r = await fetch(`${cluster.nginx.url}/api/v2/alerts${query}`);
  return (await r.json()) as ApiAlert[];
}

it('a source on node 1 mutes its target on node 2 until it resolves (posted to node 3), then the target is notified once', async () => {
  const [n1, n2, n3] = cluster.nodes;
  await post(n1.url, [{ labels: source, startsAt }]);
  await post(n2.url, [
    { labels: target, startsAt },
    { labels: control, startsAt },
  ]);

  await cluster.sink.waitFor(
    () => notifications('DiskDead').length > 0 && notifications('DiskSlowUS').length > 0,
    15_000,
    'source and control notified',
  );
  // The target's group was due with them (same group_wait); three more group_interval flushes pass.
  await sleep(3500);
  expect(notifications('DiskSlow')).toEqual([]);

  const all = await apiAlerts();
  const t = all.find((a) => a.fingerprint === fingerprint(target))!;
  expect(t.status).toMatchObject({ state: 'suppressed', inhibitedBy: [fingerprint(source)] });
  expect(all.find((a) => a.fingerprint === fingerprint(control))!.status.state).toBe('active');
  // Counted where it happened (any node's scheduler): Alertmanager's notifications_suppressed_total.
  const suppressed = await Promise.all(
    cluster.nodes.map(async (n) => {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      const m = /herald_notifications_suppressed_total\{reason="inhibition"\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    }),
  );
  expect(suppressed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  const notInhibited = await apiAlerts('?inhibited=false');
  expect(notInhibited.map((a) => a.fingerprint)).not.toContain(fingerprint(target));
  expect(notInhibited.map((a) => a.fingerprint)).toContain(fingerprint(control));

  await post(n3.url, [{ labels: source, startsAt, endsAt: new Date().toISOString() }]);
  await cluster.sink.waitFor(() => notifications('DiskSlow').length > 0, 15_000, 'target notified');
  await sleep(3000); // three more flushes: a second notification would show here
  expect(notifications('DiskSlow')).toEqual([{ status: 'firing', alerts: ['DiskSlow'] }]);
  const after = (await apiAlerts()).find((a) => a.fingerprint === fingerprint(target))!;
  expect(after.status).toMatchObject({ state: 'active', inhibitedBy: [] });
}, 60_000);
