// Flush cost proportional to change (issue 16): a firing half whose receiver already knows everything is
// parked on the due index until repeat_interval or an endsAt, and comes back to its group_interval tick
// when the group changes — on memory stores with a fake clock, Prometheus re-sending every minute.
import type { Alert } from '../alert';
import { FakeClock } from '../clock';
import { groupTarget } from '../../../../test/harness/groups';
import { MemoryFlushStore } from '../memory-flush.store';
import { MemoryGroupStore } from '../memory-group.store';
import { FlushRunner } from './flush-runner';
import { NflogRecorder } from './nflog-recorder';
import type { OutgoingNotification } from './notification';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const MIN = 60_000;
const target = groupTarget('00000000000000a1', { name: 'A', receiver: 'hook', repeatInterval: 60 * MIN });

function herald(horizon = 4 * MIN) {
  const clock = new FakeClock(T0);
  const flush = new MemoryFlushStore({ clock, dueBuckets: 4 });
  const groups = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 10, retention: 86_400_000, due: flush });
  const recorder = new NflogRecorder(flush, groups, clock);
  const sent: { at: number; n: OutgoingNotification }[] = [];
  let flushes = 0;
  const runner = new FlushRunner(
    {
      groups,
      flush,
      notifier: {
        enqueue: async (n) => {
          sent.push({ at: clock.now(), n });
          await recorder.delivered(n);
          return 'queued';
        },
      },
      lock: { withLock: (_t, _g, fn) => fn(undefined).then(() => true) },
      clock,
      recorder,
    },
    {
      nodeId: 'n1',
      externalURL: '',
      leaseMs: 30_000,
      claimLimit: 100,
      concurrency: 1,
      receivers: new Map([['hook', { name: 'hook', sendResolved: true, deliverable: true }]]),
    },
  );
  // Prometheus: every alert re-sent each minute with endsAt 4 minutes ahead (`horizon`).
  const alert = (fp: string, endsAt = clock.now() + horizon): Alert => ({
    fingerprint: fp,
    labels: { alertname: 'A', i: fp },
    annotations: {},
    startsAt: T0,
    endsAt,
    updatedAt: clock.now(),
    timeout: false,
    generatorURL: '',
  });
  const send = (fps: string[]) =>
    groups.upsert({ tenant: 't', now: clock.now(), groups: [{ target, alerts: fps.map((f) => alert(f)) }] });
  /** Runs `ms` of time in 1 s scheduler ticks, re-sending `fps()` every minute. */
  const run = async (ms: number, fps: () => string[]) => {
    for (const end = clock.now() + ms; clock.now() < end;) {
      if ((clock.now() - T0) % MIN === 0) await send(fps());
      clock.advance(1000);
      for (;;) {
        const r = await runner.tick();
        flushes += r.claimed;
        if (r.claimed === 0) break;
      }
    }
  };
  return { clock, sent, run, flushes: () => flushes };
}

describe('parked firing halves (flush cost proportional to change)', () => {
  it('two hours of re-sends of an unchanged group: the notifications of Alertmanager, a flush per endsAt wake', async () => {
    const h = herald();
    await h.run(120 * MIN, () => ['a', 'b']);
    // As before parking (and Alertmanager, whose check is strict: repeat when the last notification is
    // more than repeat_interval old at a group_interval tick): first after group_wait, one repeat.
    expect(h.sent.map((s) => [(s.at - T0) / 1000, s.n.reason])).toEqual([
      [30, 'first notification'],
      [3930, 'repeat interval elapsed'],
    ]);
    // Prometheus' endsAt is 4 min ahead: the first endsAt is always before the next 5 min tick, so the
    // half flushes every group_interval as before (24 in 2 h). Parking pays when group_interval is
    // shorter than the endsAt horizon (next test; the bench's 5 s against resolve_timeout's 5 min).
    expect(h.flushes()).toBe(24);
  });

  it('endsAt an hour ahead (e.g. a forwarding Alertmanager, resolve_timeout 1h): a flush per repeat, not per tick', async () => {
    const h = herald(60 * MIN);
    await h.run(120 * MIN, () => ['a']);
    expect(h.sent.map((s) => [(s.at - T0) / 1000, s.n.reason])).toEqual([
      [30, 'first notification'],
      [3930, 'repeat interval elapsed'],
    ]);
    expect(h.flushes()).toBeLessThanOrEqual(4);
  });

  it('an alert joining a parked group is notified at the tick Alertmanager would use', async () => {
    const h = herald();
    await h.run(20 * MIN, () => ['a']);
    await h.run(20 * MIN, () => ['a', 'b']); // b joins at T0 + 20 min: the tick at T0 + 30 s + 20 min
    expect(h.sent.map((s) => [(s.at - T0) / 1000, s.n.reason])).toEqual([
      [30, 'first notification'],
      [1230, 'new alerts added'],
    ]);
  });
});
