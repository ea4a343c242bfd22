import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import { MSTeamsNotifier, msteamsMessage } from './msteams';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;

/** An HttpClient answering `results` in turn and recording the requests. */
const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(200), results);

const resolvedNotification = () =>
  testNotification({
    state: 'recovery',
    alerts: [testAlert({ alertname: 'HighCPU', team: 'db' }, {}, true)],
  });

describe('msteams MessageCard', () => {
  it("fills title, summary and text from Alertmanager's default templates; firing colour 8C1A1A", () => {
    const { message } = msteamsMessage(
      { webhook_url: 'http://x', send_resolved: true },
      templates,
      testNotification(),
    );
    expect(message).toMatchObject({
      '@context': 'http://schema.org/extensions',
      type: 'MessageCard',
      title: '[FIRING:3] HighCPU (db)',
      summary: '[FIRING:3] HighCPU (db)',
      themeColor: '8C1A1A',
    });
    expect(message!.text).toMatch(/^\n\n# Alerts Firing:\n\nLabels:\n {2}- alertname = HighCPU\n/);
    expect(Object.keys(message!)).toEqual(['@context', 'type', 'title', 'summary', 'text', 'themeColor']);
  });

  it('resolved group: colour 2DC72D; an explicitly empty field stays empty (no default)', () => {
    const { message } = msteamsMessage(
      { webhook_url: 'http://x', send_resolved: true, summary: '', title: '{{ .Status }}' },
      templates,
      resolvedNotification(),
    );
    expect(message).toMatchObject({ title: 'resolved', summary: '', themeColor: '2DC72D' });
  });

  it('sends nothing for a resolved group without send_resolved', async () => {
    const http = scriptedHttp();
    const r = await new MSTeamsNotifier({ webhook_url: 'http://x' }, templates, http, 1000, 'UA').send(
      resolvedNotification(),
      signal,
    );
    expect(r).toMatchObject({ kind: 'ok', skipped: expect.any(String) });
    expect(http.sent).toHaveLength(0);
  });

  it('a failing template gives up naming the template error', () => {
    const { failure } = msteamsMessage({ text: '{{ template "nope" . }}' }, templates, testNotification());
    expect(failure).toMatchObject({
      kind: 'give-up',
      reason: 'other',
      message: expect.stringMatching(/nope/),
    });
  });

  it('POSTs JSON to webhook_url_file re-read at each send, with the User-Agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teams-'));
    const file = join(dir, 'url');
    writeFileSync(file, 'http://teams.example/one\n');
    const http = scriptedHttp();
    const n = new MSTeamsNotifier(
      { webhook_url_file: file, send_resolved: true },
      templates,
      http,
      1000,
      'UA/1',
    );
    expect(await n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    writeFileSync(file, 'http://teams.example/two');
    await n.send(testNotification(), signal);
    expect(http.sent.map((r) => r.url)).toEqual(['http://teams.example/one', 'http://teams.example/two']);
    expect(http.sent[0].headers).toEqual({ 'Content-Type': 'application/json', 'User-Agent': 'UA/1' });
    expect(JSON.parse(String(http.sent[0].body))).toMatchObject({ type: 'MessageCard' });
  });

  it('a missing webhook_url_file gives up naming it', async () => {
    const r = await new MSTeamsNotifier(
      { webhook_url_file: '/nonexistent/teams' },
      templates,
      scriptedHttp(),
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'give-up', message: expect.stringMatching(/webhook_url_file/) });
  });

  it('429/5xx retried, other 4xx given up (common rule)', async () => {
    const http = scriptedHttp(
      { outcome: { kind: 'http', status: 429, retryAfterMs: 2000 }, message: 'HTTP 429' },
      { outcome: { kind: 'http', status: 502 }, message: 'HTTP 502' },
      { outcome: { kind: 'http', status: 400 }, message: 'HTTP 400: Summary or Text is required.' },
    );
    const n = new MSTeamsNotifier({ webhook_url: 'http://x' }, templates, http, 1000, 'UA');
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      retryAfterMs: 2000,
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'HTTP 400: Summary or Text is required.',
    });
  });
});
