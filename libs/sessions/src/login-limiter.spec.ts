import { limiterAddress } from './client-address';
import { LoginLimiter, MemoryAttemptCounter } from './login-limiter';

describe('LoginLimiter', () => {
  it('refuses the 6th failed attempt for a user from one address within the window, not successes', async () => {
    let now = 0;
    const l = new LoginLimiter(new MemoryAttemptCounter({ now: () => now }), {
      windowMs: 60_000,
      perUserAddress: 5,
      perAddress: 100,
    });
    for (let i = 0; i < 3; i++) await l.succeeded(await l.attempt('1.1.1.1', 't', 'alice')); // good logins
    for (let i = 0; i < 5; i++) expect((await l.attempt('1.1.1.1', 't', 'alice')).allowed).toBe(true);
    const sixth = await l.attempt('1.1.1.1', 't', 'alice');
    expect(sixth.allowed).toBe(false);
    expect(sixth.retryAfterMs).toBeGreaterThan(0);
    expect((await l.attempt('1.1.1.1', 't', 'bob')).allowed).toBe(true);
    expect((await l.attempt('1.1.1.1', 'u', 'alice')).allowed).toBe(true); // same name, other tenant
    now = 60_000;
    expect((await l.attempt('1.1.1.1', 't', 'alice')).allowed).toBe(true);
  });

  it('five wrong passwords from one address do not lock the user out from another address', async () => {
    const l = new LoginLimiter(new MemoryAttemptCounter(), {
      windowMs: 60_000,
      perUserAddress: 5,
      perAddress: 20,
    });
    for (let i = 0; i < 5; i++) expect((await l.attempt('203.0.113.9', 't', 'alice')).allowed).toBe(true);
    expect((await l.attempt('203.0.113.9', 't', 'alice')).allowed).toBe(false);
    expect((await l.attempt('198.51.100.1', 't', 'alice')).allowed).toBe(true);
  });

  it('limits an address across users', async () => {
    const l = new LoginLimiter(new MemoryAttemptCounter(), {
      windowMs: 60_000,
      perUserAddress: 5,
      perAddress: 3,
    });
    for (let i = 0; i < 3; i++) expect((await l.attempt('9.9.9.9', 't', `u${i}`)).allowed).toBe(true);
    expect((await l.attempt('9.9.9.9', 't', 'u9')).allowed).toBe(false);
    expect((await l.attempt('8.8.8.8', 't', 'u9')).allowed).toBe(true);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as IPv4', async () => {
    const l = new LoginLimiter(new MemoryAttemptCounter(), {
      windowMs: 60_000,
      perUserAddress: 2,
      perAddress: 3,
    });
    for (let i = 1; i <= 3; i++)
      expect((await l.attempt(`2001:db8:1:2::${i}`, 't', `u${i}`)).allowed).toBe(true);
    expect((await l.attempt('2001:db8:1:2:ffff::9', 't', 'u4')).allowed).toBe(false);
    expect((await l.attempt('2001:db8:1:3::1', 't', 'u4')).allowed).toBe(true);
    expect((await l.attempt('::ffff:192.0.2.1', 't', 'v')).allowed).toBe(true);
    expect((await l.attempt('192.0.2.1', 't', 'v')).allowed).toBe(true);
    expect((await l.attempt('192.0.2.1', 't', 'v')).allowed).toBe(false); // same counter, perUserAddress 2
  });
});

describe('limiterAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not-an-ip', 'not-an-ip'],
  ])('%s → %s', (ip, key) => expect(limiterAddress(ip)).toBe(key));
});
