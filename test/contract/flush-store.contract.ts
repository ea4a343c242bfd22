import {
  FakeClock,
  type ClaimedEntry,
  type DueEntry,
  type FlushStore,
  type NflogEntry,
  type NflogState,
} from '@herald/domain';

/**
 * The contract every FlushStore adapter passes (memory in unit tests, Redis in integration tests).
 * `make` returns a fresh, empty store (a new key prefix for Redis) whose log expiry follows `clock`
 * where the adapter has its own clock (memory); claims always take `now` as an argument.
 */
export function flushStoreContract(name: string, make: (clock: FakeClock) => Promise<FlushStore>): void {
  const T0 = 1_800_000_000_000;
  const LEASE = 30_000;
  const gid = (n: number) => n.toString(16).padStart(16, '0');
  const due = (n: number, dueAt: number, over: Partial<DueEntry> = {}): DueEntry => ({
    tenant: 't1',
    groupId: gid(n),
    state: 'firing',
    dueAt,
    ...over,
  });
  const strip = (c: ClaimedEntry): DueEntry => ({
    tenant: c.tenant,
    groupId: c.groupId,
    state: c.state,
    dueAt: c.dueAt,
  });
  const log = (over: Partial<NflogEntry> = {}): NflogEntry => ({
    tenant: 't1',
    groupId: gid(1),
    receiver: 'team-x',
    state: 'firing',
    firing: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'],
    resolved: [],
    timestamp: T0,
    seq: 1,
    ...over,
  });

  /** The port's fields (`ttlMs` is optional, adapter-specific). */
  const stateOf = (st: NflogState) => ({
    entry: st.entry,
    failedSeq: st.failedSeq,
    pendingSeq: st.pendingSeq,
  });

  describe(`FlushStore contract: ${name}`, () => {
    let store: FlushStore;
    let clock: FakeClock;
    // Every group of these tests lives in bucket 0 unless a test says otherwise.
    const inBucket0 = (n: number) => n * (store.dueBuckets || 1);
    beforeEach(async () => {
      clock = new FakeClock(T0);
      store = await make(clock);
    });

    describe('claims', () => {
      it('hands out entries due at now, oldest first, up to the limit, with a lease', async () => {
        await store.schedule(due(inBucket0(1), T0 + 20));
        await store.schedule(due(inBucket0(2), T0 + 10));
        await store.schedule(due(inBucket0(3), T0 + 30, { state: 'recovery' }));
        await store.schedule(due(inBucket0(4), T0 + 31));
        const got = await store.claimDue(0, T0 + 30, { leaseMs: LEASE, owner: 'node-a', limit: 2 });
        expect(got.map(strip)).toEqual([due(inBucket0(2), T0 + 10), due(inBucket0(1), T0 + 20)]);
        expect(
          got.every((c) => c.owner === 'node-a' && c.leaseUntil === T0 + 30 + LEASE && c.bucket === 0),
        ).toBe(true);
        const rest = await store.claimDue(0, T0 + 30, { leaseMs: LEASE, owner: 'node-b', limit: 10 });
        expect(rest.map(strip)).toEqual([due(inBucket0(3), T0 + 30, { state: 'recovery' })]);
        expect(await store.claimDue(0, T0 + 30, { leaseMs: LEASE, owner: 'node-c', limit: 10 })).toEqual([]);
      });

      it('keeps firing and recovery halves and tenants apart', async () => {
        await store.schedule(due(inBucket0(1), T0));
        await store.schedule(due(inBucket0(1), T0, { state: 'recovery' }));
        await store.schedule(due(inBucket0(1), T0, { tenant: 't2' }));
        const got = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 });
        expect(got.map((c) => `${c.tenant}/${c.state}`).sort()).toEqual([
          't1/firing',
          't1/recovery',
          't2/firing',
        ]);
      });

      it('claims only from the bucket asked for', async () => {
        if (store.dueBuckets < 2) return; // a single-bucket adapter has nothing to show
        const other = [1, 2, 3, 4, 5, 6, 7, 8].find((n) => store.dueBucketOf(gid(n)) !== 0)!;
        await store.schedule(due(other, T0));
        expect(await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 })).toEqual([]);
        expect(
          (await store.claimDue(store.dueBucketOf(gid(other)), T0, { leaseMs: LEASE, owner: 'a', limit: 10 }))
            .length,
        ).toBe(1);
      });

      it('never gives the same entry to two concurrent claimers', async () => {
        const n = 60;
        for (let i = 1; i <= n; i++) await store.schedule(due(inBucket0(i), T0 + i));
        const seen: string[] = [];
        const claimer = async (owner: string) => {
          for (;;) {
            const got = await store.claimDue(0, T0 + n, { leaseMs: LEASE, owner: owner, limit: 7 });
            if (got.length === 0) return;
            seen.push(...got.map((c) => `${c.groupId}:${c.state}`));
          }
        };
        await Promise.all(['a', 'b', 'c', 'd'].map(claimer));
        expect(seen.length).toBe(n);
        expect(new Set(seen).size).toBe(n);
      });

      it('hands an entry whose lease lapsed (crashed claimer) to the next claimer, and not before', async () => {
        await store.schedule(due(inBucket0(1), T0));
        const [mine] = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'crashed', limit: 10 });
        expect(await store.claimDue(0, T0 + LEASE - 1, { leaseMs: LEASE, owner: 'b', limit: 10 })).toEqual(
          [],
        );
        const again = await store.claimDue(0, T0 + LEASE, { leaseMs: LEASE, owner: 'b', limit: 10 });
        expect(again.map(strip)).toEqual([due(inBucket0(1), T0)]); // keeps its original due time
        expect(again[0].owner).toBe('b');
        // The old owner lost it: it cannot complete.
        expect(await store.complete(mine, T0 + 999_999)).toBe(false);
        expect(await store.complete(again[0], null)).toBe(true);
      });

      it('complete(next) reschedules; complete(null) drops; a second complete is refused', async () => {
        await store.schedule(due(inBucket0(1), T0));
        await store.schedule(due(inBucket0(2), T0));
        const [a, b] = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 });
        expect(await store.complete(a, T0 + 300_000)).toBe(true);
        expect(await store.complete(b, null)).toBe(true);
        expect(await store.complete(b, T0 + 1)).toBe(false);
        expect(await store.claimDue(0, T0 + 299_999, { leaseMs: LEASE, owner: 'x', limit: 10 })).toEqual([]);
        const next = await store.claimDue(0, T0 + 300_000, { leaseMs: LEASE, owner: 'x', limit: 10 });
        expect(next.map(strip)).toEqual([{ ...strip(a), dueAt: T0 + 300_000 }]);
      });

      it('an entry re-added while leased waits for the lease holder, then follows its complete', async () => {
        await store.schedule(due(inBucket0(1), T0));
        const [c] = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 });
        await store.schedule(due(inBucket0(1), T0 + 5)); // ingest: a new alert joined the group
        expect(await store.claimDue(0, T0 + 10, { leaseMs: LEASE, owner: 'b', limit: 10 })).toEqual([]);
        expect(await store.complete(c, null)).toBe(true); // nothing to reschedule: ingest's entry stays
        expect(
          (await store.claimDue(0, T0 + 10, { leaseMs: LEASE, owner: 'b', limit: 10 })).map(strip),
        ).toEqual([due(inBucket0(1), T0 + 5)]);
      });

      it('complete(next) overrides an entry ingest added meanwhile (a new alert waits for the next tick)', async () => {
        await store.schedule(due(inBucket0(1), T0));
        const [c] = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 });
        await store.schedule(due(inBucket0(1), T0 + 5));
        expect(await store.complete(c, T0 + 300_000)).toBe(true);
        expect(await store.claimDue(0, T0 + 10, { leaseMs: LEASE, owner: 'b', limit: 10 })).toEqual([]);
        expect(
          (await store.claimDue(0, T0 + 300_000, { leaseMs: LEASE, owner: 'b', limit: 10 })).map(
            (x) => x.dueAt,
          ),
        ).toEqual([T0 + 300_000]);
      });

      it('complete(parked, tick): parked when ingest added nothing meanwhile, at the tick when it did', async () => {
        const PARKED = T0 + 3_600_000;
        const [quiet, joined] = [inBucket0(1), inBucket0(2)];
        await store.schedule(due(quiet, T0));
        await store.schedule(due(joined, T0));
        const claimed = await store.claimDue(0, T0, { leaseMs: LEASE, owner: 'a', limit: 10 });
        const entry = (n: number) => claimed.find((c) => c.groupId === gid(n))!;
        await store.schedule(due(joined, T0 + 5)); // ingest: an alert joined this one during its flush
        expect(await store.complete(entry(quiet), PARKED, T0 + 300_000)).toBe(true);
        expect(await store.complete(entry(joined), PARKED, T0 + 300_000)).toBe(true);
        const at = async (t: number) => {
          const got = await store.claimDue(0, t, { leaseMs: LEASE, owner: 'b', limit: 10 });
          for (const c of got) await store.complete(c, null);
          return got.map((x) => [x.groupId, x.dueAt]);
        };
        expect(await at(T0 + 10)).toEqual([]);
        expect(await at(T0 + 300_000)).toEqual([[gid(joined), T0 + 300_000]]);
        expect(await at(PARKED)).toEqual([[gid(quiet), PARKED]]);
      });
    });

    describe('peekDue (what the scheduler reads before claiming)', () => {
      const claim = { leaseMs: LEASE, owner: 'a', limit: 10 };

      it('gives every bucket its earliest due time, null for an empty one', async () => {
        expect(await store.peekDue()).toEqual(Array.from({ length: store.dueBuckets }, () => null));
        await store.schedule(due(inBucket0(1), T0 + 20));
        await store.schedule(due(inBucket0(2), T0 + 10, { state: 'recovery' }));
        await store.schedule(due(inBucket0(3), T0 + 30, { tenant: 't2' }));
        const heads = await store.peekDue();
        expect(heads).toHaveLength(store.dueBuckets);
        expect(heads[0]).toBe(T0 + 10);
        expect(heads.slice(1).every((h) => h === null)).toBe(true);
        if (store.dueBuckets < 2) return;
        const other = [1, 2, 3, 4, 5, 6, 7, 8].find((n) => store.dueBucketOf(gid(n)) !== 0)!;
        await store.schedule(due(other, T0 + 5));
        expect((await store.peekDue())[store.dueBucketOf(gid(other))]).toBe(T0 + 5);
        expect((await store.peekDue())[0]).toBe(T0 + 10);
      });

      it('a lease counts as due when it lapses (a crashed claimer is taken over), until completed', async () => {
        await store.schedule(due(inBucket0(1), T0));
        await store.schedule(due(inBucket0(2), T0 + LEASE * 10));
        const [c] = await store.claimDue(0, T0, claim);
        expect((await store.peekDue())[0]).toBe(T0 + LEASE); // the lease, before the other entry
        // The due index only; a store whose due heads carry the leases (Redis' lease marker) tells it too.
        expect((await store.peekDue({ leases: false }))[0]).toBe(
          store.dueHeadsIncludeLeases ? T0 + LEASE : T0 + LEASE * 10,
        );
        expect((await store.peekDue({ due: false }))[0]).toBe(T0 + LEASE); // the leases only
        expect((await store.peekDue({ due: false })).slice(1).every((h) => h === null)).toBe(true);
        expect(await store.complete(c, T0 + LEASE * 2)).toBe(true);
        expect((await store.peekDue())[0]).toBe(T0 + LEASE * 2); // rescheduled, the lease gone
        const [c2] = await store.claimDue(0, T0 + LEASE * 2, claim);
        expect(await store.complete(c2, null)).toBe(true);
        expect((await store.peekDue())[0]).toBe(T0 + LEASE * 10);
      });
    });

    describe('notification log', () => {
      const TTL = 8 * 3600_000;

      it('reads back what was written; null when nothing was', async () => {
        expect(await store.readLog(log())).toBeNull();
        expect(await store.writeLog(log(), TTL)).toEqual({ written: true });
        expect(await store.readLog(log())).toEqual(log());
        const empty = log({ state: 'recovery', firing: [], resolved: [], seq: 1 });
        await store.writeLog(empty, TTL);
        expect(await store.readLog(empty)).toEqual(empty);
      });

      it('keeps receivers, halves and tenants apart', async () => {
        await store.writeLog(log(), TTL);
        expect(await store.readLog(log({ receiver: 'other' }))).toBeNull();
        expect(await store.readLog(log({ state: 'recovery' }))).toBeNull();
        expect(await store.readLog(log({ tenant: 't2' }))).toBeNull();
        expect(await store.readLog(log({ groupId: gid(2) }))).toBeNull();
      });

      it('refuses an entry whose sequence is not newer than the stored one', async () => {
        await store.writeLog(log({ seq: 5 }), TTL);
        expect(await store.writeLog(log({ seq: 5, timestamp: T0 + 1 }), TTL)).toEqual({
          written: false,
          refused: 'stale-sequence',
        });
        expect(await store.writeLog(log({ seq: 4, timestamp: T0 + 2 }), TTL)).toEqual({
          written: false,
          refused: 'stale-sequence',
        });
        expect(await store.readLog(log())).toEqual(log({ seq: 5 }));
        expect(await store.writeLog(log({ seq: 6, timestamp: T0 + 3 }), TTL)).toEqual({ written: true });
        expect((await store.readLog(log()))!.seq).toBe(6);
      });

      it('markFailed keeps the highest given-up sequence beside the delivered entry', async () => {
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: null,
          failedSeq: 0,
          pendingSeq: 0,
        });
        await store.markFailed(log(), 3, TTL);
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: null,
          failedSeq: 3,
          pendingSeq: 0,
        });
        expect(await store.readLog(log())).toBeNull(); // a given-up notification told the receiver nothing
        await store.markFailed(log(), 2, TTL); // an older one does not lower it
        await store.writeLog(log({ seq: 4 }), TTL);
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: log({ seq: 4 }),
          failedSeq: 3,
          pendingSeq: 0,
        });
        await store.markFailed(log(), 5, TTL);
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: log({ seq: 4 }),
          failedSeq: 5,
          pendingSeq: 0,
        });
        // A late delivery of a given-up sequence is still logged when it is newer than the entry.
        expect(await store.writeLog(log({ seq: 5 }), TTL)).toEqual({ written: true });
        expect(stateOf(await store.readLogState(log({ receiver: 'other' }))).failedSeq).toBe(0);
        expect(stateOf(await store.readLogState(log({ state: 'recovery' }))).failedSeq).toBe(0);
      });

      it('markPending keeps the highest pending sequence; it only goes up', async () => {
        await store.markPending(log(), 7, TTL);
        await store.markPending(log(), 6, TTL);
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: null,
          failedSeq: 0,
          pendingSeq: 7,
        });
        await store.markFailed(log(), 2, TTL);
        await store.writeLog(log({ seq: 7 }), TTL);
        expect(stateOf(await store.readLogState(log()))).toEqual({
          entry: log({ seq: 7 }),
          failedSeq: 2,
          pendingSeq: 7,
        });
      });

      it('writeLog refuses a token older than the one recorded for that half and receiver', async () => {
        expect(await store.writeLog(log({ seq: 1 }), TTL, 7)).toEqual({ written: true });
        expect(await store.writeLog(log({ seq: 2 }), TTL, 6)).toEqual({
          written: false,
          refused: 'stale-fence',
        });
        expect(await store.writeLog(log({ seq: 2 }), TTL, 7)).toEqual({ written: true }); // same holder
        expect(await store.writeLog(log({ seq: 3 }), TTL, 9)).toEqual({ written: true }); // newer holder
        expect(await store.writeLog(log({ seq: 4 }), TTL, 8)).toEqual({
          written: false,
          refused: 'stale-fence',
        });
        // Without a fence (memory mode, no lock, the merge after an outage) only the sequence is checked.
        expect(await store.writeLog(log({ seq: 4 }), TTL)).toEqual({ written: true });
        expect(await store.writeLog(log({ seq: 5 }), TTL, 8)).toEqual({
          written: false,
          refused: 'stale-fence',
        });
        expect((await store.readLog(log()))!.seq).toBe(4);
      });

      it('a newer token on the other half does not block this half', async () => {
        // Each half is flushed under its own lock hold: the recovery flush took a newer token and was
        // logged first; the firing notification, flushed before it, is delivered (and logged) after.
        expect(await store.writeLog(log({ state: 'recovery', seq: 1 }), TTL, 9)).toEqual({ written: true });
        expect(await store.writeLog(log({ seq: 1 }), TTL, 8)).toEqual({ written: true });
        // Nor does another receiver's, nor another group's.
        expect(await store.writeLog(log({ receiver: 'other', seq: 1 }), TTL, 12)).toEqual({ written: true });
        expect(await store.writeLog(log({ groupId: gid(2), seq: 1 }), TTL, 11)).toEqual({ written: true });
        expect(await store.writeLog(log({ seq: 2 }), TTL, 8)).toEqual({ written: true });
        // Each entry still refuses its own older tokens.
        expect(await store.writeLog(log({ state: 'recovery', seq: 2 }), TTL, 8)).toEqual({
          written: false,
          refused: 'stale-fence',
        });
      });

      it('the fence is kept beside the sequence marks and leaves the log state as it was', async () => {
        await store.markFailed(log(), 2, TTL);
        expect(await store.writeLog(log({ seq: 3 }), TTL, 5)).toEqual({ written: true });
        await store.markPending(log(), 4, TTL);
        const st = stateOf(await store.readLogState(log()));
        expect(st.entry).toEqual(log({ seq: 3 }));
        expect(st.failedSeq).toBe(2);
        expect(await store.writeLog(log({ seq: 4 }), TTL, 4)).toEqual({
          written: false,
          refused: 'stale-fence',
        });
      });
    });
  });
}
