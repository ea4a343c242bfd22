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
    const e = parseWebhookEnvelope({
      version: '4',
      groupKey: 'gk',
      receiver: 'up',
      status: 'firing',
      alerts,
    });
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
    expect(parseWebhookEnvelope({ version: '3', alerts: [] })).toMatchObject({ field: 'version' });
    expect(parseWebhookEnvelope({ version: '4' })).toMatchObject({ field: 'alerts' });
    expect(parseWebhookEnvelope([])).toMatchObject({ field: 'body' });
  });
});
