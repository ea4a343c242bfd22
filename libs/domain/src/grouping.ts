import type { Alert, LabelSet } from './alert';
import type { GroupTarget, GroupUpsert, UpsertBatch } from './group.store';
import { groupId, groupKey, groupLabels, type Route } from './route';

/**
 * Targets cached per route, at most this many per route (emptied when full: the next alerts build
 * theirs again). A node sees the same few thousand groups over and over.
 */
const TARGETS_PER_ROUTE_MAX = 20_000;

/**
 * Per route (a reload builds new routes, so a tree's cache goes with it): the group target of each
 * combination of `group_by` values seen lately, found by walking one Map per `group_by` name (keyed
 * by the value, `undefined` when the alert lacks the label) — no string built per alert. Targets are
 * frozen: every alert of a group, in every request, shares the one object.
 */
interface RouteTargets {
  root: Map<string | undefined, unknown>;
  size: number;
}
const cachedTargets = new WeakMap<Route, RouteTargets>();

function buildTarget(route: Route, labels: LabelSet): GroupTarget {
  const gl = Object.freeze(groupLabels(route, labels));
  const key = groupKey(route, gl);
  return Object.freeze({
    groupId: groupId(key),
    groupKey: key,
    receiver: route.receiver,
    routeId: route.id,
    groupLabels: gl,
    groupWait: route.groupWait,
    groupInterval: route.groupInterval,
    repeatInterval: route.repeatInterval,
  });
}

/** A group-by label's value, or undefined: an empty value is no label (as groupLabels reads it). */
function groupValue(labels: LabelSet, name: string): string | undefined {
  const v = labels[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The target of the group `route` puts an alert with `labels` in. With `group_by: ['...']` every label
 * counts, so it is built each time (the labels are the alert's identity: caching would hold one
 * target per alert).
 */
export function groupTarget(route: Route, labels: LabelSet): GroupTarget {
  if (route.groupByAll) return buildTarget(route, labels);
  let cache = cachedTargets.get(route);
  if (!cache) cachedTargets.set(route, (cache = { root: new Map(), size: 0 }));
  const names = route.groupBySorted;
  if (names.length === 0) {
    let t = cache.root.get(undefined) as GroupTarget | undefined;
    if (!t) cache.root.set(undefined, (t = buildTarget(route, labels)));
    return t;
  }
  let level = cache.root;
  for (let i = 0; i < names.length - 1; i++) {
    const v = groupValue(labels, names[i]);
    let next = level.get(v) as Map<string | undefined, unknown> | undefined;
    if (!next) level.set(v, (next = new Map()));
    level = next;
  }
  const last = groupValue(labels, names[names.length - 1]);
  let t = level.get(last) as GroupTarget | undefined;
  if (!t) {
    if (cache.size >= TARGETS_PER_ROUTE_MAX) {
      cache.root.clear();
      cache.size = 0;
      return groupTarget(route, labels);
    }
    t = buildTarget(route, labels);
    level.set(last, t);
    cache.size++;
  }
  return t;
}

/**
 * Routes a batch of normalized alerts through the tree and gathers them per aggregation group,
 * producing one store write for the whole request. An alert matched by several routes (`continue`)
 * lands in each of their groups, as in Alertmanager.
 */
export function groupAlerts(root: Route, tenant: string, now: number, alerts: Alert[]): UpsertBatch {
  const byKey = new Map<string, GroupUpsert>();
  for (const alert of alerts) {
    for (const route of root.match(alert.labels)) {
      const target = groupTarget(route, alert.labels);
      let g = byKey.get(target.groupKey);
      if (!g) {
        g = { target, alerts: [] };
        byKey.set(target.groupKey, g);
      }
      g.alerts.push(alert);
    }
  }
  return { tenant, now, groups: [...byKey.values()] };
}
