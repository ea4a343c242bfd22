import { requestLogLevel } from './bootstrap';

describe('request log level', () => {
  it('an accepted ingest request logs at debug (Prometheus posts every evaluation interval)', () => {
    expect(requestLogLevel('POST', '/api/v2/alerts', 200)).toBe('debug');
    expect(requestLogLevel('POST', '/api/v1/webhooks/alertmanager', 200)).toBe('debug');
  });

  it('a refused ingest request stays at info, a failed one at error', () => {
    expect(requestLogLevel('POST', '/api/v2/alerts', 400)).toBe('info');
    expect(requestLogLevel('POST', '/api/v2/alerts', 429)).toBe('info');
    expect(requestLogLevel('POST', '/api/v2/alerts', 503)).toBe('error');
  });

  it('reads of the same path, the UI and the admin API log at info; probes at debug', () => {
    expect(requestLogLevel('GET', '/api/v2/alerts', 200)).toBe('info');
    expect(requestLogLevel('POST', '/api/v2/silences', 200)).toBe('info');
    expect(requestLogLevel('GET', '/metrics', 200)).toBe('debug');
    expect(requestLogLevel('GET', '/health/ready', 200)).toBe('debug');
    expect(requestLogLevel('GET', '/-/ready', 200)).toBe('debug');
    expect(requestLogLevel('GET', '/-/healthy', 200)).toBe('debug');
  });
});
