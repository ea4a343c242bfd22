import { createHmac } from 'node:crypto';
import { HTTP_CLASSES } from '../../../test/fixtures/http-classes';
import { testAlert, testNotification } from '../../../test/harness/notifications';
import { classifySmtpError } from './notify/email';
import { parseRetryAfter } from './http-client';
import { dispatch, resultOf, type Integration, type SendResult } from './receiver';
import { webhookBody, webhookSignature } from './notify/webhook';
import { deliveryJobId } from './notification';

const fixed = (r: SendResult): Integration['receiver'] => ({ kind: 'fake', send: () => Promise.resolve(r) });

describe('classification of receiver answers', () => {
  // The retry policy's table; its `done` is a result of kind `ok`.
  it.each(HTTP_CLASSES)('HTTP %i → %s (%s)', (status, action, reason) => {
    const r = resultOf({ kind: 'http', status }, `HTTP ${status}`);
    expect(r.kind).toBe(action === 'done' ? 'ok' : action);
    if (r.kind !== 'ok') expect(r.reason).toBe(reason);
  });

  it('retries transport errors, timeouts as contextDeadlineExceeded', () => {
    expect(resultOf({ kind: 'transport', timeout: true, message: 't' }, 't')).toMatchObject({
      kind: 'retry',
      reason: 'contextDeadlineExceeded',
    });
    expect(resultOf({ kind: 'transport', timeout: false, message: 'refused' }, 'refused').kind).toBe('retry');
  });

  it('classifies SMTP replies: auth and 5xx give up, 4xx and connection errors retry', () => {
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535 })).toMatchObject({
      kind: 'give-up',
      reason: 'authError',
    });
    expect(classifySmtpError({ responseCode: 550 })).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
    });
    expect(classifySmtpError({ responseCode: 451 })).toMatchObject({ kind: 'retry', reason: 'serverError' });
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }).kind).toBe('retry');
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('dispatch', () => {
  it('records accepted integrations so a retry skips them', async () => {
    const n = testNotification();
    const calls: string[] = [];
    const spy = (name: string, r: SendResult): Integration => ({
      name,
      receiver: { kind: 'fake', send: () => (calls.push(name), Promise.resolve(r)) },
    });
    const first = await dispatch(
      n,
      [
        spy('webhook[0]', { kind: 'ok' }),
        spy('webhook[1]', { kind: 'retry', reason: 'serverError', message: 'HTTP 500', status: 500 }),
      ],
      [],
      new AbortController().signal,
    );
    expect(first).toMatchObject({
      kind: 'retry',
      done: ['webhook[0]'],
      error: { integration: 'webhook[1]', status: 500 },
    });
    calls.length = 0;
    const second = await dispatch(
      n,
      [spy('webhook[0]', { kind: 'ok' }), spy('webhook[1]', { kind: 'ok' })],
      first.done,
      new AbortController().signal,
    );
    expect(second).toEqual({ kind: 'ok', done: ['webhook[0]', 'webhook[1]'] });
    expect(calls).toEqual(['webhook[1]']);
  });

  it('gives up when any integration gives up, and for an unknown receiver', async () => {
    const n = testNotification();
    const r = await dispatch(
      n,
      [
        { name: 'a', receiver: fixed({ kind: 'retry', reason: 'serverError', message: '500' }) },
        {
          name: 'b',
          receiver: fixed({ kind: 'give-up', reason: 'clientError', message: '400', status: 400 }),
        },
      ],
      [],
      new AbortController().signal,
    );
    expect(r).toMatchObject({ kind: 'give-up', error: { integration: 'b', status: 400 } });
    expect(await dispatch(n, undefined, [], new AbortController().signal)).toMatchObject({
      kind: 'give-up',
      error: { message: 'unknown receiver "team-db"' },
    });
  });

  it('turns a throwing receiver into a retry rather than losing the notification', async () => {
    const r = await dispatch(
      testNotification(),
      [{ name: 'x', receiver: { kind: 'bad', send: () => Promise.reject(new Error('boom')) } }],
      [],
      new AbortController().signal,
    );
    expect(r).toMatchObject({ kind: 'retry', error: { reason: 'other', message: 'Error: boom' } });
  });
});

describe('webhook body', () => {
  it('applies max_alerts in order and counts truncatedAlerts', () => {
    const n = testNotification();
    const b = webhookBody(n.payload, true, 2)!;
    expect(b.alerts.map((a) => a.labels.instance)).toEqual(['a', 'b']);
    expect(b.truncatedAlerts).toBe(1);
    expect(webhookBody(n.payload, true, 0)).toBe(n.payload);
  });

  it('drops resolved alerts without send_resolved and sends nothing when none fire', () => {
    const n = testNotification({
      alerts: [
        testAlert({ alertname: 'A', instance: 'x' }),
        testAlert({ alertname: 'A', instance: 'y' }, {}, true),
      ],
    });
    expect(webhookBody(n.payload, false, 0)!.alerts.map((a) => a.status)).toEqual(['firing']);
    const resolved = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'A' }, {}, true)],
    });
    expect(webhookBody(resolved.payload, false, 0)).toBeNull();
  });

  it('signs the exact body with HMAC-SHA256', () => {
    expect(webhookSignature('s3cret', '{"a":1}')).toBe(
      `sha256=${createHmac('sha256', 's3cret').update('{"a":1}').digest('hex')}`,
    );
  });
});

describe('deliveryJobId', () => {
  it('is deterministic, BullMQ-safe (no ":", not all digits) and distinct per seq and half', () => {
    const id = deliveryJobId(testNotification({ seq: 7 }));
    expect(id).toMatch(/^[0-9a-f]{64}-7$/);
    expect(deliveryJobId(testNotification({ seq: 7 }))).toBe(id);
    expect(deliveryJobId(testNotification({ seq: 8 }))).not.toBe(id);
    expect(deliveryJobId(testNotification({ seq: 7, state: 'recovery' }))).not.toBe(id);
  });
});
