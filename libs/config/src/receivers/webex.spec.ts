import { type Json, loadedEntry } from '../../../../test/harness/notify-specs';

const entry = (c: Json, global: Json = {}) => loadedEntry('webex', c, global);

const AUTH = { authorization: { credentials: 'tok' } };

describe('webex_configs check', () => {
  it("defaults api_url to Alertmanager's global.webex_api_url", () => {
    expect(entry({ room_id: 'r1', http_config: AUTH })).toMatchObject({
      api_url: 'https://webexapis.com/v1/messages',
      room_id: 'r1',
      send_resolved: true,
    });
  });

  it('takes global.webex_api_url, and the entry api_url over it', () => {
    const g = { webex_api_url: 'https://webex.internal/v1/messages' };
    expect(entry({ room_id: 'r1', http_config: AUTH }, g).api_url).toBe(g.webex_api_url);
    expect(entry({ room_id: 'r1', http_config: AUTH, api_url: 'https://o/v1/m' }, g).api_url).toBe(
      'https://o/v1/m',
    );
  });

  it('requires room_id', () => {
    expect(() => entry({ http_config: AUTH })).toThrow(
      /webex_configs\[0\]\.room_id: must be a non-empty string/,
    );
  });

  it("requires the entry's own http_config.authorization credentials (global http_config does not count)", () => {
    expect(() => entry({ room_id: 'r1' })).toThrow(
      /webex_configs\[0\]\.http_config\.authorization: required/,
    );
    expect(() => entry({ room_id: 'r1' }, { http_config: { authorization: { credentials: 'g' } } })).toThrow(
      /http_config\.authorization: required/,
    );
    expect(() => entry({ room_id: 'r1', http_config: { authorization: { type: 'Bearer' } } })).toThrow(
      /credentials or credentials_file is required/,
    );
    expect(
      entry({ room_id: 'r1', http_config: { authorization: { credentials_file: '/run/webex' } } }).room_id,
    ).toBe('r1');
  });

  it('refuses a bad api_url and unknown fields', () => {
    expect(() => entry({ room_id: 'r1', http_config: AUTH, api_url: 'nope' })).toThrow(
      /webex_configs\[0\]\.api_url/,
    );
    expect(() => entry({ room_id: 'r1', http_config: AUTH, text: 'x' })).toThrow(
      /webex_configs\[0\]\.text: unknown field/,
    );
  });

  it.each(['message', 'room_id'])('refuses a template syntax error in %s, naming it', (k) => {
    expect(() => entry({ room_id: 'r1', http_config: AUTH, [k]: '{{ if }}' })).toThrow(
      new RegExp(`webex_configs\\[0\\]\\.${k}: `),
    );
  });
});
