// Timer semantics of issue 4, driven end to end through the real domain with a fake clock: ingest
// writes a MemoryGroupStore (which puts group halves on the MemoryFlushStore's due index by the rules of
// upsert-groups.lua), and a 1 s scheduler tick runs the real FlushRunner; its notifier "delivers" to a
// sink at once and the NflogRecorder logs and cleans up, as the delivery listener does in the app.
import type { Alert } from './alert';
import { FakeClock } from './clock';
import { FlushRunner, NflogRecorder, PROCESS_LOCK, type OutgoingNotification } from './flush/index';
import { MemoryFlushStore } from './memory-flush.store';
import { MemoryGroupStore } from './memory-group.store';
import type { NotificationReason } from './nflog';
const T0 = 1_800_000_000_000;
const S = 1000;
const FOREVER = T0 + 1000 * 3600_000;

interface Sent {
  at: number;
  reason: NotificationReason;
  status: string;
  alerts: string[];
}

/** A scenario step: at this second, these alerts fire or resolve. */
type Step = [at: number, event: 'fire' | 'resolve', ...fingerprints: string[]];

const GROUP_ID = '00000000000000a1';

class Sim {
  readonly clock = new FakeClock(T0);
  readonly flush = new MemoryFlushStore({ clock: this.clock });
  readonly groups = new MemoryGroupStore({
    maxAlerts: 1000,
    maxGroups: 100,
    retention: 24 * 3600 * S,
    due: this.flush,
  });
  readonly recorder = new NflogRecorder(this.flush, this.groups, this.clock);
  readonly sent: Sent[] = [];
  private readonly runner: FlushRunner;

  constructor(
    readonly timers = { groupWait: 30 * S, groupInterval: 300 * S, repeatInterval: 3600 * S },
    readonly sendResolved = true,
  ) {
    const deliver = async (n: OutgoingNotification) => {
      this.sent.push({
        at: this.t,
        reason: n.reason,
        status: n.payload.status,
        alerts: n.payload.alerts.map((a) => a.fingerprint),
      });
      expect(await this.recorder.delivered(n)).toEqual({ written: true });
      return 'queued' as const;
    };
    this.runner = new FlushRunner(
      {
        groups: this.groups,
        flush: this.flush,
        notifier: { enqueue: deliver },
        lock: PROCESS_LOCK,
        clock: this.clock,
        recorder: this.recorder,
      },
      {
        nodeId: 'node',
        externalURL: '',
        leaseMs: 30 * S,
        claimLimit: 10,
        concurrency: 1,
        receivers: new Map([['team-x', { name: 'team-x', sendResolved, deliverable: true }]]),
      },
    );
  }

  get t(): number {
    return (this.clock.now() - T0) / S;
  }

  /** The group as stored (null once deleted). */
  group() {
    return this.groups.getGroup('t', GROUP_ID);
  }

  /** An alert arrives (Prometheus sets endsAt in the future while firing, to now when resolved). */
  async ingest(fp: string, endsAt: number, startsAt = this.clock.now()): Promise<void> {
    const now = this.clock.now();
    const a: Alert = {
      fingerprint: fp,
      labels: { alertname: 'A', i: fp },
      annotations: {},
      startsAt,
      endsAt,
      updatedAt: now,
      timeout: false,
      generatorURL: '',
    };
    const target = {
      groupId: GROUP_ID,
      groupKey: '{}:{alertname="A"}',
      receiver: 'team-x',
      routeId: '{}',
      groupLabels: { alertname: 'A' },
      ...this.timers,
    };
    await this.groups.upsert({ tenant: 't', now, groups: [{ target, alerts: [a] }] });
  }

  /**
   * Plays a scenario: for each step, ticks on to its second, then its alerts fire (endsAt far ahead, startsAt
   * now) or resolve (endsAt now); then ticks on to `until`.
   */
  async play(
    steps: [at: number, event: 'fire' | 'resolve', ...fingerprints: string[]][],
    until: number,
  ): Promise<void> {
    for (const [at, event, ...fps] of steps) {
      await this.runUntil(at);
      for (const fp of fps) await this.ingest(fp, event === 'fire' ? FOREVER : this.clock.now());
    }
    await this.runUntil(until);
  }

  /** Everything sent by `seconds` after T0, ticking on to it first. */
  async sentBy(seconds: number): Promise<Sent[]> {
    await this.runUntil(seconds);
    return this.sent;
  }

  /** Asserts `count` notifications sent by `quietUntil`, then `next` as the only one more by its second. */
  async expectNext(count: number, quietUntil: number, next: Sent): Promise<void> {
    expect(await this.sentBy(quietUntil)).toHaveLength(count);
    expect((await this.sentBy(next.at)).slice(count)).toEqual([next]);
  }

  /** Ticks every second until `seconds` after T0 (inclusive). */
  async runUntil(seconds: number): Promise<void> {
    while (this.clock.now() < T0 + seconds * S) {
      this.clock.advance(S);
      // A tick claims what is due; flushing may put a half due at once (the recovery half): tick again.
      while ((await this.runner.tick()).claimed > 0);
    }
  }
}

/** An alert fires, resolves at 100 s (resolution sent at 330 s), and fires again at 400 s. */
const REFIRE: Step[] = [
  [0, 'fire', 'a'],
  [100, 'resolve', 'a'],
  [400, 'fire', 'a'],
];

describe('timer semantics (issue 4), fake clock', () => {
  it('first flush after group_wait, next at group_interval, repeats at repeat_interval', async () => {
    const sim = new Sim();
    await sim.ingest('a', FOREVER);
    await sim.expectNext(0, 29, { at: 30, reason: 'first notification', status: 'firing', alerts: ['a'] });

    await sim.runUntil(60);
    await sim.ingest('b', FOREVER); // joins the group: waits for the next group_interval tick
    await sim.expectNext(1, 329, {
      at: 330,
      reason: 'new alerts added',
      status: 'firing',
      alerts: ['a', 'b'],
    });

    // Nothing changes: ticks every 5 min send nothing until repeat_interval (1 h) has elapsed since the
    // last notification. At 330 + 3600 exactly it has not (Alertmanager's strict Before), so the tick after.
    await sim.expectNext(2, 3930, {
      at: 4230,
      reason: 'repeat interval elapsed',
      status: 'firing',
      alerts: ['a', 'b'],
    });
    expect(await sim.sentBy(4230 + 3600)).toHaveLength(3);
  });

  it('sends a resolved notification when all alerts resolve, then deletes the group', async () => {
    const sim = new Sim();
    await sim.play(
      [
        [0, 'fire', 'a', 'b'],
        [100, 'resolve', 'a'],
        [200, 'resolve', 'b'],
      ],
      200,
    );
    await sim.expectNext(1, 329, {
      at: 330,
      reason: 'all alerts resolved',
      status: 'resolved',
      alerts: ['a', 'b'],
    });
    expect(await sim.group()).toBeNull();
    expect(await sim.sentBy(4 * 3600)).toHaveLength(2);
  });

  it('reports some resolved alerts while others keep firing', async () => {
    const sim = new Sim();
    await sim.play(
      [
        [0, 'fire', 'a', 'b'],
        [100, 'resolve', 'b'],
      ],
      330,
    );
    // Alertmanager: one `firing` notification with the alert that still fires and the resolved one.
    expect(sim.sent.map((s) => [s.at, s.reason, s.status, s.alerts])).toEqual([
      [30, 'first notification', 'firing', ['a', 'b']],
      [330, 'some alerts resolved', 'firing', ['a', 'b']],
    ]);
    const g = await sim.group();
    expect(g!.firing.map((a) => a.fingerprint)).toEqual(['a']);
    expect(g!.recovery).toEqual([]);
    expect(await sim.sentBy(3000)).toHaveLength(2); // the firing set shrank: no firing notification for that
  });

  it('sends nothing for an alert that fires and resolves within group_wait', async () => {
    const sim = new Sim();
    await sim.play(
      [
        [0, 'fire', 'a'],
        [10, 'resolve', 'a'],
      ],
      2 * 3600,
    );
    expect(sim.sent).toEqual([]);
    expect(await sim.group()).toBeNull();
  });

  it('a timed-out alert (no re-send, endsAt passes) is reported resolved at the next tick', async () => {
    const sim = new Sim();
    await sim.ingest('a', T0 + 200 * S);
    await sim.runUntil(330);
    expect(sim.sent.map((s) => [s.at, s.reason, s.status])).toEqual([
      [30, 'first notification', 'firing'],
      [330, 'all alerts resolved', 'resolved'],
    ]);
    expect(await sim.group()).toBeNull();
  });

  it('an alert that fires again after its resolution was sent is notified again, and so is its second resolution', async () => {
    const sim = new Sim();
    await sim.play([...REFIRE, [600, 'resolve', 'a']], 1200);
    expect(sim.sent.map((s) => [s.at, s.reason])).toEqual([
      [30, 'first notification'],
      [330, 'all alerts resolved'],
      // A new group after the deletion: group_wait again; the log's last word was "all resolved", so
      // Alertmanager (0.32+, where notification_reason exists) calls it a first notification.
      [430, 'first notification'],
      [730, 'all alerts resolved'],
    ]);
  });

  it('send_resolved off: no resolved notification, and a re-fire is still news', async () => {
    const sim = new Sim(undefined, false);
    await sim.play(REFIRE, 500);
    expect(sim.sent.map((s) => [s.at, s.reason])).toEqual([
      [30, 'first notification'],
      [430, 'first notification'],
    ]);
  });

  it('flushes at once when the alert started more than group_wait ago; group_wait 0 flushes on the next tick', async () => {
    const sim = new Sim();
    await sim.ingest('a', FOREVER, T0 - 600 * S);
    expect((await sim.sentBy(1)).map((s) => [s.at, s.reason])).toEqual([[1, 'first notification']]);
    const zero = new Sim({ groupWait: 0, groupInterval: 60 * S, repeatInterval: 3600 * S });
    await zero.ingest('a', FOREVER);
    expect((await zero.sentBy(1)).map((s) => s.at)).toEqual([1]);
  });
});
