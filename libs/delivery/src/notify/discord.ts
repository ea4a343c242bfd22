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

/** Discord's embed limits (title, description) and its message content limit, in runes. */
export const DISCORD_MAX_TITLE_RUNES = 256;
export const DISCORD_MAX_DESCRIPTION_RUNES = 4096;
export const DISCORD_MAX_CONTENT_RUNES = 2000;

/** Embed colours by group status, as Alertmanager picks them. */
export const DISCORD_COLOR_FIRING = 0x992d22;
export const DISCORD_COLOR_RESOLVED = 0x2ecc71;

const DEFAULTS: Record<string, string> = {
  title: '{{ template "discord.default.title" . }}',
  message: '{{ template "discord.default.message" . }}',
  // HEAD has no default content: an unset `content` sends "".
  content: '',
};

/** Execute-webhook body, keys in Alertmanager's order; username/avatar_url only when set. */
export interface DiscordMessage {
  content: string;
  embeds: { title: string; description: string; color: number }[];
  username?: string;
  avatar_url?: string;
}

/** Renders the Discord message of a notification (null: nothing to send), or a template give-up. */
export function discordMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: DiscordMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const title = truncateRunes(t('title'), DISCORD_MAX_TITLE_RUNES).value;
  const description = truncateRunes(t('message'), DISCORD_MAX_DESCRIPTION_RUNES).value;
  const content = truncateRunes(t('content'), DISCORD_MAX_CONTENT_RUNES).value;
  const failure = x.failure();
  if (failure) return { message: null, failure };
  const message: DiscordMessage = {
    content,
    embeds: [
      {
        title,
        description,
        color: payload.status === 'firing' ? DISCORD_COLOR_FIRING : DISCORD_COLOR_RESOLVED,
      },
    ],
  };
  if (typeof c.username === 'string' && c.username !== '') message.username = c.username;
  if (typeof c.avatar_url === 'string' && c.avatar_url !== '') message.avatar_url = c.avatar_url;
  return { message };
}

/** Alertmanager's Discord integration: POST one embed to the webhook URL. */
export class DiscordNotifier extends HttpNotifier {
  override readonly kind = 'discord';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = discordMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    let url: string | undefined;
    try {
      url = secretOf(this.c, 'webhook_url');
    } catch (e) {
      // Alertmanager gives up when the file cannot be read; a fixed file may work on a later page.
      return { kind: 'give-up', reason: 'other', message: `read webhook_url_file: ${(e as Error).message}` };
    }
    if (!url) return { kind: 'give-up', reason: 'other', message: 'webhook_url_file is empty' };
    const r = await this.request(
      { url, body: JSON.stringify(message), contentType: 'application/json' },
      signal,
    );
    // The HTTP message carries the start of Discord's {"message": …} error body.
    return httpSendResult(r);
  }
}

export const discord = httpIntegration(DiscordNotifier);
