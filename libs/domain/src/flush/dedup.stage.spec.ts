import { alert, ctx, group, logEntry, NOW } from '../../../../test/fixtures/flush-fixtures';
import { classifyAlerts, createFlushContext, type FlushContext } from './flush-context';
import { decideFlush, DedupStage } from './dedup.stage';

describe('flush context', () => {
  it('reads the clock exactly once', () => {
    let reads = 0;
    const c = createFlushContext(
      { now: () => (reads++, NOW) },
      {
        tenant: 't',
        group: group([]),
        receiver: { name: 'r', sendResolved: true },
        state: 'firing',
        log: { firing: null, recovery: null },
      },
    );
    expect(c.now).toBe(NOW);
    expect(reads).toBe(1);
  });

  it('classifies by time at now: a timed-out alert in the firing half counts as resolved', () => {
    const g = group([alert('a'), alert('b', NOW)], [alert('c', NOW - 1)]);
    const c = classifyAlerts(g, NOW);
    expect(c.firing.map((a) => a.fingerprint)).toEqual(['a']);
    expect(c.resolved.map((a) => a.fingerprint)).toEqual(['b', 'c']);
  });
});

describe('dedup stage (decideFlush)', () => {
  // The pipeline with pass-through stages: every alert reaches the dedup stage.
  const run = (c: FlushContext) => {
    const classified = classifyAlerts(c.group, c.now);
    return new DedupStage().decide(c, classified, classified);
  };

  it('firing: first notification, with sequence 1, the log record and the next tick', () => {
    const d = run(ctx());
    expect(d).toMatchObject({ notify: true, reason: 'first notification', seq: 1, nextDueAt: NOW + 300_000 });
    if (!d.notify) throw new Error('expected a notification');
    expect(d.record).toEqual(logEntry('firing', ['a'], [], NOW, 1));
    expect(d.idempotencyKey).toMatch(/^[0-9a-f]{64}-1$/);
  });

  it('firing: already notified → nothing until repeat_interval; then a repeat with the next sequence', () => {
    const log = { firing: logEntry('firing', ['a'], [], NOW - 300_000, 4), recovery: null };
    expect(run(ctx({ log }))).toMatchObject({ notify: false, why: 'already notified' });
    const old = { firing: logEntry('firing', ['a'], [], NOW - 3_600_001, 4), recovery: null };
    expect(run(ctx({ log: old }))).toMatchObject({ notify: true, reason: 'repeat interval elapsed', seq: 5 });
  });

  it('firing: a new alert is news; a firing half with only resolved alerts asks for the recovery flush', () => {
    const log = { firing: logEntry('firing', ['a'], [], NOW - 300_000), recovery: null };
    expect(run(ctx({ log, group: group([alert('a'), alert('b')]) }))).toMatchObject({
      notify: true,
      reason: 'new alerts added',
    });
    // x was never notified: nothing for the firing half, and no resolution to report either.
    expect(run(ctx({ log, group: group([alert('a'), alert('x', NOW - 1)]) }))).toMatchObject({
      notify: false,
      why: 'already notified',
      scheduleRecovery: true,
    });
    expect(
      run(ctx({ log: { firing: null, recovery: null }, group: group([alert('x', NOW - 1)]) })),
    ).toMatchObject({ notify: false, why: 'nothing firing', nextDueAt: null, scheduleRecovery: true });
  });

  it('firing: once an alert the receiver knows resolved, the recovery half speaks for the group', () => {
    // a timed out in the firing half; b fires; c is new: still one notification, the recovery half's.
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000), recovery: null };
    const g = group([alert('a', NOW - 1), alert('b'), alert('c')]);
    expect(run(ctx({ log, group: g }))).toEqual({
      notify: false,
      why: 'left to the recovery half',
      record: null,
      nextDueAt: NOW + 300_000,
      cleanup: null,
      scheduleRecovery: true,
    });
    const d = run(ctx({ state: 'recovery', log, group: g }));
    expect(d).toMatchObject({ notify: true, reason: 'new alerts added' });
    if (d.notify) expect(d.alerts.map((a) => a.fingerprint)).toEqual(['b', 'c', 'a']);
  });

  it('firing: an alert firing again after its resolution was notified is news (a first notification)', () => {
    const log = {
      firing: logEntry('firing', ['a'], [], NOW - 600_000),
      recovery: logEntry('recovery', [], ['a'], NOW - 300_000),
    };
    expect(run(ctx({ log }))).toMatchObject({ notify: true, reason: 'first notification' });
  });

  it('recovery: all resolved → notify the alerts the receiver knew as firing, clean up the rest', () => {
    const log = { firing: logEntry('firing', ['a'], [], NOW - 300_000), recovery: null };
    const g = group([], [alert('a', NOW - 1000), alert('x', NOW - 1000)]);
    const d = run(ctx({ state: 'recovery', group: g, log }));
    expect(d).toMatchObject({ notify: true, reason: 'all alerts resolved', seq: 1, nextDueAt: null });
    if (!d.notify) throw new Error('expected a notification');
    expect(d.alerts.map((a) => a.fingerprint)).toEqual(['a']);
    expect(d.cleanup).toEqual({ remove: ['a', 'x'], deleteGroup: true });
    expect(d.record).toEqual(logEntry('recovery', [], ['a'], NOW, 1));
    expect(d.idempotencyKey).toMatch(/-r1$/);
  });

  it('recovery: some resolved while others fire → firing, with the firing and the resolved alerts', () => {
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000, 3), recovery: null };
    const g = group([alert('a')], [alert('b', NOW - 1000)]);
    const d = run(ctx({ state: 'recovery', group: g, log }));
    expect(d).toMatchObject({
      notify: true,
      reason: 'some alerts resolved',
      seq: 1,
      cleanup: { remove: ['b'], deleteGroup: false },
    });
    if (!d.notify) throw new Error('expected a notification');
    expect(d.alerts.map((a) => a.fingerprint)).toEqual(['a', 'b']);
    // The whole picture, as the receiver was told it: a fires, b resolved.
    expect(d.record).toEqual(logEntry('recovery', ['a'], ['b'], NOW, 1));
    expect(d.idempotencyKey).toMatch(/-r1$/);
  });

  it('recovery: an alert resolves while a new one starts → one notification, new alerts added', () => {
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000), recovery: null };
    const g = group([alert('a'), alert('c')], [alert('b', NOW - 1000)]);
    const on = run(ctx({ state: 'recovery', group: g, log }));
    expect(on).toMatchObject({ notify: true, reason: 'new alerts added' });
    if (!on.notify) throw new Error('expected a notification');
    expect(on.alerts.map((a) => a.fingerprint)).toEqual(['a', 'c', 'b']);
    expect(on.record).toEqual(logEntry('recovery', ['a', 'c'], ['b'], NOW, 1));
    // Without send_resolved: the firing alerts only, and the resolution is logged (Alertmanager).
    const off = run(
      ctx({ state: 'recovery', group: g, log, receiver: { name: 'team-x', sendResolved: false } }),
    );
    expect(off).toMatchObject({ notify: true, reason: 'new alerts added' });
    if (!off.notify) throw new Error('expected a notification');
    expect(off.alerts.map((a) => a.fingerprint)).toEqual(['a', 'c']);
    expect(off.record).toEqual(logEntry('recovery', ['a', 'c'], ['b'], NOW, 1));
  });

  it('recovery: resolutions that are muted leave what fires to be judged as the firing half would', () => {
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000), recovery: null };
    const c = ctx({ state: 'recovery', log, group: group([alert('a'), alert('c')], [alert('b', NOW - 1)]) });
    const classified = classifyAlerts(c.group, NOW);
    const bMuted = { firing: classified.firing, resolved: [] };
    const d = decideFlush(c, classified, bMuted);
    expect(d).toMatchObject({ notify: true, reason: 'new alerts added', cleanup: { remove: ['b'] } });
    if (d.notify) expect(d.alerts.map((a) => a.fingerprint)).toEqual(['a', 'c']);
    const cMutedToo = { firing: [classified.firing[0]], resolved: [] };
    expect(decideFlush(c, classified, cMutedToo)).toMatchObject({
      notify: false,
      why: 'muted',
      record: null,
    });
    expect(decideFlush(c, classified, { firing: [], resolved: [] })).toMatchObject({
      notify: false,
      why: 'muted',
    });
  });

  it('recovery: a resolution already notified (Prometheus re-sends resolved alerts) is not news', () => {
    const log = {
      firing: logEntry('firing', ['a'], [], NOW - 600_000),
      recovery: logEntry('recovery', [], ['a'], NOW - 300_000),
    };
    const g = group([], [alert('a', NOW - 400_000)]);
    expect(run(ctx({ state: 'recovery', group: g, log }))).toMatchObject({
      notify: false,
      why: 'no resolved news',
      record: null,
      cleanup: { remove: ['a'], deleteGroup: true },
    });
  });

  it('recovery: send_resolved off sends nothing; the last resolution is logged, a partial one is not', () => {
    const off = { name: 'team-x', sendResolved: false };
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000), recovery: null };
    const all = run(ctx({ state: 'recovery', group: group([], [alert('a', NOW - 1)]), log, receiver: off }));
    expect(all).toMatchObject({ notify: false, why: 'send_resolved disabled' });
    expect(all.record).toEqual(logEntry('recovery', [], ['a'], NOW, 1));
    const g = group([alert('a')], [alert('b', NOW - 1)]);
    const partial = run(ctx({ state: 'recovery', group: g, log, receiver: off }));
    expect(partial).toEqual({
      notify: false,
      why: 'send_resolved disabled',
      record: null,
      nextDueAt: null,
      cleanup: { remove: ['b'], deleteGroup: false },
      scheduleRecovery: false,
    });
  });

  it('decideFlush uses the filtered alerts for the notification and the unfiltered ones for timers', () => {
    const c = ctx({ group: group([alert('a'), alert('b')]) });
    const classified = classifyAlerts(c.group, NOW);
    const d = decideFlush(c, classified, { firing: [classified.firing[1]], resolved: [] });
    expect(d).toMatchObject({ notify: true, nextDueAt: NOW + 300_000 });
    if (d.notify) expect(d.alerts.map((a) => a.fingerprint)).toEqual(['b']);
  });
});

describe('dedup stage: the log across both halves (partial resolution sequences)', () => {
  type Log = FlushContext['log'];
  const MIN = 60_000;
  /** One flush of one half at `at`; a notification or record is logged at once (delivery accepted). */
  function flush(
    state: 'firing' | 'recovery',
    g: ReturnType<typeof group>,
    log: Log,
    at: number,
    sendResolved = true,
  ) {
    const c = ctx({ now: at, state, group: g, log, receiver: { name: 'team-x', sendResolved } });
    const classified = classifyAlerts(g, at);
    const d = new DedupStage().decide(c, classified, classified);
    const next: Log = d.record ? { ...log, [state]: d.record } : log;
    return { d, log: next };
  }
  const sent = (d: ReturnType<typeof flush>['d']) =>
    d.notify ? { reason: d.reason, alerts: d.alerts.map((a) => a.fingerprint) } : { why: d.why };

  it('after a partial resolution the firing half finds the firing alerts notified; repeat counts from it', () => {
    let log: Log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 10 * MIN, 1), recovery: null };
    const g = group([alert('a')], [alert('b', NOW - MIN)]);
    const f = flush('firing', g, log, NOW);
    expect(sent(f.d)).toEqual({ why: 'left to the recovery half' });
    const r = flush('recovery', g, log, NOW + 250);
    expect(sent(r.d)).toEqual({ reason: 'some alerts resolved', alerts: ['a', 'b'] });
    log = r.log;
    const after = group([alert('a')]); // b cleaned up after delivery
    // Next ticks: a was in the recovery notification as firing: not new.
    expect(sent(flush('firing', after, log, NOW + 5 * MIN).d)).toEqual({ why: 'already notified' });
    // repeat_interval (1 h) counts from the recovery notification (NOW + 250), not the first one.
    expect(sent(flush('firing', after, log, NOW + 250 + 60 * MIN).d)).toEqual({ why: 'already notified' });
    expect(sent(flush('firing', after, log, NOW + 251 + 60 * MIN).d)).toEqual({
      reason: 'repeat interval elapsed',
      alerts: ['a'],
    });
  });

  it('a new alert that came with the recovery notification is not news to the firing half', () => {
    const log: Log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 10 * MIN, 1), recovery: null };
    const g = group([alert('a'), alert('c')], [alert('b', NOW - MIN)]);
    const r = flush('recovery', g, log, NOW);
    expect(sent(r.d)).toEqual({ reason: 'new alerts added', alerts: ['a', 'c', 'b'] });
    expect(sent(flush('firing', group([alert('a'), alert('c')]), r.log, NOW + 5 * MIN).d)).toEqual({
      why: 'already notified',
    });
  });

  it('send_resolved on: a resolved alert that fires again is news; off: it is not (Alertmanager)', () => {
    const first: Log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 10 * MIN, 1), recovery: null };
    const partial = group([alert('a')], [alert('b', NOW - MIN)]);
    const refired = group([alert('a'), alert('b')]);
    const on = flush('recovery', partial, first, NOW);
    expect(sent(flush('firing', refired, on.log, NOW + 5 * MIN).d)).toEqual({
      reason: 'new alerts added',
      alerts: ['a', 'b'],
    });
    // Off: nothing sent and nothing logged, the receiver still believes b fires.
    const off = flush('recovery', partial, first, NOW, false);
    expect(sent(off.d)).toEqual({ why: 'send_resolved disabled' });
    expect(off.log).toBe(first);
    expect(sent(flush('firing', refired, off.log, NOW + 5 * MIN, false).d)).toEqual({
      why: 'already notified',
    });
    // The last one resolving is logged: the group firing again afterwards is a first notification.
    const last = flush('recovery', group([], [alert('a', NOW + MIN)]), off.log, NOW + 2 * MIN, false);
    expect(sent(last.d)).toEqual({ why: 'send_resolved disabled' });
    expect(last.log.recovery).toEqual(logEntry('recovery', [], ['a'], NOW + 2 * MIN, 1));
    expect(sent(flush('firing', group([alert('b')]), last.log, NOW + 9 * MIN, false).d)).toEqual({
      reason: 'first notification',
      alerts: ['b'],
    });
  });

  it('the recovery half never says `resolved` while an alert of the group fires', () => {
    const log: Log = { firing: logEntry('firing', ['a', 'b', 'c'], [], NOW - 10 * MIN, 1), recovery: null };
    const r1 = flush('recovery', group([alert('b'), alert('c')], [alert('a', NOW - 1)]), log, NOW);
    expect(r1.d).toMatchObject({ notify: true, reason: 'some alerts resolved' });
    const r2 = flush('recovery', group([alert('c')], [alert('b', NOW + MIN)]), r1.log, NOW + 2 * MIN);
    expect(sent(r2.d)).toEqual({ reason: 'some alerts resolved', alerts: ['c', 'b'] });
    const r3 = flush('recovery', group([], [alert('c', NOW + 3 * MIN)]), r2.log, NOW + 4 * MIN);
    expect(sent(r3.d)).toEqual({ reason: 'all alerts resolved', alerts: ['c'] });
  });
});

describe('dedup stage: a firing half with nothing to send is parked (flush cost proportional to change)', () => {
  const run = (c: FlushContext, filtered?: (a: ReturnType<typeof classifyAlerts>) => typeof a) => {
    const classified = classifyAlerts(c.group, c.now);
    return new DedupStage().decide(c, classified, filtered ? filtered(classified) : classified);
  };
  // group_interval 5 min, repeat_interval 1 h (flush-fixtures); notified 5 min ago.
  const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000, 4), recovery: null };

  it('already notified: parked at the group_interval tick where repeat_interval has elapsed', () => {
    const d = run(ctx({ log, group: group([alert('a'), alert('b')]) }));
    // last notification + 1 h, strictly after, on the tick grid NOW + k·5 min: NOW + 60 min.
    expect(d).toMatchObject({ notify: false, why: 'already notified', nextDueAt: NOW + 3_600_000 });
    expect(d.nextTickAt).toBe(NOW + 300_000);
  });

  it('parked no later than the tick at which the first firing alert ends by its endsAt', () => {
    const d = run(ctx({ log, group: group([alert('a', NOW + 11 * 60_000), alert('b')]) }));
    expect(d.nextDueAt).toBe(NOW + 15 * 60_000); // ends at +11 min: seen at the +15 min tick
    expect(d.nextTickAt).toBe(NOW + 300_000);
  });

  it('not parked (next tick) while something is muted, resolved, or a notification is in flight', () => {
    const g = group([alert('a'), alert('b')]);
    const muted = run(ctx({ log, group: g }), (c) => ({ firing: c.firing.slice(0, 1), resolved: [] }));
    expect(muted).toMatchObject({ why: 'already notified', nextDueAt: NOW + 300_000 });
    expect(muted.nextTickAt).toBeUndefined();
    const resolved = run(ctx({ log, group: group([alert('a'), alert('b'), alert('x', NOW - 1)]) }));
    expect(resolved).toMatchObject({ why: 'already notified', nextDueAt: NOW + 300_000 });
    const inFlight = run(ctx({ log, group: g, firingInFlight: true }));
    expect(inFlight).toMatchObject({ why: 'already notified', nextDueAt: NOW + 300_000 });
  });

  it('a notification is never parked: its delivery may fail and the next tick retries', () => {
    const d = run(ctx({ log, group: group([alert('a'), alert('b'), alert('c')]) }));
    expect(d).toMatchObject({ notify: true, reason: 'new alerts added', nextDueAt: NOW + 300_000 });
    expect(d.nextTickAt).toBeUndefined();
  });
});
