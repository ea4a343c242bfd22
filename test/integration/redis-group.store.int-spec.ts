import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { groupStoreContract } from '../contract/group-store.contract';
import { InhibitionRules, MemoryGroupStore, parseMatchers, type DueEntry } from '@herald/domain';
import {
  backfillInhibitionIndex,
  FailoverGroupStore,
  RedisGroupStore,
  masterNodes,
  RedisKeys,
  type RedisClient,
} from '@herald/redis';
import { groupTarget, storedAlert } from '../harness/groups';
import { connectedClient, spyCommands } from '../harness/redis-client';
import { RedisServer } from '../harness/redis-server';
import { TOPOLOGIES, withRedisTopology, type RedisTopology } from '../harness/redis-topology';
import { waitUntil } from '../harness/wait';

const prefix = () => `t${randomBytes(4).toString('hex')}`;

/** The due entries the scripts wrote, read from every bucket through RedisKeys. */
function dueReader(redis: RedisClient, keys: RedisKeys) {
  return async (until: number, limit: number): Promise<DueEntry[]> => {
    const out: DueEntry[] = [];
    for (let b = 0; b < keys.dueBuckets; b++) {
      const rows = await redis.zrangebyscore(keys.dueBucket(b), '-inf', until, 'WITHSCORES');
      for (let i = 0; i < rows.length; i += 2) {
        const m = keys.parseDueMember(rows[i]);
        if (m) out.push({ ...m, dueAt: Number(rows[i + 1]) });
      }
    }
    return out.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit);
  };
}

const T0 = 1_800_000_000_000;
const target = groupTarget('00000000000000a1', { name: 'A' });
const alert = (fp: string, endsAt = T0 + 300_000) => storedAlert(fp, T0, { endsAt });

describe.each(TOPOLOGIES)('on %s Redis', (topology) => {
  let redis: RedisClient;
  let topo: RedisTopology;

  withRedisTopology(topology, (t) => ({ redis } = topo = t));

  groupStoreContract(`redis (${topology})`, (opts) => {
    const keys = topo.keys(prefix(), 16);
    return Promise.resolve({
      store: new RedisGroupStore(redis, keys, { retention: 86_400_000, ...opts }),
      listDue: dueReader(redis, keys),
      park: async (tenant, groupId, dueAt) => {
        await redis.hset(keys.groupMeta(tenant, groupId), 'flushed', '1');
        await redis.zadd(
          keys.dueBucket(keys.dueBucketOf(groupId)),
          dueAt,
          keys.dueMember(tenant, groupId, 'firing'),
        );
      },
    });
  });

  describe('RedisGroupStore specifics', () => {
    /**
     * The commands one request of 50 groups × 2 alerts sends (after a first request loaded the script).
     * Only a single Redis is held to one round trip (on a cluster a request is one call per shard).
     */
    async function commandsOfOneRequest(
      store: RedisGroupStore,
    ): Promise<{ sent: string[]; evalsha: number }> {
      await store.upsert({ tenant: 't', now: T0, groups: [{ target, alerts: [alert('01')] }] }); // loads the script
      const before = await evalshaCalls();
      const { sent, restore } = spyCommands(redis as Redis);
      const groups = Array.from({ length: 50 }, (_, i) => ({
        target: { ...target, groupId: i.toString(16).padStart(16, '0') },
        alerts: [alert('01'), alert('02')],
      }));
      try {
        await store.upsert({ tenant: 't', now: T0, groups });
      } finally {
        restore();
      }
      return { sent, evalsha: (await evalshaCalls()) - before };
    }

    if (topology === 'single') {
      it('uses one round trip (one EVALSHA) for a request touching many groups', async () => {
        const store = new RedisGroupStore(redis, topo.keys(prefix(), 16), { retention: 60_000 });
        expect(await commandsOfOneRequest(store)).toEqual({ sent: ['evalsha'], evalsha: 1 });
      });
    }

    it('a scrape does not read alert bodies: countStates sends only index reads, EXISTS and HLEN', async () => {
      const store = new RedisGroupStore(redis, topo.keys(prefix(), 16), { retention: 60_000 });
      const groups = Array.from({ length: 30 }, (_, i) => ({
        target: { ...target, groupId: i.toString(16).padStart(16, '0') },
        alerts: [alert('01'), alert('02', T0 - 1)],
      }));
      await store.upsert({ tenant: 't', now: T0, groups });
      // The client and, on a cluster, each master (whichever sends a pipeline's commands).
      const spies = [...new Set([redis as Redis, ...masterNodes(redis)])].map((n) => spyCommands(n));
      let counts;
      try {
        counts = await store.countStates('t');
      } finally {
        for (const s of spies) s.restore();
      }
      expect(counts).toEqual({ alerts: { firing: 30, resolved: 30 }, groups: { firing: 30, recovery: 0 } });
      const sent = new Set(spies.flatMap((s) => s.sent));
      expect(sent.has('hlen')).toBe(true);
      // `cluster`: ioredis' own periodic slots refresh (CLUSTER SLOTS), which may fall in the window.
      expect([...sent].filter((c) => !['zrangebyscore', 'exists', 'hlen', 'cluster'].includes(c))).toEqual(
        [],
      );
    });

    // On a single Redis one round trip too; elsewhere (a request is one call per shard on a cluster) the
    // indexing alone.
    const oneTrip = topology === 'single';
    it(`with 20 inhibit rules ${oneTrip ? 'still uses one round trip, and ' : ''}indexes the sources in it`, async () => {
      const keys = topo.keys(prefix(), 16);
      const rules = new InhibitionRules(
        Array.from({ length: 20 }, (_, i) => ({
          sourceMatchers: parseMatchers(`i="0${i % 2}"`),
          targetMatchers: parseMatchers(`severity="warning${i}"`),
          equal: ['alertname'],
        })),
      );
      const store = new RedisGroupStore(redis, keys, { retention: 60_000, inhibition: rules });
      const sent = await commandsOfOneRequest(store);
      if (oneTrip) expect(sent).toEqual({ sent: ['evalsha'], evalsha: 1 });
      const q = rules.targetQueries({ alertname: 'A', severity: 'warning3' });
      expect(
        await store.firingSources(
          't',
          q.map((x) => x.query),
          T0,
        ),
      ).toEqual(['01']);
      for (const k of await topo.keysMatching(`${keys.prefix}:t:inhibit:*`))
        expect(await redis.pttl(k)).toBeGreaterThan(0);
    });

    it('backfills the index of a new rule set from stored firing alerts, once per rule set', async () => {
      const keys = topo.keys(prefix(), 4);
      const now = Date.now();
      const src = (fp: string, endsAt: number) =>
        storedAlert(fp, now, { labels: { sev: 'crit', n: fp }, endsAt });
      // Written before the rule existed: nothing indexed.
      await new RedisGroupStore(redis, keys, { retention: 60_000 }).upsert({
        tenant: 't',
        now,
        groups: [{ target, alerts: [src('a1', now + 600_000), src('a2', now + 1)] }],
      });
      const rules = new InhibitionRules([
        {
          sourceMatchers: parseMatchers('sev="crit"'),
          targetMatchers: parseMatchers('sev="warn"'),
          equal: [],
        },
      ]);
      const store = new RedisGroupStore(redis, keys, { retention: 60_000, inhibition: rules });
      const q = rules.targetQueries({ sev: 'warn' }).map((x) => x.query);
      expect(await store.firingSources('t', q, now + 10)).toEqual([null]);
      const run = () =>
        backfillInhibitionIndex({
          redis,
          keys,
          store,
          rules,
          nodeId: 'n1',
          now: () => now + 10,
          doneTtlMs: 60_000,
        });
      await expect(run()).resolves.toMatchObject({ outcome: 'done', tenants: 1, groups: 1, listed: 1 });
      expect(await store.firingSources('t', q, now + 10)).toEqual(['a1']); // a2 ended before the backfill's now
      await expect(run()).resolves.toEqual({ outcome: 'already done' });
      const other = new InhibitionRules([
        ...rules.rules.map((r) => r.spec),
        { ...rules.rules[0].spec, equal: ['n'] },
      ]);
      expect(other.id).not.toBe(rules.id);
    });

    it('gives every key it writes a TTL', async () => {
      const p = prefix();
      const store = new RedisGroupStore(redis, topo.keys(p, 4), { retention: 60_000 });
      const now = Date.now();
      await store.upsert({
        tenant: 't',
        now,
        groups: [{ target, alerts: [alert('01', now + 1000), alert('02', now - 1)] }],
      });
      const keys = await topo.keysMatching(`${p}:*`);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const k of keys) expect(await redis.pttl(k)).toBeGreaterThan(0);
    });

    describe('steady-state skips of upsert-groups-n.lua', () => {
      const gw = 30_000;
      const tgt = { ...target, groupWait: gw };
      const setup = () => {
        const p = prefix();
        const keys = topo.keys(p, 4);
        const store = new RedisGroupStore(redis, keys, { retention: 60_000 });
        const bucket = keys.dueBucket(keys.dueBucketOf(tgt.groupId));
        const firingMember = keys.dueMember('t', tgt.groupId, 'firing');
        const recoveryMember = keys.dueMember('t', tgt.groupId, 'recovery');
        const upsert = (now: number, alerts: ReturnType<typeof storedAlert>[]) =>
          store.upsert({ tenant: 't', now, groups: [{ target: tgt, alerts }] });
        return { p, keys, store, bucket, firingMember, recoveryMember, upsert };
      };
      const at = (fp: string, startsAt: number, endsAt: number, updatedAt = startsAt) =>
        storedAlert(fp, startsAt, { endsAt, updatedAt });

      it('a re-send of firing alerts runs no ZSCORE, no PTTL, and sets no due time', async () => {
        const { keys, upsert } = setup();
        const now = Date.now();
        expect(await upsert(now, [at('01', now, now + 300_000)])).toEqual({
          written: 1,
          createdGroups: 1,
          nextDueAt: now + gw,
        });
        await redis.hset(keys.groupMeta('t', tgt.groupId), 'flushed', '1'); // as write-nflog-2.lua does
        const before = await commandCalls();
        const r = await upsert(now + 60_000, [at('01', now, now + 360_000, now + 60_000)]);
        expect(r).toEqual({ written: 1, createdGroups: 0 });
        const d = diffCalls(before, await commandCalls());
        expect(d).toMatchObject({ hmget: 1, hget: 1, hset: 1 });
        expect([d.zscore ?? 0, d.pttl ?? 0, d.zadd ?? 0, d.pexpire ?? 0]).toEqual([0, 0, 0, 0]);
      });

      it('a half created by a request that moves no TTL step still gets its TTL', async () => {
        const { p, keys, store, upsert } = setup();
        const now = Date.now();
        await upsert(now, [at('01', now - 1000, now + 120_000)]);
        // 01 resolves (its firing half empties: the key goes) and 02 fires: both halves are new keys.
        await upsert(now + 1, [at('01', now - 1000, now, now + 1), at('02', now, now + 120_000)]);
        const g = await store.getGroup('t', tgt.groupId);
        expect(g!.firing.map((a) => a.fingerprint)).toEqual(['02']);
        expect(g!.recovery.map((a) => a.fingerprint)).toEqual(['01']);
        for (const k of [keys.groupFiring('t', tgt.groupId), keys.groupRecovery('t', tgt.groupId)])
          expect(await redis.pttl(k)).toBeGreaterThan(0);
        for (const k of await topo.keysMatching(`${p}:*`)) expect(await redis.pttl(k)).toBeGreaterThan(0);
      });

      it('a group whose firing due member was claimed gets it back when a new alert arrives', async () => {
        const { store, bucket, firingMember, upsert } = setup();
        const now = Date.now();
        await upsert(now, [at('01', now, now + 300_000)]);
        await redis.zrem(bucket, firingMember); // claimed: under a lease, off the due index
        expect(await upsert(now + 1000, [at('02', now + 1000, now + 300_000)])).toMatchObject({
          nextDueAt: now + 1000 + gw,
        });
        expect(await redis.zscore(bucket, firingMember)).toBe(String(now + 1000 + gw));
        expect((await store.getGroup('t', tgt.groupId))!.firing).toHaveLength(2);
      });

      it('a re-send of an alert whose stored endsAt is near (or past) now reads the due member and re-adds it', async () => {
        const { bucket, firingMember, upsert } = setup();
        const now = Date.now();
        await upsert(now, [at('01', now - 1000, now + 30_000)]);
        // The flush at now + 40 s saw it timed out and dropped the member (complete without a next due).
        await redis.zrem(bucket, firingMember);
        const r = await upsert(now + 20_000, [at('01', now - 1000, now + 320_000, now + 20_000)]);
        expect(r.nextDueAt).toBe(now + 20_000 + gw);
        expect(await redis.zscore(bucket, firingMember)).toBe(String(now + 20_000 + gw));
      });

      it('an unflushed group is still pulled forward by a re-send once its alert started over group_wait ago', async () => {
        const { bucket, firingMember, upsert } = setup();
        const now = Date.now();
        await upsert(now, [at('01', now - 10_000, now + 300_000)]);
        expect(await redis.zscore(bucket, firingMember)).toBe(String(now + gw));
        const r = await upsert(now + 25_000, [at('01', now - 10_000, now + 325_000, now + 25_000)]);
        expect(r.nextDueAt).toBe(now + 25_000);
        expect(await redis.zscore(bucket, firingMember)).toBe(String(now + 25_000));
      });

      it('nextDueAt of a batch is the earliest over its groups (over its shards’ calls on a cluster)', async () => {
        const { keys, store } = setup();
        const now = Date.now();
        const other = Array.from({ length: 64 }, (_, i) => (0xc0 + i).toString(16).padStart(16, '0')).find(
          (id) => !keys.clustered || keys.shardOf(id) !== keys.shardOf(tgt.groupId),
        )!;
        const r = await store.upsert({
          tenant: 't',
          now,
          groups: [
            { target: tgt, alerts: [at('01', now, now + 300_000)] },
            { target: { ...tgt, groupId: other }, alerts: [at('02', now - 60_000, now + 300_000)] },
          ],
        });
        expect(r).toEqual({ written: 2, createdGroups: 2, nextDueAt: now }); // 02 started over group_wait ago
      });

      it('nextDueAt: the recovery half added at the firing due time; none when the member is already there', async () => {
        const { bucket, firingMember, recoveryMember, upsert } = setup();
        const now = Date.now();
        await upsert(now, [at('01', now, now + 300_000), at('02', now, now + 300_000)]);
        const r = await upsert(now + 1000, [at('01', now, now + 500, now + 1000)]);
        expect(r.nextDueAt).toBe(now + gw);
        expect(await redis.zscore(bucket, recoveryMember)).toBe(String(now + gw));
        expect(await redis.zscore(bucket, firingMember)).toBe(String(now + gw));
        expect((await upsert(now + 2000, [at('02', now, now + 500, now + 2000)])).nextDueAt).toBeUndefined();
      });
    });

    it('a pre-1970 startsAt reaching the script is stored and merged, not a script error (defence in depth)', async () => {
      const p = prefix();
      const store = new RedisGroupStore(redis, topo.keys(p, 4), { retention: 60_000 });
      const now = Date.now();
      const old = { ...alert('01', now + 60_000), startsAt: -86_400_000, updatedAt: now - 1 };
      await store.upsert({ tenant: 't', now, groups: [{ target, alerts: [old] }] });
      await store.upsert({
        tenant: 't',
        now,
        groups: [{ target, alerts: [{ ...old, startsAt: now - 5, updatedAt: now }] }],
      });
      const g = await store.getGroup('t', target.groupId);
      expect(g!.firing.map((a) => a.startsAt)).toEqual([-86_400_000]); // the earliest startsAt wins the merge
      for (const k of await topo.keysMatching(`${p}:*`)) expect(await redis.pttl(k)).toBeGreaterThan(0);
    });

    // One script call per request on one Redis; on a cluster one per shard (due bucket), so there the
    // batch's groups share a shard: the call a script error fails is the unit that writes nothing.
    const perCall = topology === 'cluster' ? ' (groups of one shard)' : '';

    /**
     * A request of two groups whose second has a bad alert (the second group in the first one's shard,
     * or not); asserts the error names it by the request's numbering.
     */
    async function upsertWithBadSecondGroup(sameShard: boolean) {
      const p = prefix();
      const keys = topo.keys(p, 4);
      const store = new RedisGroupStore(redis, keys, { retention: 60_000 });
      const now = Date.now();
      const second =
        topology === 'cluster'
          ? Array.from({ length: 64 }, (_, i) => (0xb0 + i).toString(16).padStart(16, '0')).find(
              (id) => (keys.shardOf(id) === keys.shardOf(target.groupId)) === sameShard,
            )!
          : '00000000000000b2';
      const broken = { ...alert('02', now + 60_000), startsAt: Number.NaN }; // encodes as "NaN:..."
      await expect(
        store.upsert({
          tenant: 't',
          now,
          groups: [
            { target, alerts: [alert('01', now + 60_000)] },
            { target: { ...target, groupId: second }, alerts: [broken] },
          ],
        }),
      ).rejects.toThrow(/herald upsert-groups: bad alert 1 of group 2/);
      return { p, store, second };
    }

    it(`a script error writes nothing: no key is left without TTL, earlier groups of the batch included${perCall}`, async () => {
      const { p } = await upsertWithBadSecondGroup(true);
      expect(await topo.keysMatching(`${p}:*`)).toEqual([]);
    });

    if (topology === 'cluster')
      it('a script error in one shard of a request: named by the request’s numbering; the other shards’ groups are written, every key with a TTL', async () => {
        const { p, store, second } = await upsertWithBadSecondGroup(false);
        const written = await topo.keysMatching(`${p}:*`);
        expect(written.length).toBeGreaterThan(0);
        for (const k of written) expect(await redis.pttl(k)).toBeGreaterThan(0);
        expect((await store.getGroup('t', target.groupId))?.firing.map((a) => a.fingerprint)).toEqual(['01']);
        expect(await store.getGroup('t', second)).toBeNull();
      });

    it('refuses a fingerprint it cannot send (empty, or with a newline) before anything is written', async () => {
      const p = prefix();
      const store = new RedisGroupStore(redis, topo.keys(p, 4), { retention: 60_000 });
      const now = Date.now();
      for (const fp of ['', 'a\nb'])
        await expect(
          store.upsert({ tenant: 't', now, groups: [{ target, alerts: [alert('01'), alert(fp)] }] }),
        ).rejects.toThrow(/unsendable fingerprint/);
      expect(await topo.keysMatching(`${p}:*`)).toEqual([]);
    });

    it('a group created again with another target stores that target (the node keeps encodings per target)', async () => {
      const store = new RedisGroupStore(redis, topo.keys(prefix(), 4), { retention: 60_000 });
      const now = Date.now();
      const put = (t: typeof target) =>
        store.upsert({ tenant: 't', now, groups: [{ target: t, alerts: [alert('01', now + 60_000)] }] });
      await put(target);
      expect(await store.deleteGroup('t', target.groupId)).toBe(true);
      const changed = { ...target, groupWait: 1000, receiver: 'other', groupLabels: { alertname: 'B' } };
      await put(changed);
      expect(await store.getGroup('t', target.groupId)).toMatchObject({
        receiver: 'other',
        groupWait: 1000,
        labels: { alertname: 'B' },
      });
    });

    it('one frozen target sent for two tenants is stored under each tenant’s own keys (encodings kept by target are per tenant)', async () => {
      const store = new RedisGroupStore(redis, topo.keys(prefix(), 4), { retention: 60_000 });
      const now = Date.now();
      // Grouping shares one frozen target per group: the store finds its encoding by that object.
      const shared = Object.freeze({ ...target, groupLabels: Object.freeze({ ...target.groupLabels }) });
      const other = Object.freeze({ ...shared, receiver: 'other', groupWait: 1000 });
      for (const [tenant, t, fp] of [
        ['a', shared, '0a'],
        ['b', shared, '0b'],
        ['a', shared, '1a'],
        ['b', shared, '1b'],
      ] as const)
        await store.upsert({ tenant, now, groups: [{ target: t, alerts: [alert(fp, now + 60_000)] }] });
      expect((await store.getGroup('a', target.groupId))?.firing.map((x) => x.fingerprint).sort()).toEqual([
        '0a',
        '1a',
      ]);
      expect((await store.getGroup('b', target.groupId))?.firing.map((x) => x.fingerprint).sort()).toEqual([
        '0b',
        '1b',
      ]);
      // Another frozen target for the same group id (a reload): its own encoding, not the first one's.
      expect(await store.deleteGroup('b', target.groupId)).toBe(true);
      await store.upsert({
        tenant: 'b',
        now,
        groups: [{ target: other, alerts: [alert('2b', now + 60_000)] }],
      });
      expect(await store.getGroup('b', target.groupId)).toMatchObject({ receiver: 'other', groupWait: 1000 });
      expect(await store.getGroup('a', target.groupId)).toMatchObject({ receiver: target.receiver });
    });

    it('hints the receiver its ingest last wrote a group for, per tenant (the flush reads the log beside the group)', async () => {
      const store = new RedisGroupStore(redis, topo.keys(prefix(), 4), { retention: 60_000 });
      const now = Date.now();
      expect(store.receiverHint('a', target.groupId)).toBeUndefined();
      await store.upsert({ tenant: 'a', now, groups: [{ target, alerts: [alert('0a', now + 60_000)] }] });
      expect(store.receiverHint('a', target.groupId)).toBe(target.receiver);
      expect(store.receiverHint('b', target.groupId)).toBeUndefined();
      // A reload routes the group's alerts to another receiver: the hint follows ingest, while the stored
      // group keeps the receiver it was created with — which is why the flush checks the hint.
      await store.upsert({
        tenant: 'a',
        now,
        groups: [{ target: { ...target, receiver: 'other' }, alerts: [alert('1a', now + 60_000)] }],
      });
      expect(store.receiverHint('a', target.groupId)).toBe('other');
      expect(await store.getGroup('a', target.groupId)).toMatchObject({ receiver: target.receiver });
    });

    it('merges a year-9999 endsAt without corrupting the stored header', async () => {
      const store = new RedisGroupStore(redis, topo.keys(prefix(), 4), { retention: 60_000 });
      const now = Date.now();
      const far = Date.UTC(9999, 11, 31, 23, 59, 59);
      const a = { ...alert('01', far), startsAt: now - 1000 };
      await store.upsert({ tenant: 't', now, groups: [{ target, alerts: [a] }] });
      await store.upsert({
        tenant: 't',
        now: now + 1,
        groups: [{ target, alerts: [{ ...a, updatedAt: now + 1 }] }],
      });
      await store.upsert({
        tenant: 't',
        now: now + 2,
        groups: [{ target, alerts: [{ ...a, updatedAt: now + 2 }] }],
      });
      const g = await store.getGroup('t', target.groupId);
      expect(g!.firing.map((x) => [x.startsAt, x.endsAt, x.updatedAt])).toEqual([[now - 1000, far, now + 2]]);
    });

    it('stores a webhook source (groupKey, receiver) once per group, not in every alert', async () => {
      const p = prefix();
      const store = new RedisGroupStore(redis, topo.keys(p, 4), { retention: 60_000 });
      const now = Date.now();
      const source = { groupKey: 'k'.repeat(16_384), receiver: 'team-x' };
      const alerts = Array.from({ length: 200 }, (_, i) => ({
        ...alert(i.toString(16), now + 60_000),
        source,
      }));
      await store.upsert({ tenant: 't', now, groups: [{ target, alerts }] });
      const k = topo.keys(p, 4);
      const firing = await redis.hgetall(k.groupFiring('t', target.groupId));
      expect(Object.values(firing).every((v) => v.length < 200)).toBe(true);
      const meta = await redis.hgetall(k.groupMeta('t', target.groupId));
      expect(Object.keys(meta).filter((f) => f.startsWith('src:'))).toHaveLength(1);
      expect(await redis.memory('USAGE', k.groupFiring('t', target.groupId))).toBeLessThan(100_000);
      const g = await store.getGroup('t', target.groupId);
      expect(g!.firing).toHaveLength(200);
      expect(
        g!.firing.every((a) => a.source?.groupKey === source.groupKey && a.source.receiver === 'team-x'),
      ).toBe(true);
      for (const key of await topo.keysMatching(`${p}:*`)) expect(await redis.pttl(key)).toBeGreaterThan(0);
    });
  });

  describe('FailoverGroupStore merge of an entry Redis refuses', () => {
    it('the failover merge skips an entry Redis refuses and leaves fallback', async () => {
      const keys = topo.keys(prefix(), 16);
      const redisStore = new RedisGroupStore(redis, keys, { retention: 3_600_000 });
      const logs: string[] = [];
      const store = failover(redisStore, () => redis.ping(), logs, 60_000);
      store.startInFallback(new Error('Connection is closed.'));
      const now = Date.now();
      // Memory takes what the script refuses (here a time that encodes as "NaN").
      const broken = { ...alert('02', now + 600_000), startsAt: Number.NaN };
      await store.upsert({
        tenant: 't',
        now,
        groups: [{ target, alerts: [alert('01', now + 600_000), broken, alert('03', now + 600_000)] }],
      });
      await store.tryRecover();
      expect(store.status()).toMatchObject({ mode: 'redis', pendingAlerts: 0, mergeSkipped: 1 });
      const g = await redisStore.getGroup('t', target.groupId);
      expect(g!.firing.map((a) => a.fingerprint).sort()).toEqual(['01', '03']);
      expect(logs.some((l) => l.includes('refused') && l.includes('02'))).toBe(true);
      store.close();
    });
  });

  /** Calls per command name the server(s) ran (inside scripts included): summed over every master. */
  async function commandCalls(): Promise<Map<string, number>> {
    const infos = await Promise.all(masterNodes(redis).map((n) => n.info('commandstats')));
    const out = new Map<string, number>();
    for (const info of infos)
      for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
        out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
    return out;
  }

  function diffCalls(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
    const d: Record<string, number> = {};
    for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d[k] = v - (before.get(k) ?? 0);
    return d;
  }

  /** EVALSHA calls the server(s) ran: summed over every master on a cluster. */
  async function evalshaCalls(): Promise<number> {
    const infos = await Promise.all(masterNodes(redis).map((n) => n.info('commandstats')));
    return infos.reduce((sum, info) => sum + Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(info)?.[1] ?? 0), 0);
  }
});

it('puts a group keys under one hash tag', () => {
  const k = new RedisKeys('herald', 16);
  const tag = (s: string) => /\{([^}]*)\}/.exec(s)![1];
  const id = target.groupId;
  expect(
    new Set([tag(k.groupFiring('t', id)), tag(k.groupRecovery('t', id)), tag(k.groupMeta('t', id))]),
  ).toEqual(new Set([id]));
});

/** `redisStore` with a memory fallback, probing Redis with `probe`; its log lines go to `logs`. */
function failover(
  redisStore: RedisGroupStore,
  probe: () => Promise<unknown>,
  logs: string[] = [],
  probeInterval = 50,
): FailoverGroupStore {
  return new FailoverGroupStore(
    redisStore,
    new MemoryGroupStore({ maxAlerts: 10_000, maxGroups: 1000, retention: 3_600_000 }),
    { log: (m) => logs.push(m), warn: (m) => logs.push(m) },
    { probeInterval, probe },
  );
}

describe('FailoverGroupStore against a real redis-server', () => {
  it('serves from memory while Redis is down and merges into Redis when it returns', async () => {
    const own = await RedisServer.start();
    const client = await connectedClient(own.url, 300, 300);
    const keys = new RedisKeys(prefix(), 16);
    const redisStore = new RedisGroupStore(client, keys, { retention: 3_600_000 });
    const logs: string[] = [];
    const store = failover(redisStore, () => client.ping(), logs);
    const now = Date.now();
    await store.upsert({ tenant: 't', now, groups: [{ target, alerts: [alert('01', now + 600_000)] }] });
    expect(store.degraded).toBe(false);

    await own.kill();
    for (let i = 2; i <= 20; i++) {
      const fp = i.toString(16).padStart(2, '0');
      await store.upsert({
        tenant: 't',
        now: Date.now(),
        groups: [{ target, alerts: [alert(fp, now + 600_000)] }],
      });
    }
    expect(store.degraded).toBe(true);
    expect(store.status().pendingAlerts).toBe(19);

    await own.startProcess(); // same port, empty
    await waitUntil(() => !store.degraded, { what: 'the store back on Redis' });
    expect(store.degraded).toBe(false);
    const g = await redisStore.getGroup('t', target.groupId);
    expect(g!.firing.length).toBe(19); // everything sent during the outage (the first alert died with the server)
    expect(logs.filter((l) => l.includes('unavailable')).length).toBe(1);
    expect(logs.filter((l) => l.includes('is back')).length).toBe(1);
    store.close();
    client.disconnect();
    await own.stop();
  });

  it('inhibits from the memory index during an outage, and the merge indexes the sources in Redis', async () => {
    const rules = new InhibitionRules([
      {
        sourceMatchers: parseMatchers('sev="crit"'),
        targetMatchers: parseMatchers('sev="warn"'),
        equal: ['c'],
      },
    ]);
    const own = await RedisServer.start();
    const client = await connectedClient(own.url, 300, 300);
    const redisStore = new RedisGroupStore(client, new RedisKeys(prefix(), 16), {
      retention: 3_600_000,
      inhibition: rules,
    });
    const store = new FailoverGroupStore(
      redisStore,
      new MemoryGroupStore({ maxAlerts: 100, maxGroups: 10, retention: 3_600_000, inhibition: rules }),
      { log: () => undefined, warn: () => undefined },
      { probeInterval: 50, probe: () => client.ping() },
    );
    const [q] = rules.targetQueries({ sev: 'warn', c: 'eu' }).map((x) => x.query);
    await own.kill();
    const now = Date.now();
    const src = storedAlert('0c', now, { labels: { sev: 'crit', c: 'eu' }, endsAt: now + 600_000 });
    await store.upsert({ tenant: 't', now, groups: [{ target, alerts: [src] }] });
    expect(store.degraded).toBe(true);
    expect(await store.firingSources('t', [q], now)).toEqual(['0c']);

    await own.startProcess(); // same port, empty
    await waitUntil(() => !store.degraded, { what: 'the store back on Redis' });
    expect(await redisStore.firingSources('t', [q], Date.now())).toEqual(['0c']);
    store.close();
    client.disconnect();
    await own.stop();
  });

  it('falls back within one command timeout when Redis is paused (SIGSTOP)', async () => {
    const own = await RedisServer.start();
    const client = await connectedClient(own.url, 200, 200);
    const store = failover(
      new RedisGroupStore(client, new RedisKeys(prefix(), 16), { retention: 3_600_000 }),
      () => client.ping(),
    );
    await own.pause();
    try {
      const t = Date.now();
      await store.upsert({ tenant: 't', now: t, groups: [{ target, alerts: [alert('01', t + 600_000)] }] });
      expect(Date.now() - t).toBeLessThan(1000);
      expect(store.degraded).toBe(true);
    } finally {
      await own.resume();
    }
    await waitUntil(() => !store.degraded, { what: 'the store back on Redis' });
    expect(store.degraded).toBe(false);
    expect((await store.getGroup('t', target.groupId))!.firing.length).toBe(1);
    store.close();
    client.disconnect();
    await own.stop();
  });
});
