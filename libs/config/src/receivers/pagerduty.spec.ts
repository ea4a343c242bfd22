import { PAGERDUTY_DEFAULT_URL, pagerduty } from './pagerduty';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].pagerduty_configs[0]';
const check = checkerOf(pagerduty, P);

describe('pagerduty_configs check', () => {
  it("accepts every Alertmanager field (HEAD's nested details and timeout included)", () => {
    const c = {
      routing_key: 'rk',
      url: 'https://pd.example/v2/enqueue',
      client: 'c {{ .Receiver }}',
      client_url: 'https://c/',
      description: '{{ .Status }}',
      source: 's',
      severity: '{{ if eq .Status "firing" }}critical{{ else }}info{{ end }}',
      class: 'cl',
      component: 'co',
      group: 'g',
      details: { a: '{{ .Status }}', nested: { '{{ .Receiver }}': ['x', 1, true] }, n: 3 },
      images: [{ src: 'https://i/{{ .Status }}.png', alt: 'a', href: 'https://h' }],
      links: [{ href: 'https://l', text: 't' }],
      timeout: '10s',
    };
    expect(check(c)).toEqual(c);
  });

  it('v1 with service_key or service_key_file; url defaults to global.pagerduty_url, then Events API v2', () => {
    expect(check({ service_key: 'sk' })).toEqual({ service_key: 'sk', url: PAGERDUTY_DEFAULT_URL });
    expect(check({ routing_key_file: '/s/rk' }, { pagerduty_url: 'https://pd.local/enqueue' })).toEqual({
      routing_key_file: '/s/rk',
      url: 'https://pd.local/enqueue',
    });
    expect(check({ service_key_file: '/s/sk' }).service_key_file).toBe('/s/sk');
  });

  it('requires a key and refuses a key with its _file twin', () => {
    expect(() => check({})).toThrow(
      `${P}: one of routing_key, routing_key_file (Events API v2), service_key`,
    );
    expect(() => check({ routing_key: 'a', routing_key_file: '/f' })).toThrow(
      `${P}: at most one of routing_key and routing_key_file may be set`,
    );
    expect(() => check({ service_key: 'a', service_key_file: '/f' })).toThrow(
      `${P}: at most one of service_key and service_key_file may be set`,
    );
  });

  it('refuses unknown fields, bad URLs and timeouts, naming the field', () => {
    expect(() => check({ routing_key: 'a', sevrity: 'x' })).toThrow(
      `${P}.sevrity: unknown field (did you mean "severity"?)`,
    );
    expect(() => check({ routing_key: 'a', url: 'ftp://x' })).toThrow(
      `${P}.url: must be an http or https URL`,
    );
    expect(() => check({ routing_key: 'a' }, { pagerduty_url: 'nope' })).toThrow('global.pagerduty_url');
    expect(() => check({ routing_key: 'a', timeout: 'soon' })).toThrow(`${P}.timeout`);
    expect(() => check({ routing_key: 'a', images: [{ src: 'x', size: 1 }] })).toThrow(
      `${P}.images[0].size: unknown field`,
    );
    expect(() => check({ routing_key: 'a', links: 'x' })).toThrow(`${P}.links: must be a list`);
    expect(() => check({ routing_key: 'a', class: 3 })).toThrow(`${P}.class: must be a string`);
  });

  it('a template syntax error names the field, however deep', () => {
    expect(() => check({ routing_key: 'a', description: '{{ .Status' })).toThrow(`${P}.description:`);
    expect(() => check({ routing_key: '{{ end }}' })).toThrow(`${P}.routing_key:`);
    expect(() => check({ routing_key: 'a', details: { x: { y: ['{{ if }}'] } } })).toThrow(
      `${P}.details.x.y[0]:`,
    );
    expect(() => check({ routing_key: 'a', links: [{ href: '{{ .X ' }] })).toThrow(`${P}.links[0].href:`);
  });
});
