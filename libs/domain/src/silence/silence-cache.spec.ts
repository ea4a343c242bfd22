import { MemorySilenceStore } from './memory-silence.store';
import { SilenceCache } from './silence-cache';
import type {
  Silence,
  SilenceSnapshot,
  SilenceStore,
  SilenceWrite,
  SilenceWriteResult,
} from './silence.store';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const sil = (id: string, value = 'A'): Silence => ({
  id,
  matchers: [{ name: 'alertname', value, isRegex: false, isEqual: true }],
  startsAt: NOW - HOUR,
  endsAt: NOW + HOUR,
  updatedAt: NOW - HOUR,
  createdBy: '',
  comment: '',
});
const create = (s: Silence): SilenceWrite => ({
  writes: [s],
  expect: null,
  maxSilences: 0,
  now: NOW,
  retention: HOUR,
});

/** Counts calls and can hold version reads until released, so tests wait on events, not time. */
class CountingStore implements SilenceStore {
  readonly inner = new MemorySilenceStore();
  versionCalls = 0;
  snapshotCalls = 0;
  fail = false;
  private held: (() => void)[] | null = null;
  private heldSnapshots: (() => void)[] | null = null;

  hold(): void {
    this.held = [];
  }
  release(): void {
    const h = this.held ?? [];
    this.held = null;
    for (const r of h) r();
  }
  async version(tenant: string): Promise<string> {
    this.versionCalls++;
    if (this.held) await new Promise<void>((r) => this.held!.push(r));
    if (this.fail) throw new Error('store down');
    return this.inner.version(tenant);
  }
  async snapshot(tenant: string, now: number): Promise<SilenceSnapshot> {
    this.snapshotCalls++;
    if (this.fail) throw new Error('store down');
    // Read at call time, answered when released: a slow read that returns what was there when asked.
    const snap = await this.inner.snapshot(tenant, now);
    if (this.heldSnapshots) await new Promise<void>((r) => this.heldSnapshots!.push(r));
    return snap;
  }
  holdSnapshots(): void {
    this.heldSnapshots = [];
  }
  /** Answers the held reads, the last asked first (so a stale read finishes after a fresh one). */
  releaseSnapshots(): void {
    const h = this.heldSnapshots ?? [];
    this.heldSnapshots = null;
    for (const r of h.reverse()) r();
  }
  get(tenant: string, id: string, now: number): Promise<Silence | null> {
    return this.inner.get(tenant, id, now);
  }
  write(tenant: string, w: SilenceWrite): Promise<SilenceWriteResult> {
    return this.inner.write(tenant, w);
  }
}

describe('SilenceCache', () => {
  it('reads the silences once per version: later questions cost one version read', async () => {
    const store = new CountingStore();
    await store.write('t', create(sil('s1')));
    const cache = new SilenceCache(store);
    const a = await cache.set('t', NOW);
    const b = await cache.set('t', NOW);
    expect(b).toBe(a);
    expect(a.silencedBy({ alertname: 'A' }, NOW)).toEqual(['s1']);
    expect(store.versionCalls).toBe(2);
    expect(store.snapshotCalls).toBe(1);
  });

  it('a write by any node (a version change) is seen by the next question', async () => {
    const store = new CountingStore();
    const cache = new SilenceCache(store);
    expect((await cache.set('t', NOW)).size).toBe(0);
    // Written "by another node": straight to the store, no invalidate.
    await store.write('t', create(sil('s1')));
    const set = await cache.set('t', NOW);
    expect(set.silencedBy({ alertname: 'A' }, NOW)).toEqual(['s1']);
    expect(set.version).toBe(await store.version('t'));
  });

  it('concurrent questions for one tenant share one version read and one load', async () => {
    const store = new CountingStore();
    await store.write('t', create(sil('s1')));
    const cache = new SilenceCache(store);
    store.hold();
    const all = Promise.all(Array.from({ length: 50 }, () => cache.set('t', NOW)));
    const other = cache.set('u', NOW);
    store.release();
    const sets = await all;
    await other;
    expect(new Set(sets).size).toBe(1);
    expect(store.versionCalls).toBe(2); // one for t, one for u
    expect(store.snapshotCalls).toBe(2);
    expect(cache.stats.shared).toBe(49);
  });

  it('invalidate during a read in flight: the next question reads again, and the old read does not overwrite it', async () => {
    const store = new CountingStore();
    const cache = new SilenceCache(store);
    store.holdSnapshots();
    const before = cache.set('t', NOW); // reads the silences before this node's write...
    while (store.snapshotCalls === 0) await Promise.resolve();
    await store.write('t', create(sil('s1')));
    cache.invalidate('t');
    const afterP = cache.set('t', NOW);
    while (store.snapshotCalls === 1) await Promise.resolve();
    store.releaseSnapshots();
    const after = await afterP;
    expect(after.silencedBy({ alertname: 'A' }, NOW)).toEqual(['s1']);
    // ...and answers them to its own caller, but does not replace the newer cached set.
    expect((await before).size).toBe(0);
    const again = await cache.set('t', NOW);
    expect(again).toBe(after);
    expect(store.snapshotCalls).toBe(2);
  });

  it('keeps at most maxTenants, dropping the least recently used', async () => {
    const store = new CountingStore();
    const cache = new SilenceCache(store, { maxTenants: 2 });
    await cache.set('a', NOW);
    await cache.set('b', NOW);
    await cache.set('a', NOW); // a is now the most recent
    await cache.set('c', NOW); // drops b
    expect(cache.size).toBe(2);
    const loads = store.snapshotCalls;
    await cache.set('a', NOW);
    expect(store.snapshotCalls).toBe(loads); // still cached
    await cache.set('b', NOW);
    expect(store.snapshotCalls).toBe(loads + 1); // was dropped
  });

  it('when the store fails, answers the last loaded set and reports it; without one, throws', async () => {
    const store = new CountingStore();
    await store.write('t', create(sil('s1')));
    const stale: string[] = [];
    const cache = new SilenceCache(store, { onStale: (t) => stale.push(t) });
    const loaded = await cache.set('t', NOW);
    store.fail = true;
    expect(await cache.set('t', NOW)).toBe(loaded);
    expect(stale).toEqual(['t']);
    await expect(cache.set('never-loaded', NOW)).rejects.toThrow('store down');
  });

  it('freshForMs trusts a version check for that long by its own clock', async () => {
    const store = new CountingStore();
    let clock = 0;
    const cache = new SilenceCache(store, { freshForMs: 100, clock: () => clock });
    await cache.set('t', NOW);
    await cache.set('t', NOW);
    expect(store.versionCalls).toBe(1);
    clock = 100;
    await cache.set('t', NOW);
    expect(store.versionCalls).toBe(2);
    cache.invalidate('t');
    await cache.set('t', NOW);
    expect(store.versionCalls).toBe(3);
  });
});
