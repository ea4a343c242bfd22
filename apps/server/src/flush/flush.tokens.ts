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

/**
 * Injection token of the wake-ups other nodes publish (`DueWakeSource`; null in memory mode): the
 * scheduler subscribes, so a group an `api` node set due soon is flushed now, not at the next poll.
 */
export const DUE_WAKE_SOURCE = Symbol('DUE_WAKE_SOURCE');

/** Due times set on other nodes (Redis pub/sub: `RedisDueWakeChannel`). */
export interface DueWakeSource {
  /** Calls `onDue` per due time received; resolves with the function that stops it. */
  subscribe(onDue: (dueAt: number) => void): Promise<() => void>;
}
