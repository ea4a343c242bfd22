import {
  normalizePostableAlerts,
  normalizeWebhookAlerts,
  parseWebhookEnvelope,
  type IngestContext,
} from './ingest';
import { fingerprint } from './fingerprint';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const ctx: IngestContext = {
  now: NOW,
  resolveTimeout: 300_000,
  limits: {
    maxLabelsPerAlert: 4,
    maxLabelNameLength: 32,
    maxLabelValueLength: 16,
    maxAnnotationsPerAlert: 2,
    maxAnnotationValueLength: 16,
  },
};
const one = (raw: unknown) => normalizePostableAlerts([raw], ctx);

describe('normalizePostableAlerts (Alertmanager API v2 semantics)', () => {
  it('drops empty label values and fingerprints what is left', () => {
    const { alerts } = one({ labels: { alertname: 'A', empty: '' } });
    expect(alerts[0].labels).toEqual({ alertname: 'A' });
    expect(alerts[0].fingerprint).toBe(fingerprint({ alertname: 'A' }));
  });
  it('missing startsAt and endsAt: starts now, ends after resolve_timeout, marked as timeout', () => {
    const [a] = one({ labels: { a: '1' } }).alerts;
    expect([a.startsAt, a.endsAt, a.timeout, a.updatedAt]).toEqual([NOW, NOW + 300_000, true, NOW]);
  });
  it("Go's zero time counts as unset", () => {
    const [a] = one({
      labels: { a: '1' },
      startsAt: '0001-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    }).alerts;
    expect([a.startsAt, a.timeout]).toEqual([NOW, true]);
  });
  it('missing startsAt with an endsAt starts at endsAt (a resolved-only report)', () => {
    const [a] = one({ labels: { a: '1' }, endsAt: '2026-06-01T11:00:00Z' }).alerts;
    expect([a.startsAt, a.endsAt, a.timeout]).toEqual([Date.parse('2026-06-01T11:00:00Z'), a.endsAt, false]);
  });
  it('rejects startsAt/endsAt before 1970 or after 9999 per alert, naming the field; the rest is kept', () => {
    const r = normalizePostableAlerts(
      [
        { labels: { a: '0' } },
        { labels: { a: '1' }, startsAt: '1969-12-31T23:59:59Z' },
        { labels: { a: '2' }, endsAt: '1900-01-01T00:00:00Z' },
        { labels: { a: '3' }, startsAt: '9999-12-31T23:59:59-01:00' },
        { labels: { a: '4' }, endsAt: '9999-12-31T23:59:59Z' },
      ],
      ctx,
    );
    expect(r.errors.map((e) => [e.index, e.field, e.message])).toEqual([
      [1, 'startsAt', 'must not be before 1970-01-01T00:00:00Z'],
      [2, 'endsAt', 'must not be before 1970-01-01T00:00:00Z'],
      [3, 'startsAt', 'must not be after 9999-12-31T23:59:59Z'],
    ]);
    expect(r.alerts.map((a) => a.labels.a)).toEqual(['0', '4']);
    expect(r.alerts[1].endsAt).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });
  it('rejects a date that does not exist instead of rolling it over (regression: 2024-04-31 became 1 May)', () => {
    const r = normalizePostableAlerts(
      [
        { labels: { a: '0' }, startsAt: '2024-04-31T00:00:00Z' },
        { labels: { a: '1' }, endsAt: '2030-01-01T24:00:00Z' },
      ],
      ctx,
    );
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([
      [0, 'startsAt'],
      [1, 'endsAt'],
    ]);
    expect(r.alerts).toEqual([]);
  });
  it('accepts offsets and fractional seconds', () => {
    const [a] = one({ labels: { a: '1' }, startsAt: '2026-06-01T13:00:00.123456789+02:00' }).alerts;
    expect(a.startsAt).toBe(Date.parse('2026-06-01T11:00:00.123Z'));
  });
  it('keeps a __proto__ label as a real label', () => {
    const [a] = one({ labels: JSON.parse('{"__proto__":"x","a":"1"}') }).alerts;
    expect(Object.keys(a.labels).sort()).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(a.labels)).toBe('{"__proto__":"x","a":"1"}');
  });
  it('reports every invalid alert with its index and field and keeps the valid ones', () => {
    const r = normalizePostableAlerts(
      [
        { labels: { a: '1' } },
        { labels: { a: '1' }, endsAt: '2026-06-01T11:00:00Z', startsAt: '2026-06-01T11:30:00Z' },
        { labels: { a: '1' }, annotations: { a: '1', b: '2', c: '3' } },
        { labels: { a: 'x'.repeat(17) } },
        { labels: { a: '1', b: '1', c: '1', d: '1', e: '1' } },
        { labels: { a: '1' }, generatorURL: 7 },
      ],
      ctx,
    );
    expect(r.alerts.length).toBe(1);
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'endsAt'],
      [2, 'annotations'],
      [3, 'labels.a'],
      [4, 'labels'],
      [5, 'generatorURL'],
    ]);
  });
});

describe('Alertmanager webhook (version 4)', () => {
  const env = (alerts: unknown[]) => {
    const e = parseWebhookEnvelope(
      {
        version: '4',
        groupKey: 'gk',
        receiver: 'up',
        status: 'firing',
        alerts,
      },
      ctx.limits,
    );
    if ('field' in e) throw new Error(e.message);
    return e;
  };
  it('a firing alert with zero endsAt ends after resolve_timeout; a resolved one ends now at the latest', () => {
    const r = normalizeWebhookAlerts(
      env([
        {
          status: 'firing',
          labels: { a: '1' },
          startsAt: '2026-06-01T11:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
        },
        {
          status: 'resolved',
          labels: { a: '2' },
          startsAt: '2026-06-01T11:00:00Z',
          endsAt: '2026-06-01T13:00:00Z',
        },
      ]),
      ctx,
    );
    expect(r.errors).toEqual([]);
    expect([r.alerts[0].endsAt, r.alerts[0].timeout]).toEqual([NOW + 300_000, true]);
    expect(r.alerts[1].endsAt).toBe(NOW);
    expect(r.alerts[0].source).toEqual({ groupKey: 'gk', receiver: 'up' });
  });
  it('rejects a missing or unknown status', () => {
    const r = normalizeWebhookAlerts(
      env([{ labels: { a: '1' } }, { status: 'ok', labels: { a: '1' } }]),
      ctx,
    );
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([
      [0, 'status'],
      [1, 'status'],
    ]);
  });
  it('validates the envelope', () => {
    expect(parseWebhookEnvelope({ version: '3', alerts: [] }, ctx.limits)).toMatchObject({
      field: 'version',
    });
    expect(parseWebhookEnvelope({ version: '4' }, ctx.limits)).toMatchObject({ field: 'alerts' });
    expect(parseWebhookEnvelope([], ctx.limits)).toMatchObject({ field: 'body' });
  });
  it('rejects a groupKey over max_group_key_length naming groupKey (the 4 MB groupKey that killed a node)', () => {
    const limits = { ...ctx.limits, maxGroupKeyLength: 100 };
    const base = { version: '4', status: 'firing', alerts: [] };
    expect(parseWebhookEnvelope({ ...base, groupKey: 'k'.repeat(100) }, limits)).not.toHaveProperty('field');
    expect(parseWebhookEnvelope({ ...base, groupKey: 'k'.repeat(101) }, limits)).toMatchObject({
      field: 'groupKey',
      message: expect.stringContaining('max_group_key_length') as unknown,
    });
    expect(parseWebhookEnvelope({ ...base, groupKey: 'k'.repeat(4 << 20) }, ctx.limits)).toMatchObject({
      field: 'groupKey',
    });
  });
  it('bounds every other string field of the envelope, read or not', () => {
    const base = { version: '4', status: 'firing', alerts: [] };
    const long = 'x'.repeat(17);
    const cases: [Record<string, unknown>, string][] = [
      [{ receiver: long }, 'receiver'],
      [{ receiver: 5 }, 'receiver'],
      [{ externalURL: 'x'.repeat(17) }, 'externalURL'],
      [{ status: 'exploded' }, 'status'],
      [{ status: 's'.repeat(1 << 20) }, 'status'],
      [{ groupLabels: { a: long } }, 'groupLabels["a"]'],
      [{ groupLabels: 'a' }, 'groupLabels'],
      [{ commonLabels: { a: '1', b: '2', c: '3', d: '4', e: '5' } }, 'commonLabels'],
      [{ commonLabels: { ['n'.repeat(33)]: '1' } }, `commonLabels["${'n'.repeat(33)}"]`],
      [{ commonAnnotations: { a: 1 } }, 'commonAnnotations["a"]'],
      [{ commonAnnotations: { a: long } }, 'commonAnnotations["a"]'],
      [{ truncatedAlerts: -1 }, 'truncatedAlerts'],
      [{ truncatedAlerts: '3' }, 'truncatedAlerts'],
      [{ truncatedAlerts: 1e300 }, 'truncatedAlerts'],
    ];
    for (const [extra, field] of cases) {
      expect([field, parseWebhookEnvelope({ ...base, ...extra }, ctx.limits)]).toEqual([
        field,
        expect.objectContaining({ field }),
      ]);
    }
    const ok = parseWebhookEnvelope(
      {
        ...base,
        receiver: 'up',
        groupKey: '{}:{a="1"}',
        externalURL: 'http://am:9093',
        groupLabels: { a: '1' },
        commonLabels: { a: '1' },
        commonAnnotations: {},
        truncatedAlerts: 0,
        extra: 'ignored',
      },
      ctx.limits,
    );
    expect(ok).toMatchObject({ groupKey: '{}:{a="1"}', receiver: 'up' });
  });
});

describe('UTF-8 label names at ingest (herald.label_names)', () => {
  const alert = { labels: { alertname: 'Down', 'service.name': 'api', 名前: '値' } };

  it('accepts them by default and fingerprints them as Alertmanager ≥ 0.27 (test/compat/utf8-label-vectors.go)', () => {
    const { alerts, errors } = one(alert);
    expect(errors).toEqual([]);
    expect(alerts[0].labels).toEqual(alert.labels);
    expect(alerts[0].fingerprint).toBe('81f361e2a08d6ea6');
  });

  it('classic mode rejects them per alert, naming the field; the rest of the batch is kept', () => {
    const r = normalizePostableAlerts([{ labels: { a: '1' } }, alert], { ...ctx, labelNames: 'classic' });
    expect(r.alerts.map((a) => a.labels)).toEqual([{ a: '1' }]);
    expect(r.errors).toEqual([
      {
        index: 1,
        field: 'labels["service.name"]',
        message:
          'invalid label name "service.name": herald.label_names is classic: [a-zA-Z_][a-zA-Z0-9_]* only',
      },
    ]);
  });

  it('rejects only empty names and lone surrogates (invalid UTF-8) in utf8 mode', () => {
    expect(one({ labels: { '': 'x' } }).errors[0]).toMatchObject({ field: 'labels[""]' });
    expect(one({ labels: { 'a\udc00': 'x' } }).errors[0]).toMatchObject({
      field: 'labels["a\\udc00"]',
      message: expect.stringContaining('not valid UTF-8'),
    });
    expect(one({ labels: { 'a b{}!=~,"\'`': 'x' } }).errors).toEqual([]);
  });

  it('applies to webhook-forwarded alerts too', () => {
    const env = { version: '4', status: 'firing', alerts: [{ ...alert, status: 'firing' }] };
    expect(normalizeWebhookAlerts(env, ctx).alerts[0].fingerprint).toBe('81f361e2a08d6ea6');
    expect(normalizeWebhookAlerts(env, { ...ctx, labelNames: 'classic' }).errors[0].field).toBe(
      'labels["service.name"]',
    );
  });
});
