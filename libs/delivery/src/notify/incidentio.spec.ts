import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpAnswer, httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  INCIDENTIO_MAX_PAYLOAD_BYTES,
  IncidentioNotifier,
  incidentioBody,
  incidentioErrorDetails,
} from './incidentio';

const signal = new AbortController().signal;

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(202), results);
const fail = (status: number, body: string): HttpResult => httpAnswer(status, body);

const URL = 'http://inc.example/v2/alert_events/alertmanager/01ABC';

describe('incident.io', () => {
  it('the webhook data with version "1", the raw group key and no Herald extras', () => {
    const n = testNotification();
    const body = JSON.parse(incidentioBody({ url: URL, send_resolved: true }, n)!.body);
    expect(body.version).toBe('1');
    expect(body.groupKey).toBe('{}:{alertname="HighCPU"}');
    expect(body.truncatedAlerts).toBe(0);
    expect(body).not.toHaveProperty('notification_reason');
    const { version: _v, notification_reason: _r, ...rest } = n.payload;
    expect(body).toEqual({ ...rest, version: '1' });
  });

  it('max_alerts cuts the alerts and counts them in truncatedAlerts', () => {
    const body = JSON.parse(incidentioBody({ send_resolved: true, max_alerts: 2 }, testNotification())!.body);
    expect(body.alerts).toHaveLength(2);
    expect(body.truncatedAlerts).toBe(1);
  });

  it('a body above 512 KiB keeps only the first alert', () => {
    const big = 'x'.repeat(200 * 1024);
    const alerts = ['a', 'b', 'c'].map((i) =>
      testAlert({ alertname: 'HighCPU', instance: i }, { description: big }),
    );
    const built = incidentioBody({ send_resolved: true }, testNotification({ alerts }))!;
    expect(built.shrunk).toBe(true);
    expect(JSON.parse(built.body).alerts).toHaveLength(1);
    expect(Buffer.byteLength(built.body)).toBeLessThanOrEqual(INCIDENTIO_MAX_PAYLOAD_BYTES);
  });

  it('sends the token as a Bearer credential (file re-read), JSON, User-Agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inc-'));
    writeFileSync(join(dir, 'tok'), 'secret-1\n');
    const http = scriptedHttp();
    const r = await new IncidentioNotifier(
      { url: URL, alert_source_token_file: join(dir, 'tok'), send_resolved: true },
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({
      url: URL,
      headers: { Authorization: 'Bearer secret-1', 'Content-Type': 'application/json', 'User-Agent': 'UA' },
    });
  });

  it('without a token no Authorization header is set here (http_config.authorization applies)', async () => {
    const http = scriptedHttp();
    await new IncidentioNotifier({ url: URL, send_resolved: true }, http, 1000, 'UA').send(
      testNotification(),
      signal,
    );
    expect(http.sent[0].headers).not.toHaveProperty('Authorization');
  });

  it('429 and 5xx retried, 4xx given up, with incident.io error details in the message', async () => {
    const http = scriptedHttp(
      {
        ...fail(429, '{"type":"rate_limited","message":"slow down"}'),
        outcome: { kind: 'http', status: 429, retryAfterMs: 3000 },
      },
      fail(500, 'oops'),
      fail(422, '{"type":"validation_error","errors":[{"code":"invalid_value","message":"title missing"}]}'),
      fail(401, '{"message":"bad token","error":"unauthorized"}'),
    );
    const n = new IncidentioNotifier(
      { url: URL, alert_source_token: 't', send_resolved: true },
      http,
      1000,
      'UA',
    );
    expect(await n.send(testNotification(), signal)).toEqual({
      kind: 'retry',
      reason: 'rateLimited',
      status: 429,
      retryAfterMs: 3000,
      message: 'unexpected status code 429: slow down',
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
      message: 'unexpected status code 500',
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'unexpected status code 422: title missing',
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'authError',
      message: 'unexpected status code 401: bad token: unauthorized',
    });
  });

  it('error details: message, error, errors joined', () => {
    expect(incidentioErrorDetails('{"message":"m","error":"e","errors":["a","b"]}')).toBe('m: e: a, b');
    expect(incidentioErrorDetails('not json')).toBe('');
  });

  it('a missing url_file gives up', async () => {
    const r = await new IncidentioNotifier(
      { url_file: '/nonexistent/u', send_resolved: true },
      scriptedHttp(),
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'give-up' });
  });
});
