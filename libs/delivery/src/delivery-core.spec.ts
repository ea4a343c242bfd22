import { FakeClock } from '@herald/domain';
import { testNotification } from '../../../test/harness/notifications';
import { DeliveryCore, type DeliveryAttempt } from './delivery-core';
import type { SendResult } from './receiver';

/** A core over one receiver whose integrations answer from `script` (per integration, per call). */
function core(script: Record<string, SendResult[]>, onAttempt?: (a: DeliveryAttempt) => void) {
  const integrations = Object.keys(script).map((name) => ({
    name,
    receiver: { kind: name.replace(/\[\d+\]$/, ''), send: () => Promise.resolve(script[name].shift()!) },
  }));
  return new DeliveryCore({
    resolve: () => integrations,
    limiter: { take: () => Promise.resolve(0) },
    retry: { maxAttempts: 2, random: () => 0.5 },
    clock: new FakeClock(1000),
    onAttempt,
  });
}

describe('DeliveryCore: every attempt told to onAttempt', () => {
  it('retrying, then delivered, naming the integrations the attempt was about', async () => {
    const seen: DeliveryAttempt[] = [];
    const c = core(
      {
        'webhook[0]': [{ kind: 'ok' }],
        'slack[0]': [
          { kind: 'retry', reason: 'serverError', message: 'HTTP 503', status: 503 },
          { kind: 'ok' },
        ],
      },
      (a) => seen.push(a),
    );
    const n = testNotification();
    const first = await c.deliver({ n, done: [], attemptsMade: 0 });
    expect(first.kind).toBe('retry');
    const done = first.kind === 'retry' ? first.done : [];
    expect((await c.deliver({ n, done, attemptsMade: 1 })).kind).toBe('delivered');
    expect(seen.map((a) => [a.outcome, a.attempt, a.integrations, a.error?.status, a.at])).toEqual([
      ['retrying', 1, ['slack[0]'], 503, 1000],
      ['delivered', 2, ['slack[0]'], undefined, 1000],
    ]);
    expect(seen[0].notification).toBe(n);
  });

  it('failed when given up (4xx) or out of attempts', async () => {
    const seen: DeliveryAttempt[] = [];
    const c = core(
      {
        'webhook[0]': [
          { kind: 'give-up', reason: 'clientError', message: 'HTTP 400', status: 400 },
          { kind: 'retry', reason: 'serverError', message: 'HTTP 500', status: 500 },
        ],
      },
      (a) => seen.push(a),
    );
    expect((await c.deliver({ n: testNotification(), done: [], attemptsMade: 0 })).kind).toBe('dead');
    expect((await c.deliver({ n: testNotification(), done: [], attemptsMade: 1 })).kind).toBe('dead');
    expect(seen.map((a) => [a.outcome, a.attempt, a.error?.status])).toEqual([
      ['failed', 1, 400],
      ['failed', 2, 500],
    ]);
  });

  it('a stalled attempt: its number, and the integrations that had not accepted yet', () => {
    const seen: DeliveryAttempt[] = [];
    const c = core({ 'webhook[0]': [], 'slack[0]': [] }, (a) => seen.push(a));
    const n = testNotification();
    c.stalled({ n, done: ['webhook[0]'], attemptsMade: 2 });
    expect(seen).toEqual([
      expect.objectContaining({
        notification: n,
        attempt: 3,
        outcome: 'stalled',
        integrations: ['slack[0]'],
        error: expect.objectContaining({ integration: 'slack[0]', reason: 'other' }),
        at: 1000,
      }),
    ]);
  });

  it('a throwing onAttempt changes nothing about the send', async () => {
    const c = core({ 'webhook[0]': [{ kind: 'ok' }] }, () => {
      throw new Error('history is broken');
    });
    expect((await c.deliver({ n: testNotification(), done: [], attemptsMade: 0 })).kind).toBe('delivered');
  });

  it('nothing is told for a rate-limited or superseded notification (no send)', async () => {
    const seen: DeliveryAttempt[] = [];
    const c = new DeliveryCore({
      resolve: () => [],
      limiter: { take: () => Promise.resolve(0) },
      superseded: () => Promise.resolve(true),
      onAttempt: (a) => seen.push(a),
    });
    expect((await c.deliver({ n: testNotification(), done: [], attemptsMade: 0 })).kind).toBe('superseded');
    expect(seen).toEqual([]);
  });
});
