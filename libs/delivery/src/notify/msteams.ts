import type { TemplateSet } from '@herald/domain';
import type { HttpClient } from '../http-client';
import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  type Notification,
  type RawConfig as Raw,
  secretOf,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

/** Alertmanager's defaults for the templated fields the entry leaves out (notify/msteams/config.go). */
const DEFAULTS: Record<string, string> = {
  title: '{{ template "msteams.default.title" . }}',
  summary: '{{ template "msteams.default.summary" . }}',
  text: '{{ template "msteams.default.text" . }}',
};

/** MessageCard theme colours by group status (Alertmanager's msteams notifier). */
export const MSTEAMS_COLORS = { firing: '8C1A1A', resolved: '2DC72D' } as const;

/** The MessageCard Alertmanager posts: every field present, empty strings included. */
export interface TeamsMessageCard {
  '@context': 'http://schema.org/extensions';
  type: 'MessageCard';
  title: string;
  summary: string;
  text: string;
  themeColor: string;
}

/**
 * The webhook URL of a Teams entry: `webhook_url`, or `webhook_url_file` read at each send (trimmed),
 * so a rotated URL is picked up. Throws when the file cannot be read.
 */
export function teamsWebhookUrl(c: Raw): string {
  return secretOf(c, 'webhook_url') ?? '';
}

/** Renders the MessageCard of a notification (null: nothing to send), or a give-up when a template fails. */
export function msteamsMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: TeamsMessageCard | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const message: TeamsMessageCard = {
    '@context': 'http://schema.org/extensions',
    type: 'MessageCard',
    title: t('title'),
    summary: t('summary'),
    text: t('text'),
    themeColor: MSTEAMS_COLORS[payload.status],
  };
  const failure = x.failure();
  return failure ? { message: null, failure } : { message };
}

/** Shared by the Teams senders: POST JSON to the webhook URL, the common status rule decides. */
export async function postTeams(
  kind: string,
  c: Raw,
  http: HttpClient,
  timeoutMs: number,
  userAgent: string,
  body: unknown,
  signal: AbortSignal,
): Promise<SendResult> {
  let url: string;
  try {
    url = teamsWebhookUrl(c);
  } catch (e) {
    // Alertmanager gives up too (a missing file will not appear by retrying the same notification).
    return {
      kind: 'give-up',
      reason: 'other',
      message: `${kind}: read webhook_url_file: ${(e as Error).message}`,
    };
  }
  const r = await http.request({
    url,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
    timeoutMs,
    signal,
  });
  return httpSendResult(r);
}

/** Alertmanager's msteams integration: an Office 365 connector MessageCard. */
export class MSTeamsNotifier extends HttpNotifier {
  override readonly kind = 'msteams';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = msteamsMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    return postTeams(this.kind, this.c, this.http, this.timeoutMs, this.userAgent, message, signal);
  }
}

export const msteams = httpIntegration(MSTeamsNotifier);
