import { incidentio } from './incidentio';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].incidentio_configs[0]';
const check = checkerOf(incidentio, P);
const URL = 'https://api.incident.io/v2/alert_events/alertmanager/01ABC';

describe('incidentio_configs check', () => {
  it('url or url_file, exactly one', () => {
    expect(check({ url: URL, alert_source_token: 't' })).toEqual({ url: URL, alert_source_token: 't' });
    expect(check({ url_file: '/u', alert_source_token_file: '/t' })).toEqual({
      url_file: '/u',
      alert_source_token_file: '/t',
    });
    expect(() => check({ alert_source_token: 't' })).toThrow(`${P}: one of url or url_file is required`);
    expect(() => check({ url: URL, url_file: '/u' })).toThrow('at most one of url and url_file');
    expect(() => check({ url: 'api.incident.io' })).toThrow(`${P}.url:`);
  });

  it('alert_source_token rules (Alertmanager incidentio/config.go)', () => {
    expect(() => check({ url: URL, alert_source_token: 't', alert_source_token_file: '/t' })).toThrow(
      'at most one of alert_source_token and alert_source_token_file',
    );
    expect(() =>
      check({ url: URL, alert_source_token: 't', http_config: { authorization: { credentials: 'x' } } }),
    ).toThrow(`${P}.http_config: cannot set authorization together with alert_source_token`);
    expect(() => check({ url: URL, http_config: { follow_redirects: true } })).toThrow(
      'at least one of alert_source_token, alert_source_token_file or http_config.authorization is required',
    );
    expect(check({ url: URL, http_config: { authorization: { credentials: 'x' } } })).toMatchObject({
      url: URL,
    });
    // Alertmanager accepts an entry without http_config and without a token (sent unauthenticated).
    expect(check({ url: URL })).toEqual({ url: URL });
  });

  it('max_alerts a non-negative integer; timeout a Prometheus duration', () => {
    expect(check({ url: URL, alert_source_token: 't', max_alerts: 5, timeout: '1m30s' })).toMatchObject({
      max_alerts: 5,
      timeout: '1m30s',
    });
    expect(() => check({ url: URL, max_alerts: -1 })).toThrow(
      `${P}.max_alerts: must be a non-negative integer`,
    );
    expect(() => check({ url: URL, max_alerts: '5' })).toThrow(`${P}.max_alerts:`);
    expect(() => check({ url: URL, timeout: 'soon' })).toThrow(`${P}.timeout:`);
  });

  it('refuses unknown fields, naming them', () => {
    expect(() => check({ url: URL, token: 't' })).toThrow(`${P}.token: unknown field`);
  });
});
