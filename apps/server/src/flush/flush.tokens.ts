/** Injection token of the FlushRunner (libs/domain): claim → lock → pipeline → enqueue → record. */
export const FLUSH_RUNNER = Symbol('FLUSH_RUNNER');
/** Injection token of the GroupLock port. */
export const GROUP_LOCK = Symbol('GROUP_LOCK');
/**
 * Injection token of this node's `DueWake` (its FlushScheduler; exported globally by FlushModule, so
 * absent on nodes without the `scheduler` role): ingest hands it the earliest due time a batch set.
 */
export const DUE_WAKE = Symbol('DUE_WAKE');

/** Wakes a scheduler for a due time set on this node, instead of leaving it to the next poll. */
export interface DueWake {
  wakeAt(dueAt: number): void;
}
