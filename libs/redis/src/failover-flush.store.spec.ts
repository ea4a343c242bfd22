import { FakeClock, MemoryFlushStore, nextSequence, type NflogEntry, type NflogKey } from '@herald/domain';
import { FailoverFlushStore, outageSeqFloor } from './failover-flush.store';

/**
 * Redis stood in by a second memory store; the mode is flipped by hand. The stand-in refuses log writes
 * while the node is degraded (Redis away) unless `redisAnswers` says it is back before the node noticed.
 */
function setup() {
  const clock = new FakeClock(1_800_000_000_000);
  const redis = new MemoryFlushStore({ clock });
  const memory = new MemoryFlushStore({ clock });
  const mode = { degraded: false, reportUnavailable: () => undefined, onModeChange: () => () => undefined };
  const state = { redisAnswers: false };
  const writeLog = redis.writeLog.bind(redis);
  redis.writeLog = (...a) =>
    mode.degraded && !state.redisAnswers
      ? Promise.reject(new Error('Connection is closed.'))
      : writeLog(...a);
  const store = new FailoverFlushStore(redis, memory, mode, { clock, nodeId: 'node-a' });
  return { clock, redis, memory, mode, state, store };
}

const key: NflogKey = { tenant: 't', groupId: '00000000000000a1', receiver: 'hook', state: 'firing' };
const entry = (seq: number, firing: string[]): NflogEntry => ({
  ...key,
  firing,
  resolved: [],
  timestamp: 1_800_000_000_000,
  seq,
});
const seqOf = async (s: FailoverFlushStore) => {
  const st = await s.readLogState(key);
  return nextSequence(st.entry, st.failedSeq, st.pendingSeq);
};

describe('FailoverFlushStore across a Redis outage (issue 10 #4)', () => {
  it('starts the outage from the log this node last read in Redis (a blip re-sends nothing)', async () => {
    const { redis, mode, store } = setup();
    await redis.writeLog(entry(3, ['a']), 60_000);
    expect((await store.readLogState(key)).entry?.firing).toEqual(['a']); // read while Redis is up
    mode.degraded = true;
    expect((await store.readLogState(key)).entry).toEqual(entry(3, ['a'])); // the fallback knows it
  });

  it('numbers outage notifications from one floor per outage, above anything Redis may hold', async () => {
    const { clock, mode, store } = setup();
    mode.degraded = true;
    const first = await seqOf(store);
    expect(first).toBe(outageSeqFloor(clock.now(), 'node-a') + 1);
    clock.advance(5_000);
    expect(await seqOf(store)).toBe(first); // the same flush again: the same job
    expect(outageSeqFloor(clock.now(), 'node-a')).not.toBe(outageSeqFloor(clock.now(), 'node-b'));
  });

  it('a notification queued during the outage is found, not repeated, by the first flush after it', async () => {
    const { mode, store } = setup();
    mode.degraded = true;
    const seq = await seqOf(store);
    await store.markPending(key, seq, 60_000); // enqueued; the receiver is down, so not delivered yet
    mode.degraded = false;
    await store.sync();
    expect(await seqOf(store)).toBe(seq);
    await store.writeLog(entry(seq, ['a']), 60_000); // delivered after all
    expect(await seqOf(store)).toBe(seq + 1);
  });

  it('merges what was delivered or given up during the outage into Redis', async () => {
    const { redis, mode, store } = setup();
    await redis.writeLog(entry(2, ['a']), 60_000);
    await store.readLogState(key);
    mode.degraded = true;
    const seq = await seqOf(store);
    await store.writeLog(entry(seq, ['a', 'b']), 60_000);
    await store.markFailed({ ...key, state: 'recovery' }, 4, 60_000);
    mode.degraded = false;
    await store.sync();
    expect((await redis.readLog(key))!.firing).toEqual(['a', 'b']);
    expect((await redis.readLogState({ ...key, state: 'recovery' })).failedSeq).toBe(4);
  });
});

describe('FailoverFlushStore: a send logged while the node is still in fallback', () => {
  it('goes to Redis when Redis answers again before the node noticed (every node’s superseded check reads it there)', async () => {
    const { mode, redis, memory, state, store } = setup();
    mode.degraded = true;
    state.redisAnswers = true; // a failover ended; this node's probe has not seen it yet
    expect(await store.writeLog(entry(1, ['a']), 60_000)).toEqual({ written: true });
    expect((await redis.readLog(key))?.seq).toBe(1);
    expect(memory.empty).toBe(true); // remembered, nothing left to merge
  });

  it('goes to memory when Redis does not answer, and is merged when it is back', async () => {
    const { mode, redis, memory, store } = setup();
    mode.degraded = true;
    expect(await store.writeLog(entry(1, ['a']), 60_000)).toEqual({ written: true });
    expect(await redis.readLog(key)).toBeNull();
    expect(memory.empty).toBe(false);
    mode.degraded = false;
    await store.sync();
    expect((await redis.readLog(key))?.seq).toBe(1);
  });
});

describe('FailoverFlushStore: a notification still retrying in BullMQ when Redis dies', () => {
  it('is found by the outage flush (its sequence, not a new one), so it is not paged twice', async () => {
    const { mode, store } = setup();
    const seq = await seqOf(store); // 1, enqueued to BullMQ while Redis is up
    await store.markPending(key, seq, 60_000);
    mode.degraded = true;
    expect(await seqOf(store)).toBe(seq); // the same job: the delivery queue holds it for BullMQ
  });
});

describe('FailoverFlushStore: fencing per log entry', () => {
  it('keeps refusing, during an outage, a token older than the one Redis accepted for the entry', async () => {
    const { mode, store } = setup();
    expect(await store.writeLog(entry(1, ['a']), 60_000, 9)).toEqual({ written: true });
    mode.degraded = true;
    expect(await store.writeLog(entry(2, ['a']), 60_000, 8)).toEqual({
      written: false,
      refused: 'stale-fence',
    });
    // The other half has its own fence; an unfenced write (no lock) is not checked.
    expect(await store.writeLog({ ...entry(2, ['a']), state: 'recovery' }, 60_000, 1)).toEqual({
      written: true,
    });
    expect(await store.writeLog(entry(2, ['a']), 60_000)).toEqual({ written: true });
  });

  it('claims nothing from memory in the first fallback_notify_delay of an outage, then everything due', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const memory = new MemoryFlushStore({ clock });
    const listeners: ((d: boolean) => void)[] = [];
    const mode = {
      degraded: false,
      reportUnavailable: () => undefined,
      onModeChange: (cb: (d: boolean) => void) => {
        listeners.push(cb);
        return () => undefined;
      },
    };
    const held: number[] = [];
    const store = new FailoverFlushStore(new MemoryFlushStore({ clock }), memory, mode, {
      clock,
      nodeId: 'node-a',
      notifyDelayMs: 10_000,
      onHold: (ms) => held.push(ms),
    });
    const claim = { leaseMs: 30_000, owner: 'node-a', limit: 10 };
    const setDegraded = (d: boolean) => {
      mode.degraded = d;
      for (const cb of listeners) cb(d);
    };
    setDegraded(true);
    await memory.schedule({ tenant: 't', groupId: '00000000000000a1', state: 'firing', dueAt: clock.now() });
    expect(await store.claimDue(0, clock.now(), claim)).toEqual([]);
    clock.advance(9_999);
    expect(await store.claimDue(0, clock.now(), claim)).toEqual([]);
    expect(held).toEqual([10_000]); // said once
    clock.advance(1);
    expect((await store.claimDue(0, clock.now(), claim)).map((e) => e.groupId)).toEqual(['00000000000000a1']);
    // A new outage waits again.
    setDegraded(false);
    setDegraded(true);
    await memory.schedule({ tenant: 't', groupId: '00000000000000a2', state: 'firing', dueAt: clock.now() });
    expect(await store.claimDue(0, clock.now(), claim)).toEqual([]);
    expect(held).toEqual([10_000, 10_000]);
  });
});
