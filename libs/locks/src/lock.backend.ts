/**
 * The port the lock manager drives: one Redis (our Lua scripts) or several masters (Redlock quorum).
 * The manager owns blocking, watchdog, validity, metrics and shutdown; a backend only answers
 * "did this single operation succeed" and throws when it cannot tell (Redis unavailable).
 */
export interface LockBackend {
  readonly mode: 'single' | 'quorum';

  /**
   * Takes `key` for `owner` for `ttlMs` if it is free. Resolves with the fencing token (a number larger
   * than every token handed out before for this key) or null when another owner holds it.
   */
  tryAcquire(key: string, owner: string, ttlMs: number): Promise<number | null>;

  /** Resets the TTL if `owner` still holds `key`; false when it does not (the lock was lost). */
  extend(key: string, owner: string, ttlMs: number): Promise<boolean>;

  /** Deletes `key` if `owner` still holds it; false when it did not. */
  release(key: string, owner: string): Promise<boolean>;
}
