import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpClient, HttpResult } from '../http-client';
import { httpAnswer, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  PAGERDUTY_DETAILS_REMOVED,
  PAGERDUTY_MAX_EVENT_BYTES,
  PAGERDUTY_V1_URL,
  PagerDutyNotifier,
  goJsonSize,
  pagerDutyEvent,
} from './pagerduty';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const URL = 'https://pd.example/v2/enqueue';
const KEY = createHash('sha256').update('{}:{alertname="HighCPU"}').digest('hex');

const scriptedHttp = (...results: HttpResult[]) =>
  scriptedHttpOr(
    () => ({
      outcome: { kind: 'http', status: 202 },
      message: 'HTTP 202',
      response: { status: 202, headers: {}, body: '{}' },
    }),
    results,
  );
const answer = (status: number, body = ''): HttpResult => httpAnswer(status, body);

const v2 = { routing_key: 'rk', url: URL, send_resolved: true };
const v1 = { service_key: 'sk', url: URL, send_resolved: true };
const recoveryStillFiring = () =>
  testNotification({
    state: 'recovery',
    alerts: [
      testAlert({ alertname: 'HighCPU', instance: 'a', team: 'db' }, {}, true),
      testAlert({ alertname: 'HighCPU', instance: 'b', team: 'db' }),
    ],
  });
const allResolved = () =>
  testNotification({
    state: 'recovery',
    alerts: [testAlert({ alertname: 'HighCPU', instance: 'a', team: 'db' }, {}, true)],
  });
const body = (c: Record<string, unknown>, n = testNotification()) => {
  const { event, failure } = pagerDutyEvent(c, templates, n);
  if (failure) throw new Error(JSON.stringify(failure));
  return event!.body as Record<string, any>;
};

describe('PagerDuty event', () => {
  it("Events API v2 with Alertmanager's defaults: dedup_key = sha256 of the group key", () => {
    const b = body(v2);
    expect(Object.keys(b)).toEqual([
      'routing_key',
      'dedup_key',
      'event_action',
      'payload',
      'client',
      'client_url',
    ]);
    expect(b).toMatchObject({
      routing_key: 'rk',
      dedup_key: KEY,
      event_action: 'trigger',
      client: 'Alertmanager',
      client_url: 'http://herald.example:9093/#/alerts?receiver=team-db',
    });
    expect(b.payload).toMatchObject({
      summary: '[FIRING:3] HighCPU (db)',
      source: 'Alertmanager',
      severity: 'error',
    });
    expect(Object.keys(b.payload)).toEqual(['summary', 'source', 'severity', 'custom_details']);
    expect(b.payload.custom_details).toMatchObject({ num_firing: '3', num_resolved: '0', resolved: '' });
    expect(b.payload.custom_details.firing).toMatch(/^Labels:\n - alertname = HighCPU\n/);
  });

  it('a recovery-half notification carrying still-firing alerts sends trigger (never resolve while an alert fires)', () => {
    const n = recoveryStillFiring();
    expect(n.payload.status).toBe('firing');
    expect(body(v2, n).event_action).toBe('trigger');
    expect(body(v1, n).event_type).toBe('trigger');
    // Even if a payload claimed "resolved" while an alert fires, the alerts decide.
    const lying = { ...n, payload: { ...n.payload, status: 'resolved' as const } };
    expect(body(v2, lying).event_action).toBe('trigger');
  });

  it('the whole group resolved: resolve (v1 without client fields, as Alertmanager)', () => {
    expect(body(v2, allResolved()).event_action).toBe('resolve');
    const b1 = body(v1, allResolved());
    expect(b1).toMatchObject({ event_type: 'resolve', incident_key: KEY, event_action: '', payload: null });
    expect(b1.client).toBeUndefined();
    expect(b1.client_url).toBeUndefined();
  });

  it('v1 (service_key wins): the fixed URL, incident_key, description, client fields while firing', () => {
    const { event } = pagerDutyEvent({ ...v1, routing_key: 'rk' }, templates, testNotification());
    expect(event!.url).toBe(PAGERDUTY_V1_URL);
    expect(event!.body).toMatchObject({
      service_key: 'sk',
      incident_key: KEY,
      event_type: 'trigger',
      description: '[FIRING:3] HighCPU (db)',
      client: 'Alertmanager',
    });
    expect(event!.body.routing_key).toBeUndefined();
  });

  it('templated fields, source defaulting to the client, empty images/links dropped, empty class left out', () => {
    const b = body({
      ...v2,
      client: 'c-{{ .CommonLabels.team }}',
      severity: '{{ if eq .Status "firing" }}critical{{ end }}',
      component: '{{ .CommonLabels.team }}',
      class: '{{ .CommonLabels.nope }}',
      images: [{ src: '' }, { src: 'https://i/{{ .Status }}.png', alt: 'a' }],
      links: [{ href: 'https://l/{{ .GroupLabels.alertname }}', text: 't' }, { text: 'no href' }],
      details: {
        team: '{{ .CommonLabels.team }}',
        firing: 'mine',
        nested: { '{{ .Status }}': ['{{ len .Alerts }}', 7] },
      },
    });
    expect(b.client).toBe('c-db');
    expect(b.payload).toMatchObject({ source: 'c-db', severity: 'critical', component: 'db' });
    expect('class' in b.payload).toBe(false);
    expect(b.images).toEqual([{ src: 'https://i/firing.png', alt: 'a', href: '' }]);
    expect(b.links).toEqual([{ href: 'https://l/HighCPU', text: 't' }]);
    expect(b.payload.custom_details).toMatchObject({
      team: 'db',
      firing: 'mine',
      nested: { firing: ['3', 7] },
    });
  });

  it('a field written empty stays empty, as in Alertmanager (defaults apply only to fields left out)', () => {
    const b = body({ ...v2, client: '', severity: '' });
    expect(b.client).toBeUndefined();
    expect(b.payload).toMatchObject({ source: '', severity: 'error' });
  });

  it('summary and v1 description truncated to 1024 runes', () => {
    const long = { description: '{{ .Status }}' + 'é'.repeat(1100) };
    const s = body({ ...v2, ...long }).payload.summary as string;
    expect([...s]).toHaveLength(1024);
    expect(s.endsWith('é…')).toBe(true);
    expect([...(body({ ...v1, ...long }).description as string)]).toHaveLength(1024);
  });

  it('an event over 512KB loses its details (v2 custom_details, v1 details)', () => {
    const big = { details: { blob: 'x'.repeat(PAGERDUTY_MAX_EVENT_BYTES) } };
    const { event } = pagerDutyEvent({ ...v2, ...big }, templates, testNotification());
    expect(event!.body.payload).toMatchObject({ custom_details: { error: PAGERDUTY_DETAILS_REMOVED } });
    expect(event!.truncatedDetails).toBeGreaterThan(PAGERDUTY_MAX_EVENT_BYTES);
    expect(body({ ...v1, ...big }).details).toEqual({ error: PAGERDUTY_DETAILS_REMOVED });
    // Go escapes <, > and & (6 bytes each): the limit counts what Alertmanager would send.
    expect(goJsonSize('"<&>"')).toBe(5 + 15 + 1);
  });

  it('an event still over the limit without details is given up, saying why', () => {
    const { event, failure } = pagerDutyEvent(
      { ...v2, links: [{ href: 'https://l', text: 'y'.repeat(PAGERDUTY_MAX_EVENT_BYTES) }] },
      templates,
      testNotification(),
    );
    expect(event).toBeNull();
    expect(failure).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/over PagerDuty's limit/),
    });
  });

  it('keys from files (trimmed, re-read per send); an unreadable file or an empty key gives up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-'));
    writeFileSync(join(dir, 'rk'), 'from-file\n');
    expect(body({ routing_key_file: join(dir, 'rk'), url: URL }).routing_key).toBe('from-file');
    writeFileSync(join(dir, 'rk'), 'rotated');
    expect(body({ routing_key_file: join(dir, 'rk'), url: URL }).routing_key).toBe('rotated');
    expect(
      pagerDutyEvent({ service_key_file: join(dir, 'none') }, templates, testNotification()).failure,
    ).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/^pagerduty: cannot read service_key_file/),
    });
    expect(
      pagerDutyEvent({ routing_key: '{{ .CommonLabels.nope }}', url: URL }, templates, testNotification())
        .failure,
    ).toMatchObject({
      kind: 'give-up',
      message: 'pagerduty: routing key is empty after templating',
    });
  });

  it('a failing template gives up with the template error; send_resolved off skips a resolved group', () => {
    expect(
      pagerDutyEvent({ ...v2, severity: '{{ template "nope" . }}' }, templates, testNotification()).failure,
    ).toMatchObject({
      kind: 'give-up',
      reason: 'other',
      message: expect.stringMatching(/template "nope" not defined/),
    });
    expect(pagerDutyEvent({ ...v2, send_resolved: false }, templates, allResolved())).toEqual({
      event: null,
    });
  });
});

describe('PagerDutyNotifier', () => {
  const notifier = (c: Record<string, unknown>, http: HttpClient) =>
    new PagerDutyNotifier(c, templates, http, 5000, 'Herald/test');

  it('posts JSON with the User-Agent; 2xx is done', async () => {
    const http = scriptedHttp(answer(202, '{"status":"success"}'));
    expect(await notifier(v2, http).send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({
      method: 'POST',
      url: URL,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Herald/test' },
    });
  });

  it("v2: 429 and 5xx retried, 403 and 400 given up with PagerDuty's errors", async () => {
    const n = testNotification();
    expect(await notifier(v2, scriptedHttp(answer(429))).send(n, signal)).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
    });
    expect(await notifier(v2, scriptedHttp(answer(502))).send(n, signal)).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
    });
    expect(await notifier(v2, scriptedHttp(answer(403))).send(n, signal)).toMatchObject({
      kind: 'give-up',
      reason: 'authError',
    });
    const r = await notifier(
      v2,
      scriptedHttp(
        answer(400, '{"status":"invalid event","message":"Event object is invalid","errors":["a","b"]}'),
      ),
    ).send(n, signal);
    expect(r).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      status: 400,
      message: 'pagerduty v2: HTTP 400: Event object is invalid: a,b',
    });
  });

  it("v1: 403 is PagerDuty's rate limit there, retried", async () => {
    const r = await notifier(v1, scriptedHttp(answer(403))).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'retry', reason: 'rateLimited', status: 403 });
  });

  it('a transport failure is retried', async () => {
    const http = scriptedHttp({
      outcome: { kind: 'transport', timeout: false, message: 'ECONNRESET' },
      message: 'ECONNRESET',
    });
    expect(await notifier(v2, http).send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      message: 'pagerduty: ECONNRESET',
    });
  });
});
