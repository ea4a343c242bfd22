import { createHash } from 'node:crypto';
import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { goFormEncode, signV4 } from './sigv4';
import { webhookBody } from './webhook';

/** SNS's limit on a message (bytes); Alertmanager truncates to it and flags the cut. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Alertmanager's limit for SMS (`phone_number`) messages, also counted in bytes. */
export const SNS_MAX_SMS_BYTES = 1600;

const DEFAULTS: Record<string, string> = {
  subject: '{{ template "sns.default.subject" . }}',
  message: '{{ template "sns.default.message" . }}',
};

/**
 * AWS error codes that mean "slow down" whatever the HTTP status (AWS answers most with 400): retried
 * like a 429 rather than given up as a client error.
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'Throttled',
  'ThrottledException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'KMSThrottling',
  'KMSThrottlingException',
]);

/** The Publish call of a notification, before signing. */
export interface SnsPublish {
  /** Endpoint URL (path ends in '/', as the AWS SDK sends it). */
  url: string;
  /** Form fields (Go's url.Values.Encode order applies when encoded). */
  form: Record<string, string>;
  /** The message was cut to the size limit (the `truncated` attribute is set). */
  truncated: boolean;
}

/** Cuts `s` to at most `max` UTF-8 bytes on a character boundary. */
function cutBytes(s: string, max: number): { value: string; truncated: boolean } {
  if (Buffer.byteLength(s) <= max) return { value: s, truncated: false };
  let out = '';
  let size = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch);
    if (size + b > max) break;
    out += ch;
    size += b;
  }
  return { value: out, truncated: true };
}

/** SNS's regional endpoint (the AWS SDK's default when `api_url` is empty). */
export function snsEndpoint(region: string): string {
  return `https://sns.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}/`;
}

/**
 * Builds the Publish request of a notification as Alertmanager's SNS integration does (null: nothing
 * to send), or a give-up when a template fails or `api_url` expands to no URL.
 */
export function snsPublish(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { publish: SnsPublish | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { publish: null };
  const x = expanderFor(templates, payload);
  const sigv4 = (c.sigv4 ?? {}) as Raw;
  const apiUrl = x.text(c.api_url);
  const attributes = new Map<string, string>();
  for (const [k, v] of Object.entries((c.attributes ?? {}) as Raw)) attributes.set(x.text(k), x.text(v));
  const form: Record<string, string> = { Action: 'Publish', Version: '2010-03-31' };
  let limit = SNS_MAX_MESSAGE_BYTES;
  if (typeof c.topic_arn === 'string' && c.topic_arn !== '') {
    const arn = x.text(c.topic_arn);
    form.TopicArn = arn;
    // FIFO topics need a group and a dedup id: the group key's hash, as Alertmanager sends.
    if (arn.endsWith('.fifo')) {
      const hash = createHash('sha256').update(n.groupKey).digest('hex');
      form.MessageDeduplicationId = hash;
      form.MessageGroupId = hash;
    }
  }
  if (typeof c.phone_number === 'string' && c.phone_number !== '') {
    form.PhoneNumber = x.text(c.phone_number);
    limit = SNS_MAX_SMS_BYTES;
  }
  if (typeof c.target_arn === 'string' && c.target_arn !== '') form.TargetArn = x.text(c.target_arn);
  const message = cutBytes(x.text(c.message === undefined ? DEFAULTS.message : c.message), limit);
  if (message.truncated) attributes.set('truncated', 'true');
  form.Message = message.value;
  const subject = c.subject === undefined ? DEFAULTS.subject : c.subject;
  if (typeof subject === 'string' && subject !== '') form.Subject = x.text(subject);
  const failure = x.failure();
  if (failure) return { publish: null, failure };

  const names = [...attributes.keys()].sort();
  // The AWS SDK for Go sends an empty map as a bare `MessageAttributes=` (recorded from 0.25).
  if (names.length === 0) form.MessageAttributes = '';
  names.forEach((name, i) => {
    const p = `MessageAttributes.entry.${i + 1}`;
    form[`${p}.Name`] = name;
    form[`${p}.Value.DataType`] = 'String';
    form[`${p}.Value.StringValue`] = attributes.get(name)!;
  });

  let u: URL;
  try {
    u = new URL(apiUrl !== '' ? apiUrl : snsEndpoint(String(sigv4.region)));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return {
      publish: null,
      failure: {
        kind: 'give-up',
        reason: 'clientError',
        message: `sns: api_url expanded to ${JSON.stringify(apiUrl)}, not an http(s) URL`,
      },
    };
  }
  // The SDK joins the endpoint's path with the operation's "/".
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return { publish: { url: u.toString(), form, truncated: message.truncated } };
}

/** The `<Code>` and `<Message>` of an AWS Query API error answer. */
export function awsQueryError(body: string): { code?: string; message?: string } {
  const tag = (name: string) => {
    const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body);
    return m ? unXml(m[1].trim()) : undefined;
  };
  return { code: tag('Code'), message: tag('Message') };
}

function unXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (all, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(cp) ? String.fromCodePoint(cp) : all;
  });
}

/** Alertmanager's SNS integration: Publish over the Query API, SigV4-signed with static keys. */
export class SnsNotifier extends HttpNotifier {
  override readonly kind = 'sns';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { publish, failure } = snsPublish(this.c, this.templates, n);
    if (failure) return failure;
    if (!publish) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const sigv4 = (this.c.sigv4 ?? {}) as Raw;
    const body = goFormEncode(publish.form);
    const headers = signV4(
      {
        method: 'POST',
        url: publish.url,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          'User-Agent': this.userAgent,
        },
        body,
      },
      {
        region: String(sigv4.region),
        service: 'sns',
        credentials: {
          accessKeyId: String(sigv4.access_key),
          secretAccessKey: String(sigv4.secret_key),
          // From AWS_SESSION_TOKEN, when the keys came from the environment (temporary credentials).
          sessionToken: typeof sigv4.session_token === 'string' ? sigv4.session_token : undefined,
        },
        now: this.clock.now(),
      },
      // The HTTP client sets Content-Length itself; the AWS SDK signs it, so Herald does too.
      { 'content-length': String(Buffer.byteLength(body)) },
    );
    const r = await this.http.request({
      method: 'POST',
      url: publish.url,
      headers,
      body,
      timeoutMs: this.timeoutMs,
      signal,
    });
    const res = r.response;
    if (!res || (res.status >= 200 && res.status < 300)) return httpSendResult(r);
    const err = awsQueryError(res.body);
    const message = `sns: ${err.code ?? `HTTP ${res.status}`}${err.message ? `: ${err.message}` : ''} (HTTP ${res.status})`;
    const retryAfterMs = r.outcome.kind === 'http' ? r.outcome.retryAfterMs : undefined;
    if (res.status === 429 || (err.code !== undefined && THROTTLING.has(err.code)))
      return { kind: 'retry', reason: 'rateLimited', message, status: res.status, retryAfterMs };
    const base = httpSendResult(r);
    return base.kind === 'ok' ? base : { ...base, message };
  }
}

export const sns = httpIntegration(SnsNotifier);
