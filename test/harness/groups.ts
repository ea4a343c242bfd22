import type { Alert, GroupTarget } from '@herald/domain';

/**
 * A group target as the router makes it: group `{alertname="<name>"}` (the id by default) of route `{}`,
 * receiver `r`, Alertmanager's default timings; `o` overrides any field.
 */
export function groupTarget(groupId: string, o: Partial<GroupTarget> & { name?: string } = {}): GroupTarget {
  const { name = groupId, ...over } = o;
  return {
    groupId,
    groupKey: `{}:{alertname="${name}"}`,
    receiver: 'r',
    routeId: '{}',
    groupLabels: { alertname: name },
    groupWait: 30_000,
    groupInterval: 300_000,
    repeatInterval: 14_400_000,
    ...over,
  };
}

/** A stored alert of group A with fingerprint (and label `i`) `fp`, active from `at` for 5 minutes. */
export function storedAlert(fp: string, at: number, o: Partial<Alert> = {}): Alert {
  return {
    fingerprint: fp,
    labels: { alertname: 'A', i: fp },
    annotations: {},
    startsAt: at,
    endsAt: at + 300_000,
    updatedAt: at,
    timeout: false,
    generatorURL: '',
    ...o,
  };
}
