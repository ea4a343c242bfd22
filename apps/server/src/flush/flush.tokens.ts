/** Injection token of the FlushRunner (libs/domain): claim → lock → pipeline → enqueue → record. */
export const FLUSH_RUNNER = Symbol('FLUSH_RUNNER');
/** Injection token of the GroupLock port. */
export const GROUP_LOCK = Symbol('GROUP_LOCK');
