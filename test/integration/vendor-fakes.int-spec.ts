import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  checkVendorRequest,
  FAKE_WECHAT_TOKEN,
  VENDOR_KINDS,
  VendorFake,
  type VendorKind,
} from '../harness/vendor-fakes';

// The fakes must accept what a real Alertmanager 0.25 sent (test/compat/receivers-am025.json) and refuse
// what the vendors refuse; kinds newer than 0.25 are driven with payloads shaped as Alertmanager's
// notify/<kind> source at HEAD builds them.

interface Recorded {
  phase: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  json?: unknown;
}
interface Fixture {
  kinds: Record<string, { receivers: Record<string, { requests: Recorded[] }> }>;
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', 'compat', 'receivers-am025.json'), 'utf8'),
) as Fixture;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function send(base: string, s: Sent): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${s.path}`, { method: s.method, headers: s.headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: data, type: String(res.headers['content-type'] ?? '') }),
      );
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

/** Which fake and which vendor path a recorded request goes to (the recording used per-receiver paths). */
function target(receiver: string, r: Recorded): { kind: VendorKind; path: string } {
  const rest = r.path.replace(/^\/[a-z]+\/[a-z0-9-]+/, '');
  const kind = receiver.replace(/-(default|custom)$/, '');
  switch (kind) {
    case 'webhook':
      return { kind: 'webhook', path: '/hook' };
    case 'slack':
      return { kind: 'slack', path: '/services/T0/B0/X0' };
    case 'pagerduty-v2':
      return { kind: 'pagerduty', path: '/v2/enqueue' };
    case 'pagerduty-v1':
      return { kind: 'pagerduty-v1', path: r.path };
    case 'pushover':
      return { kind: 'pushover', path: r.path };
    case 'discord':
      return { kind: 'discord', path: '/api/webhooks/123/tok' };
    case 'opsgenie':
    case 'telegram':
    case 'webex':
    case 'victorops':
    case 'wechat':
    case 'sns':
      return { kind, path: rest || '/' };
    default:
      throw new Error(`no fake for ${receiver}`);
  }
}

function replayable(r: Recorded, path: string): Sent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (k !== 'content-length') headers[k] = v;
  // The recording's capture server handed WeChat a different token than this fake does.
  const query = r.query.access_token ? { ...r.query, access_token: FAKE_WECHAT_TOKEN } : r.query;
  const qs = new URLSearchParams(query).toString();
  return {
    method: r.method,
    path: qs ? `${path}?${qs}` : path,
    headers,
    body: r.body ?? (r.json === undefined ? '' : JSON.stringify(r.json)),
  };
}

const recorded: [string, Recorded][] = Object.values(fixture.kinds)
  .flatMap((k) => Object.entries(k.receivers))
  .filter(([name]) => !name.startsWith('email-'))
  .flatMap(([name, rec]) => rec.requests.map((r): [string, Recorded] => [name, r]));

const jsonHeaders = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  ...extra,
});

/** Alertmanager's version-4 webhook message, as incident.io and the webhook receive it. */
const webhookMessage = {
  version: '4',
  groupKey: '{}:{alertname="HighLatency"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'r',
  groupLabels: { alertname: 'HighLatency' },
  commonLabels: { alertname: 'HighLatency' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighLatency' },
      annotations: {},
      startsAt: '2026-01-02T03:04:05Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: 'a1b2c3d4e5f60718',
    },
  ],
};

/** A request each newer kind accepts, shaped as Alertmanager's notify/<kind> at HEAD sends it. */
const newerKinds: Record<
  'slack-api' | 'msteams' | 'msteamsv2' | 'mattermost' | 'rocketchat' | 'incidentio',
  Sent
> = {
  'slack-api': {
    method: 'POST',
    path: '/api/chat.postMessage',
    headers: jsonHeaders({ authorization: 'Bearer xoxb-1' }),
    body: JSON.stringify({ channel: '#alerts', attachments: [{ title: 't', text: 'x', color: 'danger' }] }),
  },
  msteams: {
    method: 'POST',
    path: '/webhookb2/a/IncomingWebhook/b/c',
    headers: jsonHeaders(),
    body: JSON.stringify({
      '@context': 'http://schema.org/extensions',
      type: 'MessageCard',
      title: '[FIRING:1] HighLatency',
      summary: 'summary',
      text: 'text',
      themeColor: '8C1A1A',
    }),
  },
  msteamsv2: {
    method: 'POST',
    path: '/workflows/a/triggers/manual/paths/invoke',
    headers: jsonHeaders(),
    body: JSON.stringify({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.2',
            body: [
              {
                type: 'TextBlock',
                text: '[FIRING:1] HighLatency',
                weight: 'Bolder',
                size: 'Medium',
                wrap: true,
              },
            ],
            msteams: { width: 'full' },
          },
        },
      ],
    }),
  },
  mattermost: {
    method: 'POST',
    path: '/hooks/abc',
    headers: jsonHeaders(),
    body: JSON.stringify({
      text: 'alert',
      channel: 'town-square',
      username: 'Alertmanager',
      attachments: [],
    }),
  },
  rocketchat: {
    method: 'POST',
    path: '/api/v1/chat.postMessage',
    headers: jsonHeaders({ 'x-auth-token': 't', 'x-user-id': 'u' }),
    body: JSON.stringify({ channel: '#alerts', emoji: ':bell:', attachments: [{ title: 't', text: 'x' }] }),
  },
  incidentio: {
    method: 'POST',
    path: '/v2/alert_events/alertmanager/01ABC',
    headers: jsonHeaders({ authorization: 'Bearer tok' }),
    // Alertmanager's incident.io notifier sends the webhook message as version "1".
    body: JSON.stringify({ ...webhookMessage, version: '1' }),
  },
};

/** A refused request: what it breaks, the status the vendor answers, a word of the problem it names. */
interface Bad {
  why: string;
  kind: VendorKind;
  sent: Sent;
  status: number;
  names: string;
}

const post = (path: string, body: unknown, headers: Record<string, string> = jsonHeaders()): Sent => ({
  method: 'POST',
  path,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const bad: Bad[] = [
  {
    why: 'slack: no text',
    kind: 'slack',
    sent: post('/services/a/b/c', { channel: '#x' }),
    status: 400,
    names: 'text',
  },
  {
    why: 'slack: unknown webhook',
    kind: 'slack',
    sent: post('/services/a', { text: 'x' }),
    status: 404,
    names: 'path',
  },
  {
    why: 'slack: form body',
    kind: 'slack',
    sent: post('/services/a/b/c', 'payload=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 400,
    names: 'content-type',
  },
  {
    why: 'slack-api: no token',
    kind: 'slack-api',
    sent: post('/api/chat.postMessage', { channel: '#a', text: 'x' }),
    status: 200, // Slack's Web API answers errors with 200 {ok:false}
    names: 'authorization',
  },
  {
    why: 'pagerduty: bad severity',
    kind: 'pagerduty',
    sent: post('/v2/enqueue', {
      routing_key: 'k',
      event_action: 'trigger',
      payload: { summary: 's', source: 'x', severity: 'fatal' },
    }),
    status: 400,
    names: 'payload.severity',
  },
  {
    why: 'pagerduty: resolve without dedup_key',
    kind: 'pagerduty',
    sent: post('/v2/enqueue', { routing_key: 'k', event_action: 'resolve' }),
    status: 400,
    names: 'dedup_key',
  },
  {
    why: 'pagerduty: summary over 1024',
    kind: 'pagerduty',
    sent: post('/v2/enqueue', {
      routing_key: 'k',
      event_action: 'trigger',
      payload: { summary: 'x'.repeat(1025), source: 'x', severity: 'info' },
    }),
    status: 400,
    names: 'payload.summary',
  },
  {
    why: 'pagerduty-v1: trigger without description',
    kind: 'pagerduty-v1',
    sent: post('/generic/2010-04-15/create_event.json', { service_key: 'k', event_type: 'trigger' }),
    status: 400,
    names: 'description',
  },
  {
    why: 'opsgenie: no GenieKey',
    kind: 'opsgenie',
    sent: post('/v2/alerts', { message: 'm' }),
    status: 401,
    names: 'authorization',
  },
  {
    why: 'opsgenie: message over 130',
    kind: 'opsgenie',
    sent: post('/v2/alerts', { message: 'm'.repeat(131) }, jsonHeaders({ authorization: 'GenieKey k' })),
    status: 400,
    names: 'message',
  },
  {
    why: 'opsgenie: bad responder type',
    kind: 'opsgenie',
    sent: post(
      '/v2/alerts',
      { message: 'm', responders: [{ name: 'x', type: 'group' }] },
      jsonHeaders({ authorization: 'GenieKey k' }),
    ),
    status: 400,
    names: 'responders',
  },
  {
    why: 'opsgenie: tag over 50',
    kind: 'opsgenie',
    sent: post(
      '/v2/alerts',
      { message: 'm', tags: ['t'.repeat(51)] },
      jsonHeaders({ authorization: 'GenieKey k' }),
    ),
    status: 400,
    names: 'tags[0]',
  },
  {
    why: 'discord: empty message',
    kind: 'discord',
    sent: post('/api/webhooks/1/t', { content: '' }),
    status: 400,
    names: 'content',
  },
  {
    why: 'discord: title over 256',
    kind: 'discord',
    sent: post('/api/webhooks/1/t', { embeds: [{ title: 't'.repeat(257) }] }),
    status: 400,
    names: 'embeds',
  },
  {
    why: 'telegram: text over 4096',
    kind: 'telegram',
    sent: post('/botX/sendMessage', { chat_id: 1, text: 'x'.repeat(4097) }),
    status: 400,
    names: 'text',
  },
  {
    why: 'telegram: bad parse_mode',
    kind: 'telegram',
    sent: post('/botX/sendMessage', { chat_id: 1, text: 'x', parse_mode: 'Html' }),
    status: 400,
    names: 'parse_mode',
  },
  {
    why: 'pushover: no user',
    kind: 'pushover',
    sent: { method: 'POST', path: '/1/messages.json?token=t&message=m', headers: {}, body: '' },
    status: 400,
    names: 'user',
  },
  {
    why: 'pushover: emergency without retry',
    kind: 'pushover',
    sent: {
      method: 'POST',
      path: '/1/messages.json?token=t&user=u&message=m&priority=2',
      headers: {},
      body: '',
    },
    status: 400,
    names: 'retry',
  },
  {
    why: 'webex: no bearer',
    kind: 'webex',
    sent: post('/v1/messages', { roomId: 'r', markdown: 'x' }),
    status: 401,
    names: 'authorization',
  },
  {
    why: 'webex: no room',
    kind: 'webex',
    sent: post('/v1/messages', { markdown: 'x' }, jsonHeaders({ authorization: 'Bearer t' })),
    status: 400,
    names: 'roomId',
  },
  {
    why: 'victorops: bad message_type',
    kind: 'victorops',
    sent: post('/k/r', { message_type: 'critical' }),
    status: 400,
    names: 'message_type',
  },
  {
    why: 'wechat: unknown token',
    kind: 'wechat',
    sent: post('/message/send?access_token=nope', {
      msgtype: 'text',
      agentid: '1',
      touser: '@all',
      text: { content: 'x' },
    }),
    status: 200, // WeChat reports errors as errcode in a 200 answer
    names: 'access_token',
  },
  {
    why: 'wechat: no content',
    kind: 'wechat',
    sent: post(`/message/send?access_token=${FAKE_WECHAT_TOKEN}`, {
      msgtype: 'markdown',
      agentid: '1',
      touser: '@all',
      markdown: { content: '' },
    }),
    status: 200,
    names: 'markdown.content',
  },
  {
    why: 'sns: unsigned',
    kind: 'sns',
    sent: post('/', 'Action=Publish&Version=2010-03-31&TopicArn=a&Message=m', {
      'content-type': 'application/x-www-form-urlencoded',
    }),
    status: 401,
    names: 'authorization',
  },
  {
    why: 'sns: two targets',
    kind: 'sns',
    sent: post('/', 'Action=Publish&Version=2010-03-31&TopicArn=a&TargetArn=b&Message=m', {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=x',
    }),
    status: 400,
    names: 'TopicArn',
  },
  {
    why: 'msteams: not a MessageCard',
    kind: 'msteams',
    sent: post('/webhookb2/a/IncomingWebhook/b/c', {
      '@context': 'http://schema.org/extensions',
      type: 'Card',
      text: 'x',
    }),
    status: 400,
    names: 'type',
  },
  {
    why: 'msteamsv2: no card',
    kind: 'msteamsv2',
    sent: post('/workflows/a/triggers/manual/paths/invoke', { type: 'message', attachments: [] }),
    status: 400,
    names: 'attachments',
  },
  {
    why: 'mattermost: no text',
    kind: 'mattermost',
    sent: post('/hooks/abc', { channel: 'x' }),
    status: 400,
    names: 'text',
  },
  {
    why: 'rocketchat: no auth headers',
    kind: 'rocketchat',
    sent: post('/api/v1/chat.postMessage', { channel: '#a', text: 'x' }),
    status: 401,
    names: 'x-auth-token',
  },
  {
    why: 'incidentio: webhook message without alerts',
    kind: 'incidentio',
    sent: post(
      '/v2/alert_events/alertmanager/01ABC',
      { ...webhookMessage, version: '1', alerts: undefined },
      jsonHeaders({ authorization: 'Bearer t' }),
    ),
    status: 400,
    names: 'alerts',
  },
  {
    why: 'webhook: wrong version',
    kind: 'webhook',
    sent: post('/hook', { ...webhookMessage, version: '3' }),
    status: 400,
    names: 'version',
  },
];

describe('vendor fakes', () => {
  const fakes = new Map<VendorKind, VendorFake>();

  beforeAll(async () => {
    for (const kind of VENDOR_KINDS) fakes.set(kind, await VendorFake.start(kind));
  });
  afterAll(async () => {
    for (const f of fakes.values()) await f.stop();
  });
  const fake = (k: VendorKind) => fakes.get(k)!;

  it('has recorded requests for every Alertmanager 0.25 HTTP kind', () => {
    const kinds = new Set(recorded.map(([name, r]) => target(name, r).kind));
    expect([...kinds].sort()).toEqual(
      [
        'discord',
        'opsgenie',
        'pagerduty',
        'pagerduty-v1',
        'pushover',
        'slack',
        'sns',
        'telegram',
        'victorops',
        'webex',
        'webhook',
        'wechat',
      ].sort(),
    );
    expect(recorded.length).toBeGreaterThanOrEqual(70);
  });

  it('the fixture holds firing, one-resolved and all-resolved notifications for every receiver', () => {
    const receivers = Object.values(fixture.kinds).flatMap((k) => Object.entries(k.receivers));
    expect(receivers).toHaveLength(26);
    for (const [name, rec] of receivers) {
      // WeChat's token fetch and Opsgenie's update_alerts PUTs ride along with a notification.
      const notes = rec.requests.filter((r) => !r.path?.endsWith('/gettoken') && r.method !== 'PUT');
      expect([name, notes.map((r) => r.phase)]).toEqual([name, ['firing', 'one-resolved', 'all-resolved']]);
    }
  });

  it.each(
    recorded.map(([name, r], i) => [`${name} #${i} ${r.phase} ${r.method} ${r.path}`, name, r] as const),
  )('accepts what Alertmanager 0.25 sent: %s', async (_label, name, r) => {
    const { kind, path } = target(name, r);
    const sent = replayable(r, path);
    const res = await send(fake(kind).url, sent);
    const got = fake(kind).requests.at(-1)!;
    expect(got.problems).toEqual([]);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
  });

  it.each(Object.entries(newerKinds))(
    'accepts a %s request shaped as Alertmanager HEAD sends it',
    async (kind, sent) => {
      const res = await send(fake(kind as VendorKind).url, sent);
      expect(fake(kind as VendorKind).requests.at(-1)!.problems).toEqual([]);
      expect(res.status).toBeLessThan(300);
    },
  );

  it.each(bad.map((b) => [b.why, b] as const))('refuses %s', async (_why, b) => {
    const res = await send(fake(b.kind).url, b.sent);
    const got = fake(b.kind).requests.at(-1)!;
    expect(res.status).toBe(b.status);
    expect(got.problems.join('; ')).toContain(b.names);
    expect(checkVendorRequest(b.kind, { ...b.sent, path: got.path, query: got.query })).toEqual(got.problems);
  });

  it('answers like the vendor on success', async () => {
    const pd = await send(fake('pagerduty').url, newerOrRecorded('pagerduty'));
    expect(pd.status).toBe(202);
    expect(JSON.parse(pd.body)).toMatchObject({ status: 'success', dedup_key: expect.any(String) });
    const slack = await send(fake('slack').url, newerOrRecorded('slack'));
    expect([slack.status, slack.body]).toEqual([200, 'ok']);
    const discord = await send(fake('discord').url, newerOrRecorded('discord'));
    expect(discord.status).toBe(204);
    const tg = await send(fake('telegram').url, newerOrRecorded('telegram'));
    expect(JSON.parse(tg.body)).toMatchObject({ ok: true, result: { message_id: 1 } });
    const teams = await send(fake('msteams').url, newerKinds.msteams);
    expect([teams.status, teams.body]).toEqual([200, '1']);
  });

  it('answers an injected 429/5xx/4xx sequence, then checks normally again', async () => {
    const f = fake('pagerduty');
    const before = f.requests.length;
    f.failNext([429, 503, 400]);
    const sent = newerOrRecorded('pagerduty');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(f.url, sent)).status);
    expect(statuses).toEqual([429, 503, 400, 202]);
    f.failNext([429]);
    const limited = await new Promise<string | undefined>((resolve, reject) =>
      request(`${f.url}/v2/enqueue`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.headers['retry-after']);
      })
        .on('error', reject)
        .end(),
    );
    expect(limited).toBe('1');
    const mine = f.requests.slice(before);
    expect(mine.map((r) => r.injected)).toEqual([true, true, true, false, true]);
    expect(f.accepted.length).toBeGreaterThan(0);

    const g = fake('opsgenie');
    g.failAlways(500);
    const og = newerOrRecorded('opsgenie');
    expect((await send(g.url, og)).status).toBe(500);
    expect((await send(g.url, og)).status).toBe(500);
    g.failAlways(undefined);
    expect((await send(g.url, og)).status).toBe(202);
  });

  it('serves under a prefix, so an api_url with a path works, and 404s outside it', async () => {
    const f = await VendorFake.start('opsgenie', { prefix: '/og/' });
    try {
      expect(f.endpoint()).toBe(`${f.url}/`);
      const ok = await send(f.url, newerOrRecorded('opsgenie'));
      expect(ok.status).toBe(202);
      const outside = await send(`http://127.0.0.1:${f.port}`, newerOrRecorded('opsgenie'));
      expect(outside.status).toBe(404);
      await f.waitForAccepted(1);
      f.failAlways(503);
      f.reset();
      expect(f.requests).toEqual([]);
      expect((await send(f.url, newerOrRecorded('opsgenie'))).status).toBe(202);
    } finally {
      await f.stop();
    }
  });
});

/** The first recorded request that goes to `kind`, ready to send (a known-good request). */
function newerOrRecorded(kind: VendorKind): Sent {
  for (const [name, r] of recorded) {
    const t = target(name, r);
    if (t.kind === kind) return replayable(r, t.path);
  }
  throw new Error(`nothing recorded for ${kind}`);
}
