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
    expect(run(ctx({ log, group: group([alert('a', NOW - 1)]) }))).toMatchObject({
      notify: false,
      why: 'nothing firing',
      nextDueAt: null,
      scheduleRecovery: true,
    });
  });

  it('firing: an alert firing again after its resolution was notified is news', () => {
    const log = {
      firing: logEntry('firing', ['a'], [], NOW - 600_000),
      recovery: logEntry('recovery', [], ['a'], NOW - 300_000),
    };
    expect(run(ctx({ log }))).toMatchObject({ notify: true, reason: 'new alerts added' });
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

  it('recovery: some resolved while others fire', () => {
    const log = { firing: logEntry('firing', ['a', 'b'], [], NOW - 300_000), recovery: null };
    const g = group([alert('a')], [alert('b', NOW - 1000)]);
    expect(run(ctx({ state: 'recovery', group: g, log }))).toMatchObject({
      notify: true,
      reason: 'some alerts resolved',
      cleanup: { remove: ['b'], deleteGroup: false },
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

  it('recovery: send_resolved off sends nothing but records the resolution', () => {
    const log = { firing: logEntry('firing', ['a'], [], NOW - 300_000), recovery: null };
    const d = run(
      ctx({
        state: 'recovery',
        group: group([], [alert('a', NOW - 1)]),
        log,
        receiver: { name: 'team-x', sendResolved: false },
      }),
    );
    expect(d).toMatchObject({ notify: false, why: 'send_resolved disabled' });
    expect(d.record).toEqual(logEntry('recovery', [], ['a'], NOW, 1));
  });

  it('decideFlush uses the filtered alerts for the notification and the unfiltered ones for timers', () => {
    const c = ctx({ group: group([alert('a'), alert('b')]) });
    const classified = classifyAlerts(c.group, NOW);
    const d = decideFlush(c, classified, { firing: [classified.firing[1]], resolved: [] });
    expect(d).toMatchObject({ notify: true, nextDueAt: NOW + 300_000 });
    if (d.notify) expect(d.alerts.map((a) => a.fingerprint)).toEqual(['b']);
  });
});
