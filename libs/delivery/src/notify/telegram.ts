import type { TemplateSet } from '@herald/domain';
import type { HttpResult } from '../http-client';
import { resultOf, type SendResult } from '../receiver';
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

/** Telegram's limit on a message's text, in runes. */
export const TELEGRAM_MAX_MESSAGE_RUNES = 4096;

/**
 * Sent instead of an HTML message over the limit (as Alertmanager HEAD does): cutting HTML can leave
 * a tag open, which Telegram refuses, and then nothing would arrive at all.
 */
export const TELEGRAM_TOO_LONG_NOTICE =
  'Herald could not deliver this notification: the rendered message is longer than Telegram allows ' +
  '(4096 characters). Check the template that builds the message.';

const DEFAULT_MESSAGE = '{{ template "telegram.default.message" . }}';

/**
 * The sendMessage body as Alertmanager's Telegram client (telebot) sends it: a JSON object whose
 * values are all strings, optional flags present only when set.
 */
export type TelegramMessage = Record<string, string>;

/** Renders the sendMessage body, without chat_id (read at send time: chat_id_file), or a give-up. */
export function telegramMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: TelegramMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const parseMode = typeof c.parse_mode === 'string' ? c.parse_mode : 'HTML';
  const template = c.message ?? DEFAULT_MESSAGE;
  let text: string;
  if (parseMode === 'HTML') {
    // HTML mode expands with html/template's escaping, so label values cannot break the markup.
    text = x.html(template);
    if ([...text].length > TELEGRAM_MAX_MESSAGE_RUNES) text = TELEGRAM_TOO_LONG_NOTICE;
  } else {
    text = truncateRunes(x.text(template), TELEGRAM_MAX_MESSAGE_RUNES).value;
  }
  const failure = x.failure();
  if (failure) return { message: null, failure };
  const message: TelegramMessage = {};
  if (c.disable_notifications === true) message.disable_notification = 'true';
  message.disable_web_page_preview = 'true';
  if (typeof c.message_thread_id === 'number' && c.message_thread_id !== 0)
    message.message_thread_id = String(c.message_thread_id);
  if (parseMode !== '') message.parse_mode = parseMode;
  message.text = text;
  return { message };
}

interface BotAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/**
 * The send result of a Bot API answer. Telegram reports failures in the body ({"ok": false,
 * "error_code", "description"}), even on a 200: the error code decides as an HTTP status would (429
 * and 5xx retried, 429 after `parameters.retry_after` seconds; other codes given up with the
 * description).
 */
export function telegramResult(r: HttpResult): SendResult {
  const res = r.response;
  if (!res) return httpSendResult(r);
  let answer: BotAnswer;
  try {
    answer = JSON.parse(res.body) as BotAnswer;
  } catch {
    return httpSendResult(r);
  }
  if (typeof answer !== 'object' || answer === null) return httpSendResult(r);
  if (answer.ok === true && res.status >= 200 && res.status < 300) return { kind: 'ok' };
  let code = typeof answer.error_code === 'number' ? answer.error_code : res.status;
  // ok:false with a success status or code: not delivered all the same.
  if (code >= 200 && code < 300) code = 400;
  const retryAfter = answer.parameters?.retry_after;
  const retryAfterMs =
    typeof retryAfter === 'number' && retryAfter > 0
      ? retryAfter * 1000
      : r.outcome.kind === 'http'
        ? r.outcome.retryAfterMs
        : undefined;
  const description = answer.description ?? (answer.ok === false ? 'ok: false' : `HTTP ${res.status}`);
  return resultOf({ kind: 'http', status: code, retryAfterMs }, `telegram: ${description} (${code})`);
}

/** Alertmanager's Telegram integration: Bot API sendMessage. */
export class TelegramNotifier extends HttpNotifier {
  override readonly kind = 'telegram';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = telegramMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    let token: string | undefined;
    let chatId: string;
    try {
      token = secretOf(this.c, 'bot_token');
      chatId = this.chatId();
    } catch (e) {
      // Alertmanager retries when a file cannot be read (it may be mid-rotation).
      return { kind: 'retry', reason: 'other', message: `telegram: ${(e as Error).message}` };
    }
    const body = { chat_id: chatId, ...message };
    const r = await this.request(
      {
        // The token is part of the path (Bot API); it is never put into a message.
        url: `${String(this.c.api_url)}/bot${token ?? ''}/sendMessage`,
        body: JSON.stringify(body),
        contentType: 'application/json',
      },
      signal,
    );
    return telegramResult(r);
  }

  private chatId(): string {
    if (typeof this.c.chat_id === 'number') return String(this.c.chat_id);
    const file = String(this.c.chat_id_file);
    const text = secretOf(this.c, 'chat_id') ?? '';
    if (!/^[+-]?\d+$/.test(text)) throw new Error(`could not parse chat_id from ${file}`);
    return String(BigInt(text));
  }
}

export const telegram = httpIntegration(TelegramNotifier);
