import { needsUpdate, nextSequence, nflogTtl, receiverView, type DedupInput, type NflogEntry } from './nflog';

describe('needsUpdate (Alertmanager DedupStage)', () => {
  const NOW = 1_000_000_000;
  const RI = 3_600_000;
  const input = (over: Partial<DedupInput>): DedupInput => ({
    last: null,
    firing: new Set(),
    resolved: new Set(),
    sendResolved: true,
    repeatInterval: RI,
    now: NOW,
    ...over,
  });
  const last = (firing: string[], resolved: string[], timestamp = NOW - 60_000) => ({
    firing,
    resolved,
    timestamp,
  });
  const set = (...x: string[]) => new Set(x);

  it.each<[string, Partial<DedupInput>, string | null]>([
    ['nothing logged, something fires', { firing: set('a') }, 'first notification'],
    ['nothing logged, nothing fires', { resolved: set('a') }, null],
    [
      'a firing alert not notified before',
      { last: last(['a'], []), firing: set('a', 'b') },
      'new alerts added',
    ],
    [
      'firing set shrank (subset)',
      { last: last(['a', 'b'], []), firing: set('a'), sendResolved: false },
      null,
    ],
    [
      'nothing fires, last had firing',
      { last: last(['a'], []), resolved: set('a'), sendResolved: false },
      'all alerts resolved',
    ],
    [
      'send_resolved and a new resolved alert',
      { last: last(['a', 'b'], []), firing: set('a'), resolved: set('b') },
      'some alerts resolved',
    ],
    [
      'send_resolved off: resolved news alone is not enough',
      { last: last(['a', 'b'], []), firing: set('a'), resolved: set('b'), sendResolved: false },
      null,
    ],
    [
      'resolved set already notified',
      { last: last(['a'], ['b']), firing: set('a'), resolved: set('b') },
      null,
    ],
    ['nothing fired and nothing fires', { last: last([], ['a']), resolved: set('a') }, null],
    [
      'fires again after "all resolved" was the last word (Alertmanager 0.32+)',
      { last: last([], ['a']), firing: set('a') },
      'first notification',
    ],
    [
      'unchanged, repeat interval not elapsed',
      { last: last(['a'], [], NOW - RI + 1), firing: set('a') },
      null,
    ],
    [
      'unchanged, exactly repeat interval ago (Alertmanager is strict)',
      { last: last(['a'], [], NOW - RI), firing: set('a') },
      null,
    ],
    [
      'unchanged, repeat interval elapsed',
      { last: last(['a'], [], NOW - RI - 1), firing: set('a') },
      'repeat interval elapsed',
    ],
  ])('%s', (_name, over, want) => {
    expect(needsUpdate(input(over))).toBe(want);
  });
});

describe('notification log helpers', () => {
  const e = (
    state: 'firing' | 'recovery',
    firing: string[],
    resolved: string[],
    timestamp: number,
  ): NflogEntry => ({
    tenant: 't',
    groupId: 'g',
    receiver: 'r',
    state,
    firing,
    resolved,
    timestamp,
    seq: 1,
  });

  it('entries live two repeat intervals; sequences start at 1', () => {
    expect(nflogTtl(4 * 3600_000)).toBe(8 * 3600_000);
    expect(nextSequence(null)).toBe(1);
    expect(nextSequence({ seq: 41 })).toBe(42);
  });

  it('receiverView: a newer resolved notification takes its alerts out of the firing view', () => {
    const v = receiverView(e('firing', ['a', 'b'], [], 100), e('recovery', ['b'], ['a'], 200));
    expect([...v.firing]).toEqual(['b']);
    expect([...v.resolved]).toEqual(['a']);
  });

  it('receiverView: a newer firing notification takes its alerts out of the resolved view', () => {
    const v = receiverView(e('firing', ['a'], [], 300), e('recovery', [], ['a', 'c'], 200));
    expect([...v.firing]).toEqual(['a']);
    expect([...v.resolved]).toEqual(['c']);
  });

  it('receiverView: missing entries are empty views', () => {
    expect(receiverView(null, null)).toEqual({ firing: new Set(), resolved: new Set(), timestamp: null });
    expect([...receiverView(null, e('recovery', [], ['a'], 1)).resolved]).toEqual(['a']);
  });

  it('receiverView: the newer entry is the whole picture, its time the last notification', () => {
    // A recovery notification at 200 told: a and c fire (c new since 100), b resolved.
    const v = receiverView(e('firing', ['a', 'b'], [], 100), e('recovery', ['a', 'c'], ['b'], 200));
    expect(v).toEqual({ firing: new Set(['a', 'c']), resolved: new Set(['b']), timestamp: 200 });
    // "All resolved" logged without a notification (send_resolved off): nothing is believed firing,
    // also not an alert the firing entry listed that left the group unreported.
    const off = receiverView(e('firing', ['a', 'b'], [], 100), e('recovery', [], ['a'], 300));
    expect(off).toEqual({ firing: new Set(), resolved: new Set(['a']), timestamp: 300 });
    // Equal times: the recovery entry wins.
    expect(receiverView(e('firing', ['a'], [], 5), e('recovery', [], ['a'], 5)).firing).toEqual(new Set());
  });
});

describe('nextSequence with given-up and pending sequences', () => {
  it('goes above the delivered and the given-up sequence', () => {
    expect(nextSequence(null)).toBe(1);
    expect(nextSequence({ seq: 4 })).toBe(5);
    expect(nextSequence({ seq: 4 }, 6)).toBe(7);
    expect(nextSequence(null, 3)).toBe(4);
  });

  it('reuses a pending sequence above both, so a repeated flush finds its queued job', () => {
    expect(nextSequence({ seq: 4 }, 0, 9)).toBe(9);
    expect(nextSequence({ seq: 4 }, 9, 9)).toBe(10); // the pending one was given up
    expect(nextSequence({ seq: 9 }, 0, 9)).toBe(10); // the pending one was delivered
  });
});
