import { createHash } from 'node:crypto';
import type { Alert, LabelSet } from './alert';
import {
  buildWebhookPayload,
  compareAlerts,
  goTime,
  idempotencyKey,
  integrationPayload,
  quoteMeta,
  type WebhookPayloadInput,
} from './webhook-payload';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
const alert = (fp: string, labels: LabelSet, over: Partial<Alert> = {}): Alert => ({
  fingerprint: fp,
  labels,
  annotations: {},
  startsAt: Date.UTC(2026, 0, 2, 3, 0, 0),
  endsAt: NOW + 300_000,
  updatedAt: NOW,
  timeout: true,
  generatorURL: 'http://prom:9090/graph?g0.expr=up',
  ...over,
});

describe('webhook payload (Alertmanager v4)', () => {
  it('has exactly Alertmanager fields, firing alerts with the zero endsAt', () => {
    const p = buildWebhookPayload({
      receiver: 'team-x',
      groupKey: '{}:{alertname="HighCPU"}',
      groupLabels: { alertname: 'HighCPU' },
      alerts: [
        alert(
          'a1',
          { alertname: 'HighCPU', instance: 'a', job: 'node' },
          { annotations: { summary: 's', runbook: 'r1' } },
        ),
        alert(
          'a2',
          { alertname: 'HighCPU', instance: 'b', job: 'node' },
          {
            annotations: { summary: 's', runbook: 'r2' },
            endsAt: NOW - 1000,
          },
        ),
      ],
      reason: 'new alerts added',
      externalURL: 'http://herald:9093',
      maxAlerts: 0,
      now: NOW,
    });
    expect(JSON.parse(JSON.stringify(p))).toEqual({
      receiver: 'team-x',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'HighCPU', instance: 'a', job: 'node' },
          annotations: { summary: 's', runbook: 'r1' },
          startsAt: '2026-01-02T03:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom:9090/graph?g0.expr=up',
          fingerprint: 'a1',
        },
        {
          status: 'resolved',
          labels: { alertname: 'HighCPU', instance: 'b', job: 'node' },
          annotations: { summary: 's', runbook: 'r2' },
          startsAt: '2026-01-02T03:00:00Z',
          endsAt: '2026-01-02T03:04:04.6Z',
          generatorURL: 'http://prom:9090/graph?g0.expr=up',
          fingerprint: 'a2',
        },
      ],
      groupLabels: { alertname: 'HighCPU' },
      commonLabels: { alertname: 'HighCPU', job: 'node' },
      commonAnnotations: { summary: 's' },
      externalURL: 'http://herald:9093',
      version: '4',
      groupKey: '{}:{alertname="HighCPU"}',
      truncatedAlerts: 0,
      notification_reason: 'new alerts added',
    });
    expect(Object.keys(p)).toEqual([
      'receiver',
      'status',
      'alerts',
      'groupLabels',
      'commonLabels',
      'commonAnnotations',
      'externalURL',
      'version',
      'groupKey',
      'truncatedAlerts',
      'notification_reason',
    ]);
  });

  it('is resolved when no alert fires', () => {
    const p = buildWebhookPayload({
      receiver: 'r',
      groupKey: 'k',
      groupLabels: {},
      alerts: [alert('a', { x: '1' }, { endsAt: NOW })],
      reason: 'all alerts resolved',
      externalURL: '',
      maxAlerts: 0,
      now: NOW,
    });
    expect(p.status).toBe('resolved');
    expect(p.alerts[0].endsAt).toBe('2026-01-02T03:04:05.6Z');
  });

  it('max_alerts keeps the first alerts in Alertmanager order and counts the rest', () => {
    const alerts = [
      alert('5', { alertname: 'A', z: '1' }), // no job, no instance: last, fewer labels first
      alert('4', { alertname: 'A', instance: 'i1' }), // no job: after every alert with a job
      alert('3', { alertname: 'A', job: 'b', instance: 'i1' }),
      alert('2', { alertname: 'A', job: 'a', instance: 'i2' }),
      alert('1', { alertname: 'A', job: 'a', instance: 'i1' }),
      alert('6', { alertname: 'A', y: '1', z: '1' }),
    ];
    const input = {
      receiver: 'r',
      groupKey: 'k',
      groupLabels: {},
      reason: 'first notification' as const,
      externalURL: '',
      now: NOW,
    };
    const all = buildWebhookPayload({ ...input, alerts, maxAlerts: 0 });
    expect(all.alerts.map((a) => a.fingerprint)).toEqual(['1', '2', '3', '4', '5', '6']);
    const cut = buildWebhookPayload({ ...input, alerts, maxAlerts: 2 });
    expect(cut.alerts.map((a) => a.fingerprint)).toEqual(['1', '2']);
    expect(cut.truncatedAlerts).toBe(4);
    // Over the alerts sent: Alertmanager truncates before it builds the template data (fixture: trunc).
    expect(cut.commonLabels).toEqual({ alertname: 'A', job: 'a' });
    expect(all.commonLabels).toEqual({ alertname: 'A' });
  });

  it('compares label sets like Go (fewer labels first, then first differing label)', () => {
    expect(compareAlerts({ labels: { a: '1' } }, { labels: { a: '1', b: '1' } })).toBeLessThan(0);
    // Same size: the first sorted name missing from one side decides (Go: missing in the other → not before).
    expect(compareAlerts({ labels: { a: '2' } }, { labels: { b: '1' } })).toBeGreaterThan(0);
    expect(compareAlerts({ labels: { a: '1' } }, { labels: { a: '1' } })).toBe(0);
    // Label names that are also Object.prototype members compare as plain names (regression: fuzz).
    for (const n of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
      const withIt: Record<string, string> = { alertname: 'P' };
      Object.defineProperty(withIt, n, { value: 'x', enumerable: true, writable: true, configurable: true });
      expect(compareAlerts({ labels: { alertname: 'P', zone: 'z' } }, { labels: withIt })).not.toBeNaN();
      expect(Math.sign(compareAlerts({ labels: withIt }, { labels: { alertname: 'P', zone: 'z' } }))).toBe(
        n < 'zone' ? 1 : -1, // Go: the set without the first differing name sorts first
      );
    }
  });

  it('formats times like Go and quotes the receiver like regexp.QuoteMeta', () => {
    expect(goTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z');
    expect(goTime(Date.UTC(2026, 0, 1, 0, 0, 0, 120))).toBe('2026-01-01T00:00:00.12Z');
    expect(goTime(Date.UTC(2026, 0, 1, 0, 0, 10, 5))).toBe('2026-01-01T00:00:10.005Z');
    expect(quoteMeta('team-x.prod (eu)')).toBe('team-x\\.prod \\(eu\\)');
  });

  it('idempotency key = sha256(groupKey) hex + "-" + sequence; recovery keys stay distinct', () => {
    const hex = createHash('sha256').update('{}:{alertname="A"}').digest('hex');
    expect(idempotencyKey('{}:{alertname="A"}', 7)).toBe(`${hex}-7`);
    expect(idempotencyKey('{}:{alertname="A"}', 7, 'recovery')).toBe(`${hex}-r7`);
  });
});

describe('a partial resolution on the wire (issue 12 #5)', () => {
  // x1 and x3 fire, x2 resolved: the recovery half's notification while alerts still fire.
  const mixed = (reason: WebhookPayloadInput['reason'], maxAlerts = 0) =>
    buildWebhookPayload({
      receiver: 'on',
      groupKey: '{}:{alertname="A"}',
      groupLabels: { alertname: 'A' },
      alerts: [
        alert('f3', { alertname: 'A', instance: 'x3' }, { annotations: { runbook: 'r', summary: 'x3' } }),
        alert(
          'f2',
          { alertname: 'A', instance: 'x2' },
          { annotations: { runbook: 'r', summary: 'x2' }, endsAt: NOW - 1000 },
        ),
        alert('f1', { alertname: 'A', instance: 'x1' }, { annotations: { runbook: 'r', summary: 'x1' } }),
      ],
      reason,
      externalURL: '',
      maxAlerts,
      now: NOW,
    });

  it('is `firing`, lists firing and resolved alerts in Alertmanager order, each with its own endsAt', () => {
    const p = mixed('some alerts resolved');
    expect(p.status).toBe('firing');
    expect(p.notification_reason).toBe('some alerts resolved');
    expect(p.alerts.map((a) => [a.labels.instance, a.status, a.endsAt])).toEqual([
      ['x1', 'firing', '0001-01-01T00:00:00Z'],
      ['x2', 'resolved', '2026-01-02T03:04:04.6Z'],
      ['x3', 'firing', '0001-01-01T00:00:00Z'],
    ]);
    expect(p.commonLabels).toEqual({ alertname: 'A' });
    expect(p.commonAnnotations).toEqual({ runbook: 'r' });
  });

  it('max_alerts: common labels of the alerts kept (Alertmanager), status of the whole notification', () => {
    const p = mixed('some alerts resolved', 1);
    expect(p.alerts.map((a) => a.labels.instance)).toEqual(['x1']);
    expect(p).toMatchObject({ status: 'firing', truncatedAlerts: 2 });
    expect(p.commonLabels).toEqual({ alertname: 'A', instance: 'x1' });
    expect(p.commonAnnotations).toEqual({ runbook: 'r', summary: 'x1' });
  });

  it('per integration: send_resolved off skips a partial resolution, keeps firing alerts of other news', () => {
    const full = mixed('some alerts resolved');
    expect(integrationPayload(full, { sendResolved: true, maxAlerts: 0 })).toBe(full);
    expect(integrationPayload(full, { sendResolved: false, maxAlerts: 0 })).toBeNull();
    const added = mixed('new alerts added');
    const off = integrationPayload(added, { sendResolved: false, maxAlerts: 0 })!;
    expect(off.alerts.map((a) => [a.labels.instance, a.status])).toEqual([
      ['x1', 'firing'],
      ['x3', 'firing'],
    ]);
    expect(off).toMatchObject({
      status: 'firing',
      truncatedAlerts: 0,
      notification_reason: 'new alerts added',
    });
    expect(off.commonAnnotations).toEqual({ runbook: 'r' });
    const cut = integrationPayload(added, { sendResolved: true, maxAlerts: 2 })!;
    expect(cut.alerts.map((a) => a.labels.instance)).toEqual(['x1', 'x2']);
    expect(cut).toMatchObject({ status: 'firing', truncatedAlerts: 1 });
    // Only resolved alerts kept by max_alerts: the status stays the notification's.
    const resolvedFirst = integrationPayload(
      { ...added, alerts: [added.alerts[1], added.alerts[0], added.alerts[2]] },
      { sendResolved: true, maxAlerts: 1 },
    )!;
    expect(resolvedFirst.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(resolvedFirst.status).toBe('firing');
    expect(resolvedFirst.commonLabels).toEqual({ alertname: 'A', instance: 'x2' });
    // All resolved: nothing for an integration without send_resolved.
    const allResolved = {
      ...added,
      status: 'resolved' as const,
      notification_reason: 'all alerts resolved' as const,
    };
    expect(
      integrationPayload(
        { ...allResolved, alerts: [added.alerts[1]] },
        { sendResolved: false, maxAlerts: 0 },
      ),
    ).toBeNull();
  });
});
