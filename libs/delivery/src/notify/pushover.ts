import type { TemplateSet } from '@herald/domain';
import type { HttpClient, HttpResult } from '../http-client';
import { resultOf, type SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  integrationHttp,
  secretOf,
  truncateRunes,
  type IntegrationFactory,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
} from './context';
import { webhookBody } from './webhook';

/** Pushover's Messages API: a fixed URL (Alertmanager has no setting for it; proxy_url reroutes). */
export const PUSHOVER_API_URL = 'https://api.pushover.net/1/messages.json';

/** Pushover's limits (https://pushover.net/api#limits), in runes; Alertmanager truncates to them. */
export const PUSHOVER_MAX_TITLE_RUNES = 250;
export const PUSHOVER_MAX_MESSAGE_RUNES = 1024;
export const PUSHOVER_MAX_URL_RUNES = 512;

const DEFAULTS: Record<string, string> = {
  title: '{{ template "pushover.default.title" . }}',
  message: '{{ template "pushover.default.message" . }}',
  url: '{{ template "pushover.default.url" . }}',
  // Emergency while firing (repeated every `retry` until acknowledged or `expire`), normal when resolved.
  priority: '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
};

const GO_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Whole seconds of a Go duration (`90s`, `1m30s`, `1.5h`) as Go's int64(d.Seconds()); 0 when malformed. */
export function goDurationWholeSeconds(value: unknown): number {
  if (value === 0 || typeof value !== 'string') return 0;
  let s = value;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  let total = 0;
  const re = /^(\d*(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m) return 0;
    total += Number(m[1]) * GO_UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return Math.trunc(sign * total);
}

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay as they are, spaces become "+". */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, each pair query-escaped. */
export function encodeQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${queryEscape(k)}=${queryEscape(params[k])}`)
    .join('&');
}

/**
 * The Messages API parameters of a notification (null: nothing to send), or a give-up when a template
 * fails. `token`/`user` are the secrets as read (Alertmanager expands them as templates too).
 */
export function pushoverParams(
  c: Raw,
  secrets: { token: string; user: string },
  templates: TemplateSet,
  n: Notification,
): { params: Record<string, string> | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { params: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const p: Record<string, string> = {
    token: x.text(secrets.token),
    user: x.text(secrets.user),
    title: truncateRunes(t('title'), PUSHOVER_MAX_TITLE_RUNES).value,
  };
  let message: string;
  if (c.html === true) {
    p.html = '1';
    message = x.html(c.message === undefined ? DEFAULTS.message : c.message);
  } else {
    message = t('message');
  }
  if (c.monospace === true) p.monospace = '1';
  // Pushover refuses an empty message.
  p.message = truncateRunes(message, PUSHOVER_MAX_MESSAGE_RUNES).value.trim() || '(no details)';
  p.url = truncateRunes(t('url'), PUSHOVER_MAX_URL_RUNES).value;
  p.url_title = t('url_title');
  p.priority = t('priority');
  p.retry = String(goDurationWholeSeconds(c.retry ?? '1m'));
  p.expire = String(goDurationWholeSeconds(c.expire ?? '1h'));
  // Alertmanager HEAD always adds device (also empty); an empty device means "all devices" to
  // Pushover, so it is sent only when set (0.25 had no device at all).
  const device = t('device');
  if (device !== '') p.device = device;
  p.sound = t('sound');
  const ttl = goDurationWholeSeconds(c.ttl);
  if (ttl > 0) p.ttl = String(ttl);
  const failure = x.failure();
  return failure ? { params: null, failure } : { params: p };
}

/**
 * The send result of a Messages API answer: {"status": 1} is accepted; {"status": 0, "errors": […]}
 * is refused input (given up with Pushover's errors) unless the HTTP status says retry (429, 5xx).
 */
export function pushoverResult(r: HttpResult): SendResult {
  const res = r.response;
  if (!res) return httpSendResult(r);
  let answer: { status?: unknown; errors?: unknown } | undefined;
  try {
    const o: unknown = JSON.parse(res.body);
    if (typeof o === 'object' && o !== null) answer = o as typeof answer;
  } catch {
    /* not JSON: the HTTP status decides */
  }
  const base = httpSendResult(r);
  if (!answer) return base;
  const errors = Array.isArray(answer.errors) ? answer.errors.map(String).join('; ') : '';
  if (base.kind === 'ok') {
    if (answer.status === 1 || answer.status === undefined) return base;
    return resultOf(
      { kind: 'http', status: 400 },
      `pushover: ${errors || `status ${String(answer.status)}`}`,
    );
  }
  return errors ? { ...base, message: `pushover: ${errors} (HTTP ${res.status})` } : base;
}

/** Alertmanager's Pushover integration: the parameters in the query of an empty text/plain POST. */
export class PushoverNotifier extends HttpNotifier {
  override readonly kind = 'pushover';

  constructor(
    c: Raw,
    templates: TemplateSet,
    http: HttpClient,
    timeoutMs: number,
    userAgent: string,
    private readonly apiUrl = PUSHOVER_API_URL,
  ) {
    super(c, templates, http, timeoutMs, userAgent);
  }

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    let secrets: { token: string; user: string };
    try {
      secrets = { token: secretOf(this.c, 'token') ?? '', user: secretOf(this.c, 'user_key') ?? '' };
    } catch (e) {
      // Alertmanager gives up when token_file/user_key_file cannot be read.
      return { kind: 'give-up', reason: 'other', message: `pushover: ${(e as Error).message}` };
    }
    const { params, failure } = pushoverParams(this.c, secrets, this.templates, n);
    if (failure) return failure;
    if (!params) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    // As Alertmanager: everything (token and user key included) in the query, so the URL is never
    // logged; the HTTP client's messages carry the status and body only.
    const r = await this.request(
      { url: `${this.apiUrl}?${encodeQuery(params)}`, body: '', contentType: 'text/plain' },
      signal,
    );
    return pushoverResult(r);
  }
}

export const pushover: IntegrationFactory = (entry, deps) => {
  const { http, timeoutMs } = integrationHttp(entry, deps);
  return new PushoverNotifier(entry.config, deps.templates, http, timeoutMs, deps.userAgent);
};
