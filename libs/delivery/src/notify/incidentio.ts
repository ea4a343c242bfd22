import type { WebhookPayload } from '@herald/domain';
import type { HttpClient } from '../http-client';
import type { Receiver, SendResult } from '../receiver';
import {
  httpSendResult,
  integrationHttp,
  secretOf,
  type IntegrationFactory,
  type Notification,
  type RawConfig as Raw,
} from './context';
import { webhookBody } from './webhook';

/** incident.io's largest accepted body; above it Alertmanager keeps only the first alert. */
export const INCIDENTIO_MAX_PAYLOAD_BYTES = 512 * 1024;

/**
 * The incident.io message: Alertmanager's webhook data with its own protocol version "1" (not the
 * webhook's "4"), the raw group key and the count of alerts cut by `max_alerts`.
 */
export type IncidentioMessage = Omit<WebhookPayload, 'version' | 'notification_reason'> & { version: '1' };

/**
 * Builds the body of a notification (null: nothing to send). `max_alerts` cuts the alerts before the
 * template data is computed (common labels follow the alerts sent); a body above 512 KiB
 * keeps only the first alert (`truncatedAlerts` unchanged, as Alertmanager).
 */
export function incidentioBody(
  c: Raw,
  n: Notification,
): { body: string; alerts: number; shrunk: boolean } | null {
  const maxAlerts = typeof c.max_alerts === 'number' ? c.max_alerts : 0;
  const p = webhookBody(n.payload, c.send_resolved === true, maxAlerts);
  if (!p) return null;
  const { notification_reason: _reason, version: _version, ...data } = p;
  // `status` stays the group's: Alertmanager recomputes it from the alerts left by max_alerts, which
  // can say "resolved" (and resolve the incident) while cut-off alerts still fire. Deliberate difference.
  const message: IncidentioMessage = { ...data, version: '1' };
  let body = JSON.stringify(message);
  if (Buffer.byteLength(body) <= INCIDENTIO_MAX_PAYLOAD_BYTES || message.alerts.length <= 1)
    return { body, alerts: message.alerts.length, shrunk: false };
  // Only the alert list is cut; the group's labels and status stay those of the alerts before.
  body = JSON.stringify({ ...message, alerts: message.alerts.slice(0, 1) });
  return { body, alerts: 1, shrunk: true };
}

/** Reads incident.io's error answer: message, error and errors (strings or {message}) joined. */
export function incidentioErrorDetails(text: string): string {
  let o: { message?: unknown; error?: unknown; errors?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    return '';
  }
  if (o === null || typeof o !== 'object') return '';
  const parts: string[] = [];
  if (typeof o.message === 'string' && o.message !== '') parts.push(o.message);
  if (typeof o.error === 'string' && o.error !== '') parts.push(o.error);
  if (Array.isArray(o.errors) && o.errors.length > 0)
    parts.push(
      o.errors
        .map((e) =>
          typeof e === 'string'
            ? e
            : e && typeof e === 'object' && 'message' in e
              ? String(e.message)
              : JSON.stringify(e),
        )
        .join(', '),
    );
  return parts.join(': ');
}

/**
 * Alertmanager's incident.io integration: POSTs the alert group to an HTTP alert source; the alert
 * source token (when set) is the Bearer credential. 429 and 5xx are retried.
 */
export class IncidentioNotifier implements Receiver {
  readonly kind = 'incidentio';

  constructor(
    private readonly c: Raw,
    private readonly http: HttpClient,
    private readonly timeoutMs: number,
    private readonly userAgent: string,
  ) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const built = incidentioBody(this.c, n);
    if (!built) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    let url: string;
    let token: string | undefined;
    try {
      url = secretOf(this.c, 'url') ?? '';
      token = secretOf(this.c, 'alert_source_token');
    } catch (e) {
      return { kind: 'give-up', reason: 'other', message: `incidentio: ${(e as Error).message}` };
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': this.userAgent,
    };
    // The token replaces http_config's authorization (the config check refuses both set).
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await this.http.request({ url, body: built.body, headers, timeoutMs: this.timeoutMs, signal });
    const result = httpSendResult(r);
    if (result.kind === 'ok' || !r.response) return result;
    const details = incidentioErrorDetails(r.response.body);
    return {
      ...result,
      message: `unexpected status code ${r.response.status}${details ? `: ${details}` : ''}`,
    };
  }
}

export const incidentio: IntegrationFactory = (entry, deps) => {
  const { http, timeoutMs } = integrationHttp(entry, deps);
  return new IncidentioNotifier(entry.config, http, timeoutMs, deps.userAgent);
};
