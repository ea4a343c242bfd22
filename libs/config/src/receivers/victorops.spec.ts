import { VICTOROPS_DEFAULT_API_URL, VICTOROPS_RESERVED_FIELDS, victorops } from './victorops';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].victorops_configs[0]';
const check = checkerOf(victorops, P);

describe('victorops_configs check', () => {
  it('accepts every Alertmanager field', () => {
    const c = {
      api_key: 'k',
      api_url: 'https://vo.example/alert/',
      routing_key: '{{ .CommonLabels.team }}',
      message_type: 'WARNING',
      state_message: 's',
      entity_display_name: 'e',
      monitoring_tool: 'm',
      custom_fields: { env: '{{ .CommonLabels.env }}' },
    };
    expect(check(c)).toEqual(c);
  });

  it('api_url from global.victorops_api_url (default the REST endpoint), made to end in "/"', () => {
    expect(check({ api_key: 'k', routing_key: 'r' }).api_url).toBe(VICTOROPS_DEFAULT_API_URL);
    expect(check({ api_key: 'k', routing_key: 'r' }, { victorops_api_url: 'https://vo/alert' }).api_url).toBe(
      'https://vo/alert/',
    );
  });

  it('api_key or api_key_file, else global.victorops_api_key(_file); never both', () => {
    expect(check({ routing_key: 'r' }, { victorops_api_key: 'g' }).api_key).toBe('g');
    expect(check({ routing_key: 'r' }, { victorops_api_key_file: '/g' }).api_key_file).toBe('/g');
    expect(() => check({ routing_key: 'r' })).toThrow(`${P}: one of api_key or api_key_file is required`);
    expect(() => check({ routing_key: 'r', api_key: 'a', api_key_file: '/f' })).toThrow(
      `${P}: at most one of api_key and api_key_file`,
    );
    expect(() =>
      check({ routing_key: 'r' }, { victorops_api_key: 'a', victorops_api_key_file: '/f' }),
    ).toThrow('global: at most one');
  });

  it('routing_key is required', () => {
    expect(() => check({ api_key: 'k' })).toThrow(`${P}.routing_key: must be a non-empty string`);
  });

  it.each(VICTOROPS_RESERVED_FIELDS)('custom field %s is refused (Alertmanager sets it)', (f) => {
    expect(() => check({ api_key: 'k', routing_key: 'r', custom_fields: { [f]: 'x' } })).toThrow(
      `${P}.custom_fields.${f}: reserved`,
    );
  });

  it('unknown fields and template syntax errors name the field', () => {
    expect(() => check({ api_key: 'k', routing_key: 'r', message: 'x' })).toThrow(
      `${P}.message: unknown field`,
    );
    expect(() => check({ api_key: 'k', routing_key: '{{ .X' })).toThrow(`${P}.routing_key:`);
    expect(() => check({ api_key: 'k', routing_key: 'r', custom_fields: { a: '{{ end }}' } })).toThrow(
      `${P}.custom_fields.a:`,
    );
    expect(() => check({ api_key: 'k', routing_key: 'r', custom_fields: { a: 1 } })).toThrow(
      `${P}.custom_fields.a: must be a string`,
    );
  });
});
