/** Why a held lock stopped being ours. */
export type LockLossReason =
  /** Redis answered that another owner (or nobody) holds the key: extend or release was refused. */
  | 'refused'
  /** The local validity (TTL minus drift) ran out before an extension succeeded. */
  | 'expired'
  /** The manager shut down before the holder released it. */
  | 'shutdown';

/** Blocking acquire gave up: the deadline passed while someone else held the lock (or Redis failed). */
export class LockNotAcquiredError extends Error {
  override readonly name = 'LockNotAcquiredError';

  constructor(
    readonly resource: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(`lock ${resource} not acquired within ${waitedMs} ms`, options);
  }
}

/** The reason an AbortSignal handed to a lock holder fires. */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';

  constructor(
    readonly resource: string,
    readonly reason: LockLossReason,
  ) {
    super(`lock ${resource} lost (${reason})`);
  }
}

/** Too few Redis masters answered for a quorum decision (quorum mode), or the acquire outlived its TTL. */
export class LockUnavailableError extends Error {
  override readonly name = 'LockUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The manager is shutting down and takes no new locks. */
export class LockManagerClosedError extends Error {
  override readonly name = 'LockManagerClosedError';

  constructor() {
    super('lock manager is shutting down');
  }
}
