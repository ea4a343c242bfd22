import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl, optBool, show, type RawObject } from '../fields';
import { checkFields, optStr } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's `global.telegram_api_url` default. */
export const TELEGRAM_API_URL = 'https://api.telegram.org';

/** Telegram's parse modes; "" sends plain text (no parse_mode). */
const PARSE_MODES = ['', 'Markdown', 'MarkdownV2', 'HTML'];

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** `telegram_configs`: Bot API sendMessage (Alertmanager 0.24, plus HEAD's files and message_thread_id). */
export const telegram: ReceiverKindSpec = {
  kind: 'telegram',
  key: 'telegram_configs',
  sendResolved: true,
  since: '0.24',
  check(c, path, ctx) {
    checkFields(c, path, [
      'api_url',
      'bot_token',
      'bot_token_file',
      'chat_id',
      'chat_id_file',
      'message_thread_id',
      'message',
      'disable_notifications',
      'parse_mode',
    ]);
    const g = ctx.global.raw;
    if (c.bot_token != null && c.bot_token_file != null)
      throw new ConfigError(path, 'at most one of bot_token and bot_token_file may be set');
    if (c.bot_token != null) asString(c.bot_token, at(path, 'bot_token'));
    if (c.bot_token_file != null) asString(c.bot_token_file, at(path, 'bot_token_file'));
    if (c.bot_token == null && c.bot_token_file == null) {
      if (g.telegram_bot_token == null && g.telegram_bot_token_file == null)
        throw new ConfigError(
          path,
          'one of bot_token or bot_token_file is required (or set global.telegram_bot_token)',
        );
      if (g.telegram_bot_token != null && g.telegram_bot_token_file != null)
        throw new ConfigError(
          'global',
          'at most one of telegram_bot_token and telegram_bot_token_file may be set',
        );
    }
    // Alertmanager reads chat_id as an int64 where 0 means "not set".
    if (c.chat_id != null && !(isInt(c.chat_id) && c.chat_id !== 0))
      throw new ConfigError(at(path, 'chat_id'), `must be a non-zero integer, got ${show(c.chat_id)}`);
    if (c.chat_id == null && c.chat_id_file == null)
      throw new ConfigError(path, 'one of chat_id or chat_id_file is required');
    if (c.chat_id != null && c.chat_id_file != null)
      throw new ConfigError(path, 'at most one of chat_id and chat_id_file may be set');
    if (c.chat_id_file != null) asString(c.chat_id_file, at(path, 'chat_id_file'));
    if (c.message_thread_id != null && !(isInt(c.message_thread_id) && c.message_thread_id >= 0))
      throw new ConfigError(
        at(path, 'message_thread_id'),
        `must be a non-negative integer, got ${show(c.message_thread_id)}`,
      );
    optBool(c.disable_notifications, at(path, 'disable_notifications'));
    optStr(c, 'parse_mode', path);
    if (c.parse_mode != null && !PARSE_MODES.includes(c.parse_mode as string))
      throw new ConfigError(
        at(path, 'parse_mode'),
        `must be Markdown, MarkdownV2, HTML or "", got ${show(c.parse_mode)}`,
      );
    optStr(c, 'message', path);
    ctx.template(c.message, at(path, 'message'));
    const apiUrl = c.api_url ?? g.telegram_api_url ?? TELEGRAM_API_URL;
    httpUrl(apiUrl, c.api_url != null ? at(path, 'api_url') : 'global.telegram_api_url');
    const out: RawObject = { ...c, api_url: apiUrl, parse_mode: c.parse_mode ?? 'HTML' };
    if (c.bot_token == null && c.bot_token_file == null) {
      if (g.telegram_bot_token != null)
        out.bot_token = asString(g.telegram_bot_token, 'global.telegram_bot_token');
      else out.bot_token_file = asString(g.telegram_bot_token_file, 'global.telegram_bot_token_file');
    }
    return out;
  },
};
