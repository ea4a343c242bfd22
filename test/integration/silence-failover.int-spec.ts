import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  MemoryGroupStore,
  MemorySilenceStore,
  SilenceCache,
  type Silence,
  type SilenceWrite,
} from '@herald/domain';
import {
  FailoverGroupStore,
  FailoverSilenceStore,
  RedisGroupStore,
  RedisKeys,
  RedisSilenceStore,
} from '@herald/redis';
import { connectedClient } from '../harness/redis-client';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const HOUR = 3_600_000;

function silence(value: string, now: number): Silence {
  return {
    id: randomUUID(),
    matchers: [{ name: 'alertname', value, isRegex: false, isEqual: true }],
    startsAt: now,
    endsAt: now + HOUR,
    updatedAt: now,
    createdBy: 'oncall',
    comment: `silence ${value}`,
  };
}

const create = (s: Silence, now: number): SilenceWrite => ({
  writes: [s],
  expect: null,
  maxSilences: 100,
  now,
  retention: HOUR,
});

/**
 * Node A: the failover group store (the node's mode, probing Redis every 50 ms) and the failover
 * silence store following it. Node B: another node's plain Redis silence store on its own client.
 */
async function twoNodes(server: RedisServer) {
  const keys = new RedisKeys(`t${randomBytes(4).toString('hex')}`, 16);
  const clientA = await connectedClient(server.url, 300, 300);
  const clientB = await connectedClient(server.url, 300, 300);
  const logs: string[] = [];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };
  const groups = new FailoverGroupStore(
    new RedisGroupStore(clientA, keys, { retention: HOUR }),
    new MemoryGroupStore({ maxAlerts: 1000, maxGroups: 100, retention: HOUR }),
    logger,
    { probeInterval: 50, probe: () => clientA.ping() },
  );
  const a = new FailoverSilenceStore(
    new RedisSilenceStore(clientA, keys),
    new MemorySilenceStore(),
    groups,
    logger,
    {
      retention: HOUR,
      mergeRetryMs: 50,
    },
  );
  const b = new RedisSilenceStore(clientB, keys);
  const close = (...clients: Redis[]) => {
    a.close();
    groups.close();
    for (const c of [clientA, clientB, ...clients]) c.disconnect();
  };
  return { a, b, groups, logs, close };
}

const ids = (list: readonly Silence[]) => list.map((s) => s.id).sort();

describe('silences while Redis is down (real redis-server)', () => {
  it('a silence created while Redis is SIGKILLed is served from memory, then in force on every node once Redis returns', async () => {
    const server = await RedisServer.start();
    const { a, b, groups, logs, close } = await twoNodes(server);
    try {
      const t = 'acme';
      const cacheA = new SilenceCache(a);
      const before = silence('Before', Date.now());
      expect((await a.write(t, create(before, Date.now()))).ok).toBe(true);
      expect(await b.get(t, before.id, Date.now())).toEqual(before); // shared at once
      expect((await cacheA.set(t, Date.now())).mutes({ alertname: 'Before' }, Date.now())).toBe(true);

      await server.kill();
      const now = Date.now();
      const during = silence('During', now);
      const r = await a.write(t, create(during, now));
      expect(r.ok && r.version.startsWith('mem:')).toBe(true);
      expect(groups.degraded).toBe(true);
      expect(await a.get(t, during.id, now)).toEqual(during);
      // Listed with the silence known before the outage; flush-time muting applies both.
      expect(ids((await a.snapshot(t, now)).silences)).toEqual(ids([before, during]));
      const setA = await cacheA.set(t, now);
      expect(setA.mutes({ alertname: 'During' }, now)).toBe(true);
      expect(setA.mutes({ alertname: 'Before' }, now)).toBe(true);

      await server.startProcess(); // same port, empty (no persistence)
      await waitUntil(() => !groups.degraded, { what: 'node A back on Redis' });
      await waitUntil(() => a.pendingMerge === 0, { what: 'the silences merged into Redis' });

      // Node B, which never saw the outage, reads both from Redis: in force there too.
      const snapB = await b.snapshot(t, Date.now());
      expect(ids(snapB.silences)).toEqual(ids([before, during]));
      expect(snapB.silences.find((s) => s.id === during.id)).toEqual(during);
      const setB = await new SilenceCache(b).set(t, Date.now());
      expect(setB.silencedBy({ alertname: 'During' }, Date.now())).toEqual([during.id]);
      // No duplicate ids anywhere, and node A answers from Redis again (same version as B).
      expect(new Set(ids(snapB.silences)).size).toBe(snapB.silences.length);
      expect(await a.version(t)).toBe(await b.version(t));
      expect(ids((await a.snapshot(t, Date.now())).silences)).toEqual(ids([before, during]));
      expect(logs.filter((l) => l.includes('merged into Redis'))).toEqual([
        '2 silences merged into Redis: 2 written, 0 already there',
      ]);
    } finally {
      close();
      await server.stop();
    }
  });

  it('Redis paused then resumed with its data: the merge keeps what Redis has and adds the outage writes', async () => {
    const server = await RedisServer.start();
    const { a, b, groups, logs, close } = await twoNodes(server);
    try {
      const t = 'acme';
      const before = silence('Before', Date.now());
      const untouched = silence('Untouched', Date.now());
      await a.write(t, create(before, Date.now()));
      await a.write(t, create(untouched, Date.now()));
      await a.snapshot(t, Date.now());
      await server.pause(); // SIGSTOP: commands time out (300 ms)
      let during: Silence;
      try {
        const now = Date.now();
        during = silence('During', now);
        expect((await a.write(t, create(during, now))).ok).toBe(true);
        // A timeout is confirmed by a PING before the node switches (it may be this node's own stall).
        await waitUntil(() => groups.degraded, { what: 'the fallback once the PING timed out too' });
        // An update made during the outage: expire the silence known before it.
        const expired = { ...before, endsAt: now + 1, updatedAt: now + 1 };
        const r = await a.write(t, {
          writes: [expired],
          expect: { id: before.id, updatedAt: before.updatedAt },
          maxSilences: 100,
          now: now + 1,
          retention: HOUR,
        });
        expect(r.ok).toBe(true);
      } finally {
        await server.resume();
      }
      await waitUntil(() => !groups.degraded && a.pendingMerge === 0, { what: 'merged after resume' });
      const snapB = await b.snapshot(t, Date.now());
      expect(ids(snapB.silences)).toEqual(ids([before, untouched, during]));
      expect(snapB.silences.find((s) => s.id === before.id)!.endsAt).toBe(during.startsAt + 1);
      expect(snapB.silences.find((s) => s.id === untouched.id)).toEqual(untouched);
      // The create that timed out was still in the socket and ran when Redis resumed (as a command
      // timeout may): then the merge finds it there. The expiry never reached Redis: the merge writes it.
      const merged = logs.filter((l) => l.includes('merged into Redis'));
      expect(merged).toHaveLength(1);
      expect(merged[0]).toMatch(/^3 silences merged into Redis: (2 written, 1|1 written, 2) already there$/);
    } finally {
      close();
      await server.stop();
    }
  });
});
