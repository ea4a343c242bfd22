import { LoginLimiter, MemoryAttemptCounter } from './login-limiter';

describe('LoginLimiter', () => {
  it('refuses the 6th failed attempt for a user within the window, not successes', async () => {
    let now = 0;
    const l = new LoginLimiter(new MemoryAttemptCounter(() => now), {
      windowMs: 60_000,
      perUser: 5,
      perIp: 100,
    });
    for (let i = 0; i < 3; i++) await l.succeeded(await l.attempt('1.1.1.1', 't', 'alice')); // good logins
    for (let i = 0; i < 5; i++) expect((await l.attempt('1.1.1.1', 't', 'alice')).allowed).toBe(true);
    const sixth = await l.attempt('1.1.1.2', 't', 'alice'); // another IP: the user counter still holds
    expect(sixth.allowed).toBe(false);
    expect(sixth.retryAfterMs).toBeGreaterThan(0);
    expect((await l.attempt('1.1.1.1', 't', 'bob')).allowed).toBe(true);
    expect((await l.attempt('1.1.1.1', 'u', 'alice')).allowed).toBe(true); // same name, other tenant
    now = 60_000;
    expect((await l.attempt('1.1.1.1', 't', 'alice')).allowed).toBe(true);
  });

  it('limits an IP across users', async () => {
    const l = new LoginLimiter(new MemoryAttemptCounter(), { windowMs: 60_000, perUser: 5, perIp: 3 });
    for (let i = 0; i < 3; i++) expect((await l.attempt('9.9.9.9', 't', `u${i}`)).allowed).toBe(true);
    expect((await l.attempt('9.9.9.9', 't', 'u9')).allowed).toBe(false);
    expect((await l.attempt('8.8.8.8', 't', 'u9')).allowed).toBe(true);
  });
});
