// PagerDuty (Events API v2), Opsgenie and VictorOps against the vendor fakes (test/harness/vendor-fakes.ts):
// accepted requests pass the vendor's documented checks; 429 and 5xx are retried (Retry-After honoured),
// other 4xx given up with the vendor's own error message. PagerDuty v1's fixed URL is covered by the
// parity spec (through a proxy) and its 403 rule by libs/delivery/src/notify/pagerduty.spec.ts.
import { stringify } from 'yaml';
import { loadConfig } from '@herald/config';
import { buildReceivers, type Receiver } from '@herald/delivery';
import { testAlert, testNotification } from '../../harness/notifications';
import { VendorFake, type VendorKind } from '../../harness/vendor-fakes';

function receiverOf(kind: string, config: Record<string, unknown>): Receiver {
  const cfg = loadConfig({
    env: {},
    fileText: stringify({
      route: { receiver: 'r' },
      receivers: [{ name: 'r', [`${kind}_configs`]: [config] }],
    }),
    hostname: 'test',
  });
  const built = buildReceivers(cfg.receivers, cfg.global, { userAgent: 'Herald/test' });
  return built.byName.get('r')![0].receiver;
}

const signal = () => new AbortController().signal;
const firing = () => testNotification();
const allResolved = () =>
  testNotification({
    state: 'recovery',
    alerts: [
      testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true),
      testAlert({ alertname: 'HighCPU', instance: 'b' }, {}, true),
    ],
  });

interface Case {
  kind: string;
  fake: VendorKind;
  config: (fake: VendorFake) => Record<string, unknown>;
  /** Requests of one firing notification. */
  perSend: number;
}

const CASES: Case[] = [
  {
    kind: 'pagerduty',
    fake: 'pagerduty',
    config: (f) => ({ routing_key: 'rk-0123456789', url: f.endpoint() }),
    perSend: 1,
  },
  {
    kind: 'opsgenie',
    fake: 'opsgenie',
    config: (f) => ({ api_key: 'og-key', api_url: f.endpoint(), update_alerts: true }),
    perSend: 3,
  },
  {
    kind: 'victorops',
    fake: 'victorops',
    config: (f) => ({
      api_key: 'vo-key',
      api_url: f.endpoint(),
      routing_key: 'team-{{ .CommonLabels.team }}',
    }),
    perSend: 1,
  },
];

describe.each(CASES)('$kind against its vendor fake', ({ kind, fake: fakeKind, config, perSend }) => {
  let fake: VendorFake;
  let receiver: Receiver;
  beforeAll(async () => {
    fake = await VendorFake.start(fakeKind);
    receiver = receiverOf(kind, config(fake));
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.stop());

  it('firing and resolved notifications are accepted by the fake as the vendor documents', async () => {
    expect(await receiver.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(await receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(fake.refused.map((r) => `${r.method} ${r.path}: ${r.problems.join('; ')}`)).toEqual([]);
    expect(fake.accepted).toHaveLength(perSend + 1);
    expect(fake.requests.every((r) => r.headers['user-agent'] === 'Herald/test')).toBe(true);
  });

  it('429 is retried as rateLimited, honouring Retry-After', async () => {
    fake.retryAfterSeconds = 7;
    fake.failNext([429]);
    expect(await receiver.send(firing(), signal())).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      status: 429,
      retryAfterMs: 7000,
    });
  });

  it.each([500, 502, 503])('%i is retried as serverError', async (status) => {
    fake.failNext([status]);
    expect(await receiver.send(firing(), signal())).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
      status,
    });
  });

  it('400 is given up as clientError with the vendor message', async () => {
    fake.failNext([400]);
    const r = await receiver.send(firing(), signal());
    expect(r).toMatchObject({ kind: 'give-up', reason: 'clientError', status: 400 });
    expect(r.kind === 'give-up' && r.message).toMatch(new RegExp(`^${kind}.*400.*injected 400`));
  });

  it('401 is given up as authError', async () => {
    fake.failNext([401]);
    expect(await receiver.send(firing(), signal())).toMatchObject({ kind: 'give-up', reason: 'authError' });
  });
});

describe('PagerDuty specifics', () => {
  let fake: VendorFake;
  beforeAll(async () => {
    fake = await VendorFake.start('pagerduty');
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.stop());

  it('an event PagerDuty refuses (routing key too long) is given up with its errors', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'x'.repeat(40), url: fake.endpoint() });
    const r = await receiver.send(firing(), signal());
    expect(r).toMatchObject({ kind: 'give-up', reason: 'clientError', status: 400 });
    expect(r.kind === 'give-up' && r.message).toMatch(/Event object is invalid: routing_key/);
  });

  it('a recovery-half notification with still-firing alerts triggers (never resolves while an alert fires)', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'rk', url: fake.endpoint() });
    const n = testNotification({
      state: 'recovery',
      alerts: [
        testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true),
        testAlert({ alertname: 'HighCPU', instance: 'b' }),
      ],
    });
    expect(await receiver.send(n, signal())).toEqual({ kind: 'ok' });
    expect(await receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(fake.accepted.map((r) => (r.json as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
  });

  it('a 403 on Events API v2 is given up (only v1 uses 403 for rate limits)', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'rk', url: fake.endpoint() });
    fake.failNext([403]);
    expect(await receiver.send(firing(), signal())).toMatchObject({ kind: 'give-up', reason: 'authError' });
  });
});

describe('VictorOps specifics', () => {
  it('VictorOps: 200 {"result":"failure"} is given up with its message', async () => {
    const fake = await VendorFake.start('victorops');
    try {
      const receiver = receiverOf('victorops', { api_key: 'k', api_url: fake.endpoint(), routing_key: 'rk' });
      fake.failNext([200]);
      const r = await receiver.send(firing(), signal());
      expect(r).toMatchObject({ kind: 'give-up', reason: 'clientError' });
      expect(r.kind === 'give-up' && r.message).toBe('victorops: injected 200');
      expect(fake.requests[0].path).toBe('/integrations/generic/20131114/alert/k/rk');
    } finally {
      await fake.stop();
    }
  });
});
