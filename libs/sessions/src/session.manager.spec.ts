import { FakeClock } from '@herald/domain';
import { ALICE as user } from '../../../test/fixtures/session-user';
import { MemorySessionStore } from './memory-session.store';
import { SessionManager } from './session.manager';
import { TenantContext } from './tenant-context';

const MIN = 60_000;
const T0 = 1_800_000_000_000;

describe('SessionManager (memory store, fake clock)', () => {
  let clock: FakeClock;
  let mgr: SessionManager;
  beforeEach(() => {
    clock = new FakeClock(T0);
    mgr = new SessionManager(new MemorySessionStore(), clock, { idleMs: 30 * MIN, maxLifetimeMs: 120 * MIN });
  });

  it('issues an opaque token naming only the tenant; the record never holds it', async () => {
    const { token, session } = await mgr.create(user);
    expect(token).toMatch(/^team-a\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(session)).not.toContain(token.split('.')[1]);
    expect(session.id).toMatch(/^[0-9a-f]{32}$/);
    expect(mgr.scope).toBe('node');
  });

  it('slides the idle expiry on use and ends an unused session', async () => {
    const { token } = await mgr.create(user);
    clock.advance(29 * MIN);
    expect((await mgr.authenticate(token))?.idleExpiresAt).toBe(T0 + 59 * MIN);
    clock.advance(29 * MIN); // 58 min after login, 29 after last use
    expect(await mgr.authenticate(token)).not.toBeNull();
    clock.advance(30 * MIN); // idle for 30 min
    expect(await mgr.authenticate(token)).toBeNull();
    clock.advance(-30 * MIN); // and it stays gone
    expect(await mgr.authenticate(token)).toBeNull();
  });

  it('ends even an active session at its absolute lifetime', async () => {
    const { token } = await mgr.create(user);
    for (let t = 20; t < 120; t += 20) {
      clock.set(T0 + t * MIN);
      const s = await mgr.authenticate(token);
      expect(s).not.toBeNull();
      expect(s!.idleExpiresAt).toBeLessThanOrEqual(T0 + 120 * MIN); // never slides past the cap
    }
    clock.set(T0 + 120 * MIN);
    expect(await mgr.authenticate(token)).toBeNull();
  });

  it('rejects tampered tokens: another tenant prefix finds nothing', async () => {
    const { token } = await mgr.create(user);
    expect(await mgr.authenticate(token.replace('team-a.', 'team-b.'))).toBeNull();
    expect(await mgr.authenticate(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(await mgr.authenticate('garbage')).toBeNull();
  });

  it('lists, counts and revokes within the caller tenant only', async () => {
    const a1 = await mgr.create(user);
    await mgr.create({ ...user, username: 'bob', role: 'viewer' });
    const b = await mgr.create({ ...user, tenant: 'team-b' });
    const ctxA = TenantContext.forSession(a1.session);
    expect((await mgr.list(ctxA)).map((s) => s.username)).toEqual(['alice', 'bob']);
    expect(await mgr.stats(ctxA)).toEqual({ active: 2, perUser: { alice: 1, bob: 1 } });
    expect(await mgr.revoke(ctxA, b.session.id)).toBe(false);
    expect(await mgr.authenticate(b.token)).not.toBeNull();
    expect(await mgr.revoke(ctxA, a1.session.id)).toBe(true);
    expect(await mgr.authenticate(a1.token)).toBeNull();
  });
});
