import type { Alert, LabelSet } from './alert';
import { fingerprint } from './fingerprint';
import { groupMayHoldMatch } from './group.store';
import { matchesAll, parseMatchers } from './matchers';
import { groupAlerts, groupTarget } from './grouping';
import { buildRouteTree, groupId, groupKey, groupLabels, type Route } from './route';

function alert(labels: LabelSet): Alert {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations: {},
    generatorURL: '',
    startsAt: 1,
    endsAt: 2,
    timeout: false,
    updatedAt: 1,
  };
}

/** What a target is, built from scratch (the definition the cache must agree with). */
function expected(route: Route, labels: LabelSet) {
  const gl = groupLabels(route, labels);
  const key = groupKey(route, gl);
  return {
    groupId: groupId(key),
    groupKey: key,
    receiver: route.receiver,
    routeId: route.id,
    groupLabels: gl,
    groupWait: route.groupWait,
    groupInterval: route.groupInterval,
    repeatInterval: route.repeatInterval,
  };
}

describe('groupTarget (cached per route and group-by values)', () => {
  const tree = () =>
    buildRouteTree({
      receiver: 'default',
      group_by: ['alertname', 'cluster'],
      routes: [
        { receiver: 'none', matchers: ['team="none"'], group_by: [] },
        { receiver: 'all', matchers: ['team="all"'], group_by: ['...'] },
      ],
    });

  it('gives every alert of a group the same frozen target, equal to one built from scratch', () => {
    const root = tree();
    const a = { alertname: 'A', cluster: 'c1', instance: 'h1' };
    const b = { alertname: 'A', cluster: 'c1', instance: 'h2' };
    const t = groupTarget(root, a);
    expect(groupTarget(root, b)).toBe(t);
    expect(t).toEqual(expected(root, a));
    expect(Object.isFrozen(t) && Object.isFrozen(t.groupLabels)).toBe(true);
    expect(() => {
      'use strict';
      (t as { receiver: string }).receiver = 'x';
    }).toThrow(TypeError);
  });

  it('tells groups apart by every group-by value; an absent label and an empty value are the same group', () => {
    const root = tree();
    const sets: LabelSet[] = [
      { alertname: 'A', cluster: 'c1' },
      { alertname: 'A', cluster: 'c2' },
      { alertname: 'B', cluster: 'c1' },
      { alertname: 'A' },
      { cluster: 'c1' },
      {},
      // Values that would collide if the values were joined into one string.
      { alertname: 'A:c', cluster: '1' },
      { alertname: 'A', cluster: 'c:1' },
    ];
    const targets = sets.map((l) => groupTarget(root, l));
    expect(new Set(targets.map((t) => t.groupKey)).size).toBe(sets.length);
    sets.forEach((l, i) => expect(targets[i]).toEqual(expected(root, l)));
    expect(groupTarget(root, { alertname: 'A', cluster: '' })).toBe(groupTarget(root, { alertname: 'A' }));
  });

  it("group_by: [] is one target per route; group_by: ['...'] is built per alert (not cached)", () => {
    const root = tree();
    const [none, all] = root.routes;
    expect(groupTarget(none, { a: '1', team: 'none' })).toBe(groupTarget(none, { a: '2', team: 'none' }));
    const l = { a: '1', team: 'all' };
    const t = groupTarget(all, l);
    expect(t).toEqual(expected(all, l));
    expect(groupTarget(all, { ...l })).not.toBe(t);
    expect(groupTarget(all, { ...l })).toEqual(t);
  });

  it('a reloaded tree (new routes) builds its own targets', () => {
    const a = { alertname: 'A', cluster: 'c1' };
    const t1 = groupTarget(tree(), a);
    const t2 = groupTarget(tree(), a);
    expect(t2).not.toBe(t1);
    expect(t2).toEqual(t1);
  });

  it('stays right past the per-route bound (the cache empties and fills again)', () => {
    const root = buildRouteTree({ receiver: 'r', group_by: ['alertname'] });
    const first = groupTarget(root, { alertname: 'x0' });
    const wrong: string[] = [];
    for (let i = 0; i < 20_050; i++) {
      const l = { alertname: `x${i}` };
      if (groupTarget(root, l).groupKey !== groupKey(root, groupLabels(root, l))) wrong.push(l.alertname);
    }
    expect(wrong).toEqual([]);
    const again = groupTarget(root, { alertname: 'x0' });
    expect(again).toEqual(first);
    expect(groupTarget(root, { alertname: 'x0' })).toBe(again);
  });

  it('groupAlerts puts the alerts of one request in the groups built from scratch', () => {
    const root = tree();
    const alerts = [
      alert({ alertname: 'A', cluster: 'c1', i: '1' }),
      alert({ alertname: 'A', cluster: 'c1', i: '2' }),
      alert({ alertname: 'B', cluster: 'c1' }),
      alert({ alertname: 'A', team: 'none' }),
      alert({ alertname: 'A', team: 'all', i: '3' }),
      alert({ alertname: 'A', team: 'all', i: '3' }),
    ];
    const batch = groupAlerts(root, 't', 5, alerts);
    const got = batch.groups.map((g) => [g.target.groupKey, g.alerts.map((a) => a.labels.i ?? '')]);
    expect(got).toEqual([
      [expected(root, alerts[0].labels).groupKey, ['1', '2']],
      [expected(root, alerts[2].labels).groupKey, ['']],
      [expected(root.routes[0], alerts[3].labels).groupKey, ['']],
      [expected(root.routes[1], alerts[4].labels).groupKey, ['3', '3']],
    ]);
  });
});

describe('groupMayHoldMatch', () => {
  const m = (s: string) => parseMatchers(s);
  const gl = { alertname: 'Disk', cluster: 'c1' };

  it('a matcher on a group label decides for the whole group, by the same rule as on an alert', () => {
    expect(groupMayHoldMatch(m('{alertname="Disk"}'), gl)).toBe(true);
    expect(groupMayHoldMatch(m('{alertname="CPU"}'), gl)).toBe(false);
    expect(groupMayHoldMatch(m('{alertname=~"D.*"}'), gl)).toBe(true);
    expect(groupMayHoldMatch(m('{alertname=~"C.*"}'), gl)).toBe(false);
    expect(groupMayHoldMatch(m('{alertname!="Disk"}'), gl)).toBe(false);
    expect(groupMayHoldMatch(m('{cluster!~"c[0-9]"}'), gl)).toBe(false);
    expect(groupMayHoldMatch(m('{alertname="Disk", cluster="c2"}'), gl)).toBe(false);
  });

  it('matchers on names outside the group labels never rule a group out (its alerts differ there)', () => {
    expect(groupMayHoldMatch(m('{instance="h1"}'), gl)).toBe(true);
    expect(groupMayHoldMatch(m('{instance=""}'), gl)).toBe(true);
    expect(groupMayHoldMatch(m('{severity!="page"}'), {})).toBe(true);
    expect(groupMayHoldMatch([], gl)).toBe(true);
  });

  it('agrees with the alerts: a group it rules out holds no alert the matchers accept', () => {
    const root = buildRouteTree({ receiver: 'r', group_by: ['alertname', 'cluster'] });
    const sets: LabelSet[] = [];
    for (const a of ['Disk', 'CPU', ''])
      for (const c of ['c1', 'c2', ''])
        for (const i of ['h1', 'h2']) {
          const l: LabelSet = { instance: i };
          if (a) l.alertname = a;
          if (c) l.cluster = c;
          sets.push(l);
        }
    const filters = [
      '{alertname="Disk"}',
      '{alertname!="Disk"}',
      '{cluster=~"c1|"}',
      '{alertname="", instance="h2"}',
      '{cluster!~".+"}',
      '{alertname=~"CPU|Disk", cluster="c2"}',
    ];
    for (const f of filters) {
      const ms = m(f);
      for (const l of sets) {
        const t = groupTarget(root, l);
        if (!groupMayHoldMatch(ms, t.groupLabels)) expect([f, l, matchesAll(ms, l)]).toEqual([f, l, false]);
      }
    }
  });
});
