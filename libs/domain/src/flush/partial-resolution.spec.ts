// What a receiver sees when part of a group resolves (issue 12 item 5), against a real Alertmanager:
// plays every sequence of test/fixtures/alertmanager-resolution.json (recorded from Alertmanager 0.25 by
// test/compat/make-resolution-fixtures.js) through the real domain — the fixture's route tree, ingest's
// normalization, the memory stores and due index, the FlushRunner on a fake clock ticking every 250 ms,
// delivery that logs and cleans up at once, and each integration's send_resolved / max_alerts — and
// compares the notifications after each step with Alertmanager's. test/e2e/partial-resolution.e2e-spec.ts
// plays the same fixture against a running Herald.
import {
  expectedNotifications,
  firingAfterSteps,
  fixture,
  MODES,
  REASONS,
  runId,
  stepBody,
  stripPayload,
  type AmNotification,
  type Run,
} from '../../../../test/fixtures/alertmanager-resolution';
import { FakeClock } from '../clock';
import { groupAlerts } from '../grouping';
import { normalizePostableAlerts } from '../ingest';
import { MemoryFlushStore } from '../memory-flush.store';
import { MemoryGroupStore } from '../memory-group.store';
import type { NotificationReason } from '../nflog';
import { buildRouteTree, type RouteConfig } from '../route';
import { integrationPayload } from '../webhook-payload';
import { FlushRunner, NflogRecorder, PROCESS_LOCK } from './index';

const T0 = 1_800_000_000_000;
const TICK = 250;
/** Time after each step (Alertmanager's recording waited for 3 quiet seconds; timers are 1 s). */
const SETTLE = 3000;
const LIMITS = {
  maxLabelsPerAlert: 64,
  maxLabelNameLength: 256,
  maxLabelValueLength: 4096,
  maxAnnotationsPerAlert: 64,
  maxAnnotationValueLength: 16384,
};
interface Sent {
  reason: NotificationReason;
  body: AmNotification;
}

/** Herald on memory stores and a fake clock, configured like the Alertmanager of the recording. */
class Herald {
  readonly clock = new FakeClock(T0);
  readonly flush = new MemoryFlushStore({ clock: this.clock });
  readonly groups = new MemoryGroupStore({
    maxAlerts: 1000,
    maxGroups: 100,
    retention: 3600_000,
    due: this.flush,
  });
  readonly route = buildRouteTree(fixture.route as RouteConfig);
  readonly recorder = new NflogRecorder(this.flush, this.groups, this.clock);
  /** What each receiver (one webhook each, as in the recording) was sent. */
  readonly sent = new Map<string, Sent[]>();
  private readonly runner: FlushRunner;

  constructor() {
    this.runner = new FlushRunner(
      {
        groups: this.groups,
        flush: this.flush,
        notifier: {
          enqueue: async (n) => {
            const m = MODES[n.receiver];
            const body = integrationPayload(n.payload, {
              sendResolved: m.send_resolved,
              maxAlerts: m.max_alerts ?? 0,
            });
            if (body) this.sentTo(n.receiver).push({ reason: n.reason, body: stripPayload(body) });
            await this.recorder.delivered(n); // the receiver accepted: log and clean up
            return 'queued';
          },
        },
        lock: PROCESS_LOCK,
        clock: this.clock,
        recorder: this.recorder,
      },
      {
        nodeId: 'n',
        externalURL: '',
        leaseMs: 30_000,
        claimLimit: 100,
        concurrency: 1,
        receivers: new Map(
          Object.entries(MODES).map(([name, m]) => [
            name,
            { name, sendResolved: m.send_resolved, deliverable: true },
          ]),
        ),
      },
    );
  }

  sentTo(receiver: string): Sent[] {
    if (!this.sent.has(receiver)) this.sent.set(receiver, []);
    return this.sent.get(receiver)!;
  }

  /** `POST /api/v2/alerts` with what the recording posted for a step. */
  async post(body: unknown[]): Promise<void> {
    const now = this.clock.now();
    const r = normalizePostableAlerts(body, { now, resolveTimeout: 300_000, limits: LIMITS });
    expect(r.errors).toEqual([]);
    await this.groups.upsert(groupAlerts(this.route, 't', now, r.alerts));
  }

  async run(ms: number): Promise<void> {
    for (const end = this.clock.now() + ms; this.clock.now() < end;) {
      this.clock.advance(TICK);
      while ((await this.runner.tick()).claimed > 0);
    }
  }
}

/** Plays one recorded sequence, step by step, returning what the receiver got after each step. */
async function play(h: Herald, run: Run): Promise<Sent[][]> {
  const startsAt = new Map<string, number>();
  const out: Sent[][] = [];
  for (const step of run.steps) {
    const before = h.sentTo(run.mode).length;
    await h.post(stepBody(run, step, h.clock.now(), startsAt));
    await h.run(SETTLE);
    out.push(h.sentTo(run.mode).slice(before));
  }
  return out;
}

describe('partial resolution: Herald sends what Alertmanager 0.25 sent (fixture, fake clock)', () => {
  it('the fixture was recorded from a real Alertmanager and covers every sequence and mode', () => {
    expect(fixture.source).toMatch(/^alertmanager, version 0\.25\.\d/);
    expect(fixture.sequences.map((r) => `${r.name}/${r.mode}`).sort()).toEqual(Object.keys(REASONS).sort());
  });

  it.each(fixture.sequences.map((r) => [`${r.name} (${r.mode})`, r] as const))('%s', async (_name, run) => {
    const h = new Herald();
    const got = await play(h, run);
    expect(got.map((step) => step.map((s) => s.body))).toEqual(expectedNotifications(run));
    expect(got.map((step) => step.map((s) => s.reason))).toEqual(REASONS[runId(run)]);
    // A group key never gets `resolved` while an alert of its group fires (incident tools would close it).
    const firing = firingAfterSteps(run);
    got.forEach((step, i) =>
      step.forEach((s) => expect(s.body.status).toBe(firing[i] ? 'firing' : 'resolved')),
    );
    // Every sequence ends with the whole group resolved: the group is deleted.
    expect(await h.groups.getGroup('t', groupIdOf(h, run))).toBeNull();
  });
});

function groupIdOf(h: Herald, run: Run): string {
  const batch = groupAlerts(h.route, 't', 0, [
    {
      fingerprint: '0',
      labels: { ...run.labels, instance: 'x1' },
      annotations: {},
      startsAt: 0,
      endsAt: 0,
      updatedAt: 0,
      timeout: false,
      generatorURL: '',
    },
  ]);
  expect(batch.groups[0].target.groupKey).toBe(run.groupKey); // Alertmanager's group key
  return batch.groups[0].target.groupId;
}
