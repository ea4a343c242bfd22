import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertmanagerTemplates, FakeClock } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpClient, HttpRequest, HttpResult } from '../http-client';
import { goJson, WECHAT_TOKEN_TTL_MS, wechatMessage, WechatNotifier } from './wechat';

const templates = alertmanagerTemplates();
const API = 'http://wechat.local/cgi-bin/';
const BASE = {
  api_url: API,
  api_secret: 'sec ret',
  corp_id: 'corp',
  message_type: 'text',
  send_resolved: true,
};

const json = (status: number, v: unknown): HttpResult => ({
  outcome: { kind: 'http', status },
  message: `HTTP ${status}`,
  response: { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) },
});
const TOKEN_OK = json(200, { errcode: 0, errmsg: 'ok', access_token: 'tok-1', expires_in: 7200 });
const SENT = json(200, { errcode: 0, errmsg: 'ok' });

/** An HttpClient answering from a script (a function of the request), recording the requests. */
class ScriptedHttp implements HttpClient {
  readonly requests: HttpRequest[] = [];
  constructor(private readonly answer: (req: HttpRequest, i: number) => HttpResult) {}
  request(req: HttpRequest): Promise<HttpResult> {
    this.requests.push(req);
    return Promise.resolve(this.answer(req, this.requests.length - 1));
  }
}

const notifier = (http: HttpClient, c: Record<string, unknown> = BASE, clock = new FakeClock(0)) =>
  new WechatNotifier(c, templates, http, 5000, 'Herald/test', clock);
const signal = new AbortController().signal;
const isToken = (r: HttpRequest) => r.url.includes('/gettoken?');

describe('wechatMessage', () => {
  it("renders Alertmanager's defaults: text type, default message, empty recipients left out", () => {
    const { message } = wechatMessage({ ...BASE }, templates, testNotification());
    expect(Object.keys(message!)).toEqual(['text', 'safe', 'msgtype', 'markdown']);
    expect(message!.msgtype).toBe('text');
    expect(message!.text.content).toMatch(/^\[FIRING:3\] HighCPU \(db\)\n/);
    expect(message!.text.content).toContain(
      'AlertmanagerUrl:\nhttp://herald.example:9093/#/alerts?receiver=team-db',
    );
    expect(message!.markdown).toEqual({ content: '' });
  });

  it('fills markdown instead of text for message_type markdown, with templated recipients', () => {
    const { message } = wechatMessage(
      {
        ...BASE,
        message_type: 'markdown',
        message: '**{{ .Status }}**',
        to_user: '{{ .CommonLabels.team }}',
        to_party: '2',
        to_tag: '3',
        agent_id: '1000002',
      },
      templates,
      testNotification(),
    );
    expect(message).toEqual({
      text: { content: '' },
      touser: 'db',
      toparty: '2',
      totag: '3',
      agentid: '1000002',
      safe: '0',
      msgtype: 'markdown',
      markdown: { content: '**firing**' },
    });
  });

  it('gives up on a template failing at send time', () => {
    const { message, failure } = wechatMessage(
      { ...BASE, to_tag: '{{ template "nope" . }}' },
      templates,
      testNotification(),
    );
    expect(message).toBeNull();
    expect(failure).toMatchObject({ kind: 'give-up', reason: 'other' });
  });

  it('goJson writes what Go’s encoder writes (HTML characters escaped, newline)', () => {
    expect(goJson({ a: '<b> & c\u2028' })).toBe('{"a":"\\u003cb\\u003e \\u0026 c\\u2028"}\n');
  });
});

describe('WechatNotifier', () => {
  it('gets a token once (corpid/corpsecret query), then posts message/send with it', async () => {
    const http = new ScriptedHttp((r) => (isToken(r) ? TOKEN_OK : SENT));
    const w = notifier(http);
    expect(await w.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(await w.send(testNotification({ seq: 2 }), signal)).toEqual({ kind: 'ok' });
    expect(http.requests.map((r) => `${r.method ?? 'POST'} ${r.url}`)).toEqual([
      `GET ${API}gettoken?corpid=corp&corpsecret=sec+ret`,
      `POST ${API}message/send?access_token=tok-1`,
      `POST ${API}message/send?access_token=tok-1`,
    ]);
    expect(http.requests[1].headers).toEqual({
      'Content-Type': 'application/json',
      'User-Agent': 'Herald/test',
    });
    expect(JSON.parse(String(http.requests[1].body))).toMatchObject({ msgtype: 'text', safe: '0' });
  });

  it('fetches a new token once the cached one expired (expires_in, at most two hours)', async () => {
    const clock = new FakeClock(0);
    const http = new ScriptedHttp((r) =>
      isToken(r) ? json(200, { errcode: 0, access_token: 'tok', expires_in: 60 }) : SENT,
    );
    const w = notifier(http, BASE, clock);
    await w.send(testNotification(), signal);
    clock.advance(59_000);
    await w.send(testNotification(), signal);
    clock.advance(1_000);
    await w.send(testNotification(), signal);
    expect(http.requests.filter(isToken)).toHaveLength(2);
    expect(WECHAT_TOKEN_TTL_MS).toBe(7_200_000);
  });

  it.each([42001, 40014])(
    'errcode %i (token expired/invalid): retried, and the next send gets a new token',
    async (code) => {
      let sends = 0;
      const http = new ScriptedHttp((r) =>
        isToken(r)
          ? TOKEN_OK
          : ++sends === 1
            ? json(200, { errcode: code, errmsg: 'access_token expired' })
            : SENT,
      );
      const w = notifier(http);
      expect(await w.send(testNotification(), signal)).toMatchObject({
        kind: 'retry',
        message: `wechat: message/send errcode ${code}: access_token expired`,
      });
      expect(await w.send(testNotification(), signal)).toEqual({ kind: 'ok' });
      expect(http.requests.filter(isToken)).toHaveLength(2);
    },
  );

  it('any other errcode gives up with WeChat’s errmsg; -1 (busy) and 45009 (rate limit) are retried', async () => {
    const answer = (v: unknown) => notifier(new ScriptedHttp((r) => (isToken(r) ? TOKEN_OK : json(200, v))));
    expect(
      await answer({ errcode: 81013, errmsg: 'user & party & tag all invalid' }).send(
        testNotification(),
        signal,
      ),
    ).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      message: 'wechat: message/send errcode 81013: user & party & tag all invalid',
      status: 200,
    });
    expect(
      await answer({ errcode: -1, errmsg: 'system busy' }).send(testNotification(), signal),
    ).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
    });
    expect(
      await answer({ errcode: 45009, errmsg: 'api freq out of limit' }).send(testNotification(), signal),
    ).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
    });
  });

  it('gettoken without an access_token gives up (wrong secret), naming corp_id and errmsg, not the secret', async () => {
    const http = new ScriptedHttp(() => json(200, { errcode: 40001, errmsg: 'invalid credential' }));
    const r = await notifier(http).send(testNotification(), signal);
    expect(r).toEqual({
      kind: 'give-up',
      reason: 'authError',
      message: 'wechat: invalid api_secret for corp_id "corp" (errcode 40001: invalid credential)',
      status: 200,
    });
    expect(JSON.stringify(r)).not.toContain('sec ret');
    expect(http.requests).toHaveLength(1);
  });

  it('HTTP failures follow the common rule (5xx retried, 4xx given up), for gettoken and message/send', async () => {
    const status = (s: number, on: 'token' | 'send') =>
      notifier(
        new ScriptedHttp((r) => {
          const hit = on === 'token' ? isToken(r) : !isToken(r);
          return hit ? json(s, {}) : isToken(r) ? TOKEN_OK : SENT;
        }),
      ).send(testNotification(), signal);
    expect(await status(503, 'token')).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(await status(400, 'token')).toMatchObject({ kind: 'give-up', reason: 'clientError' });
    expect(await status(502, 'send')).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(await status(404, 'send')).toMatchObject({ kind: 'give-up', reason: 'clientError' });
  });

  it('keeps the secret out of a transport failure message of gettoken', async () => {
    const http = new ScriptedHttp(() => ({
      outcome: { kind: 'transport', timeout: false, message: 'reset' },
      message: `request to ${API}gettoken?corpsecret=sec+ret (sec ret) failed`,
    }));
    const r = await notifier(http).send(testNotification(), signal);
    expect(r).toMatchObject({ kind: 'retry', reason: 'other' });
    expect(JSON.stringify(r)).not.toContain('sec ret');
    expect(JSON.stringify(r)).not.toContain('sec+ret');
  });

  it('a secret failing as a template gives up without quoting it', async () => {
    const http = new ScriptedHttp(() => SENT);
    const r = await notifier(http, { ...BASE, api_secret: 'pw{{ template "hunter2" . }}' }).send(
      testNotification(),
      signal,
    );
    expect(r).toEqual({
      kind: 'give-up',
      reason: 'other',
      message: 'wechat: expanding api_secret as a template failed',
    });
    expect(http.requests).toHaveLength(0);
  });

  it('reads api_secret_file at each token fetch (rotation)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wechat-')), 'secret');
    writeFileSync(file, 'first\n');
    const clock = new FakeClock(0);
    const http = new ScriptedHttp((r) => (isToken(r) ? TOKEN_OK : SENT));
    const w = notifier(http, { ...BASE, api_secret: undefined, api_secret_file: file }, clock);
    await w.send(testNotification(), signal);
    writeFileSync(file, 'second');
    clock.advance(WECHAT_TOKEN_TTL_MS);
    await w.send(testNotification(), signal);
    expect(http.requests.filter(isToken).map((r) => new URL(r.url).searchParams.get('corpsecret'))).toEqual([
      'first',
      'second',
    ]);
  });

  it('sends nothing for an all-resolved group without send_resolved', async () => {
    const http = new ScriptedHttp(() => SENT);
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true)],
    });
    expect(await notifier(http, { ...BASE, send_resolved: false }).send(n, signal)).toMatchObject({
      kind: 'ok',
      skipped: expect.any(String),
    });
    expect(http.requests).toHaveLength(0);
  });
});
