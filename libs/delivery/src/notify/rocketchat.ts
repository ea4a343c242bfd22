import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  secretOf,
  truncateRunes,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

/** Rocket.Chat attachment title limit Alertmanager truncates to. */
export const ROCKETCHAT_MAX_TITLE_RUNES = 1024;

/** Alertmanager's defaults for the templated fields the entry leaves out (notify/rocketchat/config.go). */
const DEFAULTS: Record<string, string> = {
  color: '{{ if eq .Status "firing" }}red{{ else }}green{{ end }}',
  emoji: '{{ template "rocketchat.default.emoji" . }}',
  icon_url: '{{ template "rocketchat.default.iconurl" . }}',
  text: '{{ template "rocketchat.default.text" . }}',
  title: '{{ template "rocketchat.default.title" . }}',
  title_link: '{{ template "rocketchat.default.titlelink" . }}',
};

/** chat.postMessage's body as Alertmanager builds it (empty strings left out). */
export interface RocketchatMessage {
  channel?: string;
  emoji?: string;
  avatar?: string;
  attachments: Record<string, unknown>[];
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === '' || o[k] === undefined) delete o[k];
  return o;
}

/** Renders the postMessage body of a notification (null: nothing to send), or a give-up on a template error. */
export function rocketchatMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: RocketchatMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const att: Record<string, unknown> = compact({
    title: truncateRunes(t('title'), ROCKETCHAT_MAX_TITLE_RUNES).value,
    title_link: t('title_link'),
    text: t('text'),
    image_url: t('image_url'),
    thumb_url: t('thumb_url'),
    color: t('color'),
  });
  const fields = Array.isArray(c.fields) ? (c.fields as Raw[]) : [];
  if (fields.length > 0)
    // `short` is always sent: the field's own, else the entry's short_fields.
    att.fields = fields.map((f) => ({
      short: typeof f.short === 'boolean' ? f.short : c.short_fields === true,
      ...compact({ title: x.text(f.title), value: x.text(f.value) }),
    }));
  const actions = Array.isArray(c.actions) ? (c.actions as Raw[]) : [];
  if (actions.length > 0)
    // Buttons only; is_webview and msg_in_chat_window are always sent (false).
    att.actions = actions.map((a) => ({
      type: 'button',
      ...compact({ text: x.text(a.text), url: x.text(a.url) }),
      is_webview: false,
      ...compact({ msg: x.text(a.msg) }),
      msg_in_chat_window: false,
    }));
  const message = compact({
    channel: t('channel'),
    emoji: t('emoji'),
    avatar: t('icon_url'),
    attachments: [att],
  }) as RocketchatMessage;
  const failure = x.failure();
  return failure ? { message: null, failure } : { message };
}

/** Rocket.Chat's chat.postMessage URL under `api_url` (Go's URL.JoinPath: one slash between). */
export function rocketchatPostUrl(apiUrl: string): string {
  const u = new URL(apiUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v1/chat.postMessage`;
  return u.toString();
}

/**
 * Alertmanager's Rocket.Chat integration: chat.postMessage with a personal access token. Rocket.Chat
 * may answer 200 with `{"success": false, "error": …}`: not delivered, and a retry would not help.
 */
export class RocketchatNotifier extends HttpNotifier {
  override readonly kind = 'rocketchat';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = rocketchatMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    let token: string | undefined;
    let tokenId: string | undefined;
    try {
      token = secretOf(this.c, 'token');
      tokenId = secretOf(this.c, 'token_id');
    } catch (e) {
      return { kind: 'give-up', reason: 'other', message: `rocketchat: ${(e as Error).message}` };
    }
    const r = await this.request(
      {
        url: rocketchatPostUrl(String(this.c.api_url)),
        body: JSON.stringify(message),
        contentType: 'application/json',
        headers: { 'X-Auth-Token': token ?? '', 'X-User-Id': tokenId ?? '' },
      },
      signal,
    );
    const where = `channel ${JSON.stringify(message.channel ?? '')}`;
    const res = r.response;
    if (!res || res.status < 200 || res.status >= 300) {
      const result = httpSendResult(r);
      return result.kind === 'ok' ? result : { ...result, message: `${where}: ${result.message}` };
    }
    let body: { success?: unknown; error?: unknown };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      // As Alertmanager: an unreadable 2xx answer (a proxy's page, a cut body) is worth another try
      // (its reason label stays clientError there too).
      return {
        kind: 'retry',
        reason: 'clientError',
        message: `${where}: could not parse Rocket.Chat's answer ${JSON.stringify(res.body.slice(0, 200))}`,
        status: res.status,
      };
    }
    if (body === null || typeof body !== 'object' || body.success !== true)
      return {
        kind: 'give-up',
        reason: 'clientError',
        message: `${where}: error response from Rocket.Chat: ${typeof body?.error === 'string' ? body.error : ''}`,
        status: res.status,
      };
    return { kind: 'ok' };
  }
}

export const rocketchat = httpIntegration(RocketchatNotifier);
