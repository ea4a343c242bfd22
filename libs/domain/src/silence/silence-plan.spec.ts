import { MemorySilenceStore } from './memory-silence.store';
import { expireSilenceIn, setSilenceIn, SilenceConflictError } from './silence-ops';
import {
  SilenceLimitError,
  SilenceNotFoundError,
  canUpdateSilence,
  expireSilence,
  planSilenceExpire,
  planSilenceSet,
} from './silence-plan';
import { silenceState } from './silence-state';
import { SilenceValidationError, type SilenceInput } from './silence-validation';
import type { Silence, SilenceMatcherSpec, SilenceStore } from './silence.store';

const NOW = 1_800_000_000_000;
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const OPTS = { maxSilences: 0, retention: HOUR };
const ab: SilenceMatcherSpec[] = [{ name: 'a', value: 'b', isRegex: false, isEqual: true }];
const ac: SilenceMatcherSpec[] = [{ name: 'a', value: 'c', isRegex: false, isEqual: true }];

const sil = (over: Partial<Silence>): Silence => ({
  id: 'x',
  matchers: ab,
  startsAt: NOW,
  endsAt: NOW + HOUR,
  updatedAt: NOW - HOUR,
  createdBy: '',
  comment: '',
  ...over,
});
const input = (over: Partial<SilenceInput>): SilenceInput => ({
  matchers: ab,
  endsAt: NOW + HOUR,
  createdBy: '',
  comment: '',
  ...over,
});

function ids(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

/** A store and clock as Alertmanager's tests use them: a mock clock moved by hand. */
function harness() {
  const store = new MemorySilenceStore();
  const clock = { t: NOW };
  const newId = ids();
  const set = (i: SilenceInput) => setSilenceIn(store, 't', i, () => clock.t, newId, OPTS);
  const all = async () =>
    Object.fromEntries((await store.snapshot('t', clock.t)).silences.map((s) => [s.id, s]));
  return { store, clock, set, all };
}

describe("planSilenceSet: Alertmanager's TestSilenceSet, step by step", () => {
  it('create with a fixed future start, create without start, update in place, replace, re-create', async () => {
    const { clock, set, all } = harness();
    const start1 = clock.t;

    // Insert silence with fixed start time.
    const p1 = await set(input({ startsAt: start1 + 2 * MIN, endsAt: start1 + 5 * MIN }));
    expect(p1.kind).toBe('create');
    const id1 = p1.id;
    const want: Record<string, Silence> = {
      [id1]: sil({ id: id1, startsAt: start1 + 2 * MIN, endsAt: start1 + 5 * MIN, updatedAt: start1 }),
    };
    expect(await all()).toEqual(want);

    // Insert silence with unset start time: set to now.
    clock.t += MIN;
    const start2 = clock.t;
    const sil2 = input({ endsAt: start2 + MIN });
    const id2 = (await set(sil2)).id;
    want[id2] = sil({ id: id2, startsAt: start2, endsAt: start2 + MIN, updatedAt: start2 });
    expect(await all()).toEqual(want);

    // Overwrite silence 2 with a new end time: same id, updated in place. (Alertmanager's test moves
    // exactly to silence 2's end, where its getState still says active; Herald's single state rule says
    // expired there — see silenceState — so this step comes a second earlier.)
    clock.t += MIN - SEC;
    const start3 = clock.t;
    const p3 = await set({ ...sil2, id: id2, startsAt: start2, endsAt: start3 + 100 * MIN });
    expect(p3.kind).toBe('update');
    expect(p3.id).toBe(id2);
    want[id2] = sil({ id: id2, startsAt: start2, endsAt: start3 + 100 * MIN, updatedAt: start3 });
    expect(await all()).toEqual(want);

    // New matcher: the old one expires now and a new one (new id) starts now.
    clock.t += MIN + SEC;
    const start4 = clock.t;
    const p4 = await set({ ...sil2, id: id2, matchers: ac, startsAt: start2, endsAt: start3 + 100 * MIN });
    expect(p4.kind).toBe('replace');
    const id4 = p4.id;
    expect(id4).not.toBe(id2);
    want[id2] = sil({ id: id2, startsAt: start2, endsAt: start4, updatedAt: start4 });
    want[id4] = sil({
      id: id4,
      matchers: ac,
      startsAt: start4,
      endsAt: start3 + 100 * MIN,
      updatedAt: start4,
    });
    expect(await all()).toEqual(want);

    // Re-create the silence that just expired, start in the past: new id, start moved to now.
    clock.t += MIN;
    const start5 = clock.t;
    const p5 = await set({ ...sil2, id: id2, startsAt: start1, endsAt: start1 + 5 * MIN + 10 * MIN });
    expect(p5.kind).toBe('replace');
    expect(p5.expired).toBeUndefined(); // already expired: left as it was
    want[p5.id] = sil({ id: p5.id, startsAt: start5, endsAt: start1 + 15 * MIN, updatedAt: start5 });
    expect(await all()).toEqual(want);
  });
});

describe("planSilenceSet: Alertmanager's TestSetActiveSilence", () => {
  it('an active silence whose start moves within the same second is updated in place, keeping the new start', async () => {
    const { clock, set, all } = harness();
    const startsAt = NOW - MIN;
    const endsAt = NOW + 5 * MIN;
    const id1 = (await set(input({ startsAt, endsAt }))).id;
    // Alertmanager clamps the past start of a new silence to now.
    const created = (await all())[id1];
    expect(created.startsAt).toBe(NOW);

    clock.t += MIN;
    const newStartsAt = NOW + 2; // two ms later: the same Unix second
    const newEndsAt = endsAt + 2 * MIN;
    const p = await set(input({ id: id1, startsAt: newStartsAt, endsAt: newEndsAt }));
    expect(p.kind).toBe('update');
    expect(await all()).toEqual({
      [id1]: sil({ id: id1, startsAt: newStartsAt, endsAt: newEndsAt, updatedAt: clock.t }),
    });
  });
});

describe("planSilenceSet: Alertmanager's TestSilencesSetFail", () => {
  it('an id that names no silence: not found (404), nothing written', async () => {
    const { store, set } = harness();
    const v = await store.version('t');
    await expect(set(input({ id: 'some_id' }))).rejects.toBeInstanceOf(SilenceNotFoundError);
    await expect(set(input({ id: 'some_id' }))).rejects.toThrow('silence not found');
    expect(await store.version('t')).toBe(v);
    expect(() => planSilenceSet(null, input({ id: 'nope' }), NOW, ids(), OPTS)).toThrow(SilenceNotFoundError);
    expect(() => planSilenceSet(sil({ id: 'other' }), input({ id: 'nope' }), NOW, ids(), OPTS)).toThrow(
      SilenceNotFoundError,
    );
  });

  it('a silence without matchers: invalid (400)', async () => {
    await expect(harness().set(input({ matchers: [] }))).rejects.toBeInstanceOf(SilenceValidationError);
  });

  it('an empty id is a create, as in Alertmanager', async () => {
    expect((await harness().set(input({ id: '' }))).kind).toBe('create');
  });
});

describe("canUpdateSilence: Alertmanager's TestSilenceCanUpdate", () => {
  const a = (startsAt: number, endsAt: number) => sil({ startsAt, endsAt, updatedAt: NOW - HOUR });
  const b = (startsAt: number, endsAt: number) => ({ matchers: ab, startsAt, endsAt });
  const cases: [string, Silence, ReturnType<typeof b>, boolean][] = [
    ['expired silence', a(NOW - HOUR, NOW - SEC), b(NOW, NOW), false],
    ['pending: start moved into the past', a(NOW + HOUR, NOW + 2 * HOUR), b(NOW - MIN, NOW + HOUR), false],
    [
      'pending: start and end moved, still future',
      a(NOW + HOUR, NOW + 2 * HOUR),
      b(NOW + MIN, NOW + MIN),
      true,
    ],
    ['pending: set to start exactly now', a(NOW + HOUR, NOW + 2 * HOUR), b(NOW, NOW + 2 * HOUR), true],
    ['active: start changed', a(NOW - HOUR, NOW + 2 * HOUR), b(NOW - MIN, NOW + 2 * HOUR), false],
    ['active: end moved into the past', a(NOW - HOUR, NOW + 2 * HOUR), b(NOW - HOUR, NOW - SEC), false],
    ['active: end moved to now', a(NOW - HOUR, NOW + 2 * HOUR), b(NOW - HOUR, NOW), true],
    ['active: end extended', a(NOW - HOUR, NOW + 2 * HOUR), b(NOW - HOUR, NOW + 3 * HOUR), true],
  ];
  it.each(cases)('%s → %s', (_name, prev, next, ok) => {
    expect(canUpdateSilence(prev, next, NOW)).toBe(ok);
  });

  it('at exactly endsAt the silence is expired, so it is replaced, not revived in place (one state rule)', () => {
    const prev = a(NOW - HOUR, NOW);
    expect(canUpdateSilence(prev, b(NOW - HOUR, NOW + HOUR), NOW)).toBe(false);
    const p = planSilenceSet(
      prev,
      input({ id: 'x', startsAt: NOW - HOUR, endsAt: NOW + HOUR }),
      NOW,
      ids(),
      OPTS,
    );
    expect(p.kind).toBe('replace');
    expect(p.expired).toBeUndefined();
  });

  it('active: the start is compared to the second (Unix seconds), not the millisecond', () => {
    const prev = a(NOW - HOUR + 100, NOW + HOUR);
    expect(canUpdateSilence(prev, b(NOW - HOUR + 999, NOW + HOUR), NOW)).toBe(true);
    expect(canUpdateSilence(prev, b(NOW - HOUR + 1000, NOW + HOUR), NOW)).toBe(false);
  });

  it('matchers must be equal in order and in every field', () => {
    const prev = a(NOW - HOUR, NOW + HOUR);
    const two: SilenceMatcherSpec[] = [...ab, ...ac];
    expect(
      canUpdateSilence(
        { ...prev, matchers: two },
        { ...b(prev.startsAt, NOW + HOUR), matchers: [...two].reverse() },
        NOW,
      ),
    ).toBe(false);
    expect(
      canUpdateSilence(
        prev,
        { ...b(prev.startsAt, NOW + HOUR), matchers: [{ ...ab[0], isEqual: false }] },
        NOW,
      ),
    ).toBe(false);
    expect(
      canUpdateSilence(
        prev,
        { ...b(prev.startsAt, NOW + HOUR), matchers: [{ ...ab[0], isRegex: true }] },
        NOW,
      ),
    ).toBe(false);
    expect(canUpdateSilence(prev, { ...b(prev.startsAt, NOW + HOUR), matchers: [{ ...ab[0] }] }, NOW)).toBe(
      true,
    );
  });
});

describe("expire: Alertmanager's TestSilenceExpire", () => {
  const m = ab;
  const seed = (store: MemorySilenceStore) =>
    store.replaceFrom(
      't',
      [
        sil({ id: 'pending', matchers: m, startsAt: NOW + MIN, endsAt: NOW + HOUR, updatedAt: NOW - HOUR }),
        sil({ id: 'active', matchers: m, startsAt: NOW - MIN, endsAt: NOW + HOUR, updatedAt: NOW - HOUR }),
        sil({ id: 'expired', matchers: m, startsAt: NOW - HOUR, endsAt: NOW - MIN, updatedAt: NOW - HOUR }),
      ],
      HOUR,
      NOW,
    );
  const states = async (store: SilenceStore, at: number) =>
    (await store.snapshot('t', at)).silences.map((s) => silenceState(s, at)).sort();

  it('pending → starts and ends now; active → ends now; expired → untouched, no error', async () => {
    const store = new MemorySilenceStore();
    seed(store);
    expect(await states(store, NOW)).toEqual(['active', 'expired', 'pending']);
    const opts = { retention: HOUR };
    expect(await expireSilenceIn(store, 't', 'pending', () => NOW, opts)).not.toBeNull();
    expect(await expireSilenceIn(store, 't', 'active', () => NOW, opts)).not.toBeNull();
    const v = await store.version('t');
    expect(await expireSilenceIn(store, 't', 'expired', () => NOW, opts)).toBeNull();
    expect(await store.version('t')).toBe(v); // idempotent: nothing written

    expect(await store.get('t', 'pending', NOW)).toEqual(
      sil({ id: 'pending', matchers: m, startsAt: NOW, endsAt: NOW, updatedAt: NOW }),
    );
    expect(await store.get('t', 'active', NOW)).toEqual(
      sil({ id: 'active', matchers: m, startsAt: NOW - MIN, endsAt: NOW, updatedAt: NOW }),
    );
    expect(await store.get('t', 'expired', NOW)).toEqual(
      sil({ id: 'expired', matchers: m, startsAt: NOW - HOUR, endsAt: NOW - MIN, updatedAt: NOW - HOUR }),
    );
    // Expired at once (no second has to pass with millisecond times), and a second later too.
    expect(await states(store, NOW)).toEqual(['expired', 'expired', 'expired']);
    expect(await states(store, NOW + SEC)).toEqual(['expired', 'expired', 'expired']);
  });

  it("Alertmanager's TestSilenceExpireWithZeroRetention: with no retention, expiring removes the silences", async () => {
    const store = new MemorySilenceStore();
    seed(store);
    const opts = { retention: 0 };
    for (const id of ['pending', 'active']) await expireSilenceIn(store, 't', id, () => NOW + 1, opts);
    expect(await expireSilenceIn(store, 't', 'expired', () => NOW + 1, opts)).toBeNull();
    // Every silence is expired; the expired-with-no-retention ones are gone.
    const snap = await store.snapshot('t', NOW + 2);
    expect(snap.silences.map((s) => s.id)).toEqual(['expired']);
    expect(snap.silences.every((s) => silenceState(s, NOW + 2) === 'expired')).toBe(true);
  });

  it('an unknown id: not found', async () => {
    await expect(
      expireSilenceIn(new MemorySilenceStore(), 't', 'nope', () => NOW, { retention: HOUR }),
    ).rejects.toThrow(SilenceNotFoundError);
    expect(() => planSilenceExpire(null, NOW, { retention: HOUR }, 'nope')).toThrow('silence not found');
  });

  it('expireSilence alone: null for an expired silence', () => {
    expect(expireSilence(sil({ startsAt: NOW - HOUR, endsAt: NOW }), NOW)).toBeNull();
  });
});

describe('planSilenceSet: writes, limits and concurrency', () => {
  it('a replacement expires the old silence and creates the new one in one write expecting the old', () => {
    const prev = sil({ id: 'old', startsAt: NOW - HOUR, endsAt: NOW + HOUR, updatedAt: NOW - HOUR });
    const p = planSilenceSet(prev, input({ id: 'old', matchers: ac, endsAt: NOW + 2 * HOUR }), NOW, ids(), {
      maxSilences: 7,
      retention: 5 * HOUR,
    });
    expect(p.kind).toBe('replace');
    expect(p.write).toEqual({
      writes: [
        { ...prev, endsAt: NOW, updatedAt: NOW },
        sil({ id: 'id1', matchers: ac, startsAt: NOW, endsAt: NOW + 2 * HOUR, updatedAt: NOW }),
      ],
      expect: { id: 'old', updatedAt: NOW - HOUR },
      maxSilences: 7,
      now: NOW,
      retention: 5 * HOUR,
    });
  });

  it('keeps annotations (Alertmanager 0.32) and drops them when an update leaves them out', () => {
    const p = planSilenceSet(null, input({ annotations: { ticket: 'OPS-1' } }), NOW, ids(), OPTS);
    expect(p.silence.annotations).toEqual({ ticket: 'OPS-1' });
    const p2 = planSilenceSet(p.silence, input({ id: p.id, startsAt: NOW }), NOW + 1, ids(), OPTS);
    expect(p2.kind).toBe('update');
    expect('annotations' in p2.silence).toBe(false);
  });

  it('updatedAt always moves forward, so two changes in one millisecond conflict instead of overwriting', async () => {
    const { store, clock, set } = harness();
    const id = (await set(input({}))).id; // updatedAt = NOW
    const prev = (await store.get('t', id, NOW))!;
    // Two writers read `prev` in the same millisecond it was written.
    const p1 = planSilenceSet(prev, input({ id, startsAt: NOW, comment: 'one' }), NOW, ids(), OPTS);
    const p2 = planSilenceSet(prev, input({ id, startsAt: NOW, comment: 'two' }), NOW, ids(), OPTS);
    expect(p1.silence.updatedAt).toBe(NOW + 1);
    expect((await store.write('t', p1.write)).ok).toBe(true);
    expect(await store.write('t', p2.write)).toEqual({ ok: false, reason: 'conflict' });
    expect((await store.get('t', id, clock.t))?.comment).toBe('one');
  });

  it('a node whose clock is behind the last writer still moves updatedAt forward', () => {
    const prev = sil({ startsAt: NOW - HOUR, updatedAt: NOW + 5 * SEC });
    expect(
      planSilenceSet(prev, input({ id: 'x', startsAt: NOW - HOUR }), NOW, ids(), OPTS).silence.updatedAt,
    ).toBe(NOW + 5 * SEC + 1);
    expect(expireSilence(prev, NOW)!.updatedAt).toBe(NOW + 5 * SEC + 1);
  });

  it('setSilenceIn re-reads and re-plans on a conflict', async () => {
    const store = new MemorySilenceStore();
    const id = (await setSilenceIn(store, 't', input({}), () => NOW, ids(), OPTS)).id;
    // A store that lets another writer in between the read and the first write.
    let interfered = false;
    const racy: SilenceStore = {
      snapshot: (t, n) => store.snapshot(t, n),
      version: (t) => store.version(t),
      get: (t, i, n) => store.get(t, i, n),
      write: async (t, w) => {
        if (!interfered) {
          interfered = true;
          const cur = (await store.get(t, id, NOW))!;
          await store.write(t, {
            ...w,
            writes: [{ ...cur, comment: 'other', updatedAt: cur.updatedAt + 1 }],
          });
        }
        return store.write(t, w);
      },
    };
    const p = await setSilenceIn(
      racy,
      't',
      input({ id, startsAt: NOW, comment: 'mine' }),
      () => NOW,
      ids(),
      OPTS,
    );
    expect(p.kind).toBe('update');
    expect((await store.get('t', id, NOW))?.comment).toBe('mine');
  });

  it('setSilenceIn gives up after maxAttempts conflicts (409) and reports the limit as SilenceLimitError (429)', async () => {
    const store = new MemorySilenceStore();
    const conflicting: SilenceStore = {
      snapshot: (t, n) => store.snapshot(t, n),
      version: (t) => store.version(t),
      get: () => Promise.resolve(sil({ id: 'x', startsAt: NOW - HOUR })),
      write: () => Promise.resolve({ ok: false, reason: 'conflict' }),
    };
    await expect(
      setSilenceIn(conflicting, 't', input({ id: 'x', startsAt: NOW - HOUR }), () => NOW, ids(), {
        ...OPTS,
        maxAttempts: 3,
      }),
    ).rejects.toBeInstanceOf(SilenceConflictError);

    const newId = ids();
    await setSilenceIn(store, 't', input({}), () => NOW, newId, { ...OPTS, maxSilences: 1 });
    const err = await setSilenceIn(store, 't', input({}), () => NOW, newId, {
      ...OPTS,
      maxSilences: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(SilenceLimitError);
    expect(err.field).toBe('max_silences');
    expect(err.message).toBe('exceeded maximum number of silences (max_silences: 1)');
  });
});
