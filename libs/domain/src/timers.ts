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
 * The first `group_interval` tick of a half flushed at `now` (ticks at now + k·group_interval, k ≥ 1)
 * that is at or after `t`: when Alertmanager's group, ticking every group_interval, first sees `t`.
 */
export function tickAtOrAfter(groupInterval: number, now: number, t: number): number {
  const k = Math.max(1, Math.ceil((t - now) / groupInterval));
  return now + k * groupInterval;
}

/**
 * The first tick at or after `now` of a half due at `dueAt` on a group_interval grid (dueAt − k·interval):
 * where ingest moves a parked half (see {@link parkedFlushAt}) when the group changes.
 */
export function nextTickOf(dueAt: number, groupInterval: number, now: number): number {
  if (dueAt <= now || groupInterval <= 0) return dueAt;
  return dueAt - Math.floor((dueAt - now) / groupInterval) * groupInterval;
}

/**
 * When a firing half whose receiver already knows everything can flush next without missing what
 * Alertmanager's flush every group_interval would send: the tick at which repeat_interval has elapsed
 * since the last notification (`needsUpdate`: strictly after), or the tick at which the first firing
 * alert ends by its endsAt (a resolution), whichever comes first. Until then each tick would find
 * nothing to do, so the half is parked on the due index at that tick instead of flushing every
 * group_interval; ingest pulls it back to the next tick when an alert joins the firing half.
 */
export function parkedFlushAt(
  timers: Pick<GroupTimers, 'groupInterval' | 'repeatInterval'>,
  firing: readonly Pick<Alert, 'endsAt'>[],
  lastNotifiedAt: number,
  now: number,
): number {
  let until = lastNotifiedAt + timers.repeatInterval + 1;
  for (const a of firing) if (a.endsAt < until) until = a.endsAt;
  return tickAtOrAfter(timers.groupInterval, now, until);
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
