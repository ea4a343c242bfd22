import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpClient, HttpResult } from '../http-client';
import { httpAnswer, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  VICTOROPS_MAX_STATE_MESSAGE_RUNES,
  VictorOpsNotifier,
  goPathEscape,
  victorOpsRequest,
} from './victorops';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const API = 'https://vo.example/alert/';
const ID = createHash('sha256').update('{}:{alertname="HighCPU"}').digest('hex');
const base = { api_key: 'key', api_url: API, routing_key: 'rk', send_resolved: true };

const answer = (status: number, body = ''): HttpResult => httpAnswer(status, body);
const scriptedHttp = (...results: HttpResult[]) =>
  scriptedHttpOr(() => answer(200, '{"result":"success"}'), results);
const allResolved = () =>
  testNotification({
    state: 'recovery',
    alerts: [testAlert({ alertname: 'HighCPU', team: 'db' }, {}, true)],
  });
const req = (c: Record<string, unknown>, n = testNotification()) => {
  const r = victorOpsRequest(c, templates, n);
  if (r.failure) throw new Error(JSON.stringify(r.failure));
  return r.request!;
};

describe('VictorOps request', () => {
  it("<api_url><api_key>/<routing_key> and Alertmanager's defaults; entity_id = sha256 of the group key", () => {
    const r = req(base);
    expect(r.url).toBe(`${API}key/rk`);
    expect(r.body).toMatchObject({
      message_type: 'CRITICAL',
      entity_id: ID,
      entity_display_name: '[FIRING:3] HighCPU (db)',
      monitoring_tool: 'Alertmanager',
    });
    expect(r.body.state_message).toMatch(/^\nAlerts Firing:\n/);
  });

  it('RECOVERY only when the whole group resolved; a firing type outside INFO/WARNING/CRITICAL becomes CRITICAL', () => {
    expect(req({ ...base, message_type: 'WARNING' }, allResolved()).body.message_type).toBe('RECOVERY');
    const half = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true), testAlert({ alertname: 'HighCPU', i: '2' })],
    });
    expect(req({ ...base, message_type: 'WARNING' }, half).body.message_type).toBe('WARNING');
    expect(req({ ...base, message_type: 'RECOVERY' }).body.message_type).toBe('CRITICAL');
    expect(req({ ...base, message_type: 'warning' }).body.message_type).toBe('CRITICAL');
    expect(
      req({ ...base, message_type: '{{ if eq .Status "firing" }}INFO{{ end }}' }).body.message_type,
    ).toBe('INFO');
  });

  it('templated routing key escaped into the path; custom fields templated', () => {
    const r = req({
      ...base,
      routing_key: '{{ .CommonLabels.team }} a/b?',
      custom_fields: { team: 'T-{{ .CommonLabels.team }}' },
    });
    expect(r.url).toBe(`${API}key/db%20a/b%3F`);
    expect(r.body.team).toBe('T-db');
    expect(goPathEscape('a b/é$&+,:;=@~')).toBe('a%20b/%C3%A9$&+,:;=@~');
  });

  it('state_message truncated to 20480 runes', () => {
    const s = req({ ...base, state_message: 'é'.repeat(VICTOROPS_MAX_STATE_MESSAGE_RUNES + 10) }).body
      .state_message;
    expect([...s]).toHaveLength(VICTOROPS_MAX_STATE_MESSAGE_RUNES);
    expect(s.endsWith('…')).toBe(true);
  });

  it('api_key_file read (trimmed); failures give up; send_resolved off skips a resolved group', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vo-'));
    writeFileSync(join(dir, 'k'), 'fk\n');
    expect(req({ api_key_file: join(dir, 'k'), api_url: API, routing_key: 'r' }).url).toBe(`${API}fk/r`);
    expect(
      victorOpsRequest(
        { api_key_file: join(dir, 'x'), api_url: API, routing_key: 'r' },
        templates,
        testNotification(),
      ).failure,
    ).toMatchObject({ kind: 'give-up', message: expect.stringMatching(/cannot read api_key_file/) });
    expect(
      victorOpsRequest(
        { ...base, entity_display_name: '{{ template "x" . }}' },
        templates,
        testNotification(),
      ).failure,
    ).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/^victorops: .*template "x" not defined/),
    });
    expect(victorOpsRequest({ ...base, send_resolved: false }, templates, allResolved())).toEqual({
      request: null,
    });
  });
});

describe('VictorOpsNotifier', () => {
  const notifier = (http: HttpClient) => new VictorOpsNotifier(base, templates, http, 5000, 'Herald/test');

  it('posts JSON; {"result":"success"} is done, {"result":"failure"} given up with its message', async () => {
    const http = scriptedHttp(
      answer(200, '{"result":"success"}'),
      answer(200, '{"result":"failure","message":"bad routing key"}'),
    );
    expect(await notifier(http).send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent[0].headers).toEqual({ 'Content-Type': 'application/json', 'User-Agent': 'Herald/test' });
    expect(await notifier(http).send(testNotification(), signal)).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      status: 200,
      message: 'victorops: bad routing key',
    });
  });

  it('5xx and 429 retried, 4xx given up; the API key never appears in a message', async () => {
    expect(await notifier(scriptedHttp(answer(500))).send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
    });
    expect(await notifier(scriptedHttp(answer(429))).send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
    });
    expect(
      await notifier(scriptedHttp(answer(404, '{"result":"failure","message":"no such key"}'))).send(
        testNotification(),
        signal,
      ),
    ).toMatchObject({ kind: 'give-up', reason: 'clientError', message: 'victorops: HTTP 404: no such key' });
    const r = await notifier(
      scriptedHttp({
        outcome: { kind: 'transport', timeout: false, message: 'x' },
        message: `connect failed for ${API}key/rk`,
      }),
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'retry', message: `victorops: connect failed for ${API}<secret>/rk` });
  });
});
