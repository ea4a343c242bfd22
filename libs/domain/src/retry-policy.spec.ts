import { HTTP_CLASSES } from '../../../test/fixtures/http-classes';
import { backoffDelay, classifyDelivery, RetryPolicy } from './retry-policy';

describe('retry policy (Alertmanager)', () => {
  it.each(HTTP_CLASSES)('HTTP %i → %s %s', (status, action, reason) => {
    const v = classifyDelivery({ kind: 'http', status });
    expect(v.action).toBe(action);
    expect('reason' in v ? v.reason : undefined).toBe(reason);
  });

  it('retries transport errors', () => {
    expect(classifyDelivery({ kind: 'transport', timeout: true, message: 'timeout' })).toEqual({
      action: 'retry',
      reason: 'contextDeadlineExceeded',
    });
    expect(classifyDelivery({ kind: 'transport', timeout: false, message: 'ECONNREFUSED' })).toEqual({
      action: 'retry',
      reason: 'other',
    });
  });

  it('backs off from 500 ms ×1.5 with ±50 % jitter, never above 60 s', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, mid))).toEqual([500, 750, 1125, 1688]);
    expect(backoffDelay(1, () => 0)).toBe(250);
    expect(backoffDelay(1, () => 0.999999)).toBe(750);
    expect(backoffDelay(30, mid)).toBe(60_000);
    expect(backoffDelay(30, () => 0)).toBe(30_000);
    expect(backoffDelay(30, () => 0.99)).toBe(60_000);
  });

  it('RetryPolicy: retries within the budget, dead-letters after it or on a give-up status', () => {
    const p = new RetryPolicy(3, () => 0.5);
    expect(p.next(1, { kind: 'http', status: 200 })).toEqual({ action: 'done' });
    expect(p.next(1, { kind: 'http', status: 502 })).toEqual({
      action: 'retry',
      reason: 'serverError',
      delayMs: 500,
    });
    expect(p.next(2, { kind: 'http', status: 502 })).toEqual({
      action: 'retry',
      reason: 'serverError',
      delayMs: 750,
    });
    expect(p.next(3, { kind: 'http', status: 502 })).toEqual({
      action: 'dead-letter',
      reason: 'serverError',
      exhausted: true,
    });
    expect(p.next(1, { kind: 'http', status: 400 })).toEqual({
      action: 'dead-letter',
      reason: 'clientError',
      exhausted: false,
    });
  });

  it('honours Retry-After within the cap', () => {
    const p = new RetryPolicy(5, () => 0.5);
    expect(p.next(1, { kind: 'http', status: 429, retryAfterMs: 10_000 })).toMatchObject({ delayMs: 10_000 });
    expect(p.next(1, { kind: 'http', status: 429, retryAfterMs: 600_000 })).toMatchObject({
      delayMs: 60_000,
    });
  });
});
