import { FakeClock } from './clock';
import { flushStoreContract } from '../../../test/contract/flush-store.contract';
import { logEntry, NOW as T0 } from '../../../test/fixtures/flush-fixtures';
import { MemoryFlushStore } from './memory-flush.store';
import type { NflogEntry } from './nflog';

flushStoreContract('memory', (clock) => Promise.resolve(new MemoryFlushStore({ clock, dueBuckets: 4 })));
flushStoreContract('memory, one bucket', (clock) => Promise.resolve(new MemoryFlushStore({ clock })));

/** Group a1's firing log entry (seq 3), with the given fields changed. */
const e = (over: Partial<NflogEntry> = {}): NflogEntry => ({
  ...logEntry('firing', ['x'], [], T0, 3),
  ...over,
});

describe('MemoryFlushStore expiry', () => {
  const entry = e();

  it('forgets a log entry after its TTL, so an older sequence is accepted again', async () => {
    const clock = new FakeClock(T0);
    const s = new MemoryFlushStore({ clock });
    await s.writeLog(entry, 1000);
    clock.advance(999);
    expect(await s.readLog(entry)).toEqual(entry);
    clock.advance(1);
    expect(await s.readLog(entry)).toBeNull();
    expect(await s.writeLog({ ...entry, seq: 1 }, 1000)).toEqual({ written: true });
  });

  it('forgets the fence with the group log', async () => {
    const clock = new FakeClock(T0);
    const s = new MemoryFlushStore({ clock });
    await s.writeLog(entry, 1000, 9);
    clock.advance(1000);
    expect(await s.writeLog({ ...entry, seq: 4 }, 1000, 2)).toEqual({ written: true });
  });
});

describe('MemoryFlushStore as the Redis fallback: remembered logs (issue 10 #4)', () => {
  it('serves what was remembered from Redis, and drains only what was written here', async () => {
    const s = new MemoryFlushStore({ clock: new FakeClock(T0) });
    s.remember(e());
    s.rememberMarks(e({ groupId: '0000000000000002' }), { failedSeq: 7 });
    expect(s.empty).toBe(true); // nothing to hand back to Redis
    expect(await s.readLogState(e())).toEqual({ entry: e(), failedSeq: 0, pendingSeq: 0 });
    expect((await s.readLogState(e({ groupId: '0000000000000002' }))).failedSeq).toBe(7);
    expect(s.drain()).toEqual({ logs: [], failed: [], pending: [] });

    // During an outage this node notifies seq 4 and gives up another half's seq 2.
    await s.writeLog(e({ seq: 4, timestamp: T0 + 1 }), 60_000);
    await s.markFailed(e({ state: 'recovery' }), 2, 60_000);
    expect(s.empty).toBe(false);
    const d = s.drain();
    expect(d.logs).toEqual([{ entry: e({ seq: 4, timestamp: T0 + 1 }), ttlMs: 60_000 }]);
    expect(d.failed).toEqual([
      {
        key: { tenant: 't', groupId: e().groupId, state: 'recovery', receiver: e().receiver },
        seq: 2,
        ttlMs: 60_000,
      },
    ]);
    expect(s.empty).toBe(true);
    // What was handed over stays known: a second outage starts from seq 4.
    expect((await s.readLog(e()))!.seq).toBe(4);
  });

  it('an older remembered entry never replaces a newer one written here', async () => {
    const s = new MemoryFlushStore({ clock: new FakeClock(T0) });
    await s.writeLog(e({ seq: 5 }), 60_000);
    s.remember(e({ seq: 4 }));
    expect((await s.readLog(e()))!.seq).toBe(5);
    expect(s.drainLogs().map((l) => l.entry.seq)).toEqual([5]);
    s.remember(e({ seq: 6 }));
    expect((await s.readLog(e()))!.seq).toBe(6);
  });

  it('keeps at most maxRemembered remembered entries, the least recent go first', async () => {
    const s = new MemoryFlushStore({ clock: new FakeClock(T0), maxRemembered: 2 });
    const g = (n: number) => e({ groupId: n.toString(16).padStart(16, '0') });
    s.remember(g(1));
    s.remember(g(2));
    s.remember(g(1)); // refreshed
    s.remember(g(3));
    expect(await s.readLog(g(2))).toBeNull();
    expect(await s.readLog(g(1))).not.toBeNull();
    expect(await s.readLog(g(3))).not.toBeNull();
  });
});

describe('MemoryFlushStore in memory mode: expired state is swept', () => {
  it('forgets expired log entries and marks of groups that came and went (no growth under churn)', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const s = new MemoryFlushStore({ clock });
    const key = (n: number) => ({
      tenant: 't',
      groupId: n.toString(16).padStart(16, '0'),
      receiver: 'r',
      state: 'firing' as const,
    });
    for (let n = 0; n < 999; n++) {
      await s.writeLog({ ...key(n), firing: ['x'], resolved: [], timestamp: clock.now(), seq: 1 }, 1000);
      await s.markPending(key(n), 2, 1000);
    }
    clock.advance(2000);
    // The 1 000th write sweeps: only its own entry is left.
    await s.writeLog({ ...key(5000), firing: ['x'], resolved: [], timestamp: clock.now(), seq: 1 }, 1000);
    const d = s.drain();
    expect(d.logs.map((l) => l.entry.groupId)).toEqual([key(5000).groupId]);
    expect(d.pending).toEqual([]);
  });
});

describe('MemoryFlushStore: a sweep costs O(1) per write (it visits everything held, so it waits for as many writes)', () => {
  it('sweeps less often while much is live, and still forgets what expired', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const s = new MemoryFlushStore({ clock });
    let sweeps = 0;
    const internal = s as unknown as { purgeExpired: (now: number) => void };
    const purge = internal.purgeExpired.bind(s);
    internal.purgeExpired = (now) => {
      sweeps++;
      purge(now);
    };
    const key = (n: number) => ({
      tenant: 't',
      groupId: n.toString(16).padStart(16, '0'),
      receiver: 'r',
      state: 'firing' as const,
    });
    // 10 000 groups remembered from Redis, all live: with a sweep every 1 000 writes that was 10 sweeps
    // over a growing state; now one at 1 000 (2 000 held: entry and flushed mark), 3 000 (6 000), 9 000.
    for (let n = 0; n < 10_000; n++)
      s.remember({ ...key(n), firing: ['x'], resolved: [], timestamp: clock.now(), seq: 1 }, 60_000);
    expect(sweeps).toBe(3);
    // Everything expires; the next sweep, as many writes after the last as it held (18 000), forgets it all.
    clock.advance(60_000);
    for (let n = 0; n < 17_000; n++)
      s.remember({ ...key(100_000), firing: ['x'], resolved: [], timestamp: clock.now(), seq: 1 }, 1_000);
    expect(sweeps).toBe(4);
    expect(await s.readLog(key(1))).toBeNull();
    expect((s as unknown as { logs: Map<string, unknown> }).logs.size).toBe(1);
  });
});

describe('MemoryFlushStore: remembered state lives as long as Redis keeps it (soak: no growth under churn)', () => {
  it('forgets a remembered entry and marks once their TTL is over', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const s = new MemoryFlushStore({ clock });
    const key = { tenant: 't', groupId: '00000000000000b1', receiver: 'r', state: 'firing' as const };
    s.remember({ ...key, firing: ['x'], resolved: [], timestamp: clock.now(), seq: 4 }, 60_000);
    s.rememberMarks(key, { failedSeq: 5, pendingSeq: 6 }, 60_000);
    clock.advance(59_999);
    expect(await s.readLogState(key)).toMatchObject({ failedSeq: 5, pendingSeq: 6, entry: { seq: 4 } });
    clock.advance(1);
    expect(await s.readLogState(key)).toEqual({ entry: null, failedSeq: 0, pendingSeq: 0 });
  });
});
