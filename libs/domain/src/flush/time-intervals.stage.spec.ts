import { alert, ctx, group } from '../../../../test/fixtures/flush-fixtures';
import { FakeClock } from '../clock';
import type { GroupTarget } from '../group.store';
import { MemoryFlushStore } from '../memory-flush.store';
import { MemoryGroupStore } from '../memory-group.store';
import { buildRouteTree } from '../route';
import { RouteTimeIntervalEvaluator } from '../timeinterval/route-time-intervals';
import { defaultStages, FlushPipeline } from './flush-pipeline';
import { FlushRunner } from './flush-runner';
import { NflogRecorder } from './nflog-recorder';
import type { OutgoingNotification } from './notification';
import { TimeActiveStage, TimeMuteStage } from './time-intervals.stage';

describe('time interval stages', () => {
  const alerts = { firing: [alert('a')], resolved: [] };
  const nothing = { firing: [], resolved: [] };
  const at = (active: boolean, muted: boolean) => ({ isActive: () => active, isMuted: () => muted });

  it.each([
    ['TimeActiveStage', 'no intervals', new TimeActiveStage(), alerts],
    ['TimeActiveStage', 'inside an active interval (muted too)', new TimeActiveStage(at(true, true)), alerts],
    ['TimeActiveStage', 'outside every active interval', new TimeActiveStage(at(false, false)), nothing],
    ['TimeMuteStage', 'no intervals', new TimeMuteStage(), alerts],
    [
      'TimeMuteStage',
      'outside the mute intervals (inactive too)',
      new TimeMuteStage(at(false, false)),
      alerts,
    ],
    ['TimeMuteStage', 'inside a mute interval', new TimeMuteStage(at(true, true)), nothing],
  ])('%s, %s', (_stage, _when, stage, expected) => {
    expect(stage.apply(ctx(), alerts)).toEqual(expected);
  });
});

describe('time intervals in the flush (evaluator, pipeline and runner)', () => {
  // Route "team=a" is muted 12:00-12:10 UTC every day; group_wait 30 s, group_interval 5 m.
  const T0 = Date.parse('2026-06-01T12:00:00Z');
  const tree = buildRouteTree({
    receiver: 'hook',
    routes: [{ matchers: ['team="a"'], mute_time_intervals: ['maintenance'] }],
  });
  const routeId = tree.routes[0].id;
  const evaluator = new RouteTimeIntervalEvaluator(tree, [
    { name: 'maintenance', timeIntervals: [{ times: [{ start: 720, end: 730 }] }] },
  ]);
  const target: GroupTarget = {
    groupId: '00000000000000b2',
    groupKey: '{}/{team="a"}:{alertname="A"}',
    receiver: 'hook',
    routeId,
    groupLabels: { alertname: 'A' },
    groupWait: 30_000,
    groupInterval: 300_000,
    repeatInterval: 3_600_000,
  };

  it('a muted flush decides nothing to send and nothing to record', async () => {
    const pipeline = new FlushPipeline(defaultStages({ timeIntervals: evaluator }));
    const g = { ...group([alert('a')]), routeId };
    const muted = await pipeline.run(ctx({ now: T0 + 30_000, group: g }));
    expect(muted).toMatchObject({ notify: false, why: 'muted', record: null, cleanup: null });
    const after = await pipeline.run(ctx({ now: T0 + 600_000, group: g }));
    expect(after).toMatchObject({ notify: true, reason: 'first notification' });
  });

  /** A runner on memory stores and a fake clock at `t0`, with the time-interval evaluator above. */
  function setup(t0: number) {
    const clock = new FakeClock(t0);
    const groups = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 10, retention: 86_400_000 });
    const flush = new MemoryFlushStore({ clock, dueBuckets: 4 });
    const recorder = new NflogRecorder(flush, groups, clock);
    const sent: OutgoingNotification[] = [];
    const runner = new FlushRunner(
      {
        groups,
        flush,
        notifier: { enqueue: (n) => Promise.resolve(void sent.push(n)).then(() => 'queued' as const) },
        lock: { withLock: (_t, _g, fn) => fn(undefined).then(() => true) },
        clock,
        recorder,
        pipeline: new FlushPipeline(defaultStages({ timeIntervals: evaluator })),
      },
      {
        nodeId: 'n1',
        externalURL: 'http://herald',
        leaseMs: 30_000,
        claimLimit: 100,
        concurrency: 1,
        receivers: new Map([['hook', { name: 'hook', sendResolved: true, deliverable: true }]]),
      },
    );
    const upsert = async (at: number, endsAt: number) => {
      const a = { ...alert('01', endsAt), startsAt: t0, updatedAt: at };
      await groups.upsert({ tenant: 't', now: at, groups: [{ target, alerts: [a] }] });
    };
    return { clock, groups, flush, recorder, sent, runner, upsert };
  }

  it('the runner sends and logs nothing in the window, and notifies at the first flush after it', async () => {
    const { clock, flush, sent, runner, upsert } = setup(T0);
    await upsert(T0, T0 + 7_200_000);
    await flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 + 30_000 });
    const logged = () =>
      flush.readLogState({ tenant: 't', groupId: target.groupId, receiver: 'hook', state: 'firing' });

    for (const at of [T0 + 30_000, T0 + 330_000]) {
      clock.set(at); // 12:00:30 and 12:05:30: inside the window
      expect(await runner.tick()).toMatchObject({ claimed: 1, notified: 0, skipped: 1 });
    }
    expect(sent).toEqual([]);
    expect(await logged()).toMatchObject({ entry: null });

    clock.set(T0 + 630_000); // 12:10:30, group_interval after the last muted flush
    expect(await runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ seq: 1, reason: 'first notification', groupKey: target.groupKey });
  });

  it('a resolution flushed inside the window is dropped, not reported after it (as Alertmanager)', async () => {
    // Alertmanager's muted pipeline returns without error, so the dispatcher deletes the resolved alerts.
    const t0 = T0 - 600_000; // 11:50
    const { clock, groups, flush, recorder, sent, runner, upsert } = setup(t0);
    await upsert(t0, t0 + 7_200_000);
    await flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: t0 + 30_000 });
    clock.set(t0 + 30_000);
    expect(await runner.tick()).toMatchObject({ notified: 1 });
    await recorder.delivered(sent[0]);

    clock.set(T0 + 180_000); // 12:03: resolves inside the window
    await upsert(T0 + 180_000, T0 + 180_000);
    await flush.schedule({ tenant: 't', groupId: target.groupId, state: 'recovery', dueAt: T0 + 180_000 });
    expect(await runner.tick()).toMatchObject({ notified: 0 });
    expect(await groups.getGroup('t', target.groupId)).toBeNull();

    clock.set(T0 + 630_000);
    await runner.tick();
    expect(sent).toHaveLength(1);
  });
});
