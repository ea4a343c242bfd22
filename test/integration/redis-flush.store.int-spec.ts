import { randomBytes } from 'node:crypto';
import { flushStoreContract } from '../contract/flush-store.contract';
import type { NflogEntry } from '@herald/domain';
import { RedisFlushStore, RedisGroupStore, type RedisClient } from '@herald/redis';
import { logEntry } from '../fixtures/flush-fixtures';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';

const prefix = () => `t${randomBytes(4).toString('hex')}`;
const KEY_TTL = 86_400_000;

describe.each(TOPOLOGIES)('on %s Redis', (topology) => {
  let redis: RedisClient;
  let topo: RedisTopology;

  withRedisTopology(topology, (t) => ({ redis } = topo = t), { commandTimeout: 2000 });

  flushStoreContract(`redis (${topology})`, () =>
    Promise.resolve(new RedisFlushStore(redis, topo.keys(prefix(), 4), { keyTtl: KEY_TTL })),
  );
  flushStoreContract(`redis (${topology}), one bucket`, () =>
    Promise.resolve(new RedisFlushStore(redis, topo.keys(prefix(), 1), { keyTtl: KEY_TTL })),
  );

  const T0 = 1_800_000_000_000;
  // A receiver name with braces (Redis Cluster's hash-tag syntax), a colon and spaces in it.
  const entry: NflogEntry = {
    ...logEntry('firing', ['0123456789abcdef'], [], T0),
    receiver: 'team {x}: ops',
  };

  describe('RedisFlushStore specifics', () => {
    it('two stores on separate connections (two nodes) never claim the same entry', async () => {
      const p = prefix();
      const other = await topo.client();
      try {
        const a = new RedisFlushStore(redis, topo.keys(p, 2), { keyTtl: KEY_TTL });
        const b = new RedisFlushStore(other, topo.keys(p, 2), { keyTtl: KEY_TTL });
        const n = 400;
        for (let i = 0; i < n; i++) {
          await a.schedule({
            tenant: 't',
            groupId: i.toString(16).padStart(16, '0'),
            state: i % 3 ? 'firing' : 'recovery',
            dueAt: T0 + i,
          });
        }
        const seen: string[] = [];
        const claimer = async (s: RedisFlushStore, owner: string) => {
          for (let round = 0; ; round++) {
            const got = [
              ...(await s.claimDue(round % 2, T0 + n, { leaseMs: 30_000, owner, limit: 9 })),
              ...(await s.claimDue((round + 1) % 2, T0 + n, { leaseMs: 30_000, owner, limit: 9 })),
            ];
            if (got.length === 0) return;
            seen.push(...got.map((c) => `${c.groupId}:${c.state}`));
          }
        };
        await Promise.all([claimer(a, 'a1'), claimer(b, 'b1'), claimer(a, 'a2'), claimer(b, 'b2')]);
        expect(seen.length).toBe(n);
        expect(new Set(seen).size).toBe(n);
      } finally {
        other.disconnect();
      }
    });

    it('gives the log entry a TTL of the given length, its fence kept in the entry itself', async () => {
      const p = prefix();
      const keys = topo.keys(p, 4);
      const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
      await store.writeLog(entry, 8 * 3600_000, 3);
      const ttl = await redis.pttl(keys.nflog('t', entry.groupId, 'firing', entry.receiver));
      expect(ttl).toBeGreaterThan(8 * 3600_000 - 5000);
      expect(ttl).toBeLessThanOrEqual(8 * 3600_000);
      // The fence lives (and expires) with the entry it guards: no separate key.
      expect(await redis.hget(keys.nflog('t', entry.groupId, 'firing', entry.receiver), 'fence')).toBe('3');
      expect(await topo.keysMatching(`${p}:t:nflog:*`)).toEqual([
        keys.nflog('t', entry.groupId, 'firing', entry.receiver),
      ]);
      expect(await store.readLog(entry)).toEqual(entry);
    });

    it('every key it writes has a TTL and a bucket/group hash tag', async () => {
      const p = prefix();
      const keys = topo.keys(p, 4);
      const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
      await store.schedule({ tenant: 't', groupId: entry.groupId, state: 'firing', dueAt: T0 });
      await store.schedule({ tenant: 't', groupId: entry.groupId, state: 'recovery', dueAt: T0 + 5 });
      const bucket = store.dueBucketOf(entry.groupId);
      const [c] = await store.claimDue(bucket, T0, { leaseMs: 30_000, owner: 'a', limit: 1 });
      await store.complete(c, T0 + 300_000);
      await store.claimDue(bucket, T0 + 5, { leaseMs: 30_000, owner: 'a', limit: 1 }); // leaves a lease behind
      await store.writeLog(entry, 60_000, 1);
      const written = await topo.keysMatching(`${p}:*`);
      expect(written.length).toBe(4); // due, lease, claims, nflog entry (with its fence)
      const tag = (s: string) => /\{([^}]*)\}/.exec(s)![1];
      for (const k of written) {
        expect(await redis.pttl(k)).toBeGreaterThan(0);
        expect([keys.bucketTag(bucket), entry.groupId]).toContain(tag(k)); // b<n> standalone
      }
    });

    describe("the lease marker (a bucket's earliest lease expiry in its due index)", () => {
      const LEASE = 30_000;
      const half = (n: number, state: 'firing' | 'recovery' = 'firing') => ({
        tenant: 't',
        groupId: n.toString(16).padStart(16, '0'),
        state,
      });

      it('follows the earliest lease through claims and completions, and goes with the last lease', async () => {
        const keys = topo.keys(prefix(), 1);
        const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
        await store.schedule({ ...half(1), dueAt: T0 });
        await store.schedule({ ...half(2), dueAt: T0 + 10 });
        await store.schedule({ ...half(3), dueAt: T0 + LEASE * 10 });
        const [a] = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 5 });
        const [b] = await store.claimDue(0, T0 + 10, { leaseMs: LEASE, owner: 'b', limit: 5 });
        expect([a.groupId, b.groupId]).toEqual([half(1).groupId, half(2).groupId]);
        // The due index alone tells the earliest lease expiry: one read instead of two.
        expect(await redis.zscore(keys.dueBucket(0), keys.dueLeaseMarker)).toBe(String(T0 + LEASE));
        expect((await store.peekDue({ leases: false }))[0]).toBe(T0 + LEASE);
        expect(await store.complete(a, T0 + LEASE * 20)).toBe(true);
        expect((await store.peekDue({ leases: false }))[0]).toBe(T0 + 10 + LEASE); // b's lease now
        expect(await store.complete(b, null)).toBe(true);
        expect(await redis.zscore(keys.dueBucket(0), keys.dueLeaseMarker)).toBeNull();
        expect((await store.peekDue({ leases: false }))[0]).toBe(T0 + LEASE * 10);
        // A lease lost to another claimer leaves the marker alone (that claimer's lease is in it).
        const [c] = await store.claimDue(0, T0 + LEASE * 10, { leaseMs: LEASE, owner: 'c', limit: 5 });
        expect(await store.complete({ ...c, owner: 'someone else' }, null)).toBe(false);
        expect(await redis.zscore(keys.dueBucket(0), keys.dueLeaseMarker)).toBe(String(T0 + LEASE * 11));
        expect(await store.complete(c, null)).toBe(true);
      });

      it("is never handed out, and a crashed claimer's lapsed lease is found through it and taken over", async () => {
        const keys = topo.keys(prefix(), 1);
        const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
        await store.schedule({ ...half(1), dueAt: T0 });
        await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'crashed', limit: 5 }); // never completed
        // Past the lease the marker is due too: the claim takes the lapsed entry, never the marker.
        const heads = await store.peekDue({ leases: false });
        expect(heads[0]).toBe(T0 + LEASE);
        const got = await store.claimDue(0, T0 + LEASE, { leaseMs: LEASE, owner: 'b', limit: 5 });
        expect(got.map((e) => [e.groupId, e.owner, e.dueAt])).toEqual([[half(1).groupId, 'b', T0]]);
        expect(await redis.zscore(keys.dueBucket(0), keys.dueLeaseMarker)).toBe(String(T0 + LEASE * 2));
        expect(await store.claimDue(0, T0 + LEASE + 1, { leaseMs: LEASE, owner: 'c', limit: 5 })).toEqual([]);
      });

      it('a marker an older claimer took for a member is dropped from the leases, not handed out', async () => {
        const keys = topo.keys(prefix(), 1);
        const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
        await store.schedule({ ...half(1), dueAt: T0 });
        // What a claimer without the marker leaves when it claims one: the marker under its lease.
        await redis.zadd(keys.dueLease(0), T0 - 1, keys.dueLeaseMarker);
        await redis.hset(keys.dueClaims(0), keys.dueLeaseMarker, `${T0 - 1}|old`);
        const got = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'b', limit: 5 });
        expect(got.map((e) => e.groupId)).toEqual([half(1).groupId]);
        expect(await redis.zscore(keys.dueLease(0), keys.dueLeaseMarker)).toBeNull();
        expect(await redis.hget(keys.dueClaims(0), keys.dueLeaseMarker)).toBeNull();
        expect(await redis.zscore(keys.dueBucket(0), keys.dueLeaseMarker)).toBe(String(T0 + LEASE));
      });

      it('keeps the due key alive as long as the leases when the marker is all it holds', async () => {
        const keys = topo.keys(prefix(), 1);
        const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
        await store.schedule({ ...half(1), dueAt: T0 });
        await redis.pexpire(keys.dueBucket(0), 5_000); // a due index about to expire (its groups do)
        await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 5 });
        expect(await redis.zrange(keys.dueBucket(0), '0', '-1')).toEqual([keys.dueLeaseMarker]);
        const leaseTtl = await redis.pttl(keys.dueLease(0));
        expect(leaseTtl).toBeGreaterThan(KEY_TTL - 5_000);
        expect(await redis.pttl(keys.dueBucket(0))).toBeGreaterThanOrEqual(leaseTtl - 1_000);
      });
    });

    it('a log write marks an existing group as flushed (upsert-groups stops "flush at once")', async () => {
      const p = prefix();
      const keys = topo.keys(p, 4);
      const groups = new RedisGroupStore(redis, keys, { retention: 3_600_000 });
      const now = Date.now();
      const target = {
        groupId: entry.groupId,
        groupKey: '{}:{alertname="A"}',
        receiver: entry.receiver,
        routeId: '{}',
        groupLabels: { alertname: 'A' },
        groupWait: 30_000,
        groupInterval: 300_000,
        repeatInterval: 3_600_000,
      };
      const alert = (fp: string) => ({
        fingerprint: fp,
        labels: { alertname: 'A', i: fp },
        annotations: {},
        startsAt: now - 600_000,
        endsAt: now + 600_000,
        updatedAt: now,
        timeout: false,
        generatorURL: '',
      });
      await groups.upsert({ tenant: 't', now, groups: [{ target, alerts: [alert('01')] }] });
      const store = new RedisFlushStore(redis, keys, { keyTtl: KEY_TTL });
      const bucket = store.dueBucketOf(entry.groupId);
      const [c] = await store.claimDue(bucket, now, { leaseMs: 30_000, owner: 'a', limit: 10 });
      expect(c.dueAt).toBe(now); // started long ago: at once
      await store.writeLog({ ...entry, timestamp: now }, 60_000);
      await store.complete(c, now + 300_000);
      expect(await redis.hget(keys.groupMeta('t', entry.groupId), 'flushed')).toBe('1');
      // Another old alert joins: the flushed group keeps its group_interval schedule.
      await groups.upsert({ tenant: 't', now: now + 1000, groups: [{ target, alerts: [alert('02')] }] });
      expect(await store.claimDue(bucket, now + 1000, { leaseMs: 30_000, owner: 'b', limit: 10 })).toEqual(
        [],
      );
      // A log write for a group whose keys are gone does not recreate its meta hash.
      await store.writeLog({ ...entry, groupId: '00000000000000b2', timestamp: now }, 60_000);
      expect(await redis.exists(keys.groupMeta('t', '00000000000000b2'))).toBe(0);
    });

    it('rejects a bucket outside the index', async () => {
      const store = new RedisFlushStore(redis, topo.keys(prefix(), 4), { keyTtl: KEY_TTL });
      await expect(store.claimDue(4, T0, { leaseMs: 1000, owner: 'a', limit: 1 })).rejects.toThrow(
        RangeError,
      );
    });
  });
});
