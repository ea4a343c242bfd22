import { goDurationSeconds } from './pushover';
import { type Json, loadedEntry } from '../../../../test/harness/notify-specs';

const entry = (c: Json) => loadedEntry('pushover', c);

const OK = { user_key: 'u', token: 't' };

describe('pushover_configs check', () => {
  it("applies Alertmanager's retry (1m) and expire (1h) defaults and send_resolved true", () => {
    expect(entry(OK)).toMatchObject({ retry: '1m', expire: '1h', send_resolved: true });
    expect(entry({ ...OK, retry: '2m', expire: '2h', ttl: '30m' })).toMatchObject({
      retry: '2m',
      expire: '2h',
      ttl: '30m',
    });
  });

  it('requires user_key or user_key_file and token or token_file, at most one of each', () => {
    expect(() => entry({ token: 't' })).toThrow('one of user_key or user_key_file is required');
    expect(() => entry({ user_key: 'u' })).toThrow('one of token or token_file is required');
    expect(() => entry({ ...OK, token_file: '/f' })).toThrow(
      'at most one of token and token_file may be set',
    );
    expect(() => entry({ ...OK, user_key_file: '/f' })).toThrow(
      'at most one of user_key and user_key_file may be set',
    );
    expect(entry({ user_key_file: '/run/u', token_file: '/run/t' })).toMatchObject({ token_file: '/run/t' });
  });

  it('reads retry/expire/ttl as Go durations, naming the field when malformed', () => {
    expect(entry({ ...OK, retry: '1m30s', expire: 0 })).toMatchObject({ retry: '1m30s', expire: 0 });
    expect(() => entry({ ...OK, retry: 30 })).toThrow(/pushover_configs\[0\]\.retry: must be a Go duration/);
    expect(() => entry({ ...OK, expire: '1d' })).toThrow(
      /pushover_configs\[0\]\.expire: must be a Go duration/,
    );
    expect(() => entry({ ...OK, ttl: '-1h' })).toThrow(/pushover_configs\[0\]\.ttl: must not be negative/);
  });

  it('allows html or monospace, not both', () => {
    expect(entry({ ...OK, monospace: true }).monospace).toBe(true);
    expect(() => entry({ ...OK, html: true, monospace: true })).toThrow(
      'at most one of monospace and html may be set',
    );
    expect(() => entry({ ...OK, html: 'yes' })).toThrow(/pushover_configs\[0\]\.html: must be true or false/);
  });

  it('refuses unknown fields and template syntax errors, naming them', () => {
    expect(() => entry({ ...OK, user: 'u' })).toThrow(/pushover_configs\[0\]\.user: unknown field/);
    for (const k of ['title', 'message', 'url', 'url_title', 'device', 'sound', 'priority'])
      expect(() => entry({ ...OK, [k]: '{{ .Status' })).toThrow(
        new RegExp(`pushover_configs\\[0\\]\\.${k}: `),
      );
  });
});

describe('goDurationSeconds (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0],
    ['90s', 90],
    ['1m30s', 90],
    ['1.5h', 5400],
    ['500ms', 0.5],
    ['-2m', -120],
  ])('%s → %s s', (text, secs) => expect(goDurationSeconds(text)).toBe(secs));

  it.each(['', '30', '1d', 'm', '1h x', '.s'])('refuses %j', (text) =>
    expect(goDurationSeconds(text)).toBeUndefined(),
  );
});
