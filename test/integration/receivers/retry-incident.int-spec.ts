// PagerDuty (Events API v2), Opsgenie and VictorOps against the vendor fakes (test/harness/vendor-fakes.ts):
// accepted requests pass the vendor's documented checks; 429 and 5xx are retried (Retry-After honoured),
// other 4xx given up with the vendor's own error message. PagerDuty v1's fixed URL is covered by the
// parity spec (through a proxy) and its 403 rule by libs/delivery/src/notify/pagerduty.spec.ts.
import { testAlert, testNotification } from '../../harness/notifications';
import {
  allResolved,
  firing,
  givenUp,
  messageOf,
  receiverOf,
  refusals,
  retried,
  signal,
  withOwnFake,
  withVendorFake,
} from '../../harness/receiver-retry';
import type { VendorFake, VendorKind } from '../../harness/vendor-fakes';

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
  const vendor = withVendorFake(fakeKind, (fake) => receiverOf(kind, config(fake)));
  const send = () => vendor.receiver.send(firing(), signal());

  it('firing and resolved notifications are accepted by the fake as the vendor documents', async () => {
    expect(await send()).toEqual({ kind: 'ok' });
    expect(await vendor.receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(refusals(vendor.fake)).toEqual([]);
    expect(vendor.fake.accepted).toHaveLength(perSend + 1);
    expect(vendor.fake.requests.every((r) => r.headers['user-agent'] === 'Herald/test')).toBe(true);
  });

  it('429 is retried as rateLimited, honouring Retry-After', async () => {
    vendor.fake.retryAfterSeconds = 7;
    vendor.fake.failNext([429]);
    expect(await send()).toMatchObject(retried('rateLimited', { status: 429, retryAfterMs: 7000 }));
  });

  it.each([500, 502, 503])('%i is retried as serverError', async (status) => {
    vendor.fake.failNext([status]);
    expect(await send()).toMatchObject(retried('serverError', { status }));
  });

  it('400 is given up as clientError with the vendor message', async () => {
    vendor.fake.failNext([400]);
    const r = await send();
    expect(r).toMatchObject(givenUp('clientError', { status: 400 }));
    expect(messageOf(r)).toMatch(new RegExp(`^${kind}.*400.*injected 400`));
  });

  it('401 is given up as authError', async () => {
    vendor.fake.failNext([401]);
    expect(await send()).toMatchObject(givenUp('authError'));
  });
});

describe('PagerDuty specifics', () => {
  const vendor = withVendorFake('pagerduty');

  it('an event PagerDuty refuses (routing key too long) is given up with its errors', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'x'.repeat(40), url: vendor.fake.endpoint() });
    const r = await receiver.send(firing(), signal());
    expect(r).toMatchObject(givenUp('clientError', { status: 400 }));
    expect(messageOf(r)).toMatch(/Event object is invalid: routing_key/);
  });

  it('a recovery-half notification with still-firing alerts triggers (never resolves while an alert fires)', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'rk', url: vendor.fake.endpoint() });
    const n = testNotification({
      state: 'recovery',
      alerts: [
        testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true),
        testAlert({ alertname: 'HighCPU', instance: 'b' }),
      ],
    });
    expect(await receiver.send(n, signal())).toEqual({ kind: 'ok' });
    expect(await receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(vendor.fake.accepted.map((r) => (r.json as { event_action: string }).event_action)).toEqual([
      'trigger',
      'resolve',
    ]);
  });

  it('a 403 on Events API v2 is given up (only v1 uses 403 for rate limits)', async () => {
    const receiver = receiverOf('pagerduty', { routing_key: 'rk', url: vendor.fake.endpoint() });
    vendor.fake.failNext([403]);
    expect(await receiver.send(firing(), signal())).toMatchObject(givenUp('authError'));
  });
});

describe('VictorOps specifics', () => {
  it('VictorOps: 200 {"result":"failure"} is given up with its message', () =>
    withOwnFake('victorops', async (fake) => {
      const receiver = receiverOf('victorops', { api_key: 'k', api_url: fake.endpoint(), routing_key: 'rk' });
      fake.failNext([200]);
      const r = await receiver.send(firing(), signal());
      expect(r).toMatchObject(givenUp('clientError'));
      expect(messageOf(r)).toBe('victorops: injected 200');
      expect(fake.requests[0].path).toBe('/integrations/generic/20131114/alert/k/rk');
    }));
});
