import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpClient, HttpResult } from '../http-client';
import { httpAnswer, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import { OpsgenieNotifier, opsgenieRequests } from './opsgenie';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const API = 'https://og.example/';
const ALIAS = createHash('sha256').update('{}:{alertname="HighCPU"}').digest('hex');
const base = { api_key: 'k', api_url: API, send_resolved: true };

const answer = (status: number, body = ''): HttpResult => httpAnswer(status, body);
const scriptedHttp = (...results: HttpResult[]) =>
  scriptedHttpOr(() => answer(202, '{"result":"Request will be processed"}'), results);
const allResolved = () =>
  testNotification({
    state: 'recovery',
    alerts: [testAlert({ alertname: 'HighCPU', team: 'db' }, {}, true)],
  });
const reqs = (c: Record<string, unknown>, n = testNotification()) => {
  const r = opsgenieRequests(c, templates, n);
  if (r.failure) throw new Error(JSON.stringify(r.failure));
  return r.requests!;
};

describe('Opsgenie requests', () => {
  it("create with Alertmanager's defaults: alias = sha256 of the group key, details = common labels", () => {
    const [q, ...rest] = reqs(base);
    expect(rest).toEqual([]);
    expect(q).toMatchObject({ method: 'POST', url: `${API}v2/alerts` });
    expect(Object.keys(q.body)).toEqual(['alias', 'message', 'description', 'details', 'source']);
    expect(q.body).toMatchObject({
      alias: ALIAS,
      message: '[FIRING:3] HighCPU (db)',
      details: { alertname: 'HighCPU', team: 'db' },
      source: 'http://herald.example:9093/#/alerts?receiver=team-db',
    });
    expect(q.body.description).toMatch(/^\nAlerts Firing:\nLabels:\n/);
  });

  it('close by alias when the whole group resolved; a recovery half with a firing alert creates instead', () => {
    expect(reqs(base, allResolved())).toEqual([
      {
        method: 'POST',
        url: `${API}v2/alerts/${ALIAS}/close?identifierType=alias`,
        body: { source: 'http://herald.example:9093/#/alerts?receiver=team-db' },
      },
    ]);
    const half = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true), testAlert({ alertname: 'HighCPU', i: '2' })],
    });
    expect(reqs(base, half).map((q) => q.url)).toEqual([`${API}v2/alerts`]);
  });

  it('update_alerts: message and description PUTs after the create', () => {
    const qs = reqs({ ...base, update_alerts: true, message: 'm {{ .Status }}', description: 'd' });
    expect(qs.map((q) => `${q.method} ${q.url}`)).toEqual([
      `POST ${API}v2/alerts`,
      `PUT ${API}v2/alerts/${ALIAS}/message?identifierType=alias`,
      `PUT ${API}v2/alerts/${ALIAS}/description?identifierType=alias`,
    ]);
    expect(qs[1].body).toEqual({ message: 'm firing' });
    expect(qs[2].body).toEqual({ description: 'd' });
  });

  it('message truncated to 130 runes; templated fields, tags/actions split, details over common labels', () => {
    const [q] = reqs({
      ...base,
      message: 'é'.repeat(200),
      tags: ' a,,{{ .CommonLabels.team }} ,',
      actions: 'restart',
      note: 'n {{ .Status }}',
      priority: '{{ if eq .Status "firing" }}P1{{ end }}',
      entity: '{{ .GroupLabels.alertname }}',
      details: { team: 'override', n: '{{ len .Alerts }}' },
    });
    expect([...(q.body.message as string)]).toHaveLength(130);
    expect((q.body.message as string).endsWith('…')).toBe(true);
    expect(q.body).toMatchObject({
      tags: ['a', 'db '],
      actions: ['restart'],
      note: 'n firing',
      priority: 'P1',
      entity: 'HighCPU',
      details: { alertname: 'HighCPU', team: 'override', n: '3' },
    });
  });

  it('responders: templated, "teams" split into one team each, all-empty ones dropped', () => {
    const [q] = reqs({
      ...base,
      responders: [
        { id: '{{ .CommonLabels.nope }}', type: '{{ .CommonLabels.nope }}' },
        { name: 'a, {{ .CommonLabels.team }}', type: 'teams' },
        { username: 'u@example.com', type: 'user' },
        { id: 'e1', type: 'escalation' },
      ],
    });
    expect(q.body.responders).toEqual([
      { name: 'a', type: 'team' },
      { name: ' db', type: 'team' },
      { username: 'u@example.com', type: 'user' },
      { id: 'e1', type: 'escalation' },
    ]);
  });

  it('api_key is templated, or read from api_key_file; api_url keeps its query', () => {
    expect(
      opsgenieRequests({ ...base, api_key: 'key-{{ .CommonLabels.team }}' }, templates, testNotification())
        .apiKey,
    ).toBe('key-db');
    const dir = mkdtempSync(join(tmpdir(), 'og-'));
    writeFileSync(join(dir, 'k'), 'filekey\n');
    expect(
      opsgenieRequests({ api_key_file: join(dir, 'k'), api_url: API }, templates, testNotification()).apiKey,
    ).toBe('filekey');
    expect(
      opsgenieRequests({ api_key_file: join(dir, 'none'), api_url: API }, templates, testNotification())
        .failure,
    ).toMatchObject({ kind: 'give-up', message: expect.stringMatching(/cannot read api_key_file/) });
    expect(reqs({ ...base, api_url: 'https://og.example/p/?t=1' }, allResolved())[0].url).toBe(
      `https://og.example/p/v2/alerts/${ALIAS}/close?t=1&identifierType=alias`,
    );
  });

  it('a failing template gives up; send_resolved off skips a resolved group', () => {
    expect(
      opsgenieRequests({ ...base, note: '{{ template "x" . }}' }, templates, testNotification()).failure,
    ).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/^opsgenie: .*template "x" not defined/),
    });
    expect(opsgenieRequests({ ...base, send_resolved: false }, templates, allResolved())).toEqual({
      requests: null,
    });
  });
});

describe('OpsgenieNotifier', () => {
  const notifier = (http: HttpClient) =>
    new OpsgenieNotifier({ ...base, update_alerts: true }, templates, http, 5000, 'Herald/test');

  it('sends every request with GenieKey auth, in order', async () => {
    const http = scriptedHttp();
    expect(await notifier(http).send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent).toHaveLength(3);
    for (const r of http.sent)
      expect(r.headers).toEqual({
        'Content-Type': 'application/json',
        Authorization: 'GenieKey k',
        'User-Agent': 'Herald/test',
      });
  });

  it('the first failure ends the send: a 503 on the message update retries the notification', async () => {
    const http = scriptedHttp(answer(202), answer(503, '{"message":"busy"}'));
    const r = await notifier(http).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'retry', reason: 'serverError', status: 503 });
    expect(r.kind === 'retry' && r.message).toBe(`opsgenie: PUT /v2/alerts/${ALIAS}/message: HTTP 503: busy`);
    expect(http.sent).toHaveLength(2);
  });

  it("422 is given up with Opsgenie's message and errors", async () => {
    const r = await notifier(
      scriptedHttp(answer(422, '{"message":"Request body is not valid","errors":{"message":"too long"}}')),
    ).send(testNotification(), signal);
    expect(r).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      status: 422,
      message: 'opsgenie: POST /v2/alerts: HTTP 422: Request body is not valid: {"message":"too long"}',
    });
  });
});
