import { ConfigError } from '@herald/domain';
import { loadConfig } from '../load-config';
import { msteams } from './msteams';
import { msteamsv2 } from './msteamsv2';
import { checkContext, checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].msteams_configs[0]';

describe.each([
  ['msteams', msteams],
  ['msteamsv2', msteamsv2],
])('%s_configs check', (kind, spec) => {
  const check = checkerOf(spec, P);

  it('accepts webhook_url or webhook_url_file, returning the entry unchanged', () => {
    expect(check({ webhook_url: 'https://example.webhook.office.com/x' })).toEqual({
      webhook_url: 'https://example.webhook.office.com/x',
    });
    expect(check({ webhook_url_file: '/run/secrets/teams' })).toEqual({
      webhook_url_file: '/run/secrets/teams',
    });
  });

  it('requires one of webhook_url / webhook_url_file, and refuses both', () => {
    expect(() => check({})).toThrow(`${P}: one of webhook_url or webhook_url_file is required`);
    expect(() => check({ webhook_url: 'https://x/', webhook_url_file: '/f' })).toThrow(
      'at most one of webhook_url and webhook_url_file may be set',
    );
  });

  it('refuses a webhook_url that is not an http(s) URL, naming the field', () => {
    expect(() => check({ webhook_url: 'ftp://x/' })).toThrow(
      `${P}.webhook_url: must be an http or https URL`,
    );
    expect(() => check({ webhook_url: 'nope' })).toThrow(`${P}.webhook_url:`);
  });

  it('refuses an unknown field, naming it', () => {
    expect(() => check({ webhook_url: 'https://x/', colour: 'red' })).toThrow(`${P}.colour: unknown field`);
    if (kind === 'msteamsv2')
      expect(() => check({ webhook_url: 'https://x/', summary: 's' })).toThrow(`${P}.summary: unknown field`);
  });

  it('refuses a template syntax error, naming the field', () => {
    expect(() => check({ webhook_url: 'https://x/', title: '{{ .Status ' })).toThrow(
      new RegExp(`^${P.replace(/[[\]]/g, '\\$&')}\\.title: template: `),
    );
    expect(() => check({ webhook_url: 'https://x/', text: '{{ nosuchfunc }}' })).toThrow(ConfigError);
  });

  it('is wired into loadConfig with send_resolved defaulting to true', () => {
    const cfg = loadConfig({
      env: {},
      hostname: 't',
      fileText: `
route: { receiver: a }
receivers:
  - name: a
    ${kind}_configs: [{ webhook_url: 'https://x.example/hook' }]
`,
    });
    expect(cfg.receivers[0].integrations[0]).toMatchObject({
      kind,
      config: { webhook_url: 'https://x.example/hook', send_resolved: true },
    });
  });
});

describe('msteams only', () => {
  it('accepts summary', () => {
    expect(
      msteams.check!({ webhook_url: 'https://x/', summary: '{{ .Status }}' }, P, checkContext()),
    ).toMatchObject({
      summary: '{{ .Status }}',
    });
  });
});

describe('msteamsv2 only', () => {
  it("inherits global.http_config's proxy_url into an own http_config without one (Alertmanager config.go)", () => {
    const out = msteamsv2.check!(
      { webhook_url: 'https://x/', http_config: { follow_redirects: false } },
      P,
      checkContext({ http_config: { proxy_url: 'http://proxy:3128' } }),
    );
    expect(out.http_config).toEqual({ follow_redirects: false, proxy_url: 'http://proxy:3128' });
    const own = msteamsv2.check!(
      { webhook_url: 'https://x/', http_config: { proxy_url: 'http://mine:1' } },
      P,
      checkContext({ http_config: { proxy_url: 'http://proxy:3128' } }),
    );
    expect(own.http_config).toEqual({ proxy_url: 'http://mine:1' });
  });
});
