/**
 * The behaviour every SilenceStore must show (memory, Redis, the failover wrapper). Not a spec by itself
 * (jest only picks `*.spec.ts` / `*.int-spec.ts`): a store's spec calls `describeSilenceStoreContract`.
 *
 * Times are based on the real clock because a Redis store expires keys by Redis's clock (PEXPIREAT at
 * `endsAt + retention`); every test uses its own tenant so stores sharing one server do not collide.
 * Nothing here sleeps: retention is exercised with silences whose retention already ended.
 */
import type { Silence, SilenceStore, SilenceWrite, SilenceWriteResult } from './silence.store';

export interface SilenceStoreContractSubject {
  store: SilenceStore;
  close?: () => Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const RETENTION = 120 * HOUR;

let seq = 0;
function uniqueTenant(label: string): string {
  seq++;
  return `contract-${label}-${process.pid}-${Date.now().toString(36)}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
}
function uniqueId(): string {
  seq++;
  return `00000000-0000-4000-8000-${(Date.now() * 1000 + seq).toString(16).padStart(12, '0').slice(-12)}`;
}

function silence(now: number, over: Partial<Silence> = {}): Silence {
  return {
    id: uniqueId(),
    matchers: [{ name: 'alertname', value: 'Contract', isRegex: false, isEqual: true }],
    startsAt: now,
    endsAt: now + HOUR,
    updatedAt: now,
    createdBy: 'contract',
    comment: 'store contract',
    ...over,
  };
}

function create(s: Silence, now: number, maxSilences = 0, retention = RETENTION): SilenceWrite {
  return { writes: [s], expect: null, maxSilences, now, retention };
}

function update(
  prev: Silence,
  next: Silence,
  now: number,
  maxSilences = 0,
  retention = RETENTION,
): SilenceWrite {
  return {
    writes: [next],
    expect: { id: prev.id, updatedAt: prev.updatedAt },
    maxSilences,
    now,
    retention,
  };
}

function expectOk(r: SilenceWriteResult): string {
  if (!r.ok) throw new Error(`write refused: ${JSON.stringify(r)}`);
  expect(typeof r.version).toBe('string');
  return r.version;
}

const byId = (a: Silence, b: Silence): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Registers the SilenceStore contract as a jest `describe` block. `make` is called before each test and
 * `close` (when given) after it.
 */
export function describeSilenceStoreContract(
  name: string,
  make: () => Promise<SilenceStoreContractSubject>,
): void {
  describe(`SilenceStore contract: ${name}`, () => {
    let subject: SilenceStoreContractSubject;
    let store: SilenceStore;

    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close?.();
    });

    it('an unknown tenant has no silences and a stable version', async () => {
      const t = uniqueTenant('empty');
      const now = Date.now();
      const v = await store.version(t);
      expect(typeof v).toBe('string');
      const snap = await store.snapshot(t, now);
      expect(snap.silences).toEqual([]);
      expect(snap.version).toBe(v);
      expect(await store.get(t, uniqueId(), now)).toBeNull();
      expect(await store.version(t)).toBe(v);
    });

    it('a created silence is returned by get and snapshot with every field intact', async () => {
      const t = uniqueTenant('create');
      const now = Date.now();
      const s = silence(now, {
        matchers: [
          { name: 'service.name', value: 'api', isRegex: false, isEqual: true },
          { name: '名前', value: 'a|b', isRegex: true, isEqual: false },
        ],
        startsAt: now + MIN,
        endsAt: now + 2 * HOUR,
        comment: 'ünïcödé ✓',
        annotations: { ticket: 'OPS-1', 'free text': 'x' },
      });
      const version = expectOk(await store.write(t, create(s, now)));
      expect(await store.get(t, s.id, now)).toEqual(s);
      const snap = await store.snapshot(t, now);
      expect(snap.silences).toEqual([s]);
      expect(snap.version).toBe(version);
      expect(await store.version(t)).toBe(version);
    });

    it('a silence without annotations comes back without the field', async () => {
      const t = uniqueTenant('noannot');
      const now = Date.now();
      const s = silence(now);
      expectOk(await store.write(t, create(s, now)));
      const got = await store.get(t, s.id, now);
      expect(got).toEqual(s);
      expect(got && 'annotations' in got && got.annotations !== undefined).toBe(false);
    });

    it('the version changes on every accepted write and only then', async () => {
      const t = uniqueTenant('version');
      const now = Date.now();
      const v0 = await store.version(t);
      const a = silence(now);
      const v1 = expectOk(await store.write(t, create(a, now)));
      expect(v1).not.toBe(v0);
      expect(await store.version(t)).toBe(v1);

      // Reads do not move it.
      await store.snapshot(t, now);
      await store.get(t, a.id, now);
      expect(await store.version(t)).toBe(v1);

      const a2 = { ...a, endsAt: now + 3 * HOUR, updatedAt: now + 1 };
      const v2 = expectOk(await store.write(t, update(a, a2, now + 1)));
      expect(new Set([v0, v1, v2]).size).toBe(3);
      expect(await store.version(t)).toBe(v2);

      // A refused write (stale expect) does not move it.
      const stale = await store.write(t, update(a, { ...a, comment: 'stale', updatedAt: now + 2 }, now + 2));
      expect(stale).toEqual({ ok: false, reason: 'conflict' });
      expect(await store.version(t)).toBe(v2);
      expect((await store.snapshot(t, now + 2)).version).toBe(v2);
    });

    it('an update in place replaces the stored silence (same id, one silence)', async () => {
      const t = uniqueTenant('inplace');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now)));
      const a2 = { ...a, endsAt: now + 5 * HOUR, comment: 'longer', updatedAt: now + 10 };
      expectOk(await store.write(t, update(a, a2, now + 10)));
      expect(await store.get(t, a.id, now + 10)).toEqual(a2);
      expect((await store.snapshot(t, now + 10)).silences).toEqual([a2]);
    });

    it('a replacement writes the expired old silence and the new one in one write', async () => {
      const t = uniqueTenant('replace');
      const now = Date.now();
      const a = silence(now - MIN, { startsAt: now - MIN, updatedAt: now - MIN });
      expectOk(await store.write(t, create(a, now - MIN)));
      const expired = { ...a, endsAt: now, updatedAt: now };
      const b = silence(now, {
        matchers: [{ name: 'alertname', value: 'Other', isRegex: false, isEqual: true }],
      });
      expectOk(
        await store.write(t, {
          writes: [expired, b],
          expect: { id: a.id, updatedAt: a.updatedAt },
          maxSilences: 0,
          now,
          retention: RETENTION,
        }),
      );
      const snap = await store.snapshot(t, now);
      expect([...snap.silences].sort(byId)).toEqual([expired, b].sort(byId));
    });

    it('refuses a write whose expected silence changed since it was read (conflict)', async () => {
      const t = uniqueTenant('conflict');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now)));
      const first = { ...a, comment: 'first', updatedAt: now + 1 };
      expectOk(await store.write(t, update(a, first, now + 1)));
      // A second writer planned from the same read of `a`.
      const second = { ...a, comment: 'second', updatedAt: now + 2 };
      expect(await store.write(t, update(a, second, now + 2))).toEqual({ ok: false, reason: 'conflict' });
      expect(await store.get(t, a.id, now + 2)).toEqual(first);
    });

    it('refuses a write whose expected silence does not exist (conflict)', async () => {
      const t = uniqueTenant('conflict-missing');
      const now = Date.now();
      const ghost = silence(now);
      expect(await store.write(t, update(ghost, { ...ghost, updatedAt: now + 1 }, now + 1))).toEqual({
        ok: false,
        reason: 'conflict',
      });
      expect((await store.snapshot(t, now)).silences).toEqual([]);
    });

    it('a create whose id already exists is a conflict (a write changes only the silence it expects)', async () => {
      const t = uniqueTenant('collide');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now)));
      const v = await store.version(t);
      expect(await store.write(t, create({ ...a, comment: 'collision' }, now))).toEqual({
        ok: false,
        reason: 'conflict',
      });
      // Also inside a replacement: the new silence may not reuse another stored id.
      const b = silence(now);
      expectOk(await store.write(t, create(b, now)));
      const v2 = await store.version(t);
      expect(
        await store.write(t, {
          writes: [
            { ...b, endsAt: now + 1, updatedAt: now + 1 },
            { ...a, comment: 'collision' },
          ],
          expect: { id: b.id, updatedAt: b.updatedAt },
          maxSilences: 0,
          now: now + 1,
          retention: RETENTION,
        }),
      ).toEqual({ ok: false, reason: 'conflict' });
      expect(await store.get(t, a.id, now + 1)).toEqual(a);
      expect(await store.get(t, b.id, now + 1)).toEqual(b);
      expect(await store.version(t)).toBe(v2);
      expect(v2).not.toBe(v);
    });

    it('two writes planned from the same read: exactly one wins', async () => {
      const t = uniqueTenant('race');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now)));
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          store.write(t, update(a, { ...a, comment: `w${i}`, updatedAt: now + i }, now + i)),
        ),
      );
      const oks = results.filter((r) => r.ok);
      expect(oks).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(3);
      const winner = results.findIndex((r) => r.ok) + 1;
      expect((await store.get(t, a.id, now + 5))?.comment).toBe(`w${winner}`);
    });

    it('the limit refuses a create at the count, and counts expired silences within retention', async () => {
      const t = uniqueTenant('limit');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now, 2)));
      // Expire `a`: an in-place write, still stored (retention), still counted.
      const aExpired = { ...a, endsAt: now + 1, updatedAt: now + 1 };
      expectOk(await store.write(t, update(a, aExpired, now + 1, 2)));
      const b = silence(now + 2);
      expectOk(await store.write(t, create(b, now + 2, 2)));
      const v = await store.version(t);
      const c = silence(now + 3);
      expect(await store.write(t, create(c, now + 3, 2))).toEqual({ ok: false, reason: 'limit', limit: 2 });
      expect(await store.get(t, c.id, now + 3)).toBeNull();
      expect(await store.version(t)).toBe(v);
      // No limit (0) lets it in.
      expectOk(await store.write(t, create(c, now + 3, 0)));
      expect((await store.snapshot(t, now + 3)).silences).toHaveLength(3);
    });

    it('an update in place at the limit is accepted; a replacement at the limit is refused', async () => {
      const t = uniqueTenant('limit-update');
      const now = Date.now();
      const a = silence(now);
      expectOk(await store.write(t, create(a, now, 1)));
      const a2 = { ...a, endsAt: now + 4 * HOUR, updatedAt: now + 1 };
      expectOk(await store.write(t, update(a, a2, now + 1, 1)));
      expect(await store.get(t, a.id, now + 1)).toEqual(a2);

      const replacement = silence(now + 2);
      const r = await store.write(t, {
        writes: [{ ...a2, endsAt: now + 2, updatedAt: now + 2 }, replacement],
        expect: { id: a2.id, updatedAt: a2.updatedAt },
        maxSilences: 1,
        now: now + 2,
        retention: RETENTION,
      });
      expect(r).toEqual({ ok: false, reason: 'limit', limit: 1 });
      // Nothing of the refused write was applied.
      expect(await store.get(t, a.id, now + 2)).toEqual(a2);
      expect(await store.get(t, replacement.id, now + 2)).toBeNull();
    });

    it('concurrent creates never exceed the limit', async () => {
      const t = uniqueTenant('limit-race');
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => store.write(t, create(silence(now + i), now + i, 5))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(5);
      expect(results.filter((r) => !r.ok && r.reason === 'limit')).toHaveLength(7);
      expect((await store.snapshot(t, now + 20)).silences).toHaveLength(5);
    });

    it('concurrent creates are all kept, each with a distinct version', async () => {
      const t = uniqueTenant('create-race');
      const now = Date.now();
      const sils = Array.from({ length: 20 }, (_, i) => silence(now + i));
      const results = await Promise.all(sils.map((s, i) => store.write(t, create(s, now + i))));
      const versions = results.map(expectOk);
      expect(new Set(versions).size).toBe(20);
      const snap = await store.snapshot(t, now + 30);
      expect([...snap.silences].sort(byId)).toEqual([...sils].sort(byId));
      expect(versions).toContain(snap.version);
    });

    it('keeps an expired silence within its retention', async () => {
      const t = uniqueTenant('retention-keep');
      const now = Date.now();
      const s = silence(now - 2 * HOUR, {
        startsAt: now - 2 * HOUR,
        endsAt: now - HOUR,
        updatedAt: now - HOUR,
      });
      expectOk(await store.write(t, create(s, now, 0, 2 * HOUR)));
      expect(await store.get(t, s.id, now)).toEqual(s);
      expect((await store.snapshot(t, now)).silences).toEqual([s]);
    });

    it('drops a silence whose retention ended (endsAt + retention <= now), and it stops counting', async () => {
      const t = uniqueTenant('retention-drop');
      const now = Date.now();
      // Ended an hour ago, kept for 10 minutes: already past retention when written.
      const gone = silence(now - 2 * HOUR, {
        startsAt: now - 2 * HOUR,
        endsAt: now - HOUR,
        updatedAt: now - HOUR,
      });
      expectOk(await store.write(t, create(gone, now, 0, 10 * MIN)));
      expect(await store.get(t, gone.id, now)).toBeNull();
      expect((await store.snapshot(t, now)).silences).toEqual([]);
      // Ended a minute ago, kept 30 minutes: present now, past retention at a later `now`.
      const later = silence(now - HOUR, { startsAt: now - HOUR, endsAt: now - MIN, updatedAt: now - MIN });
      expectOk(await store.write(t, create(later, now, 0, 30 * MIN)));
      expect(await store.get(t, later.id, now)).toEqual(later);
      const past = now - MIN + 30 * MIN;
      expect(await store.get(t, later.id, past)).toBeNull();
      expect((await store.snapshot(t, past)).silences).toEqual([]);
      // Dropped silences leave room under the limit.
      expectOk(await store.write(t, create(silence(past), past, 1)));
    });

    it('retention follows the last write: expiring a silence sets its end of retention', async () => {
      const t = uniqueTenant('retention-expire');
      const now = Date.now();
      const s = silence(now - HOUR, { startsAt: now - HOUR, endsAt: now + 10 * HOUR, updatedAt: now - HOUR });
      expectOk(await store.write(t, create(s, now - HOUR, 0, HOUR)));
      const expired = { ...s, endsAt: now, updatedAt: now };
      expectOk(await store.write(t, update(s, expired, now, 0, HOUR)));
      // Kept for the hour of retention after the new endsAt, gone after it.
      expect(await store.get(t, s.id, now + HOUR - 1)).toEqual(expired);
      expect(await store.get(t, s.id, now + HOUR)).toBeNull();
    });

    it('isolates tenants: silences, versions and limits', async () => {
      const t1 = uniqueTenant('iso1');
      const t2 = uniqueTenant('iso2');
      const now = Date.now();
      const v2 = await store.version(t2);
      const a = silence(now);
      expectOk(await store.write(t1, create(a, now, 1)));
      expect(await store.get(t2, a.id, now)).toBeNull();
      expect((await store.snapshot(t2, now)).silences).toEqual([]);
      expect(await store.version(t2)).toBe(v2);
      // t1 is at its limit of 1; t2 is not affected.
      expectOk(await store.write(t2, create(silence(now), now, 1)));
      // An expect naming t1's silence is a conflict in t2.
      expect(await store.write(t2, update(a, { ...a, updatedAt: now + 1 }, now + 1))).toEqual({
        ok: false,
        reason: 'conflict',
      });
      expect(await store.get(t1, a.id, now)).toEqual(a);
    });

    it('returns copies: mutating a returned silence does not change the store', async () => {
      const t = uniqueTenant('copies');
      const now = Date.now();
      const s = silence(now, { annotations: { a: '1' } });
      expectOk(await store.write(t, create(s, now)));
      const got = (await store.get(t, s.id, now))!;
      got.comment = 'mutated';
      got.matchers[0].value = 'mutated';
      got.annotations!.a = 'mutated';
      s.comment = 'mutated too';
      const again = await store.get(t, s.id, now);
      expect(again?.comment).toBe('store contract');
      expect(again?.matchers[0].value).toBe('Contract');
      expect(again?.annotations).toEqual({ a: '1' });
    });
  });
}
