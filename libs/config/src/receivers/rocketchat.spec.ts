import { rocketchat, ROCKETCHAT_DEFAULT_API_URL } from './rocketchat';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].rocketchat_configs[0]';
const check = checkerOf(rocketchat, P);
const AUTH = { token: 't', token_id: 'u' };

describe('rocketchat_configs check', () => {
  it("defaults api_url to global.rocketchat_api_url, else Alertmanager's https://open.rocket.chat/", () => {
    expect(check(AUTH)).toEqual({ ...AUTH, api_url: ROCKETCHAT_DEFAULT_API_URL });
    expect(check(AUTH, { rocketchat_api_url: 'https://chat.example/' }).api_url).toBe(
      'https://chat.example/',
    );
    expect(check({ ...AUTH, api_url: 'http://own:3000' }).api_url).toBe('http://own:3000');
    expect(() => check({ ...AUTH, api_url: 'chat' })).toThrow(`${P}.api_url:`);
    expect(() => check(AUTH, { rocketchat_api_url: 'x' })).toThrow('global.rocketchat_api_url:');
  });

  it('token and token_id: own pair, else the global pair; required; at most one of x and x_file', () => {
    expect(check({}, { rocketchat_token: 'gt', rocketchat_token_id_file: '/id' })).toMatchObject({
      token: 'gt',
      token_id_file: '/id',
    });
    expect(check({ token_file: '/t', token_id: 'u' }, { rocketchat_token: 'gt' })).toEqual({
      token_file: '/t',
      token_id: 'u',
      api_url: ROCKETCHAT_DEFAULT_API_URL,
    });
    expect(() => check({ token: 't' })).toThrow(
      `${P}: one of token_id or token_id_file is required (or set global.rocketchat_token_id)`,
    );
    expect(() => check({ token_id: 'u' })).toThrow(`${P}: one of token or token_file is required`);
    expect(() => check({ ...AUTH, token_file: '/t' })).toThrow('at most one of token and token_file');
    expect(() => check(AUTH, { rocketchat_token: 'a', rocketchat_token_file: '/b' })).toThrow(
      'global: at most one of rocketchat_token and rocketchat_token_file',
    );
  });

  it('fields and actions: known keys, templates checked, only button actions', () => {
    const ok = {
      ...AUTH,
      channel: '#ops',
      short_fields: true,
      link_names: false,
      fields: [{ title: 'T', value: '{{ .Status }}', short: false }],
      actions: [{ type: 'button', text: 'Open', url: 'https://x/{{ .GroupLabels.alertname }}', msg: 'hi' }],
    };
    expect(check(ok)).toMatchObject(ok);
    expect(() => check({ ...AUTH, actions: [{ type: 'link', text: 'x' }] })).toThrow(
      `${P}.actions[0].type: only "button" is supported`,
    );
    expect(() => check({ ...AUTH, actions: [{ text: 'x', image_url: 'y' }] })).toThrow(
      `${P}.actions[0].image_url: unknown field`,
    );
    expect(() => check({ ...AUTH, fields: [{ title: '{{ .Status' }] })).toThrow(
      `${P}.fields[0].title: template:`,
    );
    expect(() => check({ ...AUTH, fields: [{ short: 1 }] })).toThrow(
      `${P}.fields[0].short: must be true or false`,
    );
  });

  it('refuses link_names: true (Alertmanager accepts it but never sends it)', () => {
    expect(() => check({ ...AUTH, link_names: true })).toThrow(
      `${P}.link_names: Rocket.Chat has no link_names option`,
    );
  });

  it('unknown field and template syntax errors name the field', () => {
    expect(() => check({ ...AUTH, avatar: 'x' })).toThrow(`${P}.avatar: unknown field`);
    expect(() => check({ ...AUTH, emoji: '{{ .Status ' })).toThrow(`${P}.emoji: template:`);
    expect(() => check({ ...AUTH, title_link: '{{ nope }}' })).toThrow(`${P}.title_link:`);
  });
});
