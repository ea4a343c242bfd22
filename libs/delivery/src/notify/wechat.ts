import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  secretOf,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { goFormEncode, goQueryEscape } from './sigv4';
import { webhookBody } from './webhook';

/** Alertmanager's defaults for the templated fields the entry leaves out. */
const DEFAULTS: Record<string, string> = {
  message: '{{ template "wechat.default.message" . }}',
  to_user: '{{ template "wechat.default.to_user" . }}',
  to_party: '{{ template "wechat.default.to_party" . }}',
  to_tag: '{{ template "wechat.default.to_tag" . }}',
  agent_id: '{{ template "wechat.default.agent_id" . }}',
};

/** Alertmanager refreshes the token after two hours (WeChat's tokens last 7200 s). */
export const WECHAT_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;

/**
 * errcodes meaning the access token is no longer good: 42001 expired (Alertmanager drops the token and
 * retries); 40014 invalid and 40001 invalid credential (Herald treats them the same: a fresh token is
 * fetched on the retry, and a wrong secret then fails at gettoken).
 */
const TOKEN_ERRORS = new Set([42001, 40014, 40001]);
/** -1 "system busy" and the API frequency limits: worth another try later. */
const BUSY = -1;
const RATE_LIMITS = new Set([45009, 45011, 45033]);

/** The message WeChat receives, fields in Alertmanager's order (empty strings left out, as Go's omitempty). */
export interface WechatMessage {
  text: { content: string };
  touser?: string;
  toparty?: string;
  totag?: string;
  agentid?: string;
  safe: '0';
  msgtype: string;
  markdown: { content: string };
}

/**
 * Renders the WeChat message of a notification (null: nothing to send), or a give-up when a template
 * fails.
 */
export function wechatMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: WechatMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const type = typeof c.message_type === 'string' && c.message_type !== '' ? c.message_type : 'text';
  const msg: WechatMessage = {
    text: { content: '' },
    touser: t('to_user'),
    toparty: t('to_party'),
    totag: t('to_tag'),
    agentid: t('agent_id'),
    safe: '0',
    msgtype: type,
    markdown: { content: '' },
  };
  // Both content objects are always sent (Go's omitempty does not apply to structs); one is filled.
  if (type === 'markdown') msg.markdown.content = t('message');
  else msg.text.content = t('message');
  for (const k of ['touser', 'toparty', 'totag', 'agentid'] as const) if (msg[k] === '') delete msg[k];
  const failure = x.failure();
  return failure ? { message: null, failure } : { message: msg };
}

/** JSON as Go's encoder writes it (HTML-sensitive characters escaped, trailing newline). */
export function goJson(v: unknown): string {
  return (
    JSON.stringify(v).replace(
      /[<>&\u2028\u2029]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ) + '\n'
  );
}

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

function parseAnswer(body: string): WechatAnswer | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null ? (v as WechatAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Alertmanager's WeChat (WeCom) integration: an access token from `gettoken` (cached per integration
 * until it expires or WeChat refuses it), then `message/send`.
 */
export class WechatNotifier extends HttpNotifier {
  override readonly kind = 'wechat';
  private token: { value: string; expiresAt: number } | undefined;

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = wechatMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const base = String(this.c.api_url);
    if (!this.token || this.clock.now() >= this.token.expiresAt) {
      const got = await this.fetchToken(n, signal);
      if (typeof got !== 'string') return got;
    }
    const token = this.token!.value;
    const r = await this.request(
      {
        method: 'POST',
        url: `${base}message/send?${goFormEncode({ access_token: token })}`,
        body: goJson(message),
        contentType: 'application/json',
      },
      signal,
    );
    const res = r.response;
    if (!res || res.status < 200 || res.status >= 300) return httpSendResult(r);
    const answer = parseAnswer(res.body);
    if (!answer)
      return {
        kind: 'retry',
        reason: 'other',
        message: 'wechat: message/send answered no JSON',
        status: res.status,
      };
    const code = Number(answer.errcode ?? 0);
    if (code === 0) return { kind: 'ok' };
    const text = `wechat: message/send errcode ${code}: ${answer.errmsg ?? ''}`.trimEnd();
    if (TOKEN_ERRORS.has(code)) {
      // Dropped so the next attempt fetches a new one (only if no other send replaced it meanwhile).
      if (this.token?.value === token) this.token = undefined;
      return { kind: 'retry', reason: 'authError', message: text, status: res.status };
    }
    if (code === BUSY) return { kind: 'retry', reason: 'serverError', message: text, status: res.status };
    if (RATE_LIMITS.has(code))
      return { kind: 'retry', reason: 'rateLimited', message: text, status: res.status };
    return { kind: 'give-up', reason: 'clientError', message: text, status: res.status };
  }

  /** GET gettoken; caches the token and returns it, or the send result of the failure. */
  private async fetchToken(n: Notification, signal: AbortSignal): Promise<string | SendResult> {
    let secret: string;
    try {
      secret = secretOf(this.c, 'api_secret') ?? '';
    } catch (e) {
      return {
        kind: 'give-up',
        reason: 'other',
        message: `wechat: reading api_secret_file: ${(e as Error).message}`,
      };
    }
    // Alertmanager expands corp_id and the secret as templates too (with the notification's data).
    const x = expanderFor(
      this.templates,
      webhookBody(n.payload, this.c.send_resolved === true, 0) ?? n.payload,
    );
    const corpsecret = x.text(secret);
    // Template errors may quote the template: never the secret's.
    if (x.error)
      return {
        kind: 'give-up',
        reason: 'other',
        message: 'wechat: expanding api_secret as a template failed',
      };
    const corpid = x.text(this.c.corp_id);
    const failed = x.failure();
    if (failed) return failed;
    const r = await this.http.request({
      method: 'GET',
      url: `${String(this.c.api_url)}gettoken?${goFormEncode({ corpsecret, corpid })}`,
      headers: { 'User-Agent': this.userAgent },
      timeoutMs: this.timeoutMs,
      signal,
    });
    const res = r.response;
    if (!res || res.status < 200 || res.status >= 300) {
      const result = httpSendResult(r);
      // The URL carries the secret; make sure no message repeats it.
      return result.kind === 'ok' || corpsecret === ''
        ? result
        : {
            ...result,
            message: `wechat: gettoken: ${[corpsecret, goQueryEscape(corpsecret)].reduce(
              (m, s) => m.split(s).join('<secret>'),
              result.message,
            )}`,
          };
    }
    const answer = parseAnswer(res.body);
    const code = Number(answer?.errcode ?? 0);
    const detail = answer?.errmsg ? ` (errcode ${code}: ${answer.errmsg})` : '';
    if (code === BUSY)
      return {
        kind: 'retry',
        reason: 'serverError',
        message: `wechat: gettoken${detail}`,
        status: res.status,
      };
    if (RATE_LIMITS.has(code))
      return {
        kind: 'retry',
        reason: 'rateLimited',
        message: `wechat: gettoken${detail}`,
        status: res.status,
      };
    if (!answer?.access_token)
      return {
        kind: 'give-up',
        reason: 'authError',
        message: `wechat: invalid api_secret for corp_id ${JSON.stringify(corpid)}${detail}`,
        status: res.status,
      };
    const ttl =
      typeof answer.expires_in === 'number' && answer.expires_in > 0
        ? Math.min(answer.expires_in * 1000, WECHAT_TOKEN_TTL_MS)
        : WECHAT_TOKEN_TTL_MS;
    this.token = { value: answer.access_token, expiresAt: this.clock.now() + ttl };
    return answer.access_token;
  }
}

export const wechat = httpIntegration(WechatNotifier);
