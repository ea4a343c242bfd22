// What a receiver sees when part of a group resolves (issue 12 item 5), on a running Herald: the node is
// configured like the Alertmanager 0.25 of test/fixtures/alertmanager-resolution.json (same route tree,
// receivers `on` / `off` / `trunc` with send_resolved and max_alerts, timers 1 s), every recorded
// sequence is posted step by step to /api/v2/alerts, and the webhook notifications after each step must be
// Alertmanager's (status, alerts with their statuses, labels, annotations, endsAt zero or not, group key,
// common labels, truncatedAlerts, count) — plus Herald's notification_reason. Covers ingest, the Lua
// stores, the scheduler, both halves' flushes, BullMQ delivery, the notification log and the cleanup.
import { fingerprint, groupId, type GroupStore } from '@herald/domain';
import { GROUP_STORE } from '../../apps/server/src/store/group-store.module';
import {
  expectedNotifications,
  firingAfterSteps,
  fixture,
  MODES,
  REASONS,
  runId,
  stepBody,
  stripPayload,
  type Run,
} from '../fixtures/alertmanager-resolution';
import { post, startNode, startNodeWithRedis, type TestNode } from '../harness/app';
import { HttpSink } from '../harness/http-sink';
import { sleep, waitUntil } from '../harness/wait';

/** Two group_intervals and a scheduler tick: nothing more may arrive for a step after that. */
const QUIET_MS = 2 * 1000 + 300;

/** The recording's route and receivers (JSON is YAML), each webhook to `${sink}/${mode}`. */
const config = (sinkUrl: string): string =>
  [
    `route: ${JSON.stringify(fixture.route)}`,
    'receivers:',
    ...Object.entries(MODES).map(
      ([mode, m]) =>
        `  - ${JSON.stringify({ name: mode, webhook_configs: [{ url: `${sinkUrl}/${mode}`, ...m }] })}`,
    ),
  ].join('\n') + '\n';

type Payload = Parameters<typeof stripPayload>[0] & { notification_reason: string };

/** The notifications of one run's group, in arrival order. */
const received = (sink: HttpSink, run: Run): Payload[] =>
  sink.accepted
    .filter((r) => r.path === `/${run.mode}` && (r.json as Payload).groupKey === run.groupKey)
    .map((r) => r.json as Payload);

/**
 * Plays one run: per step, post it; wait for the notifications Alertmanager sent for it, and for the
 * resolved alerts to be gone from the stored group (the recovery half flushed, delivered and cleaned
 * up, also when it sent nothing); then two quiet group_intervals. Returns what arrived per step.
 */
async function play(node: TestNode, sink: HttpSink, run: Run): Promise<Payload[][]> {
  const store = node.app.get<GroupStore>(GROUP_STORE, { strict: false });
  const gid = groupId(run.groupKey);
  const want = expectedNotifications(run);
  const startsAt = new Map<string, number>();
  const out: Payload[][] = [];
  for (const [i, step] of run.steps.entries()) {
    const before = received(sink, run).length;
    const res = await post(`${node.url}/api/v2/alerts`, stepBody(run, step, Date.now(), startsAt));
    expect(res.status).toBe(200);
    const what = `${runId(run)} step ${i}`;
    await sink.waitFor(() => received(sink, run).length >= before + want[i].length, 15_000, what);
    const gone = new Set(
      ((step as { resolve?: string[] }).resolve ?? []).map((x) =>
        fingerprint({ ...run.labels, instance: x }),
      ),
    );
    if (gone.size) {
      await waitUntil(
        async () => {
          const g = await store.getGroup(node.config.herald.defaultTenant, gid);
          return !g || ![...g.firing, ...g.recovery].some((a) => gone.has(a.fingerprint));
        },
        { timeoutMs: 15_000, what: `${what}: resolved alerts cleaned up` },
      );
    }
    await sleep(QUIET_MS); // time under test: nothing more for this step
    out.push(received(sink, run).slice(before));
  }
  return out;
}

async function scenario(node: TestNode, sink: HttpSink): Promise<void> {
  // Every run at once, as recorded: groups are independent.
  const runs = fixture.sequences;
  const got = await Promise.all(runs.map((run) => play(node, sink, run)));
  runs.forEach((run, r) => {
    const steps = got[r];
    expect({ run: runId(run), steps: steps.map((s) => s.map(stripPayload)) }).toEqual({
      run: runId(run),
      steps: expectedNotifications(run),
    });
    expect({ run: runId(run), reasons: steps.map((s) => s.map((p) => p.notification_reason)) }).toEqual({
      run: runId(run),
      reasons: REASONS[runId(run)],
    });
    const firing = firingAfterSteps(run);
    steps.forEach((s, i) => s.forEach((p) => expect(p.status).toBe(firing[i] ? 'firing' : 'resolved')));
  });
}

describe('partial resolution: what a receiver sees, against Alertmanager 0.25 (fixture)', () => {
  let sink: HttpSink;
  beforeEach(async () => {
    sink = await HttpSink.start();
  });
  afterEach(() => sink.stop());

  it('Redis mode (BullMQ delivery)', async () => {
    const env = await startNodeWithRedis(config(sink.url));
    try {
      await scenario(env.node, sink);
    } finally {
      await env.close();
    }
  }, 90_000);

  it('memory mode (no Redis)', async () => {
    const node = await startNode(config(sink.url));
    try {
      await scenario(node, sink);
    } finally {
      await node.close();
    }
  }, 90_000);
});
