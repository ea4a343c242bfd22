import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { integrationPayload, type WebhookPayload } from '@herald/domain';
import type { HttpClient } from '../http-client';
import { httpSendResult, integrationHttp, type IntegrationFactory, type Notification } from './context';
import type { Receiver, SendResult } from '../receiver';

/** A parsed `webhook_configs` entry. */
export interface WebhookSettings {
  /** `url`, or read from `url_file` at each send (Alertmanager re-reads it too). */
  url: string | { file: string };
  sendResolved: boolean;
  /** 0 = all alerts. */
  maxAlerts: number;
  timeoutMs: number;
  http: HttpClient;
  /** Herald extra `herald_secret` / `herald_secret_file`: HMAC-SHA256 key for `X-Herald-Signature`. */
  secret?: string | { file: string };
  userAgent: string;
}

const value = (v: string | { file: string }): string =>
  typeof v === 'string' ? v : readFileSync(v.file, 'utf8').trim();

/**
 * Applies `send_resolved` and `max_alerts` to the payload as Alertmanager's integration stages do
 * (`integrationPayload` in @herald/domain). Returns null when nothing is to be sent.
 */
export function webhookBody(
  p: WebhookPayload,
  sendResolved: boolean,
  maxAlerts: number,
): WebhookPayload | null {
  return integrationPayload(p, { sendResolved, maxAlerts });
}

/** HMAC-SHA256 of the exact body bytes, as sent in `X-Herald-Signature: sha256=<hex>`. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Alertmanager's webhook integration: POSTs the version-4 message (+ `notification_reason`) as JSON,
 * with `Idempotency-Key` (delivery is at-least-once: receivers can drop the rare duplicate) and, with
 * a `herald_secret`, an HMAC signature of the body.
 */
export class WebhookNotifier implements Receiver {
  readonly kind = 'webhook';

  constructor(private readonly cfg: WebhookSettings) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const payload = webhookBody(n.payload, this.cfg.sendResolved, this.cfg.maxAlerts);
    if (!payload) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': this.cfg.userAgent,
      'Idempotency-Key': n.idempotencyKey,
    };
    if (this.cfg.secret) headers['X-Herald-Signature'] = webhookSignature(value(this.cfg.secret), body);
    const r = await this.cfg.http.request({
      url: value(this.cfg.url),
      body,
      headers,
      timeoutMs: this.cfg.timeoutMs,
      signal,
    });
    return httpSendResult(r);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const webhook: IntegrationFactory = (entry, deps) => {
  const c = entry.config;
  const { http, timeoutMs } = integrationHttp(entry, deps);
  const secretFile = str(c.herald_secret_file);
  return new WebhookNotifier({
    url: str(c.url) ?? { file: String(c.url_file) },
    sendResolved: c.send_resolved === true,
    maxAlerts: typeof c.max_alerts === 'number' ? c.max_alerts : 0,
    timeoutMs,
    http,
    secret: str(c.herald_secret) ?? (secretFile ? { file: secretFile } : undefined),
    userAgent: deps.userAgent,
  });
};
