/**
 * Herald against the inhibition fixtures recorded from a real Alertmanager 0.25
 * (test/fixtures/alertmanager-inhibition.json, test/compat/make-inhibit-fixtures.js): for every recorded
 * alert set, the same config and alerts go through Herald's config loader, route tree, group store (with
 * its inhibition index), query-time status and flush runner; each alert's state and inhibitedBy, and the
 * set of groups notified with their firing alerts, must be Alertmanager's. Shared by the memory (unit)
 * and Redis (integration) runs, which differ only in the group store.
 */
import { loadConfig, type HeraldConfig } from '@herald/config';
import {
  defaultStages,
  FakeClock,
  fingerprint,
  FlushPipeline,
  FlushRunner,
  groupAlerts,
  Inhibitor,
  InhibitionRules,
  MemoryFlushStore,
  NflogRecorder,
  StatusView,
  type Alert,
  type Clock,
  type FlushStore,
  type GroupStore,
  type MemoryDueIndex,
  type OutgoingNotification,
} from '@herald/domain';
import {
  inhibitionConfigYaml,
  loadInhibitionFixture,
  type InhibitionFixtureSet,
} from '../fixtures/inhibition-fixtures';

const NOW = Date.parse('2026-06-01T12:00:00Z');

/**
 * Builds a fresh, empty group store for one set, and its flush store (default: `memoryFlush`, whose due
 * index a memory group store must write).
 */
export type StoreFactory = (
  rules: InhibitionRules,
  memoryFlush: MemoryFlushStore & MemoryDueIndex,
  clock: Clock,
) => Promise<{ store: GroupStore; flush?: FlushStore }>;

export function heraldConfigOfFixture(): HeraldConfig {
  return loadConfig({ fileText: inhibitionConfigYaml('http://127.0.0.1:1/hook'), env: {} });
}

export interface SetOutcome {
  /** Per listed alert (Alertmanager's listing: not resolved): state and the inhibiting source. */
  status: Map<string, { state: string; inhibitedBy: string[] }>;
  /** Group key → firing fingerprints (sorted) of the first flush's notifications. */
  notified: Map<string, string[]>;
}

/** Plays one recorded set through Herald: ingest at NOW, read the statuses, flush after group_wait. */
export async function playSet(
  cfg: HeraldConfig,
  rules: InhibitionRules,
  set: InhibitionFixtureSet,
  makeStore: StoreFactory,
): Promise<SetOutcome> {
  const clock = new FakeClock(NOW);
  const memoryFlush = new MemoryFlushStore({ clock, dueBuckets: 4 });
  const made = await makeStore(rules, memoryFlush, clock);
  const { store } = made;
  const flush = made.flush ?? memoryFlush;
  const alerts: Alert[] = set.alerts.map((a) => ({
    fingerprint: fingerprint(a.labels),
    labels: a.labels,
    annotations: {},
    startsAt: NOW + a.startsAtOffsetMs,
    endsAt: NOW + a.endsAtOffsetMs,
    updatedAt: NOW,
    timeout: false,
    generatorURL: '',
  }));
  await store.upsert(groupAlerts(cfg.routeTree, 't', NOW, alerts));

  const view = new StatusView(await store.listGroups('t'), NOW, { tenant: 't', rules });
  const status = new Map<string, { state: string; inhibitedBy: string[] }>();
  for (const a of alerts) if (a.endsAt > NOW) status.set(a.fingerprint, view.alert(a));

  const sent: OutgoingNotification[] = [];
  const runner = new FlushRunner(
    {
      groups: store,
      flush,
      notifier: { enqueue: (n) => Promise.resolve(void sent.push(n)).then(() => 'queued' as const) },
      lock: { withLock: (_t, _g, fn) => fn(undefined).then(() => true) },
      clock,
      recorder: new NflogRecorder(flush, store, clock),
      pipeline: new FlushPipeline(defaultStages({ inhibitor: new Inhibitor(rules, store) })),
    },
    {
      nodeId: 'n1',
      externalURL: 'http://herald',
      leaseMs: 30_000,
      claimLimit: 1000,
      concurrency: 4,
      receivers: new Map([['sink', { name: 'sink', sendResolved: true, deliverable: true }]]),
    },
  );
  clock.set(NOW + 1000); // group_wait
  await runner.tick();
  const notified = new Map<string, string[]>();
  for (const n of sent) {
    const firing = n.payload.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint);
    if (firing.length) notified.set(n.groupKey, firing.sort());
  }
  return { status, notified };
}

/** The Jest suite: one test per recorded set. */
export function inhibitionParitySuite(name: string, makeStore: StoreFactory): void {
  const fixture = loadInhibitionFixture();
  const cfg = heraldConfigOfFixture();
  const rules = new InhibitionRules(cfg.inhibitRules);

  describe(`inhibition parity with Alertmanager 0.25 (${name}, ${fixture.sets.length} recorded sets)`, () => {
    it('reads the recorded config (every rule, legacy forms folded)', () => {
      expect(rules.rules).toHaveLength(fixture.config.inhibit_rules.length);
    });

    it.each(fixture.sets.map((s, i) => [i, s] as const))('set %i', async (_i, set) => {
      const got = await playSet(cfg, rules, set, makeStore);
      for (const a of set.alerts) {
        expect(fingerprint(a.labels)).toBe(a.fingerprint); // the fixture's fingerprints are Herald's
        const s = got.status.get(a.fingerprint);
        if (!a.listed) {
          expect(s).toBeUndefined();
          continue;
        }
        const where = `alert ${JSON.stringify(a.labels)}`;
        expect([where, s?.state]).toEqual([where, a.state]);
        if (a.state === 'active') {
          expect([where, s?.inhibitedBy]).toEqual([where, []]);
        } else {
          // Alertmanager names any qualifying source of the first rule that has one (Go map order):
          // Herald's choice must be one Alertmanager was seen to make.
          expect(s?.inhibitedBy).toHaveLength(1);
          expect([where, a.inhibitedByObserved]).toEqual([where, expect.arrayContaining(s!.inhibitedBy)]);
        }
      }
      const want = new Map(set.notifications.map((n) => [n.groupKey, [...n.firing].sort()]));
      expect(Object.fromEntries(got.notified)).toEqual(Object.fromEntries(want));
    });
  });
}
