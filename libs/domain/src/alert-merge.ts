import { isResolved, type Alert } from './alert';

/**
 * Alertmanager's merge of a re-sent alert into the stored one (provider/mem + types.Alert.Merge):
 * merge only when the activity ranges overlap, otherwise the incoming alert replaces the stored one.
 * The Redis adapter's Lua script (`upsert-groups.lua`) implements the same rules; keep them in step.
 */
export function mergeAlert(stored: Alert | undefined, incoming: Alert, now: number): Alert {
  if (!stored) return incoming;
  const overlaps =
    (incoming.endsAt > stored.startsAt && incoming.endsAt < stored.endsAt) ||
    (incoming.startsAt > stored.startsAt && incoming.startsAt < stored.endsAt);
  if (!overlaps) return incoming;
  return mergeOrdered(stored, incoming, now);
}

/** types.Alert.Merge: `o` (the younger by updatedAt) provides the content; times are combined. */
function mergeOrdered(a: Alert, o: Alert, now: number): Alert {
  if (o.updatedAt < a.updatedAt) return mergeOrdered(o, a, now);
  const res: Alert = { ...o };
  if (a.startsAt < o.startsAt) res.startsAt = a.startsAt;
  if (isResolved(o, now)) {
    // The latest explicit resolve time wins when both are resolved.
    if (isResolved(a, now) && a.endsAt > o.endsAt) res.endsAt = a.endsAt;
  } else if (a.endsAt > o.endsAt && !a.timeout) {
    // A non-timeout end time always rules if it is the latest.
    res.endsAt = a.endsAt;
  }
  return res;
}
