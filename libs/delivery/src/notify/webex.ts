import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  truncateBytes,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

/** Webex's limit on a message's markdown, in bytes (Alertmanager truncates to it). */
export const WEBEX_MAX_MESSAGE_BYTES = 7439;

const DEFAULT_MESSAGE = '{{ template "webex.default.message" . }}';

/** The create-message body: Markdown and the room (left out when it expands to ""). */
export interface WebexMessage {
  markdown: string;
  roomId?: string;
}

/** Renders the Webex message of a notification (null: nothing to send), or a template give-up. */
export function webexMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: WebexMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const markdown = truncateBytes(x.text(c.message ?? DEFAULT_MESSAGE), WEBEX_MAX_MESSAGE_BYTES).value;
  // Alertmanager HEAD expands room_id too (0.25 sent it as written; same result without "{{").
  const roomId = x.text(c.room_id);
  const failure = x.failure();
  if (failure) return { message: null, failure };
  return { message: roomId === '' ? { markdown } : { markdown, roomId } };
}

/** Alertmanager's Webex integration: POST a Markdown message; the bot token comes from http_config. */
export class WebexNotifier extends HttpNotifier {
  override readonly kind = 'webex';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = webexMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const r = await this.request(
      { url: String(this.c.api_url), body: JSON.stringify(message), contentType: 'application/json' },
      signal,
    );
    // Webex's error bodies ({"message": …, "trackingId": …}) are in the HTTP message already.
    return httpSendResult(r);
  }
}

export const webex = httpIntegration(WebexNotifier);
