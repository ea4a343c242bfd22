import type { Alert } from './alert';
import {
  applyCleanup,
  cleanupAfterResolved,
  firstFlushAt,
  nextFlushAt,
  nextTickOf,
  parkedFlushAt,
  tickAtOrAfter,
} from './timers';

const NOW = 1_800_000_000_000;
const alert = (fp: string, startsAt: number, endsAt: number): Alert => ({
  fingerprint: fp,
  labels: { a: fp },
  annotations: {},
  startsAt,
  endsAt,
  updatedAt: startsAt,
  timeout: false,
  generatorURL: '',
});

describe('timers', () => {
  it('a new group waits group_wait', () => {
    expect(firstFlushAt({ groupWait: 30_000 }, [alert('a', NOW, NOW + 1e6)], NOW, false)).toBe(NOW + 30_000);
  });

  it('flushes at once when an alert started more than group_wait ago and the group never flushed', () => {
    const old = alert('a', NOW - 30_001, NOW + 1e6);
    expect(firstFlushAt({ groupWait: 30_000 }, [old], NOW, false)).toBe(NOW);
    expect(firstFlushAt({ groupWait: 30_000 }, [{ startsAt: NOW - 30_000 }], NOW, false)).toBe(NOW + 30_000);
    expect(firstFlushAt({ groupWait: 30_000 }, [old], NOW, true)).toBe(NOW + 30_000);
  });

  it('the firing half ticks every group_interval while it fires; otherwise it leaves the due index', () => {
    expect(nextFlushAt('firing', { groupInterval: 300_000 }, true, NOW)).toBe(NOW + 300_000);
    expect(nextFlushAt('firing', { groupInterval: 300_000 }, false, NOW)).toBeNull();
    expect(nextFlushAt('recovery', { groupInterval: 300_000 }, true, NOW)).toBeNull();
  });

  it('after a resolved notification removes the resolved alerts and deletes an empty group', () => {
    const group = { firing: [alert('a', NOW - 10, NOW + 1e6)], recovery: [alert('b', NOW - 10, NOW - 1)] };
    const c = cleanupAfterResolved(group, ['b'], NOW);
    expect(c).toEqual({ remove: ['b'], deleteGroup: false });
    expect(applyCleanup(group, c)).toEqual({ firing: group.firing, recovery: [] });
    const onlyResolved = { firing: [], recovery: [alert('b', NOW - 10, NOW - 1)] };
    const d = cleanupAfterResolved(onlyResolved, ['b'], NOW);
    expect(d).toEqual({ remove: ['b'], deleteGroup: true });
    expect(applyCleanup(onlyResolved, d)).toBeNull();
  });

  it('keeps an alert that fired again since the flush decided, and a stale firing-half alert goes', () => {
    const group = {
      firing: [alert('a', NOW - 10, NOW + 1e6), alert('c', NOW - 10, NOW - 5)],
      recovery: [],
    };
    expect(cleanupAfterResolved(group, ['a', 'c'], NOW)).toEqual({ remove: ['c'], deleteGroup: false });
  });
});

describe('parking a firing half between changes', () => {
  const NOW2 = 1_800_000_000_000;
  it('tickAtOrAfter: the first tick now + k·interval (k ≥ 1) at or after t', () => {
    expect(tickAtOrAfter(300_000, NOW2, NOW2 - 5)).toBe(NOW2 + 300_000);
    expect(tickAtOrAfter(300_000, NOW2, NOW2 + 300_000)).toBe(NOW2 + 300_000);
    expect(tickAtOrAfter(300_000, NOW2, NOW2 + 300_001)).toBe(NOW2 + 600_000);
  });

  it('nextTickOf: a parked due time brought back to the first grid tick at or after now', () => {
    const parked = NOW2 + 12 * 300_000;
    expect(nextTickOf(parked, 300_000, NOW2 + 1)).toBe(NOW2 + 300_000);
    expect(nextTickOf(parked, 300_000, NOW2 + 300_000)).toBe(NOW2 + 300_000);
    expect(nextTickOf(parked, 300_000, NOW2 + 300_001)).toBe(NOW2 + 600_000);
    expect(nextTickOf(parked, 300_000, parked + 1)).toBe(parked); // overdue: unchanged
  });

  it('parkedFlushAt: the repeat tick (strictly after repeat_interval) or an earlier endsAt tick', () => {
    const t = { groupInterval: 300_000, repeatInterval: 3_600_000 };
    expect(parkedFlushAt(t, [{ endsAt: NOW2 + 10 * 3_600_000 }], NOW2, NOW2)).toBe(NOW2 + 3_900_000);
    expect(parkedFlushAt(t, [{ endsAt: NOW2 + 60_000 }], NOW2, NOW2)).toBe(NOW2 + 300_000);
  });
});
