import type { LockLossReason } from './lock.errors';

/**
 * Hooks a metrics adapter implements (no metrics library here). `resource` is the full lock key: derive
 * a low-cardinality label (e.g. the kind, `lock:group`) before exporting it. Hooks must not throw; the
 * manager swallows what they throw so a metrics bug cannot break locking.
 */
export interface LockMetrics {
  /** A lock was taken after `waitedMs` (0 for a first-try success). */
  acquired(resource: string, waitedMs: number): void;
  /** One try found the lock held by someone else (contention). */
  contended(resource: string): void;
  /** A blocking acquire reached its deadline without the lock. */
  timedOut(resource: string, waitedMs: number): void;
  /** The holder released the lock after holding it `heldMs`. */
  released(resource: string, heldMs: number): void;
  /** The lock was lost while held (the holder's AbortSignal fired). */
  lost(resource: string, heldMs: number, reason: LockLossReason): void;
  /** A Redis call failed (unavailable, timeout); the operation is retried or the lock left to expire. */
  error(resource: string, op: 'acquire' | 'extend' | 'release', err: unknown): void;
}

/** Metrics that record nothing (the default). */
export const noLockMetrics: LockMetrics = {
  acquired: () => undefined,
  contended: () => undefined,
  timedOut: () => undefined,
  released: () => undefined,
  lost: () => undefined,
  error: () => undefined,
};
