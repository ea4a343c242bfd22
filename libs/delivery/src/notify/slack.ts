import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  truncateRunes,
  type Notification,
  type RawConfig as Raw,
  secretOf,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

/** Slack's limit on an attachment title (Alertmanager truncates to it). */
export const SLACK_MAX_TITLE_RUNES = 1024;

/** Alertmanager's defaults for the templated fields the entry leaves out. */
const DEFAULTS: Record<string, string> = {
  color: '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
  username: '{{ template "slack.default.username" . }}',
  title: '{{ template "slack.default.title" . }}',
  title_link: '{{ template "slack.default.titlelink" . }}',
  icon_emoji: '{{ template "slack.default.iconemoji" . }}',
  icon_url: '{{ template "slack.default.iconurl" . }}',
  pretext: '{{ template "slack.default.pretext" . }}',
  text: '{{ template "slack.default.text" . }}',
  fallback: '{{ template "slack.default.fallback" . }}',
  callback_id: '{{ template "slack.default.callbackid" . }}',
  footer: '{{ template "slack.default.footer" . }}',
};

/** The message Slack receives (Alertmanager's request: one attachment; empty optional fields left out). */
export interface SlackMessage {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  link_names?: boolean;
  attachments: Record<string, unknown>[];
}

const omitEmpty = (o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> => {
  for (const k of keys) if (o[k] === '' || o[k] === undefined || o[k] === false) delete o[k];
  return o;
};

/**
 * Renders the Slack message of a notification (null: nothing to send), or a give-up when a template
 * fails (Alertmanager does not retry that: it would fail again).
 */
export function slackMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: SlackMessage | null; failure?: SendResult } {
  // `max_alerts` is a Herald extra on Slack (long groups stay readable); 0 = every alert.
  const payload = webhookBody(
    n.payload,
    c.send_resolved === true,
    typeof c.max_alerts === 'number' ? c.max_alerts : 0,
  );
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const title = truncateRunes(t('title'), SLACK_MAX_TITLE_RUNES).value;
  const mrkdwn =
    Array.isArray(c.mrkdwn_in) && c.mrkdwn_in.length > 0 ? c.mrkdwn_in : ['fallback', 'pretext', 'text'];
  const attachment: Record<string, unknown> = {
    title,
    title_link: t('title_link'),
    pretext: t('pretext'),
    text: t('text'),
    fallback: t('fallback'),
    callback_id: t('callback_id'),
  };
  const fields = Array.isArray(c.fields) ? (c.fields as Raw[]) : [];
  if (fields.length > 0)
    attachment.fields = fields.map((f) =>
      omitEmpty(
        {
          title: x.text(f.title),
          value: x.text(f.value),
          short: typeof f.short === 'boolean' ? f.short : c.short_fields === true,
        },
        ['title', 'value'],
      ),
    );
  const actions = Array.isArray(c.actions) ? (c.actions as Raw[]) : [];
  if (actions.length > 0)
    attachment.actions = actions.map((a) => {
      const out = omitEmpty(
        {
          type: x.text(a.type),
          text: x.text(a.text),
          url: x.text(a.url),
          style: x.text(a.style),
          name: x.text(a.name),
          value: x.text(a.value),
        },
        ['url', 'style', 'name', 'value'],
      );
      const confirm = a.confirm as Raw | undefined;
      if (confirm && typeof confirm === 'object')
        out.confirm = omitEmpty(
          {
            title: x.text(confirm.title),
            text: x.text(confirm.text),
            ok_text: x.text(confirm.ok_text),
            dismiss_text: x.text(confirm.dismiss_text),
          },
          ['title', 'ok_text', 'dismiss_text'],
        );
      return out;
    });
  Object.assign(attachment, {
    image_url: x.text(c.image_url),
    thumb_url: x.text(c.thumb_url),
    footer: t('footer'),
    color: t('color'),
    mrkdwn_in: mrkdwn,
  });
  omitEmpty(attachment, ['title', 'title_link', 'pretext', 'image_url', 'thumb_url', 'color']);
  const message = omitEmpty(
    {
      channel: x.text(c.channel),
      username: t('username'),
      icon_emoji: t('icon_emoji'),
      icon_url: t('icon_url'),
      link_names: c.link_names === true,
      attachments: [attachment],
    },
    ['channel', 'username', 'icon_emoji', 'icon_url', 'link_names'],
  ) as unknown as SlackMessage;
  const failure = x.failure();
  return failure ? { message: null, failure } : { message };
}

/** Alertmanager's Slack integration: an incoming webhook, or chat.postMessage with a bot token. */
export class SlackNotifier extends HttpNotifier {
  override readonly kind = 'slack';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = slackMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const url = secretOf(this.c, 'api_url') ?? '';
    const r = await this.request(
      {
        url,
        body: JSON.stringify(message),
        contentType: 'application/json',
        headers: { 'Idempotency-Key': n.idempotencyKey },
      },
      signal,
    );
    const res = r.response;
    // chat.postMessage answers 200 with {"ok":false,"error":"channel_not_found"}: not delivered, and
    // retrying will not change it.
    if (res && res.status >= 200 && res.status < 300 && /json/.test(String(res.headers['content-type']))) {
      try {
        const body = JSON.parse(res.body) as { ok?: boolean; error?: string };
        if (body.ok === false)
          return {
            kind: 'give-up',
            reason: 'clientError',
            message: `slack: ${body.error ?? 'ok: false'} (channel ${JSON.stringify(message.channel ?? '')})`,
            status: res.status,
          };
      } catch {
        /* not JSON after all: the status decides */
      }
    }
    return httpSendResult(r);
  }
}

export const slack = httpIntegration(SlackNotifier);
