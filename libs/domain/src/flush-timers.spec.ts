// Timer semantics of issue 4, driven end to end through the domain with a fake clock: ingest puts
// group halves on the due index (the rules of upsert-groups.lua), a 1 s scheduler tick claims them from
// a MemoryFlushStore, runs the FlushPipeline, "delivers" to a sink, logs, cleans up and reschedules.
import { isResolved, type Alert, type GroupState } from './alert';
import { FakeClock } from './clock';
import { createFlushContext, FlushPipeline } from './flush';
import type { StoredGroup } from './group.store';
import { MemoryFlushStore } from './memory-flush.store';
import { nflogTtl, type NotificationReason } from './nflog';
import { applyCleanup, firstFlushAt } from './timers';
import { buildWebhookPayload } from './webhook-payload';

const T0 = 1_800_000_000_000;
const S = 1000;
const FOREVER = T0 + 1000 * 3600_000;

interface Sent {
  at: number;
  reason: NotificationReason;
  status: string;
  alerts: string[];
}

class Sim {
  readonly clock = new FakeClock(T0);
  readonly store = new MemoryFlushStore({ clock: this.clock });
  readonly pipeline = new FlushPipeline();
  readonly sent: Sent[] = [];
  group: StoredGroup | null = null;
  private flushed = false;
  /** Mirror of the due index for this group (ticks run claim→complete synchronously, no lease overlap). */
  private readonly scheduled = new Map<GroupState, number>();

  constructor(
    readonly timers = { groupWait: 30 * S, groupInterval: 300 * S, repeatInterval: 3600 * S },
    readonly sendResolved = true,
  ) {}

  get t(): number {
    return (this.clock.now() - T0) / S;
  }

  /** An alert arrives (Prometheus sets endsAt in the future while firing, to now when resolved). */
  ingest(fp: string, endsAt: number, startsAt = this.clock.now()): void {
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
    const g: StoredGroup = (this.group ??= {
      tenant: 't',
      groupId: '00000000000000a1',
      groupKey: '{}:{alertname="A"}',
      receiver: 'team-x',
      routeId: '{}',
      labels: { alertname: 'A' },
      ...this.timers,
      createdAt: now,
      firing: [],
      recovery: [],
    });
    const prev = [...g.firing, ...g.recovery].find((x) => x.fingerprint === fp);
    if (prev) a.startsAt = Math.min(prev.startsAt, a.startsAt);
    g.firing = g.firing.filter((x) => x.fingerprint !== fp);
    g.recovery = g.recovery.filter((x) => x.fingerprint !== fp);
    if (isResolved(a, now)) {
      g.recovery.push(a);
      if (!this.scheduled.has('recovery'))
        this.schedule('recovery', this.scheduled.get('firing') ?? now + g.groupWait);
    } else {
      g.firing.push(a);
      const cand = firstFlushAt(g, [a], now, this.flushed);
      const cur = this.scheduled.get('firing');
      // As upsert-groups.lua: an existing schedule is not pushed back nor forward, except the
      // "started more than group_wait ago" rule of a group that never flushed.
      if (cur === undefined || (cand === now && cand < cur)) this.schedule('firing', cand);
    }
  }

  /** Ticks every second until `seconds` after T0 (inclusive). */
  async runUntil(seconds: number): Promise<void> {
    while (this.clock.now() < T0 + seconds * S) {
      this.clock.advance(S);
      await this.tick();
    }
  }

  private schedule(state: GroupState, dueAt: number): void {
    this.scheduled.set(state, dueAt);
    void this.store.schedule({ tenant: 't', groupId: '00000000000000a1', state, dueAt });
  }

  private async tick(): Promise<void> {
    for (;;) {
      const claimed = await this.store.claimDue(0, this.clock.now(), 30 * S, 'node', 10);
      if (claimed.length === 0) return;
      for (const c of claimed) {
        this.scheduled.delete(c.state);
        const g = this.group;
        if (!g) {
          await this.store.complete(c, null);
          continue;
        }
        const key = { tenant: 't', groupId: g.groupId, receiver: g.receiver };
        const ctx = createFlushContext(this.clock, {
          tenant: 't',
          group: g,
          receiver: { name: g.receiver, sendResolved: this.sendResolved },
          state: c.state,
          log: {
            firing: await this.store.readLog({ ...key, state: 'firing' }),
            recovery: await this.store.readLog({ ...key, state: 'recovery' }),
          },
        });
        const d = this.pipeline.run(ctx);
        this.flushed = true;
        if (d.notify) {
          const p = buildWebhookPayload({
            receiver: g.receiver,
            groupKey: g.groupKey,
            groupLabels: g.labels,
            alerts: d.alerts,
            reason: d.reason,
            externalURL: '',
            maxAlerts: 0,
            now: ctx.now,
          });
          this.sent.push({
            at: this.t,
            reason: d.reason,
            status: p.status,
            alerts: p.alerts.map((a) => a.fingerprint),
          });
        }
        if (d.record)
          expect(await this.store.writeLog(d.record, nflogTtl(g.repeatInterval))).toEqual({ written: true });
        if (d.cleanup) this.group = applyCleanup(g, d.cleanup);
        if (d.scheduleRecovery && !this.scheduled.has('recovery')) this.schedule('recovery', ctx.now);
        await this.store.complete(c, d.nextDueAt);
        if (d.nextDueAt !== null) this.scheduled.set(c.state, d.nextDueAt);
      }
    }
  }
}

describe('timer semantics (issue 4), fake clock', () => {
  it('first flush after group_wait, next at group_interval, repeats at repeat_interval', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER);
    await sim.runUntil(29);
    expect(sim.sent).toEqual([]);
    await sim.runUntil(30);
    expect(sim.sent).toEqual([{ at: 30, reason: 'first notification', status: 'firing', alerts: ['a'] }]);

    await sim.runUntil(60);
    sim.ingest('b', FOREVER); // joins the group: waits for the next group_interval tick
    await sim.runUntil(329);
    expect(sim.sent.length).toBe(1);
    await sim.runUntil(330);
    expect(sim.sent[1]).toEqual({
      at: 330,
      reason: 'new alerts added',
      status: 'firing',
      alerts: ['a', 'b'],
    });

    // Nothing changes: ticks every 5 min send nothing until repeat_interval (1 h) has elapsed since the
    // last notification. At 330 + 3600 exactly it has not (Alertmanager's strict Before), so the tick after.
    await sim.runUntil(3930);
    expect(sim.sent.length).toBe(2);
    await sim.runUntil(4230);
    expect(sim.sent[2]).toEqual({
      at: 4230,
      reason: 'repeat interval elapsed',
      status: 'firing',
      alerts: ['a', 'b'],
    });
    await sim.runUntil(4230 + 3600);
    expect(sim.sent.length).toBe(3);
  });

  it('sends a resolved notification when all alerts resolve, then deletes the group', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER);
    sim.ingest('b', FOREVER);
    await sim.runUntil(100);
    sim.ingest('a', sim.clock.now());
    await sim.runUntil(200);
    sim.ingest('b', sim.clock.now());
    await sim.runUntil(329);
    expect(sim.sent.length).toBe(1);
    await sim.runUntil(330);
    expect(sim.sent[1]).toEqual({
      at: 330,
      reason: 'all alerts resolved',
      status: 'resolved',
      alerts: ['a', 'b'],
    });
    expect(sim.group).toBeNull();
    await sim.runUntil(4 * 3600);
    expect(sim.sent.length).toBe(2);
  });

  it('reports some resolved alerts while others keep firing', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER);
    sim.ingest('b', FOREVER);
    await sim.runUntil(100);
    sim.ingest('b', sim.clock.now());
    await sim.runUntil(330);
    expect(sim.sent.map((s) => [s.at, s.reason, s.alerts])).toEqual([
      [30, 'first notification', ['a', 'b']],
      [330, 'some alerts resolved', ['b']],
    ]);
    expect(sim.group!.firing.map((a) => a.fingerprint)).toEqual(['a']);
    expect(sim.group!.recovery).toEqual([]);
    await sim.runUntil(3000);
    expect(sim.sent.length).toBe(2); // the firing set shrank: no firing notification for that
  });

  it('sends nothing for an alert that fires and resolves within group_wait', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER);
    await sim.runUntil(10);
    sim.ingest('a', sim.clock.now());
    await sim.runUntil(2 * 3600);
    expect(sim.sent).toEqual([]);
    expect(sim.group).toBeNull();
  });

  it('a timed-out alert (no re-send, endsAt passes) is reported resolved at the next tick', async () => {
    const sim = new Sim();
    sim.ingest('a', T0 + 200 * S);
    await sim.runUntil(330);
    expect(sim.sent.map((s) => [s.at, s.reason, s.status])).toEqual([
      [30, 'first notification', 'firing'],
      [330, 'all alerts resolved', 'resolved'],
    ]);
    expect(sim.group).toBeNull();
  });

  it('an alert that fires again after its resolution was sent is notified again, and so is its second resolution', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER);
    await sim.runUntil(100);
    sim.ingest('a', sim.clock.now());
    await sim.runUntil(400);
    sim.ingest('a', FOREVER, sim.clock.now());
    await sim.runUntil(600);
    sim.ingest('a', sim.clock.now());
    await sim.runUntil(1200);
    expect(sim.sent.map((s) => [s.at, s.reason])).toEqual([
      [30, 'first notification'],
      [330, 'all alerts resolved'],
      [430, 'new alerts added'], // a new group after the deletion: group_wait again
      [730, 'all alerts resolved'],
    ]);
  });

  it('send_resolved off: no resolved notification, and a re-fire is still news', async () => {
    const sim = new Sim(undefined, false);
    sim.ingest('a', FOREVER);
    await sim.runUntil(100);
    sim.ingest('a', sim.clock.now());
    await sim.runUntil(400);
    sim.ingest('a', FOREVER, sim.clock.now());
    await sim.runUntil(500);
    expect(sim.sent.map((s) => [s.at, s.reason])).toEqual([
      [30, 'first notification'],
      [430, 'new alerts added'],
    ]);
  });

  it('flushes at once when the alert started more than group_wait ago; group_wait 0 flushes on the next tick', async () => {
    const sim = new Sim();
    sim.ingest('a', FOREVER, T0 - 600 * S);
    await sim.runUntil(1);
    expect(sim.sent.map((s) => [s.at, s.reason])).toEqual([[1, 'first notification']]);
    const zero = new Sim({ groupWait: 0, groupInterval: 60 * S, repeatInterval: 3600 * S });
    zero.ingest('a', FOREVER);
    await zero.runUntil(1);
    expect(zero.sent.map((s) => s.at)).toEqual([1]);
  });
});
