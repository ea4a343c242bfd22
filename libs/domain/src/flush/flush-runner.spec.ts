import type { Alert } from '../alert';
import { FakeClock } from '../clock';
import type { GroupTarget } from '../group.store';
import { MemoryFlushStore } from '../memory-flush.store';
import { MemoryGroupStore } from '../memory-group.store';
import { FlushRunner, type FlushRunnerOptions, type RunnerReceiver } from './flush-runner';
import { NflogRecorder } from './nflog-recorder';
import type { GroupLock, Notifier, OutgoingNotification } from './notification';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const target: GroupTarget = {
  groupId: '00000000000000a1',
  groupKey: '{}:{alertname="A"}',
  receiver: 'hook',
  routeId: '{}',
  groupLabels: { alertname: 'A' },
  groupWait: 30_000,
  groupInterval: 300_000,
  repeatInterval: 3_600_000,
};
const alert = (fp: string, endsAt: number, updatedAt = T0): Alert => ({
  fingerprint: fp,
  labels: { alertname: 'A', i: fp },
  annotations: {},
  startsAt: T0,
  endsAt,
  updatedAt,
  timeout: false,
  generatorURL: '',
});

/** A runner on memory stores and a fake clock; `notifier`, `opts` and `lock` override the defaults. */
function setup(
  notifier?: Notifier,
  opts: Partial<FlushRunnerOptions> = {},
  receiver: Partial<RunnerReceiver> = {},
  lock: GroupLock = { withLock: (_t, _g, fn) => fn(undefined).then(() => true) },
) {
  const clock = new FakeClock(T0);
  const groups = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 10, retention: 86_400_000 });
  const flush = new MemoryFlushStore({ clock, dueBuckets: 4 });
  const sent: OutgoingNotification[] = [];
  const cleanups: unknown[] = [];
  const removeAlerts = groups.removeAlerts.bind(groups);
  groups.removeAlerts = (t, g, cleanup, now) => {
    cleanups.push([t, g, cleanup]);
    return removeAlerts(t, g, cleanup, now);
  };
  const recorder = new NflogRecorder(flush, groups, clock);
  const runner = new FlushRunner(
    {
      groups,
      flush,
      notifier: notifier ?? {
        enqueue: (n) => Promise.resolve(void sent.push(n)).then(() => 'queued' as const),
      },
      lock,
      clock,
      recorder,
    },
    {
      nodeId: 'n1',
      externalURL: 'http://herald',
      leaseMs: 30_000,
      claimLimit: 100,
      concurrency: 4,
      receivers: new Map([['hook', { name: 'hook', sendResolved: true, deliverable: true, ...receiver }]]),
      ...opts,
    },
  );
  return { clock, groups, flush, sent, cleanups, runner, recorder };
}

/** One firing alert in the group, flushed once at T0 (its notification enqueued, not yet delivered). */
async function flushedOnce<S extends ReturnType<typeof setup>>(s: S): Promise<S> {
  await s.groups.upsert({
    tenant: 't',
    now: T0,
    groups: [{ target, alerts: [alert('01', T0 + 7_200_000)] }],
  });
  await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
  await s.runner.tick();
  return s;
}

/** Alert 01 resolves at `at` (Prometheus sends endsAt = now); its group's recovery half is due then. */
async function resolve01(s: Pick<ReturnType<typeof setup>, 'groups' | 'flush'>, at: number): Promise<void> {
  await s.groups.upsert({ tenant: 't', now: at, groups: [{ target, alerts: [alert('01', at, at)] }] });
  await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'recovery', dueAt: at });
}

describe('FlushRunner (memory stores, fake clock)', () => {
  it('notifies once after group_wait, logs on delivery, and reports the resolution', async () => {
    const { clock, groups, flush, sent, cleanups, runner, recorder } = setup();
    await groups.upsert({
      tenant: 't',
      now: T0,
      groups: [{ target, alerts: [alert('01', T0 + 3_600_000)] }],
    });
    await flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 + 30_000 });

    expect((await runner.tick()).claimed).toBe(0);
    clock.set(T0 + 30_000);
    expect(await runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ state: 'firing', seq: 1, reason: 'first notification' });
    expect(sent[0].payload).toMatchObject({ status: 'firing', groupKey: target.groupKey, version: '4' });
    await recorder.delivered(sent[0]);

    clock.set(T0 + 330_000); // group_interval later: nothing new
    expect(await runner.tick()).toMatchObject({ claimed: 1, notified: 0, skipped: 1 });

    // The alert resolves; the recovery half is due with the next tick.
    clock.set(T0 + 400_000);
    await resolve01({ groups, flush }, T0 + 400_000);
    await runner.tick();
    const resolved = sent.find((n) => n.state === 'recovery');
    expect(resolved).toMatchObject({ reason: 'all alerts resolved', seq: 1 });
    expect(resolved!.payload.status).toBe('resolved');
    await recorder.delivered(resolved!);
    expect(cleanups).toEqual([['t', target.groupId, { remove: ['01'], deleteGroup: true }]]);
  });

  it('a resolution is not lost while the firing notification is still in flight (slow receiver)', async () => {
    const s = await flushedOnce(setup()); // 01 notified as firing, the job still retrying
    expect(s.sent).toHaveLength(1);
    s.clock.set(T0 + 60_000);
    await resolve01(s, T0 + 60_000);
    await s.runner.tick();
    // The log does not know 01 yet: nothing to report, but 01 is kept for when it does.
    expect(s.sent).toHaveLength(1);
    expect(s.cleanups).toEqual([['t', target.groupId, { remove: [], deleteGroup: false }]]);
    expect((await s.groups.getGroup('t', target.groupId))!.recovery.map((a) => a.fingerprint)).toEqual([
      '01',
    ]);

    await s.recorder.delivered(s.sent[0]); // the receiver finally took "01 firing"
    s.clock.set(T0 + 60_000 + target.groupInterval);
    await s.runner.tick();
    const resolved = s.sent.find((n) => n.state === 'recovery');
    expect(resolved).toMatchObject({ reason: 'all alerts resolved' });
    expect(resolved!.payload.status).toBe('resolved');
  });

  it('an entry claimed by one runner is not flushed by another', async () => {
    const a = setup();
    await a.groups.upsert({
      tenant: 't',
      now: T0,
      groups: [{ target, alerts: [alert('01', T0 + 3_600_000)] }],
    });
    await a.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
    const [r1, r2] = await Promise.all([a.runner.tick(), a.runner.tick()]);
    expect(r1.claimed + r2.claimed).toBe(1);
    expect(a.sent).toHaveLength(1);
  });
});

describe('FlushRunner: a given-up notification never blocks its group (issue 10 #1)', () => {
  /** A notifier that behaves like the delivery queue's job ids: one job per (half, seq). */
  function withJobs() {
    const jobs = new Map<string, 'queued' | 'dead'>();
    const sent: OutgoingNotification[] = [];
    const s = setup({
      enqueue: (n) => {
        const id = `${n.state}-${n.seq}`;
        const j = jobs.get(id);
        if (j) return Promise.resolve(j === 'dead' ? ('dead' as const) : ('pending' as const));
        jobs.set(id, 'queued');
        sent.push(n);
        return Promise.resolve('queued' as const);
      },
    });
    const kill = (n: OutgoingNotification) => jobs.set(`${n.state}-${n.seq}`, 'dead');
    return { ...s, sent, kill };
  }

  const firstFlushed = () => flushedOnce(withJobs());

  it('a dead-lettered firing notification is sent again under a new sequence at the next group_interval', async () => {
    const { clock, groups, sent, runner, recorder, kill } = await firstFlushed();
    expect(sent.map((n) => n.seq)).toEqual([1]);
    // The receiver is down longer than the retry budget: the job becomes a dead letter.
    kill(sent[0]);
    clock.set(T0 + 40_000);
    await recorder.failed(sent[0]);
    // A new alert joins meanwhile; the next flush (group_interval after the first) notifies again.
    await groups.upsert({
      tenant: 't',
      now: T0 + 60_000,
      groups: [{ target, alerts: [alert('02', T0 + 7_200_000, T0 + 60_000)] }],
    });
    clock.set(T0 + 300_000);
    expect(await runner.tick()).toMatchObject({ notified: 1 });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ seq: 2, reason: 'first notification' });
    expect(sent[1].idempotencyKey).not.toBe(sent[0].idempotencyKey);
    expect(sent[1].payload.alerts.map((a) => a.labels.i).sort()).toEqual(['01', '02']);
    await recorder.delivered(sent[1]);
    clock.set(T0 + 600_000);
    expect(await runner.tick()).toMatchObject({ notified: 0 }); // delivered: back to normal dedup
  });

  it('a flush that finds its job dead (the dead-letter listener never ran) notifies at the next tick under a new sequence', async () => {
    const { clock, sent, runner, kill } = await firstFlushed();
    kill(sent[0]); // no runner.failed: the node that gave up crashed before recording it
    clock.set(T0 + 300_000);
    await runner.tick(); // finds job firing-1 dead: marks it, reschedules at once
    expect(sent).toHaveLength(1);
    clock.set(T0 + 300_250);
    expect(await runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
    expect(sent.map((n) => n.seq)).toEqual([1, 2]);
  });

  it('a dead-lettered resolution is tried again group_interval later', async () => {
    const { clock, groups, flush, sent, runner, recorder, kill } = await firstFlushed();
    await recorder.delivered(sent[0]);
    clock.set(T0 + 100_000);
    await resolve01({ groups, flush }, T0 + 100_000);
    await runner.tick();
    const first = sent.find((n) => n.state === 'recovery')!;
    expect(first).toMatchObject({ seq: 1, reason: 'all alerts resolved' });
    kill(first);
    clock.set(T0 + 140_000);
    await recorder.failed(first);
    clock.set(T0 + 140_000 + 299_000);
    await runner.tick();
    expect(sent.filter((n) => n.state === 'recovery')).toHaveLength(1);
    clock.set(T0 + 140_000 + 300_000);
    await runner.tick();
    const again = sent.filter((n) => n.state === 'recovery');
    expect(again.map((n) => n.seq)).toEqual([1, 2]);
    expect(again[1]).toMatchObject({ reason: 'all alerts resolved' });
  });
});

describe('FlushRunner: unsupported integrations (issue 10 #9)', () => {
  it('reports every notification an unsupported integration would have sent, and still delivers the rest', async () => {
    const reported: [string, readonly string[]][] = [];
    const { sent } = await flushedOnce(
      setup(
        undefined,
        { onUnsupported: (n, kinds) => reported.push([n.groupKey, kinds]) },
        { unsupported: ['pagerduty_configs'] },
      ),
    );
    expect(reported).toEqual([[target.groupKey, ['pagerduty_configs']]]);
    expect(sent).toHaveLength(1); // the receiver's webhook still gets it
  });
});

describe('NflogRecorder.superseded: dedup right before the send (chaos e2e: two notifications queued across a Redis outage)', () => {
  it('a queued notification is not superseded while nothing was delivered', async () => {
    const { sent, recorder } = await flushedOnce(setup());
    expect(await recorder.superseded(sent[0])).toBe(false);
  });

  it('the same or a newer sequence delivered supersedes it', async () => {
    const { sent, recorder } = await flushedOnce(setup());
    await recorder.delivered(sent[0]);
    expect(await recorder.superseded(sent[0])).toBe(true); // a re-run after the ack was lost
  });

  it('another notification that told the receiver the same alerts supersedes it, whatever its sequence', async () => {
    const { sent, recorder, clock } = await flushedOnce(setup());
    // Another node, during a Redis outage, queued the same content under an outage sequence; it went first.
    const other = {
      ...sent[0],
      seq: 1_796_000_000_123,
      log: { ...sent[0].log, record: { ...sent[0].log.record, seq: 1_796_000_000_123 } },
    };
    await recorder.delivered(other);
    clock.advance(60_000);
    expect(await recorder.superseded(sent[0])).toBe(true);
    // A newer one with an alert the receiver has not heard of goes out.
    const seq = other.seq + 1;
    const more = {
      ...sent[0],
      seq,
      log: { ...sent[0].log, record: { ...sent[0].log.record, seq, firing: ['01', '02'] } },
    };
    expect(await recorder.superseded(more)).toBe(false);
    // An older one is stale whatever it holds: a later flush notifies what still fires.
    expect(
      await recorder.superseded({
        ...more,
        seq: 5,
        log: { ...more.log, record: { ...more.log.record, seq: 5 } },
      }),
    ).toBe(true);
  });

  it('reads only the halves the answer needs: its own, and the recovery half for a firing one with an older log', async () => {
    const s = setup();
    const { sent, recorder, clock } = await flushedOnce(s);
    const reads: string[] = [];
    const readLog = s.flush.readLog.bind(s.flush);
    s.flush.readLog = (key) => {
      reads.push(key.state);
      return readLog(key);
    };
    expect(await recorder.superseded(sent[0])).toBe(false); // nothing logged yet: one read
    expect(reads).toEqual(['firing']);
    await recorder.delivered(sent[0]);
    reads.length = 0;
    expect(await recorder.superseded(sent[0])).toBe(true); // its own sequence logged: one read
    expect(reads).toEqual(['firing']);
    reads.length = 0;
    clock.advance(target.repeatInterval + 1);
    const repeat = { ...sent[0], seq: 2, log: { ...sent[0].log, record: { ...sent[0].log.record, seq: 2 } } };
    expect(await recorder.superseded(repeat)).toBe(false); // an older log: the other half too
    expect(reads).toEqual(['firing', 'recovery']);
    reads.length = 0;
    const recovery = { ...sent[0], state: 'recovery' as const };
    expect(await recorder.superseded(recovery)).toBe(false);
    expect(reads).toEqual(['recovery']);
  });

  it('a repeat notification goes out unless another delivery came within repeat_interval', async () => {
    const { sent, recorder, clock } = await flushedOnce(setup());
    await recorder.delivered(sent[0]);
    clock.advance(target.repeatInterval + 1);
    const repeat = {
      ...sent[0],
      seq: 2,
      reason: 'repeat interval elapsed' as const,
      log: { ...sent[0].log, record: { ...sent[0].log.record, seq: 2 } },
    };
    expect(await recorder.superseded(repeat)).toBe(false);
  });
});

describe('FlushRunner: the group lock fences the notification log (issue 11 #2)', () => {
  const fenced = (fence: number): GroupLock => ({ withLock: (_t, _g, fn) => fn(fence).then(() => true) });

  it("the lock's fencing token travels with the notification to the log write", async () => {
    const { sent, recorder, flush } = await flushedOnce(setup(undefined, {}, {}, fenced(7)));
    expect(sent[0].log.fence).toBe(7);
    expect(await recorder.delivered(sent[0])).toEqual({ written: true });
    expect(
      await flush.readLog({ tenant: 't', groupId: target.groupId, receiver: 'hook', state: 'firing' }),
    ).toMatchObject({ seq: 1 });
  });

  it('a holder whose lock expired cannot write over a newer holder: its late log write is refused', async () => {
    const { sent, recorder, flush } = await flushedOnce(setup(undefined, {}, {}, fenced(7)));
    const newer = {
      ...sent[0],
      seq: 2,
      log: { ...sent[0].log, fence: 8, record: { ...sent[0].log.record, seq: 2 } },
    };
    expect(await recorder.delivered(newer)).toEqual({ written: true });
    const late = { ...sent[0], seq: 3, log: { ...sent[0].log, record: { ...sent[0].log.record, seq: 3 } } };
    expect(await recorder.delivered(late)).toEqual({ written: false, refused: 'stale-fence' });
    expect(
      await flush.readLog({ tenant: 't', groupId: target.groupId, receiver: 'hook', state: 'firing' }),
    ).toMatchObject({ seq: 2 });
  });

  it('a busy group lock hands the entry back to the due index for the next tick', async () => {
    const busy: GroupLock = { withLock: () => Promise.resolve(false) };
    const s = setup(undefined, {}, {}, busy);
    await flushedOnce(s);
    expect(s.sent).toHaveLength(0);
    expect(await s.runner.tick()).toMatchObject({ claimed: 1, skipped: 1 });
  });
});

describe('FlushRunner: claims only buckets with something due, and says when the next tick has work', () => {
  /** The setup's flush store with its claims counted per bucket. */
  function counted(s: ReturnType<typeof setup>) {
    const claims: number[] = [];
    const claimDue = s.flush.claimDue.bind(s.flush);
    s.flush.claimDue = (b, now, c) => {
      claims.push(b);
      return claimDue(b, now, c);
    };
    return claims;
  }
  const upsert = (s: ReturnType<typeof setup>) =>
    s.groups.upsert({ tenant: 't', now: T0, groups: [{ target, alerts: [alert('01', T0 + 7_200_000)] }] });

  it('an idle tick claims no bucket and knows nothing due', async () => {
    const s = setup();
    const claims = counted(s);
    const res = await s.runner.tick();
    expect(res).toMatchObject({ claimed: 0 });
    expect(res.nextDueAt).toBeUndefined();
    expect(claims).toEqual([]);
  });

  it('a future due time is not claimed but reported; at that time only its bucket is claimed', async () => {
    const s = setup();
    const claims = counted(s);
    await upsert(s);
    await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 + 30_000 });
    expect(await s.runner.tick()).toMatchObject({ claimed: 0, nextDueAt: T0 + 30_000 });
    expect(claims).toEqual([]);
    s.clock.set(T0 + 30_000);
    const res = await s.runner.tick();
    expect(res).toMatchObject({ claimed: 1, notified: 1 });
    expect(claims).toEqual([s.flush.dueBucketOf(target.groupId)]);
    // It flushed: the next tick reads the heads again at once (its claim moved them).
    expect(res.nextDueAt).toBe(T0 + 30_000);
    const after = await s.runner.tick();
    expect(after).toMatchObject({ claimed: 0, nextDueAt: T0 + 30_000 + 300_000 }); // group_interval
  });

  it('a crashed claimer’s lease is due when it lapses and is taken over then', async () => {
    const s = setup(undefined, { leaseMs: 30_000 });
    await upsert(s);
    await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
    const b = s.flush.dueBucketOf(target.groupId);
    await s.flush.claimDue(b, T0, { leaseMs: 30_000, owner: 'crashed', limit: 10 });
    expect(await s.runner.tick()).toMatchObject({ claimed: 0, nextDueAt: T0 + 30_000 });
    s.clock.set(T0 + 30_000);
    expect(await s.runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
  });

  it('a due head that yields no claim, or only busy group locks, is looked at again after retryMs', async () => {
    const busy: GroupLock = { withLock: () => Promise.resolve(false) };
    const s = setup(undefined, { retryMs: 250 }, {}, busy);
    await upsert(s);
    await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
    // Lock busy: handed back due now, retried after retryMs rather than at once (no spin).
    expect(await s.runner.tick()).toMatchObject({ claimed: 1, notified: 0, nextDueAt: T0 + 250 });
    // Still leased elsewhere while the due index has it again (ingest re-added it): nothing claimed.
    const b = s.flush.dueBucketOf(target.groupId);
    await s.flush.claimDue(b, T0, { leaseMs: 30_000, owner: 'other', limit: 10 });
    await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
    expect(await s.runner.tick()).toMatchObject({ claimed: 0, nextDueAt: T0 + 250 });
  });
});

/** What each `peekDue` of `flush` read: 'due', 'leases' or 'both'. */
function recordPeeks(flush: MemoryFlushStore): string[] {
  const reads: string[] = [];
  const peek = flush.peekDue.bind(flush);
  flush.peekDue = (o) => {
    reads.push(o?.leases === false ? 'due' : o?.due === false ? 'leases' : 'both');
    return peek(o);
  };
  return reads;
}

/**
 * A group stored and a first tick run (it flushes the group), then the group's firing half due again
 * and claimed by another node that crashes (its lease runs for 30 s from T0).
 */
async function crashedClaimAfterFirstTick(s: ReturnType<typeof setup>): Promise<void> {
  await s.groups.upsert({
    tenant: 't',
    now: T0,
    groups: [{ target, alerts: [alert('01', T0 + 7_200_000)] }],
  });
  await s.runner.tick();
  await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
  const b = s.flush.dueBucketOf(target.groupId);
  await s.flush.claimDue(b, T0, { leaseMs: 30_000, owner: 'crashed', limit: 10 });
}

describe('FlushRunner: lease expiries are read less often than the due index', () => {
  it('reads leases every leaseCheckMs (a crashed claimer is found then), the due index every tick', async () => {
    const s = setup(undefined, { leaseMs: 30_000, leaseCheckMs: 10_000 });
    const reads = recordPeeks(s.flush);
    await crashedClaimAfterFirstTick(s);
    expect(reads).toEqual(['due', 'leases']);
    // Another node claimed and crashed: its lease is not seen before the next lease read...
    s.clock.set(T0 + 5_000);
    expect(await s.runner.tick()).toMatchObject({ claimed: 0 });
    expect(reads.slice(2)).toEqual(['due']);
    s.clock.set(T0 + 10_000);
    expect(await s.runner.tick()).toMatchObject({ claimed: 0, nextDueAt: T0 + 30_000 });
    expect(reads.slice(3)).toEqual(['due', 'leases']);
    // ...and is taken over when it lapses.
    s.clock.set(T0 + 30_000);
    expect(await s.runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
  });

  it('reads leases every ten leases by default when the due heads carry them (Redis: the lease marker)', async () => {
    const s = setup(undefined, { leaseMs: 30_000 });
    const reads = recordPeeks(s.flush);
    Object.defineProperty(s.flush, 'dueHeadsIncludeLeases', { value: true });
    await s.runner.tick();
    expect(reads).toEqual(['due', 'leases']);
    for (const at of [T0 + 10_000, T0 + 100_000, T0 + 299_999]) {
      s.clock.set(at);
      await s.runner.tick();
    }
    expect(reads.slice(2)).toEqual(['due', 'due', 'due']);
    s.clock.set(T0 + 300_000);
    await s.runner.tick();
    expect(reads.slice(5)).toEqual(['due', 'leases']);
  });

  it('with due heads that carry the leases, a crashed claimer is taken over when its lease lapses, no lease read', async () => {
    const s = setup(undefined, { leaseMs: 30_000 });
    // A store whose due heads include the earliest lease (as Redis' lease marker makes them).
    const both = s.flush.peekDue.bind(s.flush);
    s.flush.peekDue = (o) => both(o?.leases === false ? {} : o);
    const reads = recordPeeks(s.flush);
    Object.defineProperty(s.flush, 'dueHeadsIncludeLeases', { value: true });
    await crashedClaimAfterFirstTick(s);
    expect(reads).toEqual(['due', 'leases']);
    s.clock.set(T0 + 5_000);
    // The first read of the heads after the claim already tells when the lease lapses.
    expect(await s.runner.tick()).toMatchObject({ claimed: 0, nextDueAt: T0 + 30_000 });
    s.clock.set(T0 + 30_000);
    expect(await s.runner.tick()).toMatchObject({ claimed: 1, notified: 1 });
    expect(reads.slice(2)).toEqual(['due', 'due']);
  });

  it('reads leases every third of a lease by default when the due heads do not carry them', async () => {
    const s = setup(undefined, { leaseMs: 30_000 });
    const reads = recordPeeks(s.flush);
    await s.runner.tick();
    s.clock.set(T0 + 9_999);
    await s.runner.tick();
    s.clock.set(T0 + 10_000);
    await s.runner.tick();
    expect(reads).toEqual(['due', 'leases', 'due', 'due', 'leases']);
  });
});

describe('FlushRunner: a notified flush marks the job pending and completes its claim in one round trip', () => {
  it('asks for both before either answers, and releases the group lock only after both', async () => {
    const events: string[] = [];
    const lock: GroupLock = {
      withLock: async (_t, _g, fn) => {
        await fn(undefined);
        events.push('unlock');
        return true;
      },
    };
    const s = setup(undefined, {}, {}, lock);
    const gate = (name: 'markPending' | 'complete') => {
      const orig = s.flush[name].bind(s.flush) as (...a: unknown[]) => Promise<unknown>;
      (s.flush as unknown as Record<string, unknown>)[name] = async (...a: unknown[]) => {
        events.push(`${name} asked`);
        await new Promise((r) => setImmediate(r)); // a round trip
        const v = await orig(...a);
        events.push(`${name} done`);
        return v;
      };
    };
    gate('markPending');
    gate('complete');
    await flushedOnce(s);
    expect(s.sent).toHaveLength(1);
    expect(events.slice(0, 2).sort()).toEqual(['complete asked', 'markPending asked']);
    expect(events.slice(2, 4).sort()).toEqual(['complete done', 'markPending done']);
    expect(events[4]).toBe('unlock');
    // The pending mark landed: the next flush knows the notification is in flight.
    const log = await s.flush.readLogState({
      tenant: 't',
      groupId: target.groupId,
      receiver: 'hook',
      state: 'firing',
    });
    expect(log.pendingSeq).toBe(1);
  });
});

describe('FlushRunner: a failed pending mark still waits for the completion before the lock is released', () => {
  it('reports the failure after both answered', async () => {
    const events: string[] = [];
    const lock: GroupLock = {
      withLock: async (_t, _g, fn) => {
        try {
          await fn(undefined);
        } finally {
          events.push('unlock');
        }
        return true;
      },
    };
    const errors: unknown[] = [];
    const s = setup(undefined, { onError: (_e, err) => errors.push(err) }, {}, lock);
    s.flush.markPending = () => Promise.reject(new Error('mark failed'));
    const complete = s.flush.complete.bind(s.flush);
    s.flush.complete = async (...a) => {
      await new Promise((r) => setImmediate(r));
      const v = await complete(...a);
      events.push('complete done');
      return v;
    };
    const res = await flushedOnce(s);
    expect(res.sent).toHaveLength(1);
    expect(events).toEqual(['complete done', 'unlock']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['mark failed']);
  });
});

describe('FlushRunner: the notification log is read beside the group when the store knows its receiver', () => {
  /** `setup` whose group store hints `hint` and records when the group and each log read are asked and answered. */
  function hinted(hint: string | undefined) {
    const s = setup();
    const events: string[] = [];
    (s.groups as unknown as { receiverHint: () => string | undefined }).receiverHint = () => hint;
    const getGroup = s.groups.getGroup.bind(s.groups);
    s.groups.getGroup = async (...a) => {
      events.push('group asked');
      await new Promise((r) => setImmediate(r)); // a round trip
      const g = await getGroup(...a);
      events.push('group read');
      return g;
    };
    const readLogState = s.flush.readLogState.bind(s.flush);
    s.flush.readLogState = async (key) => {
      events.push(`log ${key.receiver} ${key.state} asked`);
      await new Promise((r) => setImmediate(r));
      return readLogState(key);
    };
    return { ...s, events };
  }

  it('a right hint: both halves of the log asked with the group, before it answers, and read once', async () => {
    const s = await flushedOnce(hinted('hook'));
    expect(s.sent).toHaveLength(1);
    expect(s.events.slice(0, 4)).toEqual([
      'group asked',
      'log hook firing asked',
      'log hook recovery asked',
      'group read',
    ]);
    expect(s.events.filter((e) => e.startsWith('log'))).toHaveLength(2);
  });

  it('a wrong hint (a group created for another receiver): the log is read again for the stored receiver and the dedup holds', async () => {
    const s = await flushedOnce(hinted('other'));
    expect(s.sent).toHaveLength(1);
    expect(s.events.slice(0, 6)).toEqual([
      'group asked',
      'log other firing asked',
      'log other recovery asked',
      'group read',
      'log hook firing asked',
      'log hook recovery asked',
    ]);
    // Delivered, then flushed again at group_interval with nothing new: 'hook's log is what was read.
    await s.recorder.delivered(s.sent[0]);
    await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
    await s.runner.tick();
    expect(s.sent).toHaveLength(1);
  });

  it('no hint: the log is read after the group, as before', async () => {
    const s = await flushedOnce(hinted(undefined));
    expect(s.sent).toHaveLength(1);
    expect(s.events.slice(0, 3)).toEqual(['group asked', 'group read', 'log hook firing asked']);
  });

  it('a hinted read that fails while the group is gone is not an unhandled rejection', async () => {
    const s = hinted('hook');
    s.flush.readLogState = () => Promise.reject(new Error('log read failed'));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await s.flush.schedule({ tenant: 't', groupId: target.groupId, state: 'firing', dueAt: T0 });
      const res = await s.runner.tick(); // no group stored: skipped, its due entry dropped
      await new Promise((r) => setImmediate(r));
      expect(res).toMatchObject({ claimed: 1, skipped: 1, failed: 0 });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
