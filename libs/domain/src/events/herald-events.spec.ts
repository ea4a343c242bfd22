import {
  compareStreamIds,
  decodeEventFields,
  encodeEventFields,
  EventCoalescer,
  isStreamId,
  MemoryEventLog,
  type HeraldEvent,
  type StoredEvent,
} from './herald-events';

describe('event stream records', () => {
  it('round-trip, optional fields only when set', () => {
    const e: HeraldEvent = { kind: 'notification', groupId: 'abc', receiver: 'hook', at: 5 };
    expect(decodeEventFields(encodeEventFields(e))).toEqual(e);
    expect(encodeEventFields({ kind: 'alert', at: 1 })).toEqual(['k', 'alert', 't', '1']);
    expect(decodeEventFields(['k', 'bogus', 't', '1'])).toBeNull();
    expect(decodeEventFields(['k', 'alert'])).toBeNull();
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
    const log = new MemoryEventLog({ maxEntries: 3, now: () => now });
    const got: StoredEvent[] = [];
    const other: StoredEvent[] = [];
    const off = log.subscribe('t', (e) => got.push(...e));
    log.subscribe('u', (e) => other.push(...e));
    log.publish('t', [
      { kind: 'alert', groupId: 'a', at: 1 },
      { kind: 'alert', groupId: 'b', at: 1 },
    ]);
    expect(got).toHaveLength(0);
    await Promise.resolve();
    expect(got.map((e) => e.id)).toEqual(['100-0', '100-1']);
    expect(other).toHaveLength(0);
    now = 101;
    log.publish('t', [
      { kind: 'silence', silenceId: 's', at: 2 },
      { kind: 'group', at: 2 },
    ]);
    await Promise.resolve();
    expect((await log.after('t', '100-0', 10)).map((e) => e.id)).toEqual(['100-1', '101-0', '101-1']);
    // Bounded: 3 kept, the oldest gone.
    expect((await log.after('t', '0-0', 10)).map((e) => e.id)).toEqual(['100-1', '101-0', '101-1']);
    expect((await log.after('t', '0-0', 1)).map((e) => e.id)).toEqual(['100-1']);
    off();
    log.publish('t', [{ kind: 'alert', at: 3 }]);
    await Promise.resolve();
    expect(got).toHaveLength(4);
  });
});
