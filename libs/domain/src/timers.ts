import { isResolved, type Alert, type GroupState } from './alert';
import type { ResolvedCleanup, StoredGroup } from './group.store';

/** The timers of a group, in milliseconds (route's group_wait, group_interval, repeat_interval). */
export interface GroupTimers {
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
}

/**
 * When a group with these newly arrived alerts should flush first: after `group_wait`, or at once when
 * the group never flushed and an alert started more than `group_wait` ago (Alertmanager: e.g. after a
 * restart, the alert already waited). Mirrors the scheduling in upsert-groups.lua / MemoryGroupStore.
 */
export function firstFlushAt(
  timers: Pick<GroupTimers, 'groupWait'>,
  alerts: readonly Pick<Alert, 'startsAt'>[],
  now: number,
  flushedBefore: boolean,
): number {
  if (!flushedBefore && alerts.some((a) => a.startsAt + timers.groupWait < now)) return now;
  return now + timers.groupWait;
}

/**
 * When a group half flushes next after a flush at `now`. The firing half ticks every `group_interval`
 * while it holds firing alerts (new alerts joining it wait for that tick); an emptied firing half and
 * the recovery half are not rescheduled: ingest puts them back on the due index when alerts arrive.
 */
export function nextFlushAt(
  state: GroupState,
  timers: Pick<GroupTimers, 'groupInterval'>,
  stillFiring: boolean,
  now: number,
): number | null {
  switch (state) {
    case 'firing':
      return stillFiring ? now + timers.groupInterval : null;
    case 'recovery':
      return null;
  }
}

/**
 * After a successful resolved notification the resolved alerts are removed from the group and an
 * empty group is deleted (Alertmanager deletes resolved alerts after a flush and drops empty
 * aggregation groups). Only alerts still resolved at `now` go: one that fired again meanwhile stays.
 */
export function cleanupAfterResolved(
  group: Pick<StoredGroup, 'firing' | 'recovery'>,
  resolvedFingerprints: Iterable<string>,
  now: number,
): ResolvedCleanup {
  const wanted = new Set(resolvedFingerprints);
  const remove: string[] = [];
  let left = 0;
  for (const a of [...group.firing, ...group.recovery]) {
    if (wanted.has(a.fingerprint) && isResolved(a, now)) remove.push(a.fingerprint);
    else left++;
  }
  return { remove, deleteGroup: left === 0 };
}

/** Applies a cleanup to an in-memory copy of a group (the memory adapter and tests); null = deleted. */
export function applyCleanup<G extends Pick<StoredGroup, 'firing' | 'recovery'>>(
  group: G,
  cleanup: ResolvedCleanup,
): G | null {
  if (cleanup.deleteGroup) return null;
  const gone = new Set(cleanup.remove);
  return {
    ...group,
    firing: group.firing.filter((a) => !gone.has(a.fingerprint)),
    recovery: group.recovery.filter((a) => !gone.has(a.fingerprint)),
  };
}
