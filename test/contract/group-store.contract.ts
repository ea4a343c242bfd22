import {
  Inhibitor,
  InhibitionRules,
  parseMatchers,
  TenantLimitError,
  type Alert,
  type DueEntry,
  type GroupStore,
  type GroupTarget,
  type TenantIngestLimits,
} from '@herald/domain';
import { groupTarget } from '../harness/groups';

/**
 * The contract every GroupStore adapter passes (memory in unit tests, Redis in integration tests).
 * `make` returns a fresh, empty store (a new key prefix for Redis).
 */
/**
 * Due-index entries with `dueAt <= until`, oldest first: how the contract sees what a store scheduled
 * (each adapter reads its own index; the port has no such read, the flush store claims instead).
 */
export type DueReader = (until: number, limit: number) => Promise<DueEntry[]>;

/**
 * What a flush that found nothing to send does to a group (test/contract only): marks it flushed and
 * parks its firing half on the due index at `dueAt` (see parkedFlushAt in libs/domain/src/timers.ts).
 */
export type Parker = (tenant: string, groupId: string, dueAt: number) => Promise<void>;

export function groupStoreContract(
  name: string,
  make: (opts?: {
    inhibition?: InhibitionRules;
  }) => Promise<{ store: GroupStore; listDue: DueReader; park: Parker }>,
): void {
  const T0 = 1_800_000_000_000;
  const target = (gid: string, over: Partial<GroupTarget> = {}) =>
    groupTarget(gid, { receiver: 'team-x', ...over });
  const alert = (fp: string, over: Partial<Alert> = {}): Alert => ({
    fingerprint: fp,
    labels: { alertname: 'A', instance: fp },
    annotations: { summary: `s ${fp}` },
    startsAt: T0,
    endsAt: T0 + 300_000,
    updatedAt: T0,
    timeout: true,
    generatorURL: 'http://prom/graph',
    ...over,
  });
  /** `fp` resolved at `at`: an explicit endsAt, as Prometheus sends a resolution. */
  const resolvedAt = (fp: string, at: number) => alert(fp, { endsAt: at, updatedAt: at, timeout: false });
  const G1 = '00000000000000a1';
  const G2 = '00000000000000b2';

  describe(`GroupStore contract: ${name}`, () => {
    let store: GroupStore;
    let listDue: DueReader;
    let park: Parker;
    beforeEach(async () => {
      ({ store, listDue, park } = await make());
    });
    /** One batch of tenant t1 writing `alerts` to group `gid` (under `limits` when given). */
    const write = (gid: string, now: number, alerts: Alert[], limits?: TenantIngestLimits) =>
      store.upsert({ tenant: 't1', now, limits, groups: [{ target: target(gid), alerts }] });

    it('a parked firing half comes back to its next group_interval tick when an alert joins or resolves, not on a re-send', async () => {
      const GI = 300_000; // groupTarget's group_interval
      const PARKED = T0 + 12 * GI;
      const firingDue = async () =>
        (await listDue(T0 + 1e9, 10)).find((d) => d.groupId === G1 && d.state === 'firing')?.dueAt;
      const a = (now: number, over: Partial<Alert> = {}) =>
        alert('0000000000000001', { endsAt: now + 240_000, updatedAt: now, timeout: false, ...over });
      await write(G1, T0, [a(T0)]);
      await park('t1', G1, PARKED);
      await write(G1, T0 + 60_000, [a(T0 + 60_000)]); // Prometheus re-sends: only endsAt moved
      expect(await firingDue()).toBe(PARKED);
      const b = alert('0000000000000002', { endsAt: T0 + 550_000, updatedAt: T0 + 310_000, timeout: false });
      await write(G1, T0 + 310_000, [a(T0 + 310_000), b]); // b joins: the tick after now on T0 + k·GI
      expect(await firingDue()).toBe(T0 + 2 * GI);
      await park('t1', G1, PARKED);
      await write(G1, T0 + 400_000, [resolvedAt('0000000000000001', T0 + 399_999)]); // a resolves
      expect(await firingDue()).toBe(T0 + 2 * GI);
      expect((await listDue(T0 + 1e9, 10)).find((d) => d.state === 'recovery')?.dueAt).toBe(T0 + 2 * GI);
    });

    it('reports, when asked, the groups whose alerts changed state: new, resolved — not a re-send that only moved endsAt', async () => {
      const changes = async (now: number, groups: { gid: string; alerts: Alert[] }[]) =>
        (
          await store.upsert({
            tenant: 't1',
            now,
            reportChanges: true,
            groups: groups.map((g) => ({ target: target(g.gid), alerts: g.alerts })),
          })
        ).changedGroups?.sort();
      const a = (fp: string, now: number) =>
        alert(fp, { endsAt: now + 240_000, updatedAt: now, timeout: false });
      expect(
        await changes(T0, [
          { gid: G1, alerts: [a('0000000000000001', T0)] },
          { gid: G2, alerts: [a('0000000000000002', T0)] },
        ]),
      ).toEqual([G1, G2].sort());
      // Prometheus re-sends both a minute later: nothing changed state.
      expect(
        await changes(T0 + 60_000, [
          { gid: G1, alerts: [a('0000000000000001', T0 + 60_000)] },
          { gid: G2, alerts: [a('0000000000000002', T0 + 60_000)] },
        ]),
      ).toEqual([]);
      // An alert joins G1; the one of G2 resolves.
      expect(
        await changes(T0 + 120_000, [
          { gid: G1, alerts: [a('0000000000000001', T0 + 120_000), a('0000000000000003', T0 + 120_000)] },
          { gid: G2, alerts: [resolvedAt('0000000000000002', T0 + 119_000)] },
        ]),
      ).toEqual([G1, G2].sort());
      // Without asking, the result has no such field (as before).
      const r = await write(G1, T0 + 180_000, [a('0000000000000001', T0 + 180_000)]);
      expect(r.changedGroups).toBeUndefined();
    });

    it('stores firing alerts in the firing half and reads them back with group metadata', async () => {
      const r = await write(G1, T0, [alert('0000000000000001'), alert('0000000000000002')]);
      // nextDueAt: the new group's firing half is due after group_wait (30 s), what a scheduler wakes for.
      expect(r).toEqual({ written: 2, createdGroups: 1, nextDueAt: T0 + 30_000 });
      const g = await store.getGroup('t1', G1);
      expect(g).not.toBeNull();
      expect(g!.groupKey).toBe(`{}:{alertname="${G1}"}`);
      expect(g!.receiver).toBe('team-x');
      expect(g!.labels).toEqual({ alertname: G1 });
      expect(g!.groupWait).toBe(30_000);
      expect(g!.firing.map((a) => a.fingerprint).sort()).toEqual(['0000000000000001', '0000000000000002']);
      expect(g!.recovery).toEqual([]);
      const a = g!.firing.find((x) => x.fingerprint === '0000000000000001')!;
      expect(a).toEqual(alert('0000000000000001'));
    });

    it('keeps tenants apart', async () => {
      await write(G1, T0, [alert('01')]);
      expect(await store.getGroup('t2', G1)).toBeNull();
      expect(await store.listGroups('t2')).toEqual([]);
      expect((await store.listGroups('t1')).length).toBe(1);
    });

    it('deletes a group of one tenant only, with its due entries', async () => {
      await write(G1, T0, [alert('01')]);
      await store.upsert({ tenant: 't2', now: T0, groups: [{ target: target(G1), alerts: [alert('01')] }] });
      expect(await store.deleteGroup('t3', G1)).toBe(false);
      expect(await store.deleteGroup('t1', G1)).toBe(true);
      expect(await store.getGroup('t1', G1)).toBeNull();
      expect(await store.listGroups('t1')).toEqual([]);
      expect(await store.deleteGroup('t1', G1)).toBe(false);
      expect(await store.getGroup('t2', G1)).not.toBeNull();
      expect((await listDue(T0 + 30_000, 10)).map((d) => d.tenant)).toEqual(['t2']);
    });

    it('moves a resolved alert to the recovery half and back when it fires again', async () => {
      await write(G1, T0, [alert('01')]);
      await write(G1, T0 + 10_000, [
        alert('01', { endsAt: T0 + 5_000, updatedAt: T0 + 10_000, timeout: false }),
      ]);
      let g = await store.getGroup('t1', G1);
      expect(g!.firing).toEqual([]);
      expect(g!.recovery.map((a) => [a.fingerprint, a.endsAt])).toEqual([['01', T0 + 5_000]]);
      await write(G1, T0 + 20_000, [
        alert('01', { startsAt: T0 + 20_000, endsAt: T0 + 400_000, updatedAt: T0 + 20_000 }),
      ]);
      g = await store.getGroup('t1', G1);
      expect(g!.recovery).toEqual([]);
      expect(g!.firing.map((a) => a.startsAt)).toEqual([T0 + 20_000]);
    });

    it('countStates counts alerts and groups by half, as listGroups does, per tenant', async () => {
      const empty = { alerts: { firing: 0, resolved: 0 }, groups: { firing: 0, recovery: 0 } };
      expect(await store.countStates('t1')).toEqual(empty);
      const G3 = '00000000000000c3';
      // G1: two firing, one resolved (a firing group); G2: one resolved only (a recovery group); G3: one
      // firing whose endsAt has passed but that no write moved yet — still in the firing half.
      await write(G1, T0, [alert('01'), alert('02'), alert('03')]);
      await write(G1, T0 + 10_000, [resolvedAt('03', T0 + 5_000)]);
      await write(G2, T0, [alert('04')]);
      await write(G2, T0 + 10_000, [resolvedAt('04', T0 + 5_000)]);
      await write(G3, T0, [alert('05', { endsAt: T0 + 1_000 })]);
      await store.upsert({ tenant: 't2', now: T0, groups: [{ target: target(G1), alerts: [alert('01')] }] });
      const c = await store.countStates('t1');
      expect(c).toEqual({ alerts: { firing: 3, resolved: 2 }, groups: { firing: 2, recovery: 1 } });
      // The same figures as counting the listing (what the /metrics gauges read before countStates).
      const byList = structuredClone(empty);
      for (const g of await store.listGroups('t1')) {
        byList.alerts.firing += g.firing.length;
        byList.alerts.resolved += g.recovery.length;
        if (g.firing.length) byList.groups.firing++;
        else if (g.recovery.length) byList.groups.recovery++;
      }
      expect(c).toEqual(byList);
      expect(await store.countStates('t2')).toEqual({
        alerts: { firing: 1, resolved: 0 },
        groups: { firing: 1, recovery: 0 },
      });
      await store.deleteGroup('t1', G2);
      expect((await store.countStates('t1')).groups).toEqual({ firing: 2, recovery: 0 });
    });

    it('listGroups with mayHold leaves out the groups whose group labels it rejects, and only those', async () => {
      const G3 = '00000000000000c3';
      await write(G1, T0, [alert('01')]); // group labels {alertname: G1}
      await write(G2, T0, [alert('02')]);
      await store.upsert({
        tenant: 't1',
        now: T0,
        groups: [
          { target: target(G3, { groupLabels: { alertname: G3, team: 'db' } }), alerts: [alert('03')] },
        ],
      });
      const asked: string[] = [];
      const ids = async (mayHold?: (l: Record<string, string>) => boolean) =>
        (await store.listGroups('t1', mayHold && { mayHold })).map((g) => g.groupId).sort();
      expect(await ids()).toEqual([G1, G2, G3]);
      expect(
        await ids((l) => {
          asked.push(JSON.stringify(l));
          return l.alertname !== G2;
        }),
      ).toEqual([G1, G3]);
      // Every group was judged by its stored group labels.
      expect(asked.sort()).toEqual(
        [{ alertname: G1 }, { alertname: G2 }, { alertname: G3, team: 'db' }]
          .map((l) => JSON.stringify(l))
          .sort(),
      );
      const [g3] = await store.listGroups('t1', { mayHold: (l) => l.team === 'db' });
      expect(g3.groupId).toBe(G3);
      // The receiver is passed with the labels (the contract's targets use team-x).
      const receivers = new Set<string>();
      await store.listGroups('t1', { mayHold: (_l, r) => (receivers.add(r), true) });
      expect([...receivers]).toEqual(['team-x']);
      expect(g3.firing.map((a) => a.fingerprint)).toEqual(['03']);
      expect(await ids(() => false)).toEqual([]);
    });

    it('merges a re-sent alert: earliest startsAt, explicit endsAt beats timeout, newer content', async () => {
      await write(G1, T0, [alert('01', { endsAt: T0 + 600_000, timeout: false })]);
      await write(G1, T0 + 60_000, [
        alert('01', {
          startsAt: T0 + 60_000,
          endsAt: T0 + 360_000,
          updatedAt: T0 + 60_000,
          timeout: true,
          annotations: { summary: 'v2' },
        }),
      ]);
      const [a] = (await store.getGroup('t1', G1))!.firing;
      expect(a.startsAt).toBe(T0);
      expect(a.endsAt).toBe(T0 + 600_000);
      expect(a.annotations).toEqual({ summary: 'v2' });
    });

    it('one batch can write several groups, and an alert can belong to two groups', async () => {
      const r = await store.upsert({
        tenant: 't1',
        now: T0,
        groups: [
          { target: target(G1), alerts: [alert('01'), alert('02')] },
          { target: target(G2, { receiver: 'other' }), alerts: [alert('01')] },
        ],
      });
      expect(r).toEqual({ written: 3, createdGroups: 2, nextDueAt: T0 + 30_000 });
      const groups = await store.listGroups('t1');
      expect(groups.map((g) => g.groupId).sort()).toEqual([G1, G2]);
      expect(groups.find((g) => g.groupId === G2)!.receiver).toBe('other');
      const again = await write(G1, T0 + 1, [alert('03')]);
      expect(again.createdGroups).toBe(0);
    });

    it('puts a new group on the due index at now + group_wait and does not push it back', async () => {
      await write(G1, T0, [alert('01')]);
      await write(G1, T0 + 10_000, [alert('02', { startsAt: T0 + 10_000 })]);
      expect(await listDue(T0 + 29_999, 10)).toEqual([]);
      expect(await listDue(T0 + 30_000, 10)).toEqual([
        { tenant: 't1', groupId: G1, state: 'firing', dueAt: T0 + 30_000 },
      ]);
    });

    it('an alert that started more than group_wait ago makes a new group due at once', async () => {
      await write(G1, T0 + 100_000, [alert('01', { endsAt: T0 + 500_000 })]);
      expect(await listDue(T0 + 100_000, 10)).toEqual([
        { tenant: 't1', groupId: G1, state: 'firing', dueAt: T0 + 100_000 },
      ]);
    });

    it('schedules the recovery half with the firing half', async () => {
      await write(G1, T0, [alert('01')]);
      await write(G1, T0 + 5_000, [resolvedAt('01', T0 + 5_000)]);
      const due = await listDue(T0 + 30_000, 10);
      expect(due.map((d) => [d.state, d.dueAt]).sort()).toEqual([
        ['firing', T0 + 30_000],
        ['recovery', T0 + 30_000],
      ]);
    });

    it('removeAlerts drops notified resolved alerts, keeps one that fires again, and deletes an empty group', async () => {
      await write(G1, T0, [alert('01'), alert('02'), alert('03')]);
      // 01 resolved explicitly (recovery half); 02 timed out in the firing half; 03 still firing.
      await write(G1, T0 + 1000, [resolvedAt('01', T0 + 1000)]);
      const late = T0 + 300_001; // 02 and 03 have endsAt T0 + 300 000: 03 is re-sent below
      await write(G1, late, [alert('03', { endsAt: late + 300_000, updatedAt: late })]);
      expect(
        await store.removeAlerts('t1', G1, { remove: ['01', '02', '03'], deleteGroup: true }, late),
      ).toBe(2);
      const g = await store.getGroup('t1', G1);
      expect(g!.firing.map((a) => a.fingerprint)).toEqual(['03']);
      expect(g!.recovery).toEqual([]);
      await write(G1, late + 1, [resolvedAt('03', late + 1)]);
      expect(await store.removeAlerts('t1', G1, { remove: ['03'], deleteGroup: true }, late + 1)).toBe(1);
      expect(await store.getGroup('t1', G1)).toBeNull();
      expect(await store.listGroups('t1')).toEqual([]);
      expect(await listDue(late + 1e9, 10)).toEqual([]);
    });
    describe('tenant limits', () => {
      const G3 = '00000000000000c3';
      const put = (gid: string, fps: string[], now = T0, limits?: TenantIngestLimits, tenant = 't1') =>
        store.upsert({
          tenant,
          now,
          limits,
          groups: [{ target: target(gid), alerts: fps.map((fp) => alert(fp, { updatedAt: now })) }],
        });
      const fps = async (gid: string, tenant = 't1') => {
        const g = await store.getGroup(tenant, gid);
        return g ? [...g.firing, ...g.recovery].map((a) => a.fingerprint).sort() : null;
      };

      it('max_alerts writes the new alerts that fit, refuses the rest, and accepts updates at the limit', async () => {
        const L = { maxAlerts: 3 };
        await expect(put(G1, ['01', '02'], T0, L)).resolves.toEqual({
          written: 2,
          createdGroups: 1,
          nextDueAt: T0 + 30_000,
        });
        const over = put(G1, ['03', '04'], T0 + 1, L);
        await expect(over).rejects.toBeInstanceOf(TenantLimitError);
        await expect(over).rejects.toMatchObject({
          limit: 'alertmanager_max_alerts_count',
          value: 3,
          written: 1,
          refused: 1,
        });
        expect(await fps(G1)).toEqual(['01', '02', '03']);
        // At the limit: re-sent alerts (updates) still pass, with their new content.
        await expect(put(G1, ['01', '02', '03'], T0 + 2, L)).resolves.toEqual({
          written: 3,
          createdGroups: 0,
        });
        expect((await store.getGroup('t1', G1))!.firing.every((a) => a.updatedAt === T0 + 2)).toBe(true);
        // A new group whose alerts cannot fit is not created at all.
        await expect(put(G2, ['05'], T0 + 3, L)).rejects.toMatchObject({ refused: 1, written: 0 });
        expect(await store.getGroup('t1', G2)).toBeNull();
        expect((await listDue(T0 + 1e9, 10)).map((d) => d.groupId)).toEqual([G1]);
      });

      it('max_groups refuses every alert of a new group beyond the limit; existing groups still take new alerts', async () => {
        const L = { maxGroups: 1 };
        await put(G1, ['01'], T0, L);
        await expect(put(G2, ['02', '03'], T0, L)).rejects.toMatchObject({
          limit: 'alertmanager_max_dispatcher_aggregation_groups',
          value: 1,
          written: 0,
          refused: 2,
        });
        expect(await store.getGroup('t1', G2)).toBeNull();
        await expect(put(G1, ['04'], T0, L)).resolves.toEqual({ written: 1, createdGroups: 0 });
        // A batch touching both: the existing group is written, the new one refused.
        const mixed = store.upsert({
          tenant: 't1',
          now: T0,
          limits: L,
          groups: [
            { target: target(G1), alerts: [alert('05')] },
            { target: target(G2), alerts: [alert('06')] },
          ],
        });
        await expect(mixed).rejects.toMatchObject({ written: 1, refused: 1 });
        expect(await fps(G1)).toEqual(['01', '04', '05']);
      });

      it('limits are per tenant: a tenant at its limit does not hold back another', async () => {
        await put(G1, ['01'], T0, { maxAlerts: 1, maxGroups: 1 });
        await expect(put(G1, ['02'], T0, { maxAlerts: 1 })).rejects.toBeInstanceOf(TenantLimitError);
        await expect(put(G1, ['02'], T0, { maxAlerts: 1 }, 't2')).resolves.toEqual({
          written: 1,
          createdGroups: 1,
          nextDueAt: T0 + 30_000,
        });
        await expect(put(G2, ['03', '04'], T0, undefined, 't1')).resolves.toEqual({
          written: 2,
          createdGroups: 1,
          nextDueAt: T0 + 30_000,
        });
      });

      it('ingestion_rate: an empty bucket refuses the whole request, writes nothing and says when it refills', async () => {
        const L = { ingestRate: 10, ingestBurst: 20 };
        const twenty = Array.from({ length: 20 }, (_, i) => `a${i}`);
        await expect(put(G1, twenty, T0, L)).resolves.toMatchObject({ written: 20 });
        const over = put(G2, ['b1'], T0 + 50, L);
        await expect(over).rejects.toMatchObject({
          limit: 'ingestion_rate',
          value: 10,
          written: 0,
          refused: 1,
          retryAfterMs: 50, // 0.5 token back after 50 ms at 10/s; one more needs 50 ms
        });
        expect(await store.getGroup('t1', G2)).toBeNull();
        await expect(put(G2, ['b1'], T0 + 100, L)).resolves.toMatchObject({ written: 1 });
        // Refills up to the burst only: a minute later 20 tokens, not 600.
        const later = T0 + 60_000;
        await expect(
          put(
            G2,
            twenty.map((f) => `c${f}`),
            later,
            L,
          ),
        ).resolves.toMatchObject({ written: 20 });
        await expect(put(G2, ['d1'], later, L)).rejects.toMatchObject({ retryAfterMs: 100 });
      });

      it('ingestion_rate: a request larger than the burst passes on a full bucket and the debt is paid in time', async () => {
        const L = { ingestRate: 10, ingestBurst: 5 };
        await expect(put(G1, ['01', '02', '03', '04', '05', '06', '07', '08'], T0, L)).resolves.toMatchObject(
          {
            written: 8,
          },
        );
        // -3 tokens, +2 after 200 ms: one alert needs 2 more tokens = 200 ms.
        await expect(put(G1, ['09'], T0 + 200, L)).rejects.toMatchObject({ retryAfterMs: 200 });
        await expect(put(G1, ['09'], T0 + 400, L)).resolves.toMatchObject({ written: 1 });
      });

      it('counts drop when alerts are removed after notification and when a group is deleted', async () => {
        const L = { maxAlerts: 2 };
        await put(G1, ['01', '02'], T0, L);
        await write(G1, T0 + 1000, [resolvedAt('01', T0 + 1000)], L);
        await expect(put(G1, ['03'], T0 + 1000, L)).rejects.toBeInstanceOf(TenantLimitError);
        expect(await store.removeAlerts('t1', G1, { remove: ['01'], deleteGroup: true }, T0 + 1000)).toBe(1);
        await expect(put(G1, ['03'], T0 + 1000, L)).resolves.toMatchObject({ written: 1 });
        await expect(put(G2, ['04'], T0 + 1000, L)).rejects.toBeInstanceOf(TenantLimitError);
        expect(await store.deleteGroup('t1', G1)).toBe(true);
        await expect(put(G2, ['04', '05'], T0 + 1000, L)).resolves.toEqual({
          written: 2,
          createdGroups: 1,
          nextDueAt: T0 + 31_000,
        });
        // A group emptied and deleted by removeAlerts gives back its count too.
        await write(
          G2,
          T0 + 2000,
          ['04', '05'].map((fp) => resolvedAt(fp, T0 + 2000)),
          L,
        );
        expect(
          await store.removeAlerts('t1', G2, { remove: ['04', '05'], deleteGroup: true }, T0 + 2000),
        ).toBe(2);
        await expect(put(G3, ['06', '07'], T0 + 2000, L)).resolves.toEqual({
          written: 2,
          createdGroups: 1,
          nextDueAt: T0 + 32_000,
        });
      });

      it('counts drop when a group expires after its retention', async () => {
        const L = { maxAlerts: 2, maxGroups: 1 };
        await put(G1, ['01', '02'], T0, L);
        await expect(put(G2, ['03'], T0, L)).rejects.toBeInstanceOf(TenantLimitError);
        const later = T0 + 3 * 86_400_000; // past endsAt + retention (24 h) of G1
        // Alerts whose endsAt passed: the recovery half is due after group_wait.
        await expect(put(G2, ['03', '04'], later, L)).resolves.toEqual({
          written: 2,
          createdGroups: 1,
          nextDueAt: later + 30_000,
        });
        await expect(put(G3, ['05'], later, L)).rejects.toMatchObject({
          limit: 'alertmanager_max_dispatcher_aggregation_groups',
        });
      });

      it('a limit set later counts what a group already holds on its next write', async () => {
        await put(G1, ['01', '02', '03'], T0);
        await expect(put(G1, ['04'], T0 + 1, { maxAlerts: 3 })).rejects.toMatchObject({
          limit: 'alertmanager_max_alerts_count',
          written: 0,
          refused: 1,
        });
        await expect(put(G1, ['01', '02', '03'], T0 + 2, { maxAlerts: 3 })).resolves.toMatchObject({
          written: 3,
        });
      });
    });

    describe('inhibition index (written with the alerts, read by firingSources)', () => {
      const rules = new InhibitionRules([
        // 0: critical mutes warning of the same cluster
        {
          sourceMatchers: parseMatchers('severity="critical"'),
          targetMatchers: parseMatchers('severity="warning"'),
          equal: ['cluster'],
        },
        // 1: both sides match alertname=~"Node.*" (the two-sided rule), no equal
        {
          sourceMatchers: parseMatchers('alertname=~"Node.*"'),
          targetMatchers: parseMatchers('alertname=~"Node.*"'),
          equal: [],
        },
        // 2: source only for NodeDown, target NodeSlow (a source-only alert for the same targets)
        {
          name: 'down mutes slow',
          sourceMatchers: parseMatchers('alertname="Down"'),
          targetMatchers: parseMatchers('alertname=~"Node.*"'),
          equal: [],
        },
      ]);
      let inhibitor: Inhibitor;
      beforeEach(async () => {
        ({ store, listDue } = await make({ inhibition: rules }));
        inhibitor = new Inhibitor(rules, store);
      });
      const lab = (fp: string, labels: Record<string, string>, over: Partial<Alert> = {}) =>
        alert(fp, { labels, ...over });
      const crit = (fp: string, cluster: string, over: Partial<Alert> = {}) =>
        lab(fp, { alertname: 'Disk', severity: 'critical', cluster }, over);
      const warn = (fp: string, cluster: string) =>
        lab(fp, { alertname: 'Disk', severity: 'warning', cluster });
      const sourceOf = async (target: Alert, now: number, tenant = 't1') =>
        (await inhibitor.inhibitions(tenant, [target], now)).get(target.fingerprint)?.source ?? null;

      it('a firing source mutes targets with equal values only', async () => {
        await write(G1, T0, [crit('c1', 'eu')]);
        expect(await sourceOf(warn('w1', 'eu'), T0)).toBe('c1');
        expect(await sourceOf(warn('w2', 'us'), T0)).toBeNull();
        expect(await sourceOf(crit('c9', 'eu'), T0)).toBeNull(); // not a target
      });

      it('a label missing on both sides counts as equal', async () => {
        // (fingerprints name label sets: the rules cache source entries by fingerprint)
        await write(G1, T0, [lab('c5', { alertname: 'Disk', severity: 'critical' })]);
        expect(await sourceOf(lab('w5', { alertname: 'Disk', severity: 'warning' }), T0)).toBe('c5');
        expect(await sourceOf(warn('w2', 'eu'), T0)).toBeNull();
      });

      it('a resolved source stops inhibiting at once, and mutes again when it fires again', async () => {
        await write(G1, T0, [crit('c1', 'eu')]);
        await write(G1, T0 + 1000, [
          crit('c1', 'eu', { endsAt: T0 + 1000, updatedAt: T0 + 1000, timeout: false }),
        ]);
        expect(await sourceOf(warn('w1', 'eu'), T0 + 1000)).toBeNull();
        await write(G1, T0 + 5000, [
          crit('c1', 'eu', { startsAt: T0 + 5000, endsAt: T0 + 600_000, updatedAt: T0 + 5000 }),
        ]);
        expect(await sourceOf(warn('w1', 'eu'), T0 + 5000)).toBe('c1');
      });

      it('a source whose endsAt passed without a re-send no longer inhibits', async () => {
        await write(G1, T0, [crit('c1', 'eu', { endsAt: T0 + 60_000 })]);
        expect(await sourceOf(warn('w1', 'eu'), T0 + 59_999)).toBe('c1');
        expect(await sourceOf(warn('w1', 'eu'), T0 + 60_000)).toBeNull();
      });

      it('sources in any group count; tenants are apart', async () => {
        await write(G2, T0, [crit('c1', 'eu')]);
        expect(await sourceOf(warn('w1', 'eu'), T0)).toBe('c1');
        expect(await sourceOf(warn('w1', 'eu'), T0, 't2')).toBeNull();
      });

      it('an alert matching both sides is not inhibited by sources that also do (Alertmanager)', async () => {
        await write(G1, T0, [lab('n1', { alertname: 'NodeA' }), lab('n2', { alertname: 'NodeB' })]);
        expect(await sourceOf(lab('n2', { alertname: 'NodeB' }), T0)).toBeNull();
        // a source-only alert of another rule mutes it
        await write(G2, T0, [lab('d1', { alertname: 'Down' })]);
        const m = await inhibitor.inhibitions('t1', [lab('n2', { alertname: 'NodeB' })], T0);
        expect(m.get('n2')).toMatchObject({ source: 'd1', rule: { name: 'down mutes slow' } });
      });

      it('picks the first rule in order, then the earliest-ending source (stable answers)', async () => {
        await write(G1, T0, [
          crit('c2', 'eu', { endsAt: T0 + 900_000 }),
          crit('c1', 'eu', { endsAt: T0 + 800_000 }),
        ]);
        expect(await sourceOf(warn('w1', 'eu'), T0)).toBe('c1');
      });

      it('an alert routed to two groups of one request is one source', async () => {
        const c = crit('c1', 'eu');
        await store.upsert({
          tenant: 't1',
          now: T0,
          groups: [
            { target: target(G1), alerts: [c] },
            { target: target(G2), alerts: [c] },
          ],
        });
        expect(await sourceOf(warn('w1', 'eu'), T0)).toBe('c1');
      });

      it('an alert refused by a tenant limit is not indexed', async () => {
        await write(G1, T0, [warn('w0', 'eu')], { maxAlerts: 1 });
        await expect(write(G1, T0, [crit('c1', 'eu')], { maxAlerts: 1 })).rejects.toBeInstanceOf(
          TenantLimitError,
        );
        expect(await sourceOf(warn('w1', 'eu'), T0)).toBeNull();
      });
    });
  });
}
