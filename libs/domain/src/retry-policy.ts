/**
 * Alertmanager's failure reasons (the `reason` label of `alertmanager_notifications_failed_total`),
 * plus `authError`/`rateLimited` split out of `clientError` because they call for different action.
 */
export type FailureReason =
  'clientError' | 'serverError' | 'authError' | 'rateLimited' | 'contextDeadlineExceeded' | 'other';

/** What a delivery attempt came back with. */
export type DeliveryOutcome =
  | {
      kind: 'http';
      status: number;
      /** From a `Retry-After` header, when the receiver sent one. */ retryAfterMs?: number;
    }
  | {
      kind: 'transport';
      /** The request timed out (vs refused, reset, DNS...). */ timeout: boolean;
      message: string;
    };

/** How to treat an outcome: done, try again, or give up (dead-letter) — with the reason counted. */
export type DeliveryVerdict =
  | { action: 'done' }
  | { action: 'retry'; reason: FailureReason }
  | { action: 'give-up'; reason: FailureReason };

/**
 * Alertmanager's retry rule: 2xx is done; 5xx and transport errors are retried; 429 is retried (as
 * Alertmanager does for PagerDuty/Opsgenie-like APIs); 401/403 and other 4xx give up at once (sending
 * the same request again cannot succeed); anything else (1xx/3xx) gives up as `other`.
 */
export function classifyDelivery(o: DeliveryOutcome): DeliveryVerdict {
  switch (o.kind) {
    case 'transport':
      return { action: 'retry', reason: o.timeout ? 'contextDeadlineExceeded' : 'other' };
    case 'http': {
      const s = o.status;
      if (s >= 200 && s < 300) return { action: 'done' };
      if (s === 429) return { action: 'retry', reason: 'rateLimited' };
      if (s === 401 || s === 403) return { action: 'give-up', reason: 'authError' };
      if (s >= 400 && s < 500) return { action: 'give-up', reason: 'clientError' };
      if (s >= 500 && s < 600) return { action: 'retry', reason: 'serverError' };
      return { action: 'give-up', reason: 'other' };
    }
  }
}

/** Backoff parameters: Alertmanager's (cenkalti/backoff defaults). */
export interface BackoffOptions {
  initialMs: number;
  multiplier: number;
  /** ± fraction of the interval. */
  jitter: number;
  maxMs: number;
}

/** 500 ms, ×1.5, ±50 %, at most 60 s. */
export const ALERTMANAGER_BACKOFF: BackoffOptions = {
  initialMs: 500,
  multiplier: 1.5,
  jitter: 0.5,
  maxMs: 60_000,
};

/**
 * The wait before retry number `attempt` (1 = the first retry): the interval grows from `initialMs` by
 * `multiplier` up to `maxMs`, then gets ±`jitter` so that nodes retrying the same receiver spread out;
 * the result never exceeds `maxMs`. `random` returns [0, 1) and is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  opts: BackoffOptions = ALERTMANAGER_BACKOFF,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(opts.initialMs * Math.pow(opts.multiplier, n - 1), opts.maxMs);
  const jittered = base * (1 - opts.jitter + 2 * opts.jitter * random());
  return Math.min(Math.round(jittered), opts.maxMs);
}

/** The next step after a failed or successful attempt. */
export type RetryStep =
  | { action: 'done' }
  | { action: 'retry'; reason: FailureReason; delayMs: number }
  | {
      action: 'dead-letter';
      reason: FailureReason;
      /** True when the budget, not the error, ended it. */ exhausted: boolean;
    };

/**
 * The retry policy of a delivery: classification + backoff + an attempt budget. Shared by the BullMQ
 * and the memory delivery adapters so both retry alike.
 */
export class RetryPolicy {
  constructor(
    /** Total attempts including the first. */
    readonly maxAttempts: number,
    private readonly random: () => number = Math.random,
    private readonly backoff: BackoffOptions = ALERTMANAGER_BACKOFF,
  ) {}

  /** Decides after attempt number `attempt` (1-based) ended with `outcome`. */
  next(attempt: number, outcome: DeliveryOutcome): RetryStep {
    const v = classifyDelivery(outcome);
    switch (v.action) {
      case 'done':
        return v;
      case 'give-up':
        return { action: 'dead-letter', reason: v.reason, exhausted: false };
      case 'retry': {
        if (attempt >= this.maxAttempts) return { action: 'dead-letter', reason: v.reason, exhausted: true };
        let delayMs = backoffDelay(attempt, this.random, this.backoff);
        // A receiver that says when to come back is believed, within the same cap.
        if (outcome.kind === 'http' && outcome.retryAfterMs !== undefined) {
          delayMs = Math.min(Math.max(delayMs, outcome.retryAfterMs), this.backoff.maxMs);
        }
        return { action: 'retry', reason: v.reason, delayMs };
      }
    }
  }
}
