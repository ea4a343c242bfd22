import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { scriptedHttpOr } from '../../../../test/harness/notify-specs';
import { RocketchatNotifier, rocketchatMessage, rocketchatPostUrl } from './rocketchat';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => ok('{"success":true}'), results);
const ok = (body: string): HttpResult => ({
  outcome: { kind: 'http', status: 200 },
  message: 'HTTP 200',
  response: { status: 200, headers: { 'content-type': 'application/json' }, body },
});

const C = { api_url: 'https://chat.example/', token: 'tok', token_id: 'uid', send_resolved: false };

describe('rocketchat postMessage', () => {
  it("defaults: one attachment with Alertmanager's title, link and colour; empty emoji/avatar/text left out", () => {
    const { message } = rocketchatMessage(C, templates, testNotification());
    expect(message).toEqual({
      attachments: [
        {
          title: '[FIRING:3] HighCPU (db)',
          title_link: 'http://herald.example:9093/#/alerts?receiver=team-db',
          color: 'red',
        },
      ],
    });
  });

  it('fields always carry short (own, else short_fields); actions are buttons with the fixed flags', () => {
    const { message } = rocketchatMessage(
      {
        ...C,
        channel: '#ops',
        emoji: ':fire:',
        icon_url: 'https://i/a.png',
        text: '{{ len .Alerts }} alerts',
        image_url: 'https://i/b.png',
        thumb_url: 'https://i/c.png',
        short_fields: true,
        fields: [
          { title: 'Team', value: '{{ .CommonLabels.team }}' },
          { title: 'X', value: '', short: false },
        ],
        actions: [
          { text: 'Open', url: 'https://x/{{ .GroupLabels.alertname }}' },
          { type: 'button', text: 'Say', msg: 'ack' },
        ],
      },
      templates,
      testNotification(),
    );
    expect(message).toMatchObject({ channel: '#ops', emoji: ':fire:', avatar: 'https://i/a.png' });
    const a = message!.attachments[0];
    expect(a).toMatchObject({ text: '3 alerts', image_url: 'https://i/b.png', thumb_url: 'https://i/c.png' });
    expect(a.fields).toEqual([
      { short: true, title: 'Team', value: 'db' },
      { short: false, title: 'X' },
    ]);
    expect(a.actions).toEqual([
      {
        type: 'button',
        text: 'Open',
        url: 'https://x/HighCPU',
        is_webview: false,
        msg_in_chat_window: false,
      },
      { type: 'button', text: 'Say', is_webview: false, msg: 'ack', msg_in_chat_window: false },
    ]);
  });

  it('truncates the title to 1024 runes and colours a resolved group green', () => {
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    const { message } = rocketchatMessage(
      { ...C, send_resolved: true, title: 'x'.repeat(2000) },
      templates,
      n,
    );
    const a = message!.attachments[0];
    expect([...(a.title as string)]).toHaveLength(1024);
    expect(a.color).toBe('green');
  });

  it('joins api_url with api/v1/chat.postMessage', () => {
    expect(rocketchatPostUrl('https://chat.example')).toBe('https://chat.example/api/v1/chat.postMessage');
    expect(rocketchatPostUrl('https://chat.example/rc/')).toBe(
      'https://chat.example/rc/api/v1/chat.postMessage',
    );
  });

  it('sends X-Auth-Token and X-User-Id (token files re-read at each send)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-'));
    writeFileSync(join(dir, 'id'), 'uid-file\n');
    const http = scriptedHttp();
    const r = await new RocketchatNotifier(
      { ...C, token_id: undefined, token_id_file: join(dir, 'id') },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({
      url: 'https://chat.example/api/v1/chat.postMessage',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'UA',
        'X-Auth-Token': 'tok',
        'X-User-Id': 'uid-file',
      },
    });
  });

  it('200 with success:false gives up with the error; unparseable 200 is retried; 4xx/5xx by the common rule', async () => {
    const http = scriptedHttp(
      ok('{"success":false,"error":"error-room-not-found"}'),
      ok('<html>proxy</html>'),
      {
        outcome: { kind: 'http', status: 503 },
        message: 'HTTP 503',
        response: { status: 503, headers: {}, body: '' },
      },
      {
        outcome: { kind: 'http', status: 401 },
        message: 'HTTP 401: {"status":"error"}',
        response: { status: 401, headers: {}, body: '{"status":"error"}' },
      },
    );
    const n = new RocketchatNotifier({ ...C, channel: '#ops' }, templates, http, 1000, 'UA');
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'channel "#ops": error response from Rocket.Chat: error-room-not-found',
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      message: expect.stringMatching(/could not parse/),
    });
    expect(await n.send(testNotification(), signal)).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(await n.send(testNotification(), signal)).toMatchObject({ kind: 'give-up', reason: 'authError' });
  });

  it('nothing sent for a resolved group with send_resolved off (the default)', async () => {
    const http = scriptedHttp();
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    expect(await new RocketchatNotifier(C, templates, http, 1000, 'UA').send(n, signal)).toMatchObject({
      kind: 'ok',
      skipped: expect.any(String),
    });
    expect(http.sent).toHaveLength(0);
  });
});
