import { MemorySilenceStore, type Silence, type SilenceWrite } from '@herald/domain';
import { describeSilenceStoreContract } from '../../domain/src/silence/silence-store.contract';
import type { RedisModeSource } from './failover-flush.store';
import { FailoverSilenceStore, type SilenceMergeTarget } from './failover-silence.store';
import { isUnavailableError } from './redis-connection';
import type { RetainedSilence } from './redis-silence.store';

const HOUR = 3_600_000;
const NOW = Date.now();

/** A Redis silence store stand-in: a memory store that can be "down" (connection errors) or refuse merges. */
class FakeRedisSilences extends MemorySilenceStore implements SilenceMergeTarget {
  down = false;
  /** Ids whose merge is refused with a script error (not a connection problem). */
  refuse = new Set<string>();
  calls = 0;
  mergeCalls = 0;

  private gate(): void {
    this.calls++;
    if (this.down) throw new Error('Connection is closed.');
  }

  override snapshot(tenant: string, now: number) {
    this.gate();
    return super.snapshot(tenant, now);
  }
  override version(tenant: string) {
    this.gate();
    return super.version(tenant);
  }
  override get(tenant: string, id: string, now: number) {
    this.gate();
    return super.get(tenant, id, now);
  }
  override write(tenant: string, w: SilenceWrite) {
    this.gate();
    return super.write(tenant, w);
  }
  merge(tenant: string, silences: readonly RetainedSilence[], now: number): Promise<number> {
    this.gate();
    this.mergeCalls++;
    if (silences.some((e) => this.refuse.has(e.silence.id))) {
      const err = new Error('ERR herald silence-merge: bad request');
      err.name = 'ReplyError';
      return Promise.reject(err);
    }
    let n = 0;
    for (const e of silences) n += this.mergeFrom(tenant, [e.silence], e.expiresAt - e.silence.endsAt, now);
    return Promise.resolve(n);
  }
}

/** The node's mode as the failover group store keeps it. */
class FakeMode implements RedisModeSource {
  degraded = false;
  reports = 0;
  /** False: reports are counted but do not switch (Redis answers the probe: the store stays up). */
  switchOnReport = true;
  private readonly listeners = new Set<(d: boolean) => void>();

  reportUnavailable(err: unknown): void {
    this.reports++;
    if (this.switchOnReport && isUnavailableError(err)) this.set(true);
  }
  onModeChange(cb: (d: boolean) => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }
  set(degraded: boolean): void {
    if (this.degraded === degraded) return;
    this.degraded = degraded;
    for (const cb of this.listeners) cb(degraded);
  }
}

function setup() {
  const redis = new FakeRedisSilences();
  const memory = new MemorySilenceStore();
  const mode = new FakeMode();
  const logs: string[] = [];
  const store = new FailoverSilenceStore(
    redis,
    memory,
    mode,
    { log: (m) => logs.push(`log: ${m}`), warn: (m) => logs.push(`warn: ${m}`) },
    { retention: HOUR, mergeRetryMs: 5 },
  );
  return { redis, memory, mode, logs, store };
}

let seq = 0;
function silence(over: Partial<Silence> = {}): Silence {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
    matchers: [{ name: 'alertname', value: 'A', isRegex: false, isEqual: true }],
    startsAt: NOW,
    endsAt: NOW + HOUR,
    updatedAt: NOW,
    createdBy: 'me',
    comment: 'c',
    ...over,
  };
}
const create = (s: Silence): SilenceWrite => ({
  writes: [s],
  expect: null,
  maxSilences: 0,
  now: NOW,
  retention: HOUR,
});
const ids = (list: Silence[]) => list.map((s) => s.id).sort();

/** Resolves once `cond` holds, checking after each turn of the event loop (the merge runs in the background). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`not reached: ${what}`);
}

describeSilenceStoreContract('failover, Redis up', () => {
  const { store } = setup();
  return Promise.resolve({ store, close: () => Promise.resolve(store.close()) });
});

describeSilenceStoreContract('failover, degraded (memory)', () => {
  const { store, mode, redis } = setup();
  mode.set(true);
  redis.down = true;
  return Promise.resolve({ store, close: () => Promise.resolve(store.close()) });
});

describe('FailoverSilenceStore', () => {
  it('answers from memory after a connection error, with the silences of the last snapshot', async () => {
    const { store, redis, mode } = setup();
    const before = silence();
    await store.write('t', create(before));
    await store.snapshot('t', NOW); // seeds memory
    redis.down = true;
    const got = await store.get('t', before.id, NOW);
    expect(got).toEqual(before);
    expect(mode.degraded).toBe(true);
    expect(mode.reports).toBe(1);
    expect(ids((await store.snapshot('t', NOW)).silences)).toEqual([before.id]);
  });

  it('keeps silences written through Redis in memory even without a snapshot since', async () => {
    const { store, redis } = setup();
    const s = silence();
    await store.write('t', create(s));
    redis.down = true;
    expect((await store.snapshot('t', NOW)).silences).toEqual([s]);
  });

  it('does not fall back on an error that is not a connection problem', async () => {
    const { store, redis, mode } = setup();
    jest
      .spyOn(redis, 'version')
      .mockRejectedValueOnce(Object.assign(new Error('ERR bug'), { name: 'ReplyError' }));
    await expect(store.version('t')).rejects.toThrow('ERR bug');
    expect(mode.degraded).toBe(false);
  });

  it('merges the silences created during the outage into Redis when the mode turns back, logged once', async () => {
    const { store, redis, mode, logs } = setup();
    const before = silence();
    await store.write('t', create(before));
    await store.snapshot('t', NOW);
    redis.down = true;
    mode.set(true);
    const during = [silence(), silence()];
    for (const s of during) expect((await store.write('t', create(s))).ok).toBe(true);
    await store.write('u', create(silence()));
    expect(store.pendingMerge).toBe(3);
    const memVersion = await store.version('t');
    expect(memVersion).toMatch(/^mem:/);
    expect(ids((await store.snapshot('t', NOW)).silences)).toEqual(ids([before, ...during]));

    redis.down = false;
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'dirty silences merged');
    expect(ids((await redis.snapshot('t', NOW)).silences)).toEqual(ids([before, ...during]));
    expect((await redis.snapshot('u', NOW)).silences).toHaveLength(1);
    expect(logs.filter((l) => l.includes('merged into Redis'))).toEqual([
      'log: 4 silences merged into Redis: 3 written, 1 already there',
    ]);
    // Back on Redis: its version, not memory's, so a cache reloads.
    const v = await store.version('t');
    expect(v).not.toBe(memVersion);
    expect(v).toBe(await redis.version('t'));
  });

  it('a Redis that came back empty gets back the silences known before the outage', async () => {
    const { store, redis, mode, logs } = setup();
    const known = [silence(), silence()];
    for (const s of known) await store.write('t', create(s));
    await store.snapshot('t', NOW);
    redis.down = true;
    expect(ids((await store.snapshot('t', NOW)).silences)).toEqual(ids(known));
    expect(mode.degraded).toBe(true);
    redis.clear('t'); // restarted without persistence
    redis.down = false;
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'merged');
    expect(ids((await redis.snapshot('t', NOW)).silences)).toEqual(ids(known));
    expect(logs).toContain('log: 2 silences merged into Redis: 2 written, 0 already there');
  });

  it('a newer copy in Redis wins over the memory one; an older one is replaced', async () => {
    const { store, redis, mode } = setup();
    const a = silence();
    const b = silence();
    await store.write('t', { ...create(a), writes: [a, b] });
    await store.snapshot('t', NOW);
    mode.set(true);
    redis.down = true;
    // This node updates both in memory at NOW+5 …
    for (const s of [a, b]) {
      const r = await store.write('t', {
        writes: [{ ...s, comment: 'memory', updatedAt: NOW + 5 }],
        expect: { id: s.id, updatedAt: s.updatedAt },
        maxSilences: 0,
        now: NOW + 5,
        retention: HOUR,
      });
      expect(r.ok).toBe(true);
    }
    // … while another node updated `a` in Redis later (at NOW+9).
    redis.down = false;
    await redis.write('t', {
      writes: [{ ...a, comment: 'other node', updatedAt: NOW + 9 }],
      expect: { id: a.id, updatedAt: a.updatedAt },
      maxSilences: 0,
      now: NOW + 9,
      retention: HOUR,
    });
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'merged');
    expect((await redis.get('t', a.id, NOW))?.comment).toBe('other node');
    expect((await redis.get('t', b.id, NOW))?.comment).toBe('memory');
  });

  it('a call for a tenant with unmerged silences merges them before answering from Redis', async () => {
    const { store, redis, mode } = setup();
    mode.set(true);
    redis.down = true;
    const s = silence();
    await store.write('t', create(s));
    redis.down = false;
    mode.degraded = false; // back, but the listener has not run yet
    expect((await store.snapshot('t', NOW)).silences).toEqual([s]);
    expect(await redis.get('t', s.id, NOW)).toEqual(s);
    expect(store.pendingMerge).toBe(0);
  });

  it('retries the merge while Redis keeps failing, then merges', async () => {
    const { store, redis, mode, logs } = setup();
    mode.switchOnReport = false; // the node stays on Redis (it answers PINGs), only the merge fails
    mode.set(true);
    redis.down = true;
    await store.write('t', create(silence()));
    mode.set(false);
    await until(() => mode.reports >= 3, 'three failed attempts');
    expect(store.pendingMerge).toBe(1);
    redis.down = false;
    await until(() => store.pendingMerge === 0, 'merged after retries');
    expect((await redis.snapshot('t', NOW)).silences).toHaveLength(1);
    expect(logs.filter((l) => l.startsWith('warn: silence merge into Redis failed'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('merged into Redis:'))).toHaveLength(1);
  });

  it('a failed merge sends the node back to memory, and its next return merges', async () => {
    const { store, redis, mode } = setup();
    mode.set(true);
    redis.down = true;
    const s = silence();
    await store.write('t', create(s));
    mode.set(false); // the mode says back, but Redis fails the merge
    await until(() => mode.degraded, 'back in fallback');
    expect(store.pendingMerge).toBe(1);
    redis.down = false;
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'merged on the second return');
    expect(await redis.get('t', s.id, NOW)).toEqual(s);
  });

  it('a silence Redis refuses to merge (script error) is skipped and logged; the others are merged', async () => {
    const { store, redis, mode, logs } = setup();
    mode.set(true);
    redis.down = true;
    const bad = silence();
    const good = silence();
    await store.write('t', create(bad));
    await store.write('t', create(good));
    redis.down = false;
    redis.refuse.add(bad.id);
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'merge done');
    expect(await redis.get('t', good.id, NOW)).toEqual(good);
    expect(await redis.get('t', bad.id, NOW)).toBeNull();
    expect(logs.some((l) => l.startsWith(`warn: Redis refused silence ${bad.id}`))).toBe(true);
    expect(logs).toContain('log: 1 silences merged into Redis: 1 written, 0 already there, 1 refused');
  });

  it('no duplicate ids after a merge: an update during the outage replaces, it does not add', async () => {
    const { store, redis, mode } = setup();
    const a = silence();
    await store.write('t', create(a));
    mode.set(true);
    redis.down = true;
    const expired = { ...a, endsAt: NOW + 1, updatedAt: NOW + 1 };
    const replacement = silence({ comment: 'new' });
    await store.write('t', {
      writes: [expired, replacement],
      expect: { id: a.id, updatedAt: a.updatedAt },
      maxSilences: 0,
      now: NOW + 1,
      retention: HOUR,
    });
    redis.down = false;
    mode.set(false);
    await until(() => store.pendingMerge === 0, 'merged');
    const snap = (await store.snapshot('t', NOW + 1)).silences;
    expect(ids(snap)).toEqual(ids([a, replacement]));
    expect(snap.find((s) => s.id === a.id)).toEqual(expired);
  });

  it('close stops listening to the mode', async () => {
    const { store, redis, mode } = setup();
    mode.set(true);
    redis.down = true;
    await store.write('t', create(silence()));
    store.close();
    redis.down = false;
    mode.set(false); // a listener would start the merge synchronously: its first call would count at once
    expect(redis.mergeCalls).toBe(0);
    expect(store.pendingMerge).toBe(1);
  });
});
