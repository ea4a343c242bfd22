import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Silence, SilenceWrite } from '@herald/domain';
import { masterNodes, RedisSilenceStore, type RedisClient } from '@herald/redis';
import { describeSilenceStoreContract } from '../../libs/domain/src/silence/silence-store.contract';
import { spyCommands } from '../harness/redis-client';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';
import { waitUntil } from '../harness/wait';

const prefix = () => `t${randomBytes(4).toString('hex')}`;
const HOUR = 3_600_000;

function silence(now: number, over: Partial<Silence> = {}): Silence {
  return {
    id: randomUUID(),
    matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
    startsAt: now,
    endsAt: now + HOUR,
    updatedAt: now,
    createdBy: 'me',
    comment: 'c',
    ...over,
  };
}

const create = (s: Silence, now: number, retention = 120 * HOUR, maxSilences = 0): SilenceWrite => ({
  writes: [s],
  expect: null,
  maxSilences,
  now,
  retention,
});

describe.each(TOPOLOGIES)('on %s Redis', (topology) => {
  let redis: RedisClient;
  let topo: RedisTopology;

  withRedisTopology(topology, (t) => ({ redis } = topo = t));

  describeSilenceStoreContract(`redis (${topology})`, () =>
    Promise.resolve({ store: new RedisSilenceStore(redis, topo.keys(prefix(), 16)) }),
  );

  function store(opts: ConstructorParameters<typeof RedisSilenceStore>[2] = {}) {
    const keys = topo.keys(prefix(), 16);
    return { keys, store: new RedisSilenceStore(redis, keys, opts) };
  }

  /** EVALSHA calls the server(s) ran: summed over every master on a cluster. */
  async function evalshaCalls(): Promise<number> {
    const infos = await Promise.all(masterNodes(redis).map((n) => n.info('commandstats')));
    return infos.reduce((sum, info) => sum + Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0), 0);
  }

  describe('RedisSilenceStore specifics', () => {
    it('stores a silence under its tenant-tagged key, expiring at endsAt + retention', async () => {
      const { keys, store: st } = store();
      const now = Date.now();
      const s = silence(now);
      const r = await st.write('acme', create(s, now, 2 * HOUR));
      expect(r.ok).toBe(true);
      expect(await redis.pexpiretime(keys.silence('acme', s.id))).toBe(s.endsAt + 2 * HOUR);
      expect(await redis.zscore(keys.silenceIndex('acme'), s.id)).toBe(String(s.endsAt + 2 * HOUR));
      // The index and the counter outlive the last silence by an hour, then go too.
      expect(await redis.pexpiretime(keys.silenceIndex('acme'))).toBe(s.endsAt + 3 * HOUR);
      expect(await redis.pexpiretime(keys.silenceVersion('acme'))).toBe(s.endsAt + 3 * HOUR);
      const raw = (await redis.get(keys.silence('acme', s.id)))!;
      expect(raw.startsWith(`${s.updatedAt}|`)).toBe(true);
      expect(JSON.parse(raw.slice(raw.indexOf('|') + 1))).toEqual(s);
    });

    it('the key of an expired silence disappears at the end of its retention, and the index forgets it', async () => {
      const { keys, store: st } = store();
      const now = Date.now();
      // Ended a second ago, kept 1.5 s: gone by Redis' clock about half a second from now.
      const s = silence(now - HOUR, { startsAt: now - HOUR, endsAt: now - 1000, updatedAt: now - 1000 });
      expect((await st.write('acme', create(s, now, 1500))).ok).toBe(true);
      expect(await st.get('acme', s.id, now)).toEqual(s);
      await waitUntil(async () => (await redis.exists(keys.silence('acme', s.id))) === 0, {
        what: 'the silence key expired by PEXPIREAT',
        timeoutMs: 5000,
        intervalMs: 20,
      });
      const later = Date.now();
      expect(later).toBeGreaterThanOrEqual(now + 500 - 5); // not before its retention ended (Redis' clock)
      expect((await st.snapshot('acme', later)).silences).toEqual([]);
      expect(await redis.zcard(keys.silenceIndex('acme'))).toBe(0);
    });

    it('prunes the index on every read and write, and drops an id whose key is gone', async () => {
      const { keys, store: st } = store();
      const now = Date.now();
      const short = silence(now, { endsAt: now + 10 * 60_000 });
      const long = silence(now, { endsAt: now + 5 * HOUR });
      const lost = silence(now);
      for (const s of [short, long, lost]) expect((await st.write('t', create(s, now, HOUR))).ok).toBe(true);
      expect(await redis.zcard(keys.silenceIndex('t'))).toBe(3);

      await redis.del(keys.silence('t', lost.id)); // as if Redis expired it first (clock skew)
      expect((await st.snapshot('t', now)).silences.map((s) => s.id).sort()).toEqual(
        [short.id, long.id].sort(),
      );
      expect(await redis.zrange(keys.silenceIndex('t'), '0', '-1')).toEqual([short.id, long.id]);

      // A read two hours on: `short` is past its retention (ended + 1 h), pruned from the index.
      const later = now + 2 * HOUR;
      expect(await st.get('t', long.id, later)).toEqual(long);
      expect(await redis.zrange(keys.silenceIndex('t'), '0', '-1')).toEqual([long.id]);
      // A write prunes too.
      await redis.zadd(keys.silenceIndex('t'), now, 'stale-id');
      expect((await st.write('t', create(silence(later), later, HOUR))).ok).toBe(true);
      expect(await redis.zscore(keys.silenceIndex('t'), 'stale-id')).toBeNull();
    });

    it('keeps tenants apart by key: no key of one tenant carries another tenant or its tag', async () => {
      const { keys, store: st } = store();
      const now = Date.now();
      const a = silence(now);
      const b = silence(now);
      await st.write('alpha', create(a, now));
      await st.write('beta', create(b, now));
      const all = await topo.keysMatching(`${keys.prefix}:*`);
      const alpha = all.filter((k) => k.includes('{alpha}'));
      const beta = all.filter((k) => k.includes('{beta}'));
      expect(alpha.sort()).toEqual(
        [keys.silence('alpha', a.id), keys.silenceIndex('alpha'), keys.silenceVersion('alpha')].sort(),
      );
      expect(beta).toHaveLength(3);
      expect(alpha.length + beta.length).toBe(all.length);
      for (const k of alpha) expect(keys.parse(k)).toMatchObject({ tenant: 'alpha' });
      expect(await st.get('beta', a.id, now)).toBeNull();
      expect(await st.get('alpha', a.id, now)).toEqual(a);
    });

    // Counted on one client and one server: a single Redis.
    if (topology === 'single') {
      it('every call is one round trip: write, snapshot and get one EVALSHA, version one GET', async () => {
        const { store: st } = store();
        const now = Date.now();
        const first = silence(now);
        await st.write('t', create(first, now)); // loads the write script
        await st.snapshot('t', now);
        await st.get('t', first.id, now);
        const sils = Array.from({ length: 30 }, () => silence(now));
        const calls: [string, () => Promise<unknown>][] = [
          [
            'write',
            () => st.write('t', { writes: sils, expect: null, maxSilences: 0, now, retention: HOUR }),
          ],
          ['snapshot', () => st.snapshot('t', now)],
          ['get', () => st.get('t', first.id, now)],
          [
            'update',
            () =>
              st.write('t', {
                writes: [{ ...first, comment: 'x', updatedAt: now + 1 }],
                expect: { id: first.id, updatedAt: first.updatedAt },
                maxSilences: 100,
                now,
                retention: HOUR,
              }),
          ],
        ];
        for (const [what, call] of calls) {
          const before = await evalshaCalls();
          const { sent, restore } = spyCommands(redis as Redis);
          try {
            await call();
          } finally {
            restore();
          }
          expect([what, sent, (await evalshaCalls()) - before]).toEqual([what, ['evalsha'], 1]);
        }
        const { sent, restore } = spyCommands(redis as Redis);
        try {
          expect(await st.version('t')).toMatch(/^\d+$/);
        } finally {
          restore();
        }
        expect(sent).toEqual(['get']);
        expect((await st.snapshot('t', now)).silences).toHaveLength(31);
      });
    }

    it('versions keep growing after the counter expired or Redis lost it (a cache never sees one twice)', async () => {
      const { keys, store: st } = store();
      const now = Date.now();
      expect(await st.version('t')).toBe('0');
      const r1 = await st.write('t', create(silence(now), now));
      const r2 = await st.write('t', create(silence(now), now));
      if (!r1.ok || !r2.ok) throw new Error('write refused');
      expect(BigInt(r2.version)).toBe(BigInt(r1.version) + 1n);
      await redis.del(keys.silenceVersion('t'));
      expect(await st.version('t')).toBe('0');
      const r3 = await st.write('t', create(silence(now), now));
      if (!r3.ok) throw new Error('write refused');
      expect(BigInt(r3.version)).toBeGreaterThan(BigInt(r2.version));
      expect(await st.version('t')).toBe(r3.version);
    });

    it('merge writes absent and older silences, keeps newer Redis copies, ignores the limit', async () => {
      const { store: st } = store();
      const now = Date.now();
      const kept = silence(now, { comment: 'redis newer', updatedAt: now + 10 });
      const older = silence(now, { comment: 'redis older' });
      await st.write('t', {
        writes: [kept, older],
        expect: null,
        maxSilences: 2,
        now,
        retention: HOUR,
      });
      const v = await st.version('t');
      const fresh = silence(now, { comment: 'absent' });
      const mine = [
        { ...kept, comment: 'memory older', updatedAt: now + 5 },
        { ...older, comment: 'memory newer', updatedAt: now + 5 },
        fresh,
      ].map((s) => ({ silence: s, expiresAt: s.endsAt + HOUR }));
      expect(await st.merge('t', mine, now)).toBe(2);
      const byId = new Map((await st.snapshot('t', now)).silences.map((s) => [s.id, s.comment]));
      expect(byId).toEqual(
        new Map([
          [kept.id, 'redis newer'],
          [older.id, 'memory newer'],
          [fresh.id, 'absent'],
        ]),
      );
      const v2 = await st.version('t');
      expect(v2).not.toBe(v);
      // Merging the same again writes nothing and leaves the version.
      expect(await st.merge('t', mine, now)).toBe(0);
      expect(await st.version('t')).toBe(v2);
    });

    it('bounds a snapshot: at most readLimit silences (kept longest first), oversized and corrupt values skipped', async () => {
      const warnings: string[] = [];
      const { keys, store: st } = store({ readLimit: 3, maxValueBytes: 2000, warn: (m) => warnings.push(m) });
      const now = Date.now();
      const sils = Array.from({ length: 5 }, (_, i) => silence(now, { endsAt: now + (i + 1) * HOUR }));
      for (const s of sils) expect((await st.write('t', create(s, now, HOUR))).ok).toBe(true);
      const snap = await st.snapshot('t', now);
      expect(snap.silences.map((s) => s.id)).toEqual(
        sils
          .slice(2)
          .reverse()
          .map((s) => s.id),
      );
      expect(warnings).toEqual([
        'silences of tenant t: 2 beyond the read limit of 3 left out, 0 larger than 2000 bytes and 0 unreadable skipped',
      ]);

      await expect(st.write('t', create(silence(now, { comment: 'x'.repeat(3000) }), now))).rejects.toThrow(
        'larger than 2000 bytes',
      );
      // Values written behind the store's back: one too large, one not JSON.
      await redis.set(keys.silence('t', sils[4].id), `1|${'y'.repeat(3000)}`);
      await redis.set(keys.silence('t', sils[3].id), '1|{not json');
      warnings.length = 0;
      expect((await st.snapshot('t', now)).silences.map((s) => s.id)).toEqual([sils[2].id]);
      expect(warnings[0]).toContain('1 larger than 2000 bytes and 1 unreadable skipped');
      expect(await st.get('t', sils[4].id, now)).toBeNull();
      expect(await st.get('t', sils[3].id, now)).toBeNull();
    });

    it('an expect naming a silence outside the writes is checked too', async () => {
      const { store: st } = store();
      const now = Date.now();
      const a = silence(now);
      await st.write('t', create(a, now));
      const b = silence(now);
      const w = (updatedAt: number): SilenceWrite => ({
        writes: [b],
        expect: { id: a.id, updatedAt },
        maxSilences: 0,
        now,
        retention: HOUR,
      });
      expect(await st.write('t', w(a.updatedAt + 1))).toEqual({ ok: false, reason: 'conflict' });
      expect(await st.get('t', b.id, now)).toBeNull();
      expect((await st.write('t', w(a.updatedAt))).ok).toBe(true);
      expect(await st.get('t', b.id, now)).toEqual(b);
    });
  });
});
