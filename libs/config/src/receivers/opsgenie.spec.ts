import { OPSGENIE_DEFAULT_API_URL, opsgenie } from './opsgenie';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].opsgenie_configs[0]';
const check = checkerOf(opsgenie, P);

describe('opsgenie_configs check', () => {
  it('accepts every Alertmanager field', () => {
    const c = {
      api_key: 'k',
      api_url: 'https://og.example/',
      message: '{{ .Status }}',
      description: 'd',
      source: 's',
      details: { a: '{{ .Receiver }}' },
      entity: 'e',
      responders: [
        { id: '1', type: 'escalation' },
        { name: 'a,b', type: 'teams' },
        { username: 'u', type: 'User' },
        { name: 'n', type: '{{ .CommonLabels.kind }}' },
      ],
      actions: 'a,b',
      tags: 't',
      note: 'n',
      priority: 'P2',
      update_alerts: true,
    };
    expect(check(c)).toEqual(c);
  });

  it('api_url from global.opsgenie_api_url (default https://api.opsgenie.com/), made to end in "/"', () => {
    expect(check({ api_key: 'k' }).api_url).toBe(OPSGENIE_DEFAULT_API_URL);
    expect(check({ api_key: 'k' }, { opsgenie_api_url: 'https://eu.og/api' }).api_url).toBe(
      'https://eu.og/api/',
    );
    expect(check({ api_key: 'k', api_url: 'http://og.local/x?y=1' }).api_url).toBe('http://og.local/x/?y=1');
  });

  it('api_key or api_key_file, else global.opsgenie_api_key(_file); never both', () => {
    expect(check({}, { opsgenie_api_key: 'g' }).api_key).toBe('g');
    expect(check({}, { opsgenie_api_key_file: '/g' }).api_key_file).toBe('/g');
    expect(check({ api_key_file: '/own' }, { opsgenie_api_key: 'g' })).toMatchObject({
      api_key_file: '/own',
    });
    expect(check({ api_key_file: '/own' }, { opsgenie_api_key: 'g' }).api_key).toBeUndefined();
    expect(() => check({})).toThrow(`${P}: one of api_key or api_key_file is required`);
    expect(() => check({ api_key: 'a', api_key_file: '/f' })).toThrow(
      `${P}: at most one of api_key and api_key_file`,
    );
    expect(() => check({}, { opsgenie_api_key: 'a', opsgenie_api_key_file: '/f' })).toThrow(
      'global: at most one',
    );
  });

  it('responders need id, name or username and a known type (or a template)', () => {
    expect(() => check({ api_key: 'k', responders: [{ type: 'team' }] })).toThrow(
      `${P}.responders[0]: at least one of id, name or username is required`,
    );
    expect(() => check({ api_key: 'k', responders: [{ id: 'x', type: 'group' }] })).toThrow(
      `${P}.responders[0].type: must be one of team, teams, user, escalation, schedule`,
    );
    expect(() => check({ api_key: 'k', responders: [{ id: 'x' }] })).toThrow(`${P}.responders[0].type`);
    expect(() => check({ api_key: 'k', responders: [{ id: 'x', type: 'team', team: 'y' }] })).toThrow(
      `${P}.responders[0].team: unknown field`,
    );
  });

  it('priority P1–P5 unless templated; details are strings; unknown fields refused', () => {
    expect(() => check({ api_key: 'k', priority: 'high' })).toThrow(
      `${P}.priority: must be one of P1, P2, P3, P4, P5`,
    );
    expect(check({ api_key: 'k', priority: '{{ .CommonLabels.p }}' }).priority).toBe('{{ .CommonLabels.p }}');
    expect(() => check({ api_key: 'k', details: { a: 1 } })).toThrow(`${P}.details.a: must be a string`);
    expect(() => check({ api_key: 'k', visible_to: [] })).toThrow(`${P}.visible_to: unknown field`);
    expect(() => check({ api_key: 'k', update_alerts: 'yes' })).toThrow(
      `${P}.update_alerts: must be true or false`,
    );
  });

  it('a template syntax error names the field', () => {
    expect(() => check({ api_key: 'k', message: '{{ .Status' })).toThrow(`${P}.message:`);
    expect(() => check({ api_key: 'k', details: { x: '{{ end }}' } })).toThrow(`${P}.details.x:`);
    expect(() => check({ api_key: 'k', responders: [{ name: '{{', type: 'team' }] })).toThrow(
      `${P}.responders[0].name:`,
    );
    expect(() => check({ api_key: '{{ .X' })).toThrow(`${P}.api_key:`);
  });
});
