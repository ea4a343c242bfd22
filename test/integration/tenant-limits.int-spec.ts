import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MemoryGroupStore, TenantLimitError, type TenantIngestLimits } from '@herald/domain';
import { FailoverGroupStore, RedisGroupStore, RedisKeys } from '@herald/redis';
import { groupTarget, storedAlert } from '../harness/groups';
import { spyCommands, withRedis } from '../harness/redis-client';

// Redis-only aspects of tenant limits; the behaviour shared with memory is in the group store contract.
let redis: Redis;

withRedis((r) => ({ redis } = r));

const G1 = '00000000000000a1';
const G2 = '00000000000000b2';
const target = (groupId: string) => groupTarget(groupId);
const alert = (fp: string, now: number) => storedAlert(fp, now, { timeout: true });

function setup() {
  const keys = new RedisKeys(`t${randomBytes(4).toString('hex')}`, 16);
  const store = new RedisGroupStore(redis, keys, { retention: 60_000 });
  const put = (gid: string, fps: string[], now: number, limits?: TenantIngestLimits) =>
    store.upsert({
      tenant: 't',
      now,
      limits,
      groups: [{ target: target(gid), alerts: fps.map((f) => alert(f, now)) }],
    });
  return { keys, store, put };
}

describe('tenant limits in Redis', () => {
  it('checks the limits inside the one EVALSHA of the request', async () => {
    const { put } = setup();
    const now = Date.now();
    await put(G1, ['01'], now, { maxAlerts: 10, maxGroups: 10, ingestRate: 100, ingestBurst: 100 });
    const { sent, restore } = spyCommands(redis);
    try {
      await put(G1, ['02', '03'], now, { maxAlerts: 10, maxGroups: 10, ingestRate: 100, ingestBurst: 100 });
      await expect(put(G2, ['04'], now, { maxGroups: 1 })).rejects.toBeInstanceOf(TenantLimitError);
    } finally {
      restore();
    }
    expect(sent).toEqual(['evalsha', 'evalsha']);
  });

  it('gives the usage hash and the token bucket a TTL, and drops the usage hash once the tenant has no count limit', async () => {
    const { keys, put } = setup();
    const now = Date.now();
    await put(G1, ['01'], now, { maxAlerts: 10, ingestRate: 5, ingestBurst: 50 });
    expect(await redis.pttl(keys.tenantUsage('t'))).toBeGreaterThan(60_000);
    // One token taken: the bucket is full again 200 ms later (+1 s margin), and a missing bucket is full.
    const bucketTtl = await redis.pttl(keys.tenantIngestBucket('t'));
    expect(bucketTtl).toBeGreaterThan(1_000);
    expect(bucketTtl).toBeLessThanOrEqual(1_200);
    await put(G1, ['02'], now);
    expect(await redis.exists(keys.tenantUsage('t'))).toBe(0);
  });

  it('a group whose keys expired before the index pruned it is counted from zero when it comes back', async () => {
    const { keys, put } = setup();
    const now = Date.now();
    const L = { maxAlerts: 3 };
    await put(G1, ['01', '02', '03'], now, L);
    // Key TTLs and the index disagree by clock skew at most; simulate the keys going first.
    await redis.del(keys.groupFiring('t', G1), keys.groupRecovery('t', G1), keys.groupMeta('t', G1));
    await expect(put(G1, ['04', '05', '06'], now + 1, L)).resolves.toEqual({ written: 3, createdGroups: 1 });
    expect(await redis.hget(keys.tenantUsage('t'), 'n')).toBe('3');
    await expect(put(G1, ['07'], now + 2, L)).rejects.toBeInstanceOf(TenantLimitError);
  });

  it('the count stays exact under concurrent writers of one tenant', async () => {
    const { keys, store, put } = setup();
    const now = Date.now();
    const L = { maxAlerts: 50 };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, w) =>
        put(
          w % 2 ? G1 : G2,
          Array.from({ length: 5 }, (__, i) => `${w}-${i}`),
          now,
          L,
        ),
      ),
    );
    const stored = (await store.listGroups('t')).reduce((n, g) => n + g.firing.length, 0);
    expect(stored).toBe(50);
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    expect(await redis.hget(keys.tenantUsage('t'), 'n')).toBe('50');
  });
});

describe('tenant limits behind the failover store', () => {
  it('a TenantLimitError from Redis reaches the caller: it is no reason to fall back to memory', async () => {
    const { store: redisStore } = setup();
    const memory = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 100, retention: 60_000 });
    const store = new FailoverGroupStore(
      redisStore,
      memory,
      { log: () => undefined, warn: () => undefined },
      { probeInterval: 60_000, probe: () => redis.ping() },
    );
    const now = Date.now();
    const L = { ingestRate: 1, ingestBurst: 1 };
    const batch = (fp: string) => ({
      tenant: 't',
      now,
      limits: L,
      groups: [{ target: target(G1), alerts: [alert(fp, now)] }],
    });
    await store.upsert(batch('01'));
    await expect(store.upsert(batch('02'))).rejects.toBeInstanceOf(TenantLimitError);
    expect(store.degraded).toBe(false);
    expect(memory.size.alerts).toBe(0);
    store.close();
  });
});
