import { ALERTMANAGER_BACKOFF, backoffDelay, type BackoffOptions } from '@herald/domain';

/** Retry settings shared by both queue adapters (so a notification retries alike wherever it sits). */
export interface DeliveryRetryOptions {
  /** Total attempts including the first (default 10: about 2.5 min of backoff with the defaults). */
  maxAttempts: number;
  /** Alertmanager's backoff by default: 500 ms ×1.5 ±50 %, capped at 60 s. Tests shrink it. */
  backoff: BackoffOptions;
  /** [0, 1); injectable for deterministic tests. */
  random: () => number;
}

/** Defaults: Alertmanager's backoff, 10 attempts. */
export const DEFAULT_RETRY: DeliveryRetryOptions = {
  maxAttempts: 10,
  backoff: ALERTMANAGER_BACKOFF,
  random: Math.random,
};

/** Fills unset retry options with the defaults. */
export function retryOptions(o: Partial<DeliveryRetryOptions> = {}): DeliveryRetryOptions {
  return { ...DEFAULT_RETRY, ...o, backoff: { ...DEFAULT_RETRY.backoff, ...o.backoff } };
}

/**
 * Wait before the retry after attempt number `attemptsMade` (1-based): the domain backoff, or the
 * receiver's `Retry-After` when longer — both within the cap.
 */
export function retryDelay(o: DeliveryRetryOptions, attemptsMade: number, retryAfterMs?: number): number {
  const d = backoffDelay(attemptsMade, o.random, o.backoff);
  return retryAfterMs ? Math.min(Math.max(d, retryAfterMs), o.backoff.maxMs) : d;
}
