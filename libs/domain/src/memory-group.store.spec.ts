import { groupStoreContract } from '../../../test/contract/group-store.contract';
import { MemoryGroupStore } from './memory-group.store';
import { StoreCapacityError } from './group.store';
import { systemClock } from './clock';
import { MemoryFlushStore } from './memory-flush.store';

groupStoreContract('memory', (opts) => {
  const due = new MemoryFlushStore({ clock: systemClock, dueBuckets: 4 });
  return Promise.resolve({
    store: new MemoryGroupStore({ maxAlerts: 1000, maxGroups: 100, retention: 86_400_000, due, ...opts }),
    listDue: (until: number, limit: number) => Promise.resolve(due.listDueSync(until, limit)),
    park: async (tenant: string, groupId: string, dueAt: number) => {
      const log = { tenant, groupId, receiver: 'team-x', state: 'firing' as const, firing: [], resolved: [] };
      await due.writeLog({ ...log, timestamp: systemClock.now(), seq: 1 }, 86_400_000);
      due.setDue({ tenant, groupId, state: 'firing', dueAt });
    },
  });
});

describe('MemoryGroupStore bounds and drain', () => {
  const T0 = 1_800_000_000_000;
  const target = (gid: string) => ({
    groupId: gid,
    groupKey: gid,
    receiver: 'r',
    routeId: '{}',
    groupLabels: {},
    groupWait: 0,
    groupInterval: 1,
    repeatInterval: 1,
  });
  const alert = (fp: string) => ({
    fingerprint: fp,
    labels: { a: fp },
    annotations: {},
    startsAt: T0,
    endsAt: T0 + 1000,
    updatedAt: T0,
    timeout: false,
    generatorURL: '',
  });

  it('refuses new alerts beyond max_alerts but still accepts updates of stored ones', async () => {
    const s = new MemoryGroupStore({ maxAlerts: 2, maxGroups: 10, retention: 1000 });
    await s.upsert({
      tenant: 't',
      now: T0,
      groups: [{ target: target('g'), alerts: [alert('1'), alert('2')] }],
    });
    await expect(
      s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g'), alerts: [alert('3')] }] }),
    ).rejects.toBeInstanceOf(StoreCapacityError);
    await expect(
      s.upsert({ tenant: 't', now: T0 + 1, groups: [{ target: target('g'), alerts: [alert('1')] }] }),
    ).resolves.toEqual({ written: 1, createdGroups: 0 });
  });

  it('refuses new groups beyond max_groups', async () => {
    const s = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 1, retention: 1000 });
    await s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g1'), alerts: [alert('1')] }] });
    await expect(
      s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g2'), alerts: [alert('2')] }] }),
    ).rejects.toThrow(/max_groups/);
  });

  it('drain hands over everything per tenant and empties the store', async () => {
    const due = new MemoryFlushStore({ clock: systemClock });
    const s = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 100, retention: 1000, due });
    await s.upsert({ tenant: 'a', now: T0, groups: [{ target: target('g1'), alerts: [alert('1')] }] });
    await s.upsert({
      tenant: 'b',
      now: T0,
      groups: [{ target: target('g1'), alerts: [alert('1'), alert('2')] }],
    });
    const batches = s.drain(T0 + 5);
    expect(batches.map((b) => [b.tenant, b.groups[0].alerts.length]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(s.size).toEqual({ groups: 0, alerts: 0 });
    expect(due.listDueSync(T0 + 1e9, 10)).toEqual([]);
  });

  it('drain splits big groups into bounded batches', async () => {
    const s = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 100, retention: 1000 });
    const many = Array.from({ length: 12 }, (_, i) => alert(String(i)));
    await s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g1'), alerts: many }] });
    await s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g2'), alerts: [alert('x')] }] });
    const batches = s.drain(T0, 5);
    expect(batches.map((b) => b.groups.map((g) => [g.target.groupId, g.alerts.length]))).toEqual([
      [['g1', 5]],
      [['g1', 5]],
      [
        ['g1', 2],
        ['g2', 1],
      ],
    ]);
  });

  it('forgets groups after their retention', async () => {
    const s = new MemoryGroupStore({ maxAlerts: 100, maxGroups: 100, retention: 1000 });
    await s.upsert({ tenant: 't', now: T0, groups: [{ target: target('g1'), alerts: [alert('1')] }] });
    s.prune(T0 + 2001, true);
    expect(s.size).toEqual({ groups: 0, alerts: 0 });
  });
});

describe('MemoryGroupStore flush timers (as upsert-groups-n.lua)', () => {
  it('a re-sent alert that started long ago does not pull a notified group’s next flush forward', async () => {
    let now = 1_800_000_000_000;
    const clock = { now: () => now };
    const due = new MemoryFlushStore({ clock, dueBuckets: 4 });
    const s = new MemoryGroupStore({ maxAlerts: 10, maxGroups: 10, retention: 86_400_000, due });
    const target = {
      groupId: 'g',
      groupKey: '{}:{}',
      receiver: 'r',
      routeId: '{}',
      groupLabels: {},
      groupWait: 30_000,
      groupInterval: 3_600_000,
      repeatInterval: 3_600_000,
    };
    const alert = {
      fingerprint: 'f',
      labels: { a: 'b' },
      annotations: {},
      startsAt: now - 600_000, // started 10 min ago: more than group_wait
      endsAt: now + 3_600_000,
      updatedAt: now,
      timeout: false,
      generatorURL: '',
    };
    await s.upsert({ tenant: 't', now, groups: [{ target, alerts: [alert] }] });
    expect(due.getDue('t', 'g', 'firing')!.dueAt).toBe(now); // never flushed: at once, as Alertmanager
    // The flush notifies (log written) and schedules the next one a group_interval later.
    await due.writeLog(
      {
        tenant: 't',
        groupId: 'g',
        receiver: 'r',
        state: 'firing',
        firing: ['f'],
        resolved: [],
        timestamp: now,
        seq: 1,
      },
      7_200_000,
    );
    due.setDue({ tenant: 't', groupId: 'g', state: 'firing', dueAt: now + 3_600_000 });
    now += 60_000; // Prometheus re-sends a minute later
    await s.upsert({ tenant: 't', now, groups: [{ target, alerts: [{ ...alert, updatedAt: now }] }] });
    expect(due.getDue('t', 'g', 'firing')!.dueAt).toBe(now - 60_000 + 3_600_000);
  });

  it('a parked firing half comes back to its next group_interval tick when an alert joins or resolves, not on a re-send', async () => {
    const T = 1_800_000_000_000;
    let now = T;
    const clock = { now: () => now };
    const due = new MemoryFlushStore({ clock, dueBuckets: 4 });
    const s = new MemoryGroupStore({ maxAlerts: 10, maxGroups: 10, retention: 86_400_000, due });
    const target = {
      groupId: 'g',
      groupKey: '{}:{}',
      receiver: 'r',
      routeId: '{}',
      groupLabels: {},
      groupWait: 30_000,
      groupInterval: 300_000,
      repeatInterval: 3_600_000,
    };
    const alert = (fp: string, endsAt = now + 240_000) => ({
      fingerprint: fp,
      labels: { a: fp },
      annotations: {},
      startsAt: T,
      endsAt,
      updatedAt: now,
      timeout: false,
      generatorURL: '',
    });
    const send = (...alerts: ReturnType<typeof alert>[]) =>
      s.upsert({ tenant: 't', now, groups: [{ target, alerts }] });
    const firingDue = () => due.getDue('t', 'g', 'firing')!.dueAt;
    await send(alert('a'));
    const entry = { tenant: 't', groupId: 'g', receiver: 'r', state: 'firing' as const, resolved: [] };
    await due.writeLog({ ...entry, firing: ['a'], timestamp: now, seq: 1 }, 7_200_000); // notified
    const PARKED = T + 12 * 300_000; // the flush parked the half at its repeat tick
    due.setDue({ tenant: 't', groupId: 'g', state: 'firing', dueAt: PARKED });
    now = T + 60_000;
    await send(alert('a')); // Prometheus re-sends with a later endsAt: nothing new
    expect(firingDue()).toBe(PARKED);
    now = T + 310_000;
    await send(alert('a'), alert('b')); // b joins: the tick after now on the grid T + k·5 min
    expect(firingDue()).toBe(T + 600_000);
    due.setDue({ tenant: 't', groupId: 'g', state: 'firing', dueAt: PARKED });
    now = T + 400_000;
    await send(alert('a', now - 1)); // a (still firing until T + 550 000) resolves: the group changed
    expect(firingDue()).toBe(T + 600_000);
    expect(due.getDue('t', 'g', 'recovery')!.dueAt).toBe(T + 600_000);
  });
});
