// Discord, Telegram, Webex and Pushover against the vendor fakes (test/harness/vendor-fakes.ts): what
// Herald sends passes each vendor's documented checks; 429 and 5xx are retried (Retry-After, or
// Telegram's parameters.retry_after, honoured), other 4xx given up with the vendor's own error, and the
// vendors' error bodies on a 200 (Telegram {"ok":false}, Pushover {"status":0}) are given up too.
// Pushover's URL is fixed (https://api.pushover.net): its integration is built with the fake's URL
// in its place; the proxied path to the real URL is covered by parity-chat.int-spec.ts.
import { alertmanagerTemplates } from '@herald/domain';
import { createHttpClient, type Receiver } from '@herald/delivery';
import { PushoverNotifier } from '../../../libs/delivery/src/notify/pushover';
import {
  allResolved,
  firing,
  givenUp,
  messageOf,
  oneReceiverConfig,
  receiverOf as buildReceiver,
  refusals,
  retried,
  signal,
  withOwnFake,
  withVendorFake,
  type Json,
} from '../../harness/receiver-retry';
import { VendorFake, type VendorKind } from '../../harness/vendor-fakes';

function receiverOf(kind: string, config: Json, fake: VendorFake): Receiver {
  if (kind !== 'pushover') return buildReceiver(kind, config);
  const entry = oneReceiverConfig(kind, config).receivers[0].integrations[0];
  const { client } = createHttpClient(entry.config.http_config, entry.path);
  return new PushoverNotifier(
    entry.config,
    alertmanagerTemplates(),
    client,
    5000,
    'Herald/test',
    fake.endpoint(),
  );
}

interface Case {
  kind: VendorKind;
  config: (fake: VendorFake) => Record<string, unknown>;
  /** Retry-After the result carries for the fake's 429 (fake.retryAfterSeconds = 7). */
  retryAfterMs: number;
  /** The vendor's error text Herald must pass on for a 400. */
  error400: RegExp;
}

const CASES: Case[] = [
  {
    kind: 'discord',
    config: (f) => ({ webhook_url: f.endpoint() }),
    retryAfterMs: 7000,
    error400: /HTTP 400.*injected 400/,
  },
  {
    kind: 'telegram',
    config: (f) => ({ api_url: f.url, bot_token: '123:abc', chat_id: -100123 }),
    // Telegram's body says when (parameters.retry_after: 1): it wins over the header.
    retryAfterMs: 1000,
    error400: /^telegram: Bad Request: injected 400 \(400\)$/,
  },
  {
    kind: 'webex',
    config: (f) => ({
      api_url: f.endpoint(),
      room_id: 'room-1',
      http_config: { authorization: { credentials: 'webex-token' } },
    }),
    retryAfterMs: 7000,
    error400: /HTTP 400.*injected 400/,
  },
  {
    kind: 'pushover',
    config: () => ({ user_key: 'po-user', token: 'po-token' }),
    retryAfterMs: 7000,
    error400: /^pushover: injected 400 \(HTTP 400\)$/,
  },
];

describe.each(CASES)('$kind against its vendor fake', ({ kind, config, retryAfterMs, error400 }) => {
  const vendor = withVendorFake(kind, (fake) => receiverOf(kind, config(fake), fake));
  const send = () => vendor.receiver.send(firing(), signal());

  it('firing and resolved notifications are accepted by the fake as the vendor documents', async () => {
    expect(await send()).toEqual({ kind: 'ok' });
    expect(await vendor.receiver.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(refusals(vendor.fake)).toEqual([]);
    expect(vendor.fake.accepted).toHaveLength(2);
    expect(vendor.fake.requests.every((r) => r.headers['user-agent'] === 'Herald/test')).toBe(true);
  });

  it('429 is retried as rateLimited, honouring the wait the vendor asks for', async () => {
    vendor.fake.retryAfterSeconds = 7;
    vendor.fake.failNext([429]);
    expect(await send()).toMatchObject(retried('rateLimited', { status: 429, retryAfterMs }));
  });

  it.each([500, 502, 503])('%i is retried as serverError', async (status) => {
    vendor.fake.failNext([status]);
    expect(await send()).toMatchObject(retried('serverError', { status }));
  });

  it("400 is given up as clientError with the vendor's message", async () => {
    vendor.fake.failNext([400]);
    const r = await send();
    expect(r).toMatchObject(givenUp('clientError', { status: 400 }));
    expect(messageOf(r)).toMatch(error400);
  });

  it('401 is given up as authError', async () => {
    vendor.fake.failNext([401]);
    expect(await send()).toMatchObject(givenUp('authError'));
  });
});

describe('vendor error bodies on a 200', () => {
  it('Telegram {"ok": false} is given up with its description', () =>
    withOwnFake('telegram', async (fake) => {
      const receiver = receiverOf('telegram', { api_url: fake.url, bot_token: 't', chat_id: 1 }, fake);
      fake.failNext([200]);
      const r = await receiver.send(firing(), signal());
      expect(r).toMatchObject(givenUp('clientError'));
      expect(messageOf(r)).toMatch(/^telegram: Bad Request: injected 200/);
      expect(fake.requests[0].path).toBe('/bott/sendMessage');
    }));

  it('Pushover {"status": 0, "errors": […]} is given up with its errors', () =>
    withOwnFake('pushover', async (fake) => {
      const receiver = receiverOf('pushover', { user_key: 'u', token: 't' }, fake);
      fake.failNext([200]);
      const r = await receiver.send(firing(), signal());
      expect(r).toMatchObject(givenUp('clientError', { message: 'pushover: injected 200' }));
    }));

  it('Pushover emergency priority carries retry/expire the API accepts; a refused request names the field', () =>
    withOwnFake('pushover', async (fake) => {
      const ok = receiverOf('pushover', { user_key: 'u', token: 't', retry: '30s', expire: '3h' }, fake);
      expect(await ok.send(firing(), signal())).toEqual({ kind: 'ok' });
      expect(fake.accepted[0].form).toMatchObject({ priority: '2', retry: '30', expire: '10800' });
      const bad = receiverOf('pushover', { user_key: 'u', token: 't', retry: '10s' }, fake);
      const r = await bad.send(firing(), signal());
      expect(r).toMatchObject(givenUp('clientError'));
      expect(messageOf(r)).toMatch(/retry: must be at least 30 for priority 2/);
    }));
});
