import { randomBytes } from 'node:crypto';
import { FakeClock } from '@herald/domain';
import type { RedisClient, RedisKeys } from '@herald/redis';
import {
  LoginLimiter,
  RedisAttemptCounter,
  RedisSessionStore,
  SessionManager,
  sha256Hex,
  TenantContext,
} from '@herald/sessions';
import { ALICE as user } from '../fixtures/session-user';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';

const MIN = 60_000;

describe.each(TOPOLOGIES)('on %s Redis', (topology) => {
  let redis: RedisClient;
  let topo: RedisTopology;

  withRedisTopology(topology, (t) => ({ redis } = topo = t));

  describe('sessions in Redis (fake clock)', () => {
    let keys: RedisKeys;
    let clock: FakeClock;
    let mgr: SessionManager;
    beforeEach(() => {
      keys = topo.keys(`t${randomBytes(4).toString('hex')}`, 16);
      // Near real time: Redis TTLs are relative to it, the expiry decisions use the fake clock.
      clock = new FakeClock(Date.now());
      mgr = new SessionManager(new RedisSessionStore(redis, keys), clock, {
        idleMs: 30 * MIN,
        maxLifetimeMs: 120 * MIN,
      });
    });

    it('stores only sha256(token): key name, fields and TTL', async () => {
      const { token, session } = await mgr.create(user);
      const key = keys.session('team-a', sha256Hex(token));
      expect(await redis.exists(key)).toBe(1);
      const pttl = await redis.pttl(key);
      expect(pttl).toBeGreaterThan(29 * MIN);
      expect(pttl).toBeLessThanOrEqual(30 * MIN);
      const all =
        JSON.stringify(await redis.hgetall(key)) +
        JSON.stringify(await redis.zrange(keys.tenantSessions('team-a'), '0', '-1'));
      expect(all).not.toContain(token.split('.')[1]);
      expect(all).toContain(session.id);
      expect(mgr.scope).toBe('cluster');
    });

    it('sliding expiry renews on access; the absolute lifetime ends an active session', async () => {
      const t0 = clock.now();
      const { token } = await mgr.create(user);
      clock.advance(25 * MIN);
      expect(await mgr.authenticate(token)).not.toBeNull();
      clock.advance(25 * MIN); // 50 min after login, 25 idle: alive only thanks to the renewal
      const s = await mgr.authenticate(token);
      expect(s?.lastSeenAt).toBe(t0 + 50 * MIN);
      expect(s?.idleExpiresAt).toBe(t0 + 80 * MIN);
      for (let t = 70; t < 120; t += 20) {
        clock.set(t0 + t * MIN);
        expect(await mgr.authenticate(token)).not.toBeNull();
      }
      clock.set(t0 + 120 * MIN);
      expect(await mgr.authenticate(token)).toBeNull();
      expect(await redis.exists(keys.session('team-a', sha256Hex(token)))).toBe(0); // expired records are dropped
    });

    it('an idle session ends after the idle timeout', async () => {
      const { token } = await mgr.create(user);
      clock.advance(30 * MIN);
      expect(await mgr.authenticate(token)).toBeNull();
    });

    it('lists and revokes by public id within the tenant; a second manager (node) sees it at once', async () => {
      const other = new SessionManager(new RedisSessionStore(redis, keys), clock);
      const a = await mgr.create(user);
      const b = await mgr.create({ ...user, tenant: 'team-b' });
      const ctxA = TenantContext.forSession(a.session);
      expect((await other.list(ctxA)).map((s) => s.id)).toEqual([a.session.id]);
      expect(await other.revoke(ctxA, b.session.id)).toBe(false);
      expect(await mgr.authenticate(b.token)).not.toBeNull();
      expect(await other.revoke(ctxA, a.session.id)).toBe(true);
      expect(await mgr.authenticate(a.token)).toBeNull();
      expect(await other.stats(ctxA)).toEqual({ active: 0, perUser: {} });
    });

    it('logout deletes the record and its index entry', async () => {
      const a = await mgr.create(user);
      expect((await mgr.logout(a.token))?.id).toBe(a.session.id);
      expect(await mgr.authenticate(a.token)).toBeNull();
      expect(await redis.zcard(keys.tenantSessions('team-a'))).toBe(0);
    });
  });

  describe('login attempt counters in Redis', () => {
    it('two limiters (nodes) share the count: exactly 5 of 12 concurrent wrong attempts pass', async () => {
      const keys = topo.keys(`t${randomBytes(4).toString('hex')}`, 16);
      const limits = { windowMs: 60_000, perUserAddress: 5, perAddress: 100 };
      const nodes = [
        new LoginLimiter(new RedisAttemptCounter(redis, keys), limits),
        new LoginLimiter(new RedisAttemptCounter(redis, keys), limits),
      ];
      // One user from one address (the lockout is per user and address, not per user alone).
      const res = await Promise.all(
        Array.from({ length: 12 }, (_, i) => nodes[i % 2].attempt('10.0.0.1', 't', 'alice')),
      );
      expect(res.filter((r) => r.allowed)).toHaveLength(5);
      expect((await nodes[0].attempt('10.0.0.2', 't', 'alice')).allowed).toBe(true);
      const pttl = await redis.pttl(keys.loginAttempts('user', sha256Hex('t\u0000alice\u000010.0.0.1')));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60_000);
    });

    it('successful attempts are taken back', async () => {
      const keys = topo.keys(`t${randomBytes(4).toString('hex')}`, 16);
      const l = new LoginLimiter(new RedisAttemptCounter(redis, keys), {
        windowMs: 60_000,
        perUserAddress: 2,
        perAddress: 100,
      });
      for (let i = 0; i < 5; i++) await l.succeeded(await l.attempt('1.2.3.4', 't', 'bob'));
      expect((await l.attempt('1.2.3.4', 't', 'bob')).allowed).toBe(true);
      expect((await l.attempt('1.2.3.4', 't', 'bob')).allowed).toBe(true);
      expect((await l.attempt('1.2.3.4', 't', 'bob')).allowed).toBe(false);
    });
  });
});
