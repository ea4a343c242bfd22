import {
  compareStreamIds,
  decodeEventBatch,
  encodeEventBatch,
  EventCoalescer,
  isStreamId,
  MemoryEventLog,
  type HeraldEvent,
  type StoredBatch,
} from './herald-events';

describe('event stream records', () => {
  it('round-trip a batch, optional fields only when set', () => {
    const es: HeraldEvent[] = [
      { kind: 'notification', groupId: 'abc', receiver: 'hook', at: 5 },
      { kind: 'alert', at: 1 },
    ];
    const f = encodeEventBatch(es);
    expect(f).toEqual(['e', '[{"k":"notification","t":5,"g":"abc","r":"hook"},{"k":"alert","t":1}]']);
    expect(decodeEventBatch(f)).toEqual(es);
    expect(decodeEventBatch(['e', '[{"k":"bogus","t":1},{"k":"group","t":2}]'])).toEqual([
      { kind: 'group', at: 2 },
    ]);
    expect(decodeEventBatch(['e', 'not json'])).toBeNull();
    expect(decodeEventBatch(['x', '[]'])).toBeNull();
  });

  it('stream ids: shape and order', () => {
    expect(isStreamId('1700000000000-0')).toBe(true);
    expect(isStreamId('abc')).toBe(false);
    expect(isStreamId('1-2-3')).toBe(false);
    expect(compareStreamIds('5-10', '5-9')).toBeGreaterThan(0);
    expect(compareStreamIds('4-99', '5-0')).toBeLessThan(0);
    expect(compareStreamIds('5-1', '5-1')).toBe(0);
  });
});

describe('EventCoalescer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands on one batch per window, repeats once, overflow as one "many changed"', () => {
    const batches: Map<string, HeraldEvent[]>[] = [];
    const c = new EventCoalescer((b) => batches.push(b), { windowMs: 100, maxPerWindow: 2 });
    c.add('t', [{ kind: 'alert', groupId: 'a', at: 1 }]);
    c.add('t', [
      { kind: 'alert', groupId: 'a', at: 2 },
      { kind: 'alert', groupId: 'b', at: 2 },
    ]);
    c.add('t', [{ kind: 'alert', groupId: 'c', at: 3 }]);
    c.add('u', [{ kind: 'silence', silenceId: 's', at: 3 }]);
    expect(batches).toHaveLength(0);
    jest.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
    expect(batches[0].get('t')).toEqual([
      { kind: 'alert', groupId: 'a', at: 1 },
      { kind: 'alert', groupId: 'b', at: 2 },
      { kind: 'group', at: 3 },
    ]);
    expect(batches[0].get('u')).toEqual([{ kind: 'silence', silenceId: 's', at: 3 }]);
    jest.advanceTimersByTime(1000);
    expect(batches).toHaveLength(1); // nothing new, nothing sent
  });
});

describe('MemoryEventLog', () => {
  it('fans out per tenant after the publisher returns, and resumes after an id', async () => {
    let now = 100;
    const log = new MemoryEventLog({ maxEntries: 3, now: () => now, windowMs: 0 });
    const got: StoredBatch[] = [];
    const other: StoredBatch[] = [];
    const off = log.subscribe('t', (e) => got.push(...e));
    log.subscribe('u', (e) => other.push(...e));
    log.publish('t', [
      { kind: 'alert', groupId: 'a', at: 1 },
      { kind: 'alert', groupId: 'b', at: 1 },
    ]);
    expect(got).toHaveLength(0);
    await Promise.resolve();
    expect(got.map((b) => [b.id, b.events.length])).toEqual([['100-0', 2]]);
    expect(other).toHaveLength(0);
    now = 101;
    log.publish('t', [{ kind: 'silence', silenceId: 's', at: 2 }]);
    log.publish('t', [{ kind: 'group', at: 2 }]);
    await Promise.resolve();
    expect((await log.after('t', '100-0', 10)).map((b) => b.id)).toEqual(['101-0', '101-1']);
    log.publish('t', [{ kind: 'group', at: 3 }]);
    // Bounded: 3 batches kept, the oldest gone.
    expect((await log.after('t', '0-0', 10)).map((b) => b.id)).toEqual(['101-0', '101-1', '101-2']);
    expect((await log.after('t', '0-0', 1)).map((b) => b.id)).toEqual(['101-0']);
    await Promise.resolve();
    off();
    log.publish('t', [{ kind: 'alert', at: 3 }]);
    await Promise.resolve();
    expect(got).toHaveLength(4);
  });
});

describe('MemoryEventLog coalescing (the default)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('one batch per tenant and window, whatever the number of publishes', () => {
    const log = new MemoryEventLog({ maxEntries: 10, now: () => 7 });
    const got: StoredBatch[] = [];
    log.subscribe('t', (b) => got.push(...b));
    for (let i = 0; i < 50; i++) log.publish('t', [{ kind: 'alert', groupId: `g${i % 5}`, at: i }]);
    expect(got).toEqual([]);
    jest.advanceTimersByTime(100);
    expect(got).toHaveLength(1);
    expect(got[0].events.map((e) => e.groupId)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
  });
});
