import { type Json, loadedEntry } from '../../../../test/harness/notify-specs';

const entry = (c: Json, global: Json = {}) => loadedEntry('telegram', c, global);

describe('telegram_configs check', () => {
  it("applies Alertmanager's defaults: api_url, parse_mode HTML, send_resolved", () => {
    expect(entry({ bot_token: 't', chat_id: -100123 })).toMatchObject({
      api_url: 'https://api.telegram.org',
      parse_mode: 'HTML',
      send_resolved: true,
      chat_id: -100123,
    });
  });

  it('takes global.telegram_api_url and global.telegram_bot_token(_file)', () => {
    expect(
      entry({ chat_id: 1 }, { telegram_api_url: 'https://tg.internal', telegram_bot_token: 'g' }),
    ).toMatchObject({ api_url: 'https://tg.internal', bot_token: 'g' });
    expect(entry({ chat_id: 1 }, { telegram_bot_token_file: '/run/tg' })).toMatchObject({
      bot_token_file: '/run/tg',
    });
    expect(entry({ chat_id: 1, bot_token: 'own' }, { telegram_bot_token: 'g' }).bot_token).toBe('own');
  });

  it('requires a bot token (entry or global), at most one of bot_token and bot_token_file', () => {
    expect(() => entry({ chat_id: 1 })).toThrow(
      'receivers[0].telegram_configs[0]: one of bot_token or bot_token_file is required',
    );
    expect(() => entry({ chat_id: 1, bot_token: 't', bot_token_file: '/f' })).toThrow(
      'at most one of bot_token and bot_token_file may be set',
    );
  });

  it('requires chat_id (a non-zero integer) or chat_id_file, not both', () => {
    expect(() => entry({ bot_token: 't' })).toThrow('one of chat_id or chat_id_file is required');
    expect(() => entry({ bot_token: 't', chat_id: 0 })).toThrow(/chat_id: must be a non-zero integer/);
    expect(() => entry({ bot_token: 't', chat_id: '@chan' })).toThrow(/chat_id: must be a non-zero integer/);
    expect(() => entry({ bot_token: 't', chat_id: 1, chat_id_file: '/f' })).toThrow(
      'at most one of chat_id and chat_id_file may be set',
    );
    expect(entry({ bot_token: 't', chat_id_file: '/run/chat' }).chat_id_file).toBe('/run/chat');
  });

  it('validates parse_mode, message_thread_id and disable_notifications', () => {
    for (const mode of ['Markdown', 'MarkdownV2', 'HTML', ''])
      expect(entry({ bot_token: 't', chat_id: 1, parse_mode: mode }).parse_mode).toBe(mode);
    expect(() => entry({ bot_token: 't', chat_id: 1, parse_mode: 'html' })).toThrow(
      /telegram_configs\[0\]\.parse_mode: must be Markdown, MarkdownV2, HTML or ""/,
    );
    expect(() => entry({ bot_token: 't', chat_id: 1, message_thread_id: 1.5 })).toThrow(
      /message_thread_id: must be a non-negative integer/,
    );
    expect(() => entry({ bot_token: 't', chat_id: 1, disable_notifications: 'yes' })).toThrow(
      /disable_notifications: must be true or false/,
    );
  });

  it('refuses unknown fields and template syntax errors, naming them', () => {
    expect(() => entry({ bot_token: 't', chat_id: 1, disable_notification: true })).toThrow(
      /telegram_configs\[0\]\.disable_notification: unknown field \(did you mean "disable_notifications"\?\)/,
    );
    expect(() => entry({ bot_token: 't', chat_id: 1, message: '{{ range }}' })).toThrow(
      /telegram_configs\[0\]\.message: /,
    );
  });
});
