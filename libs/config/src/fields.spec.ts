import { byteSize, checkKeys, hostPort, labelName } from './fields';
import { isSecretKey, redactYaml } from './redact';

describe('config field readers', () => {
  it('byteSize: SI and IEC units, integers only', () => {
    expect(byteSize('1KiB', 'x', 0)).toBe(1024);
    expect(byteSize('1kb', 'x', 0)).toBe(1000);
    expect(byteSize('2 GiB', 'x', 0)).toBe(2 * 1024 ** 3);
    expect(byteSize(undefined, 'x', 7)).toBe(7);
    expect(() => byteSize('0.5B', 'x', 0)).toThrow('x: must be a positive size');
    expect(() => byteSize('-1', 'x', 0)).toThrow('x: must be a positive size');
  });

  it('checkKeys suggests only close names', () => {
    expect(() => checkKeys({ prot: 1 }, ['port'], 'a')).toThrow(
      'a.prot: unknown field (did you mean "port"?)',
    );
    expect(() => checkKeys({ zzzzzz: 1 }, ['port'], 'a')).toThrow(/^a\.zzzzzz: unknown field$/);
  });

  it('hostPort parses names, IPv4 and bracketed IPv6', () => {
    expect(hostPort('redis-0.redis:26379', 'p')).toEqual({ host: 'redis-0.redis', port: 26379 });
    expect(hostPort('[fe80::1]:1', 'p')).toEqual({ host: 'fe80::1', port: 1 });
    expect(() => hostPort('h:0', 'p')).toThrow('p: must be "host:port"');
  });
});

describe('redactYaml', () => {
  it('masks secret keys and keeps the rest', () => {
    expect(isSecretKey('external_url')).toBe(false);
    expect(isSecretKey('key_prefix')).toBe(false);
    expect(isSecretKey('url_file')).toBe(false);
    expect(isSecretKey('routing_key')).toBe(true);
    // Every receiver kind's secrets (Alertmanager marks these as Secret).
    for (const k of [
      'service_key',
      'api_key',
      'user_key',
      'token',
      'bot_token',
      'api_secret',
      'secret_key',
      'webhook_url',
      'alert_source_token',
      'token_id',
      'access_key',
    ])
      expect(isSecretKey(k)).toBe(true);
    for (const k of ['chat_id', 'room_id', 'corp_id', 'agent_id', 'topic_arn'])
      expect(isSecretKey(k)).toBe(false);
    const out = redactYaml(
      '# c\nherald:\n  redis: { url: redis://u:p@h, key_prefix: k }\n  tenants: [{ id: a, api_keys: [x, y] }]\n',
    );
    expect(out).toContain('# c');
    expect(out).not.toMatch(/u:p@h|\bx\b|\by\b/);
    expect(out).toContain('key_prefix: k');
  });

  it('labelName: classic by default, any non-empty valid UTF-8 name in utf8 mode', () => {
    expect(labelName('severity', 'x')).toBe('severity');
    expect(() => labelName('service.name', 'x')).toThrow('x: invalid label name "service.name"');
    expect(labelName('service.name', 'x', 'utf8')).toBe('service.name');
    expect(labelName('名前', 'x', 'utf8')).toBe('名前');
    expect(() => labelName('a\ud800', 'x', 'utf8')).toThrow(
      'x: invalid label name "a\\ud800": not valid UTF-8',
    );
    expect(() => labelName('', 'x', 'utf8')).toThrow('x: must be a non-empty string');
  });
});
