import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  TELEGRAM_MAX_MESSAGE_RUNES,
  TELEGRAM_TOO_LONG_NOTICE,
  TelegramNotifier,
  telegramMessage,
  telegramResult,
} from './telegram';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const API = 'http://tg.example';

const answer = (status: number, body: unknown, retryAfterMs?: number): HttpResult => ({
  outcome: { kind: 'http', status, retryAfterMs },
  message: `HTTP ${status}`,
  response: { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
});
const OK = answer(200, { ok: true, result: { message_id: 1, chat: { id: 1 } } });

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => OK, results);

const base = { api_url: API, bot_token: 'tok', chat_id: -100123, parse_mode: 'HTML', send_resolved: true };

describe('telegram message', () => {
  it('defaults: HTML parse mode, link previews off, every value a string (as telebot sends them)', () => {
    const { message } = telegramMessage(base, templates, testNotification());
    expect(Object.keys(message!)).toEqual(['disable_web_page_preview', 'parse_mode', 'text']);
    expect(message).toMatchObject({ disable_web_page_preview: 'true', parse_mode: 'HTML' });
    expect(message!.text).toMatch(/^\n\nAlerts Firing:\nLabels:\n - alertname = HighCPU\n/);
  });

  it('HTML mode escapes template values but keeps the markup of the template', () => {
    const n = testNotification({ alerts: [testAlert({ alertname: 'A' }, { summary: 'a <b> & "c"' })] });
    const { message } = telegramMessage(
      { ...base, message: '<b>{{ .CommonAnnotations.summary }}</b>' },
      templates,
      n,
    );
    expect(message!.text).toBe('<b>a &lt;b&gt; &amp; &#34;c&#34;</b>');
  });

  it('Markdown modes expand as text; "" sends no parse_mode', () => {
    const n = testNotification({ alerts: [testAlert({ alertname: 'A' }, { summary: '<x>' })] });
    const c = { ...base, message: '*{{ .CommonAnnotations.summary }}*' };
    expect(telegramMessage({ ...c, parse_mode: 'MarkdownV2' }, templates, n).message).toMatchObject({
      parse_mode: 'MarkdownV2',
      text: '*<x>*',
    });
    expect(telegramMessage({ ...c, parse_mode: '' }, templates, n).message).not.toHaveProperty('parse_mode');
  });

  it('disable_notifications and message_thread_id', () => {
    const { message } = telegramMessage(
      { ...base, disable_notifications: true, message_thread_id: 42 },
      templates,
      testNotification(),
    );
    expect(message).toMatchObject({ disable_notification: 'true', message_thread_id: '42' });
  });

  it('over 4096 runes: truncated in Markdown modes, replaced by a notice in HTML (cut HTML is refused)', () => {
    const long = '🔥'.repeat(5000);
    const md = telegramMessage(
      { ...base, parse_mode: 'Markdown', message: long },
      templates,
      testNotification(),
    );
    expect([...md.message!.text]).toHaveLength(TELEGRAM_MAX_MESSAGE_RUNES);
    expect(md.message!.text.endsWith('🔥…')).toBe(true);
    const html = telegramMessage({ ...base, message: long }, templates, testNotification());
    expect(html.message!.text).toBe(TELEGRAM_TOO_LONG_NOTICE);
  });

  it('nothing to send for resolved alerts without send_resolved; template errors give up', () => {
    const n = testNotification({ state: 'recovery', alerts: [testAlert({ alertname: 'X' }, {}, true)] });
    expect(telegramMessage({ ...base, send_resolved: false }, templates, n).message).toBeNull();
    expect(
      telegramMessage({ ...base, message: '{{ template "x" . }}' }, templates, testNotification()).failure,
    ).toMatchObject({ kind: 'give-up', reason: 'other' });
  });
});

describe('telegram answers', () => {
  it('{"ok": true} is delivered', () => {
    expect(telegramResult(OK)).toEqual({ kind: 'ok' });
  });

  it('{"ok": false} on a 200 is a give-up with the description', () => {
    expect(
      telegramResult(answer(200, { ok: false, description: 'Bad Request: chat not found' })),
    ).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'telegram: Bad Request: chat not found (400)',
    });
  });

  it('error codes decide: 403 authError, 400 clientError, 429 retried after parameters.retry_after, 5xx retried', () => {
    expect(
      telegramResult(answer(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked' })),
    ).toMatchObject({
      kind: 'give-up',
      reason: 'authError',
    });
    expect(
      telegramResult(
        answer(400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities" }),
      ),
    ).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: expect.stringContaining("can't parse entities"),
    });
    expect(
      telegramResult(
        answer(
          429,
          {
            ok: false,
            error_code: 429,
            description: 'Too Many Requests: retry after 7',
            parameters: { retry_after: 7 },
          },
          1000,
        ),
      ),
    ).toMatchObject({ kind: 'retry', reason: 'rateLimited', retryAfterMs: 7000 });
    expect(
      telegramResult(answer(502, { ok: false, error_code: 502, description: 'Bad Gateway' })),
    ).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
    });
  });

  it('a non-JSON answer or a transport error follows the HTTP rule', () => {
    expect(
      telegramResult({
        outcome: { kind: 'http', status: 502 },
        message: 'HTTP 502',
        response: { status: 502, headers: {}, body: '<html>' },
      }),
    ).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(
      telegramResult({ outcome: { kind: 'transport', timeout: true, message: 't' }, message: 't' }),
    ).toMatchObject({
      kind: 'retry',
    });
  });
});

describe('TelegramNotifier', () => {
  it('POSTs JSON to <api_url>/bot<token>/sendMessage with chat_id as a string', async () => {
    const http = scriptedHttp();
    const r = await new TelegramNotifier(base, templates, http, 1000, 'UA').send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({
      url: `${API}/bottok/sendMessage`,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'UA' },
    });
    expect(JSON.parse(String(http.sent[0].body))).toMatchObject({ chat_id: '-100123', parse_mode: 'HTML' });
  });

  it('reads bot_token_file and chat_id_file at each send; an unreadable or bad file is retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-'));
    writeFileSync(join(dir, 'token'), 'file-tok\n');
    writeFileSync(join(dir, 'chat'), ' 4242\n');
    const http = scriptedHttp();
    const c = {
      ...base,
      bot_token: undefined,
      chat_id: undefined,
      bot_token_file: join(dir, 'token'),
      chat_id_file: join(dir, 'chat'),
    };
    const n = new TelegramNotifier(c, templates, http, 1000, 'UA');
    expect(await n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent[0].url).toBe(`${API}/botfile-tok/sendMessage`);
    expect(JSON.parse(String(http.sent[0].body)).chat_id).toBe('4242');
    writeFileSync(join(dir, 'chat'), 'not-a-number');
    expect(await n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      message: expect.stringContaining('could not parse chat_id'),
    });
    const missing = new TelegramNotifier(
      { ...c, bot_token_file: join(dir, 'nope') },
      templates,
      http,
      1000,
      'UA',
    );
    expect(await missing.send(testNotification(), signal)).toMatchObject({ kind: 'retry', reason: 'other' });
    expect(http.sent).toHaveLength(1);
  });

  it('never puts the bot token into a result message', async () => {
    const http = scriptedHttp(answer(401, { ok: false, error_code: 401, description: 'Unauthorized' }));
    const r = await new TelegramNotifier(
      { ...base, bot_token: 'sekret-token' },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'give-up', reason: 'authError' });
    expect(JSON.stringify(r)).not.toContain('sekret-token');
  });
});
