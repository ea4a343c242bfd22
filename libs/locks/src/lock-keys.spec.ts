import { fenceCounterKey, hasHashTag, LockKeys } from './lock-keys';

describe('LockKeys', () => {
  const keys = new LockKeys('herald');

  it('names locks as the seed does, tagged on the alert / group', () => {
    expect(keys.alert('acme', '4f2a')).toBe('herald:acme:lock:alert:{4f2a}');
    expect(keys.group('acme', 'b1c2')).toBe('herald:acme:lock:group:{b1c2}');
    expect(keys.task('acme', 'gc')).toBe('herald:acme:lock:task:{gc}');
  });

  it('keeps the fencing counter in the lock key’s slot', () => {
    expect(fenceCounterKey(keys.group('acme', 'b1c2'))).toBe('herald:acme:lock:group:{b1c2}:fence');
  });

  it('rejects parts that would move the hash tag', () => {
    expect(() => keys.group('ac{me}', 'b1')).toThrow('invalid lock key tenant');
    expect(() => keys.alert('acme', '')).toThrow('invalid lock key alert');
    expect(() => new LockKeys('{x}')).toThrow('invalid lock key prefix');
  });

  it('detects hash tags the way Redis Cluster does', () => {
    expect(hasHashTag('a:{b}')).toBe(true);
    expect(hasHashTag('a:{}:{b}')).toBe(false);
    expect(hasHashTag('a:b')).toBe(false);
    expect(hasHashTag('a:{b')).toBe(false);
  });
});
