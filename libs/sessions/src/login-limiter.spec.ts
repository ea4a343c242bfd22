import { limiterAddress } from './client-address';
import { LoginLimiter, MemoryAttemptCounter } from './login-limiter';

/** A limiter over a one-minute window. */
const limiter = (perUserAddress: number, perAddress: number, counter = new MemoryAttemptCounter()) =>
  new LoginLimiter(counter, { windowMs: 60_000, perUserAddress, perAddress });

/** Whether one login attempt of `user` of tenant `t` from `ip` is let through. */
const allowed = async (l: LoginLimiter, ip: string, user: string, tenant = 't') =>
  (await l.attempt(ip, tenant, user)).allowed;

describe('LoginLimiter', () => {
  it('refuses the 6th failed attempt for a user from one address within the window, not successes', async () => {
    let now = 0;
    const l = limiter(5, 100, new MemoryAttemptCounter({ now: () => now }));
    for (let i = 0; i < 3; i++) await l.succeeded(await l.attempt('1.1.1.1', 't', 'alice')); // good logins
    for (let i = 0; i < 5; i++) expect(await allowed(l, '1.1.1.1', 'alice')).toBe(true);
    const sixth = await l.attempt('1.1.1.1', 't', 'alice');
    expect(sixth.allowed).toBe(false);
    expect(sixth.retryAfterMs).toBeGreaterThan(0);
    expect(await allowed(l, '1.1.1.1', 'bob')).toBe(true);
    expect(await allowed(l, '1.1.1.1', 'alice', 'u')).toBe(true); // same name, other tenant
    now = 60_000;
    expect(await allowed(l, '1.1.1.1', 'alice')).toBe(true);
  });

  it('five wrong passwords from one address do not lock the user out from another address', async () => {
    const l = limiter(5, 20);
    for (let i = 0; i < 5; i++) expect(await allowed(l, '203.0.113.9', 'alice')).toBe(true);
    expect(await allowed(l, '203.0.113.9', 'alice')).toBe(false);
    expect(await allowed(l, '198.51.100.1', 'alice')).toBe(true);
  });

  it('limits an address across users', async () => {
    const l = limiter(5, 3);
    for (let i = 0; i < 3; i++) expect(await allowed(l, '9.9.9.9', `u${i}`)).toBe(true);
    expect(await allowed(l, '9.9.9.9', 'u9')).toBe(false);
    expect(await allowed(l, '8.8.8.8', 'u9')).toBe(true);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped address as IPv4', async () => {
    const l = limiter(2, 3);
    for (let i = 1; i <= 3; i++) expect(await allowed(l, `2001:db8:1:2::${i}`, `u${i}`)).toBe(true);
    expect(await allowed(l, '2001:db8:1:2:ffff::9', 'u4')).toBe(false);
    expect(await allowed(l, '2001:db8:1:3::1', 'u4')).toBe(true);
    expect(await allowed(l, '::ffff:192.0.2.1', 'v')).toBe(true);
    expect(await allowed(l, '192.0.2.1', 'v')).toBe(true);
    expect(await allowed(l, '192.0.2.1', 'v')).toBe(false); // same counter, perUserAddress 2
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
