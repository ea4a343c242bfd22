import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpAnswer, oneResolved, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  PUSHOVER_API_URL,
  PUSHOVER_MAX_MESSAGE_RUNES,
  PUSHOVER_MAX_TITLE_RUNES,
  PUSHOVER_MAX_URL_RUNES,
  PushoverNotifier,
  encodeQuery,
  goDurationWholeSeconds,
  pushoverParams,
  pushoverResult,
} from './pushover';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const secrets = { token: 'tok', user: 'usr' };
const base = { user_key: 'usr', token: 'tok', retry: '1m', expire: '1h', send_resolved: true };

const answer = (status: number, body: unknown): HttpResult => httpAnswer(status, JSON.stringify(body));

const scriptedHttp = (...results: HttpResult[]) =>
  scriptedHttpOr(() => answer(200, { status: 1, request: 'r' }), results);

const resolved = oneResolved;

describe('pushover parameters', () => {
  it("defaults: Alertmanager's title/message/url, emergency priority while firing with retry/expire in seconds", () => {
    const { params } = pushoverParams(base, secrets, templates, testNotification());
    expect(Object.keys(params!)).toEqual([
      'token',
      'user',
      'title',
      'message',
      'url',
      'url_title',
      'priority',
      'retry',
      'expire',
      'sound',
    ]);
    expect(params).toMatchObject({
      token: 'tok',
      user: 'usr',
      title: '[FIRING:3] HighCPU (db)',
      url: 'http://herald.example:9093/#/alerts?receiver=team-db',
      url_title: '',
      priority: '2',
      retry: '60',
      expire: '3600',
      sound: '',
    });
    // Trimmed, as Alertmanager trims the message.
    expect(params!.message).toMatch(/^Alerts Firing:\nLabels:\n - alertname = HighCPU\n/);
  });

  it('normal priority once resolved', () => {
    expect(pushoverParams(base, secrets, templates, resolved()).params!.priority).toBe('0');
  });

  it('html expands with escaping and sends html=1; monospace sends monospace=1; device and ttl only when set', () => {
    const n = testNotification({ alerts: [testAlert({ alertname: 'A' }, { summary: '<x>' })] });
    const html = pushoverParams(
      { ...base, html: true, message: '<b>{{ .CommonAnnotations.summary }}</b>' },
      secrets,
      templates,
      n,
    );
    expect(html.params).toMatchObject({ html: '1', message: '<b>&lt;x&gt;</b>' });
    const mono = pushoverParams(
      { ...base, monospace: true, device: 'phone-{{ .CommonLabels.alertname }}', ttl: '1h30m' },
      secrets,
      templates,
      n,
    );
    expect(mono.params).toMatchObject({ monospace: '1', device: 'phone-A', ttl: '5400' });
    expect(mono.params).not.toHaveProperty('html');
  });

  it('truncates title, message and url to Pushover limits in runes; an empty message becomes "(no details)"', () => {
    const { params } = pushoverParams(
      { ...base, title: 'é'.repeat(300), message: '🔥'.repeat(2000), url: `https://x/${'a'.repeat(600)}` },
      secrets,
      templates,
      testNotification(),
    );
    expect([...params!.title]).toHaveLength(PUSHOVER_MAX_TITLE_RUNES);
    expect([...params!.message]).toHaveLength(PUSHOVER_MAX_MESSAGE_RUNES);
    expect([...params!.url]).toHaveLength(PUSHOVER_MAX_URL_RUNES);
    expect(params!.message.endsWith('…')).toBe(true);
    expect(
      pushoverParams({ ...base, message: '  \n' }, secrets, templates, testNotification()).params!.message,
    ).toBe('(no details)');
  });

  it('templated priority and secrets (as Alertmanager expands them); template errors give up', () => {
    const { params } = pushoverParams(
      { ...base, priority: '{{ if eq .CommonLabels.team "db" }}1{{ else }}0{{ end }}' },
      { token: 'tok', user: '{{ .CommonLabels.team }}-key' },
      templates,
      testNotification(),
    );
    expect(params).toMatchObject({ priority: '1', user: 'db-key' });
    expect(
      pushoverParams({ ...base, title: '{{ template "x" . }}' }, secrets, templates, testNotification())
        .failure,
    ).toMatchObject({
      kind: 'give-up',
    });
  });

  it('nothing to send for resolved alerts without send_resolved', () => {
    expect(
      pushoverParams({ ...base, send_resolved: false }, secrets, templates, resolved()).params,
    ).toBeNull();
  });
});

describe('pushover helpers', () => {
  it("encodeQuery is Go's url.Values.Encode (sorted keys, + for spaces, !'()* escaped)", () => {
    expect(encodeQuery({ b: "a b!'()*~", a: 'x/y&z=é' })).toBe('a=x%2Fy%26z%3D%C3%A9&b=a+b%21%27%28%29%2A~');
  });

  it('goDurationWholeSeconds truncates like int64(d.Seconds())', () => {
    expect(goDurationWholeSeconds('2m')).toBe(120);
    expect(goDurationWholeSeconds('1.9s')).toBe(1);
    expect(goDurationWholeSeconds(0)).toBe(0);
    expect(goDurationWholeSeconds(undefined)).toBe(0);
  });
});

describe('pushover answers', () => {
  it('{"status": 1} is delivered', () => {
    expect(pushoverResult(answer(200, { status: 1, request: 'r' }))).toEqual({ kind: 'ok' });
  });

  it('{"status": 0, "errors": […]} gives up with the errors', () => {
    expect(
      pushoverResult(answer(400, { status: 0, errors: ['user identifier is invalid'], request: 'r' })),
    ).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'pushover: user identifier is invalid (HTTP 400)',
    });
    expect(
      pushoverResult(answer(200, { status: 0, errors: ['application token is invalid'] })),
    ).toMatchObject({
      kind: 'give-up',
      message: 'pushover: application token is invalid',
    });
  });

  it('429 and 5xx are retried', () => {
    expect(pushoverResult(answer(429, { status: 0, errors: ['quota'] }))).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
    });
    expect(pushoverResult(answer(500, { status: 0, errors: ['x'] }))).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
    });
  });
});

describe('PushoverNotifier', () => {
  it('POSTs an empty text/plain body with every parameter in the query of the fixed URL', async () => {
    const http = scriptedHttp();
    const r = await new PushoverNotifier(base, templates, http, 1000, 'UA').send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    const u = new URL(http.sent[0].url);
    expect(`${u.origin}${u.pathname}`).toBe(PUSHOVER_API_URL);
    expect(u.searchParams.get('token')).toBe('tok');
    expect(u.searchParams.get('user')).toBe('usr');
    expect(u.searchParams.get('priority')).toBe('2');
    expect(http.sent[0]).toMatchObject({
      body: '',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': 'UA' },
    });
  });

  it('reads token_file and user_key_file at each send (trimmed); unreadable files give up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-'));
    writeFileSync(join(dir, 't'), 'file-tok\n');
    writeFileSync(join(dir, 'u'), 'file-usr\n');
    const http = scriptedHttp();
    const c = {
      ...base,
      token: undefined,
      user_key: undefined,
      token_file: join(dir, 't'),
      user_key_file: join(dir, 'u'),
    };
    await new PushoverNotifier(c, templates, http, 1000, 'UA').send(testNotification(), signal);
    const u = new URL(http.sent[0].url);
    expect([u.searchParams.get('token'), u.searchParams.get('user')]).toEqual(['file-tok', 'file-usr']);
    const r = await new PushoverNotifier(
      { ...c, token_file: join(dir, 'nope') },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'give-up', reason: 'other' });
    expect(http.sent).toHaveLength(1);
  });

  it('never puts the token or user key into a result message', async () => {
    const http = scriptedHttp(answer(400, { status: 0, errors: ['application token is invalid'] }));
    const r = await new PushoverNotifier({ ...base, token: 'sekret-tok' }, templates, http, 1000, 'UA').send(
      testNotification(),
      signal,
    );
    expect(r.kind).toBe('give-up');
    expect(JSON.stringify(r)).not.toMatch(/sekret-tok|usr/);
  });
});
