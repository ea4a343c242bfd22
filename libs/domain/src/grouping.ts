import type { Alert } from './alert';
import type { GroupTarget, GroupUpsert, UpsertBatch } from './group.store';
import { groupId, groupKey, groupLabels, type Route } from './route';

/**
 * Routes a batch of normalized alerts through the tree and gathers them per aggregation group,
 * producing one store write for the whole request. An alert matched by several routes (`continue`)
 * lands in each of their groups, as in Alertmanager.
 */
export function groupAlerts(root: Route, tenant: string, now: number, alerts: Alert[]): UpsertBatch {
  const byKey = new Map<string, GroupUpsert>();
  for (const alert of alerts) {
    for (const route of root.match(alert.labels)) {
      const gl = groupLabels(route, alert.labels);
      const key = groupKey(route, gl);
      let g = byKey.get(key);
      if (!g) {
        const target: GroupTarget = {
          groupId: groupId(key),
          groupKey: key,
          receiver: route.receiver,
          routeId: route.id,
          groupLabels: gl,
          groupWait: route.groupWait,
          groupInterval: route.groupInterval,
          repeatInterval: route.repeatInterval,
        };
        g = { target, alerts: [] };
        byKey.set(key, g);
      }
      g.alerts.push(alert);
    }
  }
  return { tenant, now, groups: [...byKey.values()] };
}
