// Retry and give-up behaviour of msteams, msteamsv2, mattermost, rocketchat and incidentio against the
// vendor fakes (test/harness/vendor-fakes.ts): 2xx delivered; 429 and 5xx retried (429 honouring
// Retry-After); 401/403 given up as authError, other 4xx as clientError, with the vendor's error text;
// vendor-specific answers (Rocket.Chat's 200 {"success": false}, incident.io's error JSON).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Receiver } from '@herald/delivery';
import { payloadNotification } from '../../harness/notify-specs';
import { phasePayload } from '../../harness/receiver-parity';
import {
  givenUp,
  messageOf,
  receiverOf,
  retried,
  signal,
  withOwnFake,
  withVendorFake,
  type Json,
} from '../../harness/receiver-retry';
import { checkVendorRequest, VendorFake, type VendorKind } from '../../harness/vendor-fakes';

/** One integration built through the config loader (as at start-up). */
const build = (kind: string, entry: Json, global: Json = {}): Receiver =>
  receiverOf(kind, entry, {
    global,
    herald: { external_url: 'http://alertmanager.example:9093' },
    hostname: 'retry',
    defaultTimeoutMs: 2000,
  });

let seq = 0;
const firing = () => payloadNotification(phasePayload('firing', 'r'), ++seq);

interface Case {
  kind: VendorKind;
  entry: (f: VendorFake) => Json;
  global?: (f: VendorFake) => Json;
}

const CASES: Case[] = [
  { kind: 'msteams', entry: (f) => ({ webhook_url: f.endpoint() }) },
  { kind: 'msteamsv2', entry: (f) => ({ webhook_url: f.endpoint() }) },
  { kind: 'mattermost', entry: () => ({}), global: (f) => ({ mattermost_webhook_url: f.endpoint() }) },
  {
    kind: 'rocketchat',
    entry: (f) => ({ api_url: f.url, token: 'tok', token_id: 'uid', channel: '#ops' }),
  },
  { kind: 'incidentio', entry: (f) => ({ url: f.endpoint(), alert_source_token: 'inc' }) },
];

describe.each(CASES)('$kind: status handling against the vendor fake', ({ kind, entry, global }) => {
  const vendor = withVendorFake(kind, (fake) => build(kind, entry(fake), global?.(fake)));
  const send = () => vendor.receiver.send(firing(), signal());
  const ok = () => {};

  it('2xx: delivered, and the fake finds the request well-formed', async () => {
    ok();
    expect(await send()).toEqual({ kind: 'ok' });
    expect(vendor.fake.requests).toHaveLength(1);
    const problems = checkVendorRequest(kind, vendor.fake.requests[0]);
    expect(kind === 'incidentio' ? problems.filter((p) => !p.startsWith('version:')) : problems).toEqual([]);
    expect(vendor.fake.requests[0].headers['user-agent']).toBe('Herald/test');
  });

  it('429: retried as rateLimited, honouring Retry-After', async () => {
    vendor.fake.retryAfterSeconds = 7;
    vendor.fake.failNext([429]);
    expect(await send()).toMatchObject(retried('rateLimited', { status: 429, retryAfterMs: 7000 }));
  });

  it('5xx: retried as serverError; the next attempt delivers', async () => {
    vendor.fake.failNext([503]);
    expect(await send()).toMatchObject(retried('serverError', { status: 503 }));
    vendor.fake.failNext([500]);
    expect(await send()).toMatchObject(retried('serverError'));
    ok();
    expect(await send()).toEqual({ kind: 'ok' });
  });

  it('400: given up as clientError with the vendor error text', async () => {
    vendor.fake.failNext([400]);
    const r = await send();
    expect(r).toMatchObject(givenUp('clientError', { status: 400 }));
    expect(messageOf(r)).toMatch(/injected 400/);
  });

  it('401 and 403: given up as authError', async () => {
    vendor.fake.failNext([401, 403]);
    expect(await send()).toMatchObject(givenUp('authError', { status: 401 }));
    expect(await send()).toMatchObject(givenUp('authError', { status: 403 }));
  });

  it('vendor unreachable: retried', async () => {
    const gone = build(kind, entry(vendor.fake), global?.(vendor.fake));
    await vendor.fake.stop();
    try {
      expect(await gone.send(firing(), signal())).toMatchObject({ kind: 'retry' });
    } finally {
      vendor.fake = await VendorFake.start(kind);
      vendor.receiver = build(kind, entry(vendor.fake), global?.(vendor.fake));
    }
  });
});

describe('vendor-specific answers', () => {
  it('mattermost: an unknown hook (404) is given up, naming the channel', () =>
    withOwnFake('mattermost', async (fake) => {
      const r = await build('mattermost', {
        webhook_url: `${fake.url}/hooks/a/b`,
        channel: 'town-square',
      }).send(firing(), signal());
      expect(r).toMatchObject(givenUp('clientError', { status: 404 }));
      expect(messageOf(r)).toMatch(/^channel "town-square": HTTP 404/);
    }));

  it('rocketchat: a request the API refuses (no channel) is given up with its error', () =>
    withOwnFake('rocketchat', async (fake) => {
      const r = await build('rocketchat', { api_url: fake.url, token: 't', token_id: 'u' }).send(
        firing(),
        signal(),
      );
      expect(r).toMatchObject(givenUp('clientError', { status: 400 }));
      expect(messageOf(r)).toMatch(/channel or roomId required/);
    }));

  describe('rocketchat: 200 answers', () => {
    let server: Server;
    let answer = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(answer);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));
    const send = () =>
      build('rocketchat', {
        api_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: 't',
        token_id: 'u',
        channel: '#gone',
      }).send(firing(), signal());

    it('{"success": false} is given up with the error (Alertmanager rocketchat.go checkJSONResponseError)', async () => {
      answer = JSON.stringify({ success: false, error: 'error-invalid-channel' });
      expect(await send()).toMatchObject(
        givenUp('clientError', {
          message: 'channel "#gone": error response from Rocket.Chat: error-invalid-channel',
        }),
      );
    });

    it('an answer that is not JSON is retried (Alertmanager retries it too)', async () => {
      answer = '<html>gateway</html>';
      expect(await send()).toMatchObject({
        kind: 'retry',
        message: expect.stringMatching(/could not parse/),
      });
    });
  });

  it('incidentio: the error JSON is read into the message (type, errors[].message)', () =>
    withOwnFake('incidentio', async (fake) => {
      fake.failNext([422]);
      const r = await build('incidentio', { url: fake.endpoint(), alert_source_token: 'x' }).send(
        firing(),
        signal(),
      );
      expect(r).toMatchObject(
        givenUp('clientError', { message: 'unexpected status code 422: injected 422' }),
      );
    }));

  it('incidentio: without a token and without http_config the request goes out unauthenticated (as Alertmanager) and the source answers 401', () =>
    withOwnFake('incidentio', async (fake) => {
      const r = await build('incidentio', { url: fake.endpoint() }).send(firing(), signal());
      expect(r).toMatchObject(givenUp('authError', { status: 401 }));
      expect(fake.requests[0].headers.authorization).toBeUndefined();
    }));
});
