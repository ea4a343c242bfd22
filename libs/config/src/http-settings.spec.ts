import { ConfigError } from '@herald/domain';
import { loadConfig } from './load-config';
import { cidr } from './http-settings';

const BASE = 'route: { receiver: d }\nreceivers: [{ name: d }]\n';
const load = (herald: string, env: Record<string, string> = {}) =>
  loadConfig({ env, fileText: `${BASE}herald:\n${herald}`, hostname: 'h' });
const error = (herald: string, env: Record<string, string> = {}): string => {
  try {
    load(herald, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('herald.http.trusted_proxies', () => {
  it('defaults to loopback only', () => {
    expect(load('  log_level: info\n').herald.http.trustedProxies).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('takes addresses and CIDRs, written out with their prefix', () => {
    const h = load('  http:\n    trusted_proxies: [10.0.0.0/8, 192.0.2.7, "fd00::/8", "::1"]\n').herald;
    expect(h.http.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7/32', 'fd00::/8', '::1/128']);
  });

  it('an empty list trusts nobody', () => {
    expect(load('  http: { trusted_proxies: [] }\n').herald.http.trustedProxies).toEqual([]);
  });

  it.each([
    ['[10.0.0.0/33]', 'herald.http.trusted_proxies[0]: must be an IP address or CIDR'],
    ['[127.0.0.1, nginx]', 'herald.http.trusted_proxies[1]: must be an IP address or CIDR'],
    ['["fd00::/129"]', 'prefix must be 0..128'],
    ['[10.0.0.0/x]', 'prefix must be 0..32'],
    ['10.0.0.0/8', 'herald.http.trusted_proxies: must be a list'],
  ])('rejects trusted_proxies %s naming the field', (v, msg) => {
    expect(error(`  http:\n    trusted_proxies: ${v}\n`)).toContain(msg);
  });

  it('rejects unknown keys under herald.http', () => {
    expect(error('  http: { trust_proxy: true }\n')).toContain('herald.http.trust_proxy: unknown field');
  });

  it('HERALD_TRUSTED_PROXIES replaces the file (comma-separated; none = nobody)', () => {
    const file = '  http: { trusted_proxies: [10.0.0.0/8] }\n';
    expect(load(file, { HERALD_TRUSTED_PROXIES: '172.29.93.10, ::1' }).herald.http.trustedProxies).toEqual([
      '172.29.93.10/32',
      '::1/128',
    ]);
    expect(load(file, { HERALD_TRUSTED_PROXIES: 'none' }).herald.http.trustedProxies).toEqual([]);
    expect(error(file, { HERALD_TRUSTED_PROXIES: '10.0.0.1,bad' })).toContain('HERALD_TRUSTED_PROXIES[1]');
  });

  it('cidr() keeps IPv4-mapped IPv6 ranges as written', () => {
    expect(cidr('::ffff:10.0.0.0/104', 'x')).toBe('::ffff:10.0.0.0/104');
  });
});
