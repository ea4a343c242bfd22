import { type Json, loadedEntry } from '../../../../test/harness/notify-specs';

/** Loads one discord_configs entry; returns the checked entry (defaults applied). */
const entry = (c: Json, global: Json = {}) => loadedEntry('discord', c, global);

const URL = 'https://discord.com/api/webhooks/1/tok';

describe('discord_configs check', () => {
  it('accepts webhook_url with send_resolved defaulting to true', () => {
    expect(entry({ webhook_url: URL })).toMatchObject({ webhook_url: URL, send_resolved: true });
  });

  it('accepts webhook_url_file and the HEAD fields content, username, avatar_url', () => {
    expect(
      entry({
        webhook_url_file: '/run/secrets/discord',
        content: '{{ .Status }}',
        username: 'am',
        avatar_url: 'https://x/a.png',
      }),
    ).toMatchObject({ webhook_url_file: '/run/secrets/discord', username: 'am' });
  });

  it('requires one of webhook_url and webhook_url_file, not both', () => {
    expect(() => entry({})).toThrow(
      'receivers[0].discord_configs[0]: one of webhook_url or webhook_url_file is required',
    );
    expect(() => entry({ webhook_url: URL, webhook_url_file: '/f' })).toThrow(
      'at most one of webhook_url and webhook_url_file may be set',
    );
  });

  it('refuses a webhook_url that is not an http(s) URL', () => {
    expect(() => entry({ webhook_url: 'discord.com/x' })).toThrow(/discord_configs\[0\]\.webhook_url/);
  });

  it('refuses unknown fields, naming them', () => {
    expect(() => entry({ webhook_url: URL, colour: 1 })).toThrow(
      /receivers\[0\]\.discord_configs\[0\]\.colour: unknown field/,
    );
  });

  it.each(['title', 'message', 'content'])('refuses a template syntax error in %s, naming it', (k) => {
    expect(() => entry({ webhook_url: URL, [k]: '{{ .Status ' })).toThrow(
      new RegExp(`discord_configs\\[0\\]\\.${k}: `),
    );
  });
});
