import { ConfigError } from '@herald/domain';
import { loadConfig } from '../load-config';
import { WECHAT_DEFAULT_API_URL, wechat } from './wechat';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].wechat_configs[0]';
const check = checkerOf(wechat, P);
const esc = (s: string) => s.replace(/[[\]]/g, '\\$&');
const MIN = { api_secret: 's', corp_id: 'corp' };

describe('wechat_configs check', () => {
  it('applies the defaults: api_url (with a trailing slash) and message_type text', () => {
    expect(check(MIN)).toEqual({ ...MIN, api_url: WECHAT_DEFAULT_API_URL, message_type: 'text' });
    expect(check({ ...MIN, api_url: 'http://wechat.local/cgi-bin' }).api_url).toBe(
      'http://wechat.local/cgi-bin/',
    );
    expect(check({ ...MIN, message_type: 'markdown' }).message_type).toBe('markdown');
  });

  it('takes api_url, the secret (inline or file) and corp_id from global', () => {
    const g = { wechat_api_url: 'http://g.local/api', wechat_api_secret: 'gs', wechat_api_corp_id: 'gc' };
    expect(check({}, g)).toEqual({
      api_url: 'http://g.local/api/',
      api_secret: 'gs',
      corp_id: 'gc',
      message_type: 'text',
    });
    expect(check({ corp_id: 'c' }, { wechat_api_secret_file: '/run/s' })).toMatchObject({
      api_secret_file: '/run/s',
      corp_id: 'c',
    });
    // The entry's own secret file wins over a global inline secret.
    const own = check({ corp_id: 'c', api_secret_file: '/own' }, { wechat_api_secret: 'gs' });
    expect(own.api_secret_file).toBe('/own');
    expect(own.api_secret).toBeUndefined();
  });

  it('requires a secret and a corp_id (own or global)', () => {
    expect(() => check({ corp_id: 'c' })).toThrow(`${P}: api_secret or api_secret_file is required`);
    expect(() => check({ api_secret: 's' })).toThrow(`${P}.corp_id: is required`);
  });

  it('refuses api_secret together with api_secret_file, here and in global', () => {
    expect(() => check({ ...MIN, api_secret_file: '/f' })).toThrow(
      'at most one of api_secret and api_secret_file may be set',
    );
    expect(() => check(MIN, { wechat_api_secret: 'a', wechat_api_secret_file: '/f' })).toThrow(
      'global: at most one of wechat_api_secret and wechat_api_secret_file',
    );
  });

  it('refuses a message_type other than text or markdown, and a bad api_url, naming the field', () => {
    expect(() => check({ ...MIN, message_type: 'news' })).toThrow(
      `${P}.message_type: must be text or markdown, got "news"`,
    );
    expect(() => check({ ...MIN, api_url: 'ftp://x/' })).toThrow(
      `${P}.api_url: must be an http or https URL`,
    );
    expect(() => check(MIN, { wechat_api_url: 'nope' })).toThrow('global.wechat_api_url:');
    expect(() => check({ ...MIN, agent_id: 1000002 })).toThrow(`${P}.agent_id: must be a string`);
  });

  it('refuses an unknown field, naming it', () => {
    expect(() => check({ ...MIN, to_users: 'a' })).toThrow(`${P}.to_users: unknown field`);
  });

  it('refuses a template syntax error, naming the field', () => {
    expect(() => check({ ...MIN, message: '{{ .Status ' })).toThrow(
      new RegExp(`^${esc(P)}\\.message: template: `),
    );
    expect(() => check({ ...MIN, to_party: '{{ nosuchfunc }}' })).toThrow(ConfigError);
    expect(() => check({ ...MIN, to_party: '{{ nosuchfunc }}' })).toThrow(`${P}.to_party`);
    // The secret is a template too, but its parse error must not echo it.
    let msg = '';
    try {
      check({ ...MIN, api_secret: '{{ hunter2' });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(`${P}.api_secret: is not a valid template (Alertmanager expands it as one)`);
  });

  it('is wired into loadConfig with send_resolved defaulting to false', () => {
    const cfg = loadConfig({
      env: {},
      hostname: 't',
      fileText: `
global: { wechat_api_secret: s, wechat_api_corp_id: c }
route: { receiver: w }
receivers: [{ name: w, wechat_configs: [{ to_user: '@all' }] }]
`,
    });
    expect(cfg.receivers[0].integrations[0].config).toMatchObject({
      send_resolved: false,
      api_url: WECHAT_DEFAULT_API_URL,
      api_secret: 's',
      corp_id: 'c',
      to_user: '@all',
    });
  });
});
