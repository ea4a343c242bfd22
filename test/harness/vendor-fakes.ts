import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './wait';

/**
 * Local stand-ins for the notification vendors' HTTP APIs. Each fake checks what the vendor documents
 * and Alertmanager's notify/<kind> packages send (method, path, auth and content-type headers, the JSON
 * or form shape with its required fields and limits), answers like the vendor (status and body, for a
 * good and for a refused request), records every request, and can be told to answer a sequence of
 * statuses first (429/5xx/4xx) for retry tests.
 *
 * Paths are the vendor's own, optionally under a `prefix` (Alertmanager joins most `api_url`s with a
 * vendor path, so a config can point at `${fake.url}/`); `endpoint()` is what a receiver's URL should be.
 */
export type VendorKind =
  | 'slack' // incoming webhook
  | 'slack-api' // chat.postMessage
  | 'pagerduty' // Events API v2
  | 'pagerduty-v1' // generic events API (service_key)
  | 'opsgenie'
  | 'discord'
  | 'telegram'
  | 'pushover'
  | 'webex'
  | 'victorops'
  | 'wechat'
  | 'sns'
  | 'msteams' // Office 365 connector incoming webhook (MessageCard), Alertmanager 0.26+
  | 'msteamsv2' // Power Automate workflow webhook (Adaptive Card), Alertmanager 0.28+
  | 'mattermost'
  | 'rocketchat'
  | 'incidentio'
  | 'webhook'; // Alertmanager's generic webhook (version 4 payload)

export const VENDOR_KINDS: readonly VendorKind[] = [
  'slack',
  'slack-api',
  'pagerduty',
  'pagerduty-v1',
  'opsgenie',
  'discord',
  'telegram',
  'pushover',
  'webex',
  'victorops',
  'wechat',
  'sns',
  'msteams',
  'msteamsv2',
  'mattermost',
  'rocketchat',
  'incidentio',
  'webhook',
];

/** One request a fake received. */
export interface FakeRequest {
  method: string;
  /** Path without the fake's prefix and without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** `body` parsed as JSON (when it is JSON), else undefined. */
  json: unknown;
  /** Form fields: the query string merged with an urlencoded body (Pushover, SNS). */
  form: Record<string, string>;
  /** The status the fake answered. */
  status: number;
  /** What the fake found wrong (empty when accepted); each names the field. */
  problems: string[];
  /** True when the status came from `failNext` rather than from checking the request. */
  injected: boolean;
  at: number;
}

/** What a fake answers: status, content type, body. */
type Answer = [number, string, string];

interface Check {
  problems: string[];
  /** Authentication failures answer 401/403 rather than the vendor's 400. */
  unauthorized?: boolean;
  /** The route does not exist: 404. */
  notFound?: boolean;
}

interface Vendor {
  /** The endpoint a receiver should be configured with, relative to the fake's base URL. */
  endpoint: string;
  check(req: FakeRequest): Check;
  ok(req: FakeRequest): Answer;
  /** The vendor's error answer for `status` (refused request or injected failure). */
  fail(status: number, problems: string[], req: FakeRequest): Answer;
}

const MAX_BODY = 1 << 20;
const MAX_KEPT = 10_000;
const JSON_TYPE = 'application/json';

// --- shape helpers: each pushes a problem naming the field and returns whether the value is usable ---

type Obj = Record<string, unknown>;
/** Where problems go; `under` names nested fields by their path (payload.severity, embeds[0].title). */
type Sink = Pick<string[], 'push'>;
const under = (p: Sink, prefix: string): Sink => ({
  push: (...m: string[]) => p.push(...m.map((x) => prefix + x)),
});
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(p: Sink, o: Obj, field: string, opts: { required?: boolean; max?: number } = {}): boolean {
  const v = o[field];
  if (v === undefined || v === null) {
    if (opts.required) p.push(`${field}: required`);
    return false;
  }
  if (typeof v !== 'string') {
    p.push(`${field}: must be a string`);
    return false;
  }
  if (opts.required && v === '') p.push(`${field}: must not be empty`);
  if (opts.max !== undefined && [...v].length > opts.max)
    p.push(`${field}: longer than ${opts.max} characters`);
  return true;
}

function oneOf(p: Sink, o: Obj, field: string, allowed: readonly string[], required = false): void {
  const v = o[field];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || !allowed.includes(v)) p.push(`${field}: must be one of ${allowed.join(', ')}`);
}

function stringMap(p: Sink, o: Obj, field: string): void {
  const v = o[field];
  if (v === undefined) return;
  if (!isObj(v)) p.push(`${field}: must be an object`);
}

function arrayOf(p: Sink, o: Obj, field: string, max?: number): unknown[] | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    p.push(`${field}: must be an array`);
    return undefined;
  }
  if (max !== undefined && v.length > max) p.push(`${field}: more than ${max} entries`);
  return v;
}

function jsonBody(p: Sink, req: FakeRequest): Obj {
  const ct = String(req.headers['content-type'] ?? '');
  if (!ct.toLowerCase().startsWith(JSON_TYPE)) p.push(`content-type: must be ${JSON_TYPE}`);
  if (!isObj(req.json)) {
    p.push('body: must be a JSON object');
    return {};
  }
  return req.json;
}

function method(p: Sink, req: FakeRequest, m: string): void {
  if (req.method !== m) p.push(`method: must be ${m}`);
}

function bearer(c: Check, req: FakeRequest): void {
  if (!/^Bearer \S+$/.test(String(req.headers.authorization ?? ''))) {
    c.problems.push('authorization: Bearer token required');
    c.unauthorized = true;
  }
}

const text = (status: number, body: string): Answer => [status, 'text/plain; charset=utf-8', body];
const json = (status: number, body: unknown): Answer => [status, JSON_TYPE, JSON.stringify(body)];

/**
 * Go's Alertmanager webhook payload: shared by the generic webhook (version "4") and incident.io, whose
 * Alertmanager notifier sends the same message as version "1" (notify/incidentio in Alertmanager HEAD).
 */
function checkWebhookPayload(p: Sink, o: Obj, versions: readonly string[] = ['4']): void {
  oneOf(p, o, 'version', versions, true);
  str(p, o, 'groupKey', { required: true });
  oneOf(p, o, 'status', ['firing', 'resolved'], true);
  str(p, o, 'receiver', { required: true });
  for (const f of ['groupLabels', 'commonLabels', 'commonAnnotations']) {
    if (!isObj(o[f])) p.push(`${f}: must be an object`);
  }
  str(p, o, 'externalURL', { required: true });
  if (typeof o.truncatedAlerts !== 'number') p.push('truncatedAlerts: must be a number');
  const alerts = arrayOf(p, o, 'alerts');
  if (!alerts) p.push('alerts: required');
  alerts?.forEach((a, i) => {
    if (!isObj(a)) return p.push(`alerts[${i}]: must be an object`);
    oneOf(under(p, `alerts[${i}].`), a, 'status', ['firing', 'resolved'], true);
    if (!isObj(a.labels)) p.push(`alerts[${i}].labels: must be an object`);
    if (!isObj(a.annotations)) p.push(`alerts[${i}].annotations: must be an object`);
    for (const f of ['startsAt', 'endsAt', 'fingerprint']) {
      if (typeof a[f] !== 'string') p.push(`alerts[${i}].${f}: must be a string`);
    }
  });
}

/** Slack-style attachments (Slack, Mattermost): only their field types are checked. */
function checkAttachments(p: Sink, o: Obj, max: number): void {
  arrayOf(p, o, 'attachments', max)?.forEach((a, i) => {
    if (!isObj(a)) return p.push(`attachments[${i}]: must be an object`);
    for (const f of [
      'title',
      'title_link',
      'text',
      'pretext',
      'fallback',
      'color',
      'footer',
      'callback_id',
    ]) {
      if (a[f] !== undefined && typeof a[f] !== 'string') p.push(`attachments[${i}].${f}: must be a string`);
    }
    arrayOf(p, a, 'fields')?.forEach((f, j) => {
      // Alertmanager omits an empty value (omitempty); Slack shows the title alone.
      if (!isObj(f) || typeof f.title !== 'string' || (f.value !== undefined && typeof f.value !== 'string'))
        p.push(`attachments[${i}].fields[${j}]: needs a string title (and value)`);
    });
  });
}

const VENDORS: Record<VendorKind, Vendor> = {
  // https://api.slack.com/messaging/webhooks: POST JSON, answers 200 "ok" or 400 "invalid_payload"/"no_text".
  slack: {
    endpoint: '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (!/^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(req.path))
        return { problems: ['path: no such webhook'], notFound: true };
      const o = jsonBody(p, req);
      for (const f of ['channel', 'username', 'icon_emoji', 'icon_url', 'text']) str(p, o, f);
      checkAttachments(p, o, 100);
      if (o.text === undefined && o.attachments === undefined && o.blocks === undefined)
        p.push('text: text, attachments or blocks required');
      return { problems: p };
    },
    ok: () => text(200, 'ok'),
    fail: (status, problems) =>
      status === 404
        ? text(404, 'no_service')
        : text(status, status === 400 ? `invalid_payload: ${problems[0] ?? ''}` : 'error'),
  },
  // https://api.slack.com/methods/chat.postMessage: Bearer token, JSON with channel; errors are HTTP 200 with ok:false.
  'slack-api': {
    endpoint: '/api/chat.postMessage',
    check(req) {
      const c: Check = { problems: [] };
      method(c.problems, req, 'POST');
      if (req.path !== '/api/chat.postMessage') return { problems: ['path: unknown method'], notFound: true };
      bearer(c, req);
      const o = jsonBody(c.problems, req);
      str(c.problems, o, 'channel', { required: true });
      checkAttachments(c.problems, o, 100);
      if (o.text === undefined && o.attachments === undefined && o.blocks === undefined)
        c.problems.push('text: text, attachments or blocks required');
      return c;
    },
    ok: (req) => json(200, { ok: true, channel: (req.json as Obj).channel, ts: '1700000000.000100' }),
    // Slack's Web API reports a bad request as 200 {ok:false}; a rate limit is a real 429.
    fail: (status, problems) =>
      status === 400 || status === 401
        ? json(200, {
            ok: false,
            error: status === 401 ? 'not_authed' : 'invalid_arguments',
            warning: problems.join('; '),
          })
        : json(status, { ok: false, error: status === 429 ? 'ratelimited' : 'fatal_error' }),
  },
  // https://developer.pagerduty.com/docs/events-api-v2/trigger-events/: 202 {status, message, dedup_key}.
  pagerduty: {
    endpoint: '/v2/enqueue',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (req.path !== '/v2/enqueue') return { problems: ['path: not /v2/enqueue'], notFound: true };
      const o = jsonBody(p, req);
      str(p, o, 'routing_key', { required: true, max: 32 });
      oneOf(p, o, 'event_action', ['trigger', 'acknowledge', 'resolve'], true);
      str(p, o, 'dedup_key', { required: o.event_action !== 'trigger', max: 255 });
      if (o.event_action === 'trigger') {
        if (!isObj(o.payload)) p.push('payload: required for trigger');
        else {
          const q = under(p, 'payload.');
          str(q, o.payload, 'summary', { required: true, max: 1024 });
          str(q, o.payload, 'source', { required: true });
          oneOf(q, o.payload, 'severity', ['critical', 'error', 'warning', 'info'], true);
          for (const f of ['timestamp', 'component', 'group', 'class']) str(q, o.payload, f);
          if (o.payload.custom_details !== undefined && !isObj(o.payload.custom_details))
            p.push('payload.custom_details: must be an object');
        }
      }
      str(p, o, 'client');
      str(p, o, 'client_url');
      arrayOf(p, o, 'images')?.forEach((im, i) => {
        if (!isObj(im) || typeof im.src !== 'string') p.push(`images[${i}].src: required`);
      });
      arrayOf(p, o, 'links')?.forEach((l, i) => {
        if (!isObj(l) || typeof l.href !== 'string') p.push(`links[${i}].href: required`);
      });
      return { problems: p };
    },
    ok: (req) =>
      json(202, {
        status: 'success',
        message: 'Event processed',
        dedup_key: (req.json as Obj).dedup_key ?? 'generated',
      }),
    fail: (status, problems) =>
      status === 400
        ? json(400, { status: 'invalid event', message: 'Event object is invalid', errors: problems })
        : status === 429
          ? json(429, {
              status: 'throttle event',
              message: 'Requests for this service are arriving too quickly.',
            })
          : json(status, { status: 'error', message: 'Internal error' }),
  },
  // PagerDuty's generic events API (v1): service_key, event_type, incident_key; 200 {status, incident_key}.
  'pagerduty-v1': {
    endpoint: '/generic/2010-04-15/create_event.json',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (req.path !== '/generic/2010-04-15/create_event.json')
        return { problems: ['path: unknown'], notFound: true };
      const o = jsonBody(p, req);
      str(p, o, 'service_key', { required: true, max: 32 });
      oneOf(p, o, 'event_type', ['trigger', 'acknowledge', 'resolve'], true);
      str(p, o, 'incident_key', { required: o.event_type !== 'trigger', max: 255 });
      str(p, o, 'description', { required: o.event_type === 'trigger', max: 1024 });
      stringMap(p, o, 'details');
      str(p, o, 'client');
      str(p, o, 'client_url');
      return { problems: p };
    },
    ok: (req) =>
      json(200, {
        status: 'success',
        message: 'Event processed',
        incident_key: (req.json as Obj).incident_key ?? 'generated',
      }),
    fail: (status, problems) =>
      json(status, { status: 'invalid event', message: 'Event object is invalid', errors: problems }),
  },
  // https://docs.opsgenie.com/docs/alert-api: `Authorization: GenieKey <key>`; create, close and update
  // (message, description) are asynchronous: 202 {result, took, requestId}.
  opsgenie: {
    endpoint: '/',
    check(req) {
      const c: Check = { problems: [] };
      const p = c.problems;
      if (!/^GenieKey \S+$/.test(String(req.headers.authorization ?? ''))) {
        p.push('authorization: GenieKey required');
        c.unauthorized = true;
      }
      const create = req.path === '/v2/alerts';
      const action = /^\/v2\/alerts\/([^/]+)\/(close|message|description)$/.exec(req.path);
      if (!create && !action) return { problems: ['path: unknown'], notFound: true };
      const o = jsonBody(p, req);
      if (create) {
        method(p, req, 'POST');
        str(p, o, 'message', { required: true, max: 130 });
        str(p, o, 'alias', { max: 512 });
        str(p, o, 'description', { max: 15000 });
        str(p, o, 'entity', { max: 512 });
        str(p, o, 'source', { max: 100 });
        str(p, o, 'note', { max: 25000 });
        oneOf(p, o, 'priority', ['P1', 'P2', 'P3', 'P4', 'P5']);
        // Opsgenie: at most 20 tags of at most 50 characters; at most 10 actions of at most 50.
        for (const f of ['tags', 'actions'])
          arrayOf(p, o, f, f === 'tags' ? 20 : 10)?.forEach((t, i) => {
            if (typeof t !== 'string') p.push(`${f}[${i}]: must be a string`);
            else if ([...t].length > 50) p.push(`${f}[${i}]: longer than 50 characters`);
          });
        stringMap(p, o, 'details');
        arrayOf(p, o, 'responders', 50)?.forEach((r, i) => {
          if (!isObj(r)) return p.push(`responders[${i}]: must be an object`);
          oneOf(under(p, `responders[${i}].`), r, 'type', ['team', 'user', 'escalation', 'schedule'], true);
          if (r.id === undefined && r.name === undefined && r.username === undefined)
            p.push(`responders[${i}]: id, name or username required`);
        });
      } else if (action) {
        const [, , what] = action;
        method(p, req, what === 'close' ? 'POST' : 'PUT');
        if (
          req.query.identifierType !== undefined &&
          !['id', 'alias', 'tiny'].includes(req.query.identifierType)
        )
          p.push('identifierType: must be id, alias or tiny');
        if (what === 'message') str(p, o, 'message', { required: true, max: 130 });
        if (what === 'description') str(p, o, 'description', { required: true, max: 15000 });
        if (what === 'close') {
          str(p, o, 'source', { max: 100 });
          str(p, o, 'note', { max: 25000 });
        }
      }
      return c;
    },
    ok: () => json(202, { result: 'Request will be processed', took: 0.01, requestId: 'fake-request-id' }),
    fail: (status, problems) =>
      json(status, {
        message:
          status === 401
            ? 'Key format is not valid!'
            : status === 429
              ? 'Too many requests'
              : 'Request body is not valid',
        errors: problems,
        took: 0.001,
        requestId: 'fake-request-id',
      }),
  },
  // https://discord.com/developers/docs/resources/webhook#execute-webhook: content (<=2000) or embeds
  // (<=10; title <=256, description <=4096) required; 204 without ?wait=true, 200 with the message with it.
  discord: {
    endpoint: '/api/webhooks/123456789012345678/fake-token',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (!/^\/api\/webhooks\/\d+\/[^/]+$/.test(req.path))
        return { problems: ['path: Unknown Webhook'], notFound: true };
      const o = jsonBody(p, req);
      str(p, o, 'content', { max: 2000 });
      str(p, o, 'username', { max: 80 });
      str(p, o, 'avatar_url');
      const embeds = arrayOf(p, o, 'embeds', 10);
      embeds?.forEach((e, i) => {
        if (!isObj(e)) return p.push(`embeds[${i}]: must be an object`);
        str(under(p, `embeds[${i}].`), e, 'title', { max: 256 });
        str(under(p, `embeds[${i}].`), e, 'description', { max: 4096 });
        if (e.color !== undefined && (typeof e.color !== 'number' || !Number.isInteger(e.color)))
          p.push(`embeds[${i}].color: must be an integer`);
      });
      if (!o.content && !(embeds && embeds.length > 0)) p.push('content: Cannot send an empty message');
      return { problems: p };
    },
    ok: (req) =>
      req.query.wait === 'true'
        ? json(200, { id: '1', type: 0, content: (req.json as Obj).content })
        : text(204, ''),
    fail: (status, problems) =>
      status === 429
        ? json(429, { message: 'You are being rate limited.', retry_after: 0.5, global: false })
        : status === 404
          ? json(404, { message: 'Unknown Webhook', code: 10015 })
          : json(status, { message: problems[0] ?? 'error', code: status === 400 ? 50006 : 0 }),
  },
  // https://core.telegram.org/bots/api#sendmessage: chat_id and text (1-4096) required; every answer is
  // {ok, result} or {ok:false, error_code, description}. Telegram takes numbers and booleans as strings too.
  telegram: {
    endpoint: '/',
    check(req) {
      const p: string[] = [];
      const m = /^\/bot([^/]+)\/sendMessage$/.exec(req.path);
      if (!m) return { problems: ['path: Not Found'], notFound: true };
      method(p, req, 'POST');
      const o = jsonBody(p, req);
      const chat = o.chat_id;
      if (!((typeof chat === 'string' && /^(-?\d+|@\w+)$/.test(chat)) || Number.isInteger(chat)))
        p.push('chat_id: required (integer or @channel)');
      str(p, o, 'text', { required: true, max: 4096 });
      oneOf(p, o, 'parse_mode', ['Markdown', 'MarkdownV2', 'HTML']);
      for (const f of ['disable_notification', 'disable_web_page_preview']) {
        const v = o[f];
        if (v !== undefined && typeof v !== 'boolean' && v !== 'true' && v !== 'false')
          p.push(`${f}: must be a boolean`);
      }
      if (o.message_thread_id !== undefined && !/^\d+$/.test(String(o.message_thread_id)))
        p.push('message_thread_id: must be an integer');
      return { problems: p };
    },
    ok: (req) =>
      json(200, {
        ok: true,
        result: {
          message_id: 1,
          date: 0,
          chat: { id: Number((req.json as Obj).chat_id), type: 'private' },
          text: (req.json as Obj).text,
        },
      }),
    fail: (status, problems) =>
      json(status, {
        ok: false,
        error_code: status,
        description:
          status === 429
            ? 'Too Many Requests: retry after 1'
            : status === 401
              ? 'Unauthorized'
              : `Bad Request: ${problems[0] ?? 'error'}`,
        ...(status === 429 ? { parameters: { retry_after: 1 } } : {}),
      }),
  },
  // https://pushover.net/api: token, user, message (<=1024) required; title <=250, url <=512, url_title <=100;
  // priority 2 needs retry (>=30) and expire (<=10800). Parameters in the query, a form or JSON body.
  pushover: {
    endpoint: '/1/messages.json',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (req.path !== '/1/messages.json') return { problems: ['path: not found'], notFound: true };
      const f: Obj = { ...req.form, ...(isObj(req.json) ? req.json : {}) };
      str(p, f, 'token', { required: true });
      str(p, f, 'user', { required: true });
      str(p, f, 'message', { required: true, max: 1024 });
      str(p, f, 'title', { max: 250 });
      str(p, f, 'url', { max: 512 });
      str(p, f, 'url_title', { max: 100 });
      const prio = f.priority === undefined ? 0 : Number(f.priority);
      if (!Number.isInteger(prio) || prio < -2 || prio > 2) p.push('priority: must be -2..2');
      if (prio === 2) {
        if (!(Number(f.retry) >= 30)) p.push('retry: must be at least 30 for priority 2');
        if (!(Number(f.expire) > 0 && Number(f.expire) <= 10800))
          p.push('expire: must be 1..10800 for priority 2');
      }
      if (f.html !== undefined && !['0', '1'].includes(String(f.html))) p.push('html: must be 0 or 1');
      return { problems: p };
    },
    ok: (req) =>
      json(200, {
        status: 1,
        request: 'fake-request',
        ...(req.form.priority === '2' ? { receipt: 'fake-receipt' } : {}),
      }),
    fail: (status, problems) =>
      json(status, { status: 0, request: 'fake-request', errors: problems.length ? problems : ['error'] }),
  },
  // https://developer.webex.com/docs/api/v1/messages/create-a-message: Bearer token, roomId (or a person),
  // text or markdown (<=7439 bytes); 200 with the message.
  webex: {
    endpoint: '/v1/messages',
    check(req) {
      const c: Check = { problems: [] };
      method(c.problems, req, 'POST');
      if (req.path !== '/v1/messages') return { problems: ['path: not found'], notFound: true };
      bearer(c, req);
      const p = c.problems;
      const o = jsonBody(p, req);
      if (o.roomId === undefined && o.toPersonId === undefined && o.toPersonEmail === undefined)
        p.push('roomId: roomId, toPersonId or toPersonEmail required');
      str(p, o, 'roomId');
      for (const f of ['text', 'markdown']) {
        if (str(p, o, f) && Buffer.byteLength(o[f] as string) > 7439) p.push(`${f}: longer than 7439 bytes`);
      }
      if (!o.text && !o.markdown && o.files === undefined)
        p.push('markdown: text, markdown or files required');
      return c;
    },
    ok: (req) =>
      json(200, {
        id: 'fake-message',
        roomId: (req.json as Obj).roomId,
        created: '2026-01-01T00:00:00.000Z',
      }),
    fail: (status, problems) =>
      json(status, {
        message: problems[0] ?? 'error',
        errors: problems.map((description) => ({ description })),
        trackingId: 'fake',
      }),
  },
  // https://help.victorops.com/knowledge-base/rest-endpoint-integration-guide/:
  // POST .../alert/<api_key>/<routing_key>, message_type required; {result:"success", entity_id}.
  victorops: {
    endpoint: '/integrations/generic/20131114/alert',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      // Alertmanager joins api_url + <api_key>/<routing_key>; the vendor's api_url ends in .../alert/.
      const m = /^(?:\/integrations\/generic\/20131114\/alert)?\/([^/]+)\/([^/]+)$/.exec(req.path);
      if (!m) return { problems: ['path: needs <api_key>/<routing_key>'], notFound: true };
      const o = jsonBody(p, req);
      oneOf(p, o, 'message_type', ['CRITICAL', 'WARNING', 'INFO', 'ACKNOWLEDGEMENT', 'RECOVERY'], true);
      str(p, o, 'entity_id', { max: 512 });
      str(p, o, 'entity_display_name');
      str(p, o, 'state_message');
      str(p, o, 'monitoring_tool');
      return { problems: p };
    },
    ok: (req) => json(200, { result: 'success', entity_id: (req.json as Obj).entity_id ?? 'generated' }),
    fail: (status, problems) => json(status, { result: 'failure', message: problems.join('; ') || 'error' }),
  },
  // https://developer.work.weixin.qq.com/document/path/90236: GET gettoken?corpid&corpsecret, then
  // POST message/send?access_token= with msgtype and agentid; errcode 0 is success (always HTTP 200).
  wechat: {
    endpoint: '/cgi-bin/',
    check(req) {
      const p: string[] = [];
      const path = req.path.replace(/^\/cgi-bin/, '');
      if (path === '/gettoken') {
        method(p, req, 'GET');
        if (!req.query.corpid) p.push('corpid: required');
        if (!req.query.corpsecret) p.push('corpsecret: required');
        return { problems: p, unauthorized: p.length > 0 };
      }
      if (path !== '/message/send') return { problems: ['path: not found'], notFound: true };
      method(p, req, 'POST');
      if (req.query.access_token !== FAKE_WECHAT_TOKEN)
        return { problems: ['access_token: invalid'], unauthorized: true };
      const o = jsonBody(p, req);
      oneOf(p, o, 'msgtype', ['text', 'markdown'], true);
      str(p, o, 'agentid', { required: true });
      if (!o.touser && !o.toparty && !o.totag) p.push('touser: touser, toparty or totag required');
      const content = o.msgtype === 'markdown' ? o.markdown : o.text;
      if (!isObj(content) || typeof content.content !== 'string' || content.content === '')
        p.push(`${String(o.msgtype)}.content: required`);
      else if (Buffer.byteLength(content.content) > 2048)
        p.push(`${String(o.msgtype)}.content: longer than 2048 bytes`);
      return { problems: p };
    },
    ok: (req) =>
      req.path.endsWith('/gettoken')
        ? json(200, { errcode: 0, errmsg: 'ok', access_token: FAKE_WECHAT_TOKEN, expires_in: 7200 })
        : json(200, { errcode: 0, errmsg: 'ok' }),
    // WeChat reports errors in the body with HTTP 200, except for injected transport failures.
    fail: (status, problems) =>
      json(status >= 500 || status === 429 ? status : 200, {
        errcode: status === 401 ? 40014 : 40003,
        errmsg: problems.join('; ') || 'error',
      }),
  },
  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html: form Action=Publish, Version, one target,
  // Message; SigV4 signed (only the header's presence and form are checked). XML answers.
  sns: {
    endpoint: '/',
    check(req) {
      const c: Check = { problems: [] };
      const p = c.problems;
      method(p, req, 'POST');
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        p.push('authorization: SigV4 signature required');
        c.unauthorized = true;
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        p.push('content-type: must be application/x-www-form-urlencoded');
      const f = req.form;
      if (f.Action !== 'Publish') p.push('Action: must be Publish');
      if (f.Version !== '2010-03-31') p.push('Version: must be 2010-03-31');
      const targets = ['TopicArn', 'TargetArn', 'PhoneNumber'].filter((k) => f[k]);
      if (targets.length !== 1) p.push('TopicArn: exactly one of TopicArn, TargetArn, PhoneNumber required');
      str(p, f, 'Message', { required: true });
      if (f.Message && Buffer.byteLength(f.Message) > 256 * 1024) p.push('Message: longer than 256 KiB');
      str(p, f, 'Subject', { max: 100 });
      return c;
    },
    ok: () => [
      200,
      'text/xml',
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>fake-message</MessageId></PublishResult><ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata></PublishResponse>',
    ],
    fail: (status, problems) => [
      status,
      'text/xml',
      `<ErrorResponse><Error><Type>Sender</Type><Code>${status === 429 ? 'Throttling' : status === 403 ? 'InvalidClientTokenId' : 'InvalidParameter'}</Code><Message>${escapeXml(problems.join('; '))}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`,
    ],
  },
  // Office 365 connector webhook (MessageCard, as Alertmanager 0.26+ sends): 200 "1"; 400 text otherwise.
  msteams: {
    endpoint: '/webhookb2/fake-id/IncomingWebhook/fake-key/fake-user',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (!/^\/webhookb2\/[^/]+\/IncomingWebhook\/[^/]+\/[^/]+$/.test(req.path))
        return { problems: ['path: not found'], notFound: true };
      const o = jsonBody(p, req);
      oneOf(p, o, '@context', ['http://schema.org/extensions', 'https://schema.org/extensions'], true);
      oneOf(p, o, 'type', ['MessageCard'], true);
      for (const f of ['title', 'summary', 'text', 'themeColor']) str(p, o, f);
      if (!o.summary && !o.text) p.push('text: Summary or Text is required.');
      return { problems: p };
    },
    ok: () => text(200, '1'),
    fail: (status, problems) =>
      text(
        status,
        status === 429 ? 'Microsoft Teams endpoint returned HTTP error 429' : (problems[0] ?? 'error'),
      ),
  },
  // Power Automate "workflows" webhook (Adaptive Card in a message, Alertmanager 0.28+ msteamsv2): 202.
  msteamsv2: {
    endpoint: '/workflows/fake-id/triggers/manual/paths/invoke',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (!/^\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke$/.test(req.path))
        return { problems: ['path: not found'], notFound: true };
      const o = jsonBody(p, req);
      oneOf(p, o, 'type', ['message'], true);
      const atts = arrayOf(p, o, 'attachments');
      if (!atts || atts.length === 0) p.push('attachments: at least one card required');
      atts?.forEach((a, i) => {
        if (!isObj(a)) return p.push(`attachments[${i}]: must be an object`);
        oneOf(
          under(p, `attachments[${i}].`),
          a,
          'contentType',
          ['application/vnd.microsoft.card.adaptive'],
          true,
        );
        const card = a.content;
        if (!isObj(card)) return p.push(`attachments[${i}].content: must be an object`);
        oneOf(under(p, `attachments[${i}].content.`), card, 'type', ['AdaptiveCard'], true);
        str(under(p, `attachments[${i}].content.`), card, 'version', { required: true });
        const body = arrayOf(p, card, 'body');
        body?.forEach((b, j) => {
          if (!isObj(b) || typeof b.type !== 'string')
            p.push(`attachments[${i}].content.body[${j}].type: required`);
        });
      });
      return { problems: p };
    },
    ok: () => text(202, ''),
    fail: (status, problems) =>
      json(status, {
        error: {
          code: status === 400 ? 'InvalidRequestContent' : 'Error',
          message: problems.join('; ') || 'error',
        },
      }),
  },
  // https://developers.mattermost.com/integrate/webhooks/incoming/: text or attachments required; 200 "ok".
  mattermost: {
    endpoint: '/hooks/fakehookid',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      if (!/^\/hooks\/[^/]+$/.test(req.path)) return { problems: ['path: not found'], notFound: true };
      const o = jsonBody(p, req);
      for (const f of ['channel', 'username', 'icon_url', 'icon_emoji', 'type']) str(p, o, f);
      str(p, o, 'text', { max: 16383 });
      checkAttachments(p, o, 100);
      if (!o.text && !(Array.isArray(o.attachments) && o.attachments.length > 0))
        p.push('text: No text specified');
      if (o.props !== undefined && !isObj(o.props)) p.push('props: must be an object');
      if (o.priority !== undefined) {
        if (!isObj(o.priority)) p.push('priority: must be an object');
        else oneOf(under(p, 'priority.'), o.priority, 'priority', ['', 'important', 'urgent']);
      }
      return { problems: p };
    },
    ok: () => text(200, 'ok'),
    fail: (status, problems) =>
      json(status, {
        id: 'web.incoming_webhook.error',
        message: problems[0] ?? 'error',
        detailed_error: problems.join('; '),
        status_code: status,
      }),
  },
  // https://developer.rocket.chat/apidocs/post-message: X-Auth-Token and X-User-Id headers, channel or
  // roomId; 200 {success:true, message}, 400 {success:false, error}, 401 {status:"error"}.
  rocketchat: {
    endpoint: '/',
    check(req) {
      const c: Check = { problems: [] };
      const p = c.problems;
      if (req.path !== '/api/v1/chat.postMessage') return { problems: ['path: not found'], notFound: true };
      method(p, req, 'POST');
      if (!req.headers['x-auth-token'] || !req.headers['x-user-id']) {
        p.push('x-auth-token: X-Auth-Token and X-User-Id required');
        c.unauthorized = true;
      }
      const o = jsonBody(p, req);
      if (!o.channel && !o.roomId) p.push('channel: channel or roomId required');
      for (const f of ['channel', 'roomId', 'text', 'alias', 'emoji', 'avatar']) str(p, o, f);
      arrayOf(p, o, 'attachments')?.forEach((a, i) => {
        if (!isObj(a)) p.push(`attachments[${i}]: must be an object`);
      });
      return c;
    },
    ok: (req) =>
      json(200, {
        success: true,
        channel: (req.json as Obj).channel,
        message: { _id: 'fake', msg: (req.json as Obj).text ?? '' },
      }),
    fail: (status, problems) =>
      status === 401
        ? json(401, { status: 'error', message: 'You must be logged in to do this.' })
        : json(status, { success: false, error: problems.join('; ') || 'error' }),
  },
  // https://api-docs.incident.io (alert events, Alertmanager source): Bearer token, the webhook payload;
  // 202 {status:"success", deduplication_key}.
  incidentio: {
    endpoint: '/v2/alert_events/alertmanager/01FAKEALERTSOURCECONFIG',
    check(req) {
      const c: Check = { problems: [] };
      method(c.problems, req, 'POST');
      if (!/^\/v2\/alert_events\/alertmanager\/[^/]+$/.test(req.path))
        return { problems: ['path: not found'], notFound: true };
      bearer(c, req);
      checkWebhookPayload(c.problems, jsonBody(c.problems, req), ['1']);
      return c;
    },
    ok: (req) =>
      json(202, {
        status: 'success',
        message: 'Event accepted for processing',
        deduplication_key: (req.json as Obj).groupKey,
      }),
    fail: (status, problems) =>
      json(status, {
        type: status === 401 ? 'authentication_error' : status === 429 ? 'rate_limited' : 'validation_error',
        status,
        errors: problems.map((message) => ({ code: 'invalid_value', message })),
      }),
  },
  // Alertmanager's own webhook contract (docs: configuration#webhook_config): any 2xx is success.
  webhook: {
    endpoint: '/hook',
    check(req) {
      const p: string[] = [];
      method(p, req, 'POST');
      checkWebhookPayload(p, jsonBody(p, req));
      return { problems: p };
    },
    ok: () => text(200, 'ok'),
    fail: (status, problems) => text(status, problems.join('; ') || 'error'),
  },
};

/** The access token the WeChat fake hands out and then requires. */
export const FAKE_WECHAT_TOKEN = 'fake-wechat-access-token';

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/** Checks one request against `kind`'s documented API without a server (the fakes use the same check). */
export function checkVendorRequest(
  kind: VendorKind,
  req: Pick<FakeRequest, 'method' | 'path' | 'query' | 'headers' | 'body'>,
): string[] {
  return VENDORS[kind].check(parsed(req)).problems;
}

function parsed(req: Pick<FakeRequest, 'method' | 'path' | 'query' | 'headers' | 'body'>): FakeRequest {
  let json: unknown;
  try {
    json = req.body ? JSON.parse(req.body) : undefined;
  } catch {
    json = undefined;
  }
  const form: Record<string, string> = { ...req.query };
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    for (const [k, v] of new URLSearchParams(req.body)) form[k] = v;
  return { ...req, json, form, status: 0, problems: [], injected: false, at: Date.now() };
}

/**
 * One vendor fake on a free loopback port. `failNext([429, 503])` makes the next two requests fail with
 * those statuses (in the vendor's error format) before normal checking resumes; `failAlways(500)` until
 * `failAlways(undefined)`.
 */
export class VendorFake {
  readonly requests: FakeRequest[] = [];
  private queued: number[] = [];
  private always: number | undefined;
  /** Seconds announced in Retry-After on a 429. */
  retryAfterSeconds = 1;

  private constructor(
    readonly kind: VendorKind,
    private readonly server: Server,
    private readonly prefix: string,
  ) {}

  static async start(kind: VendorKind, opts: { prefix?: string } = {}): Promise<VendorFake> {
    const prefix = (opts.prefix ?? '').replace(/\/+$/, '');
    const vendor = VENDORS[kind];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://fake');
        const inPrefix = u.pathname === prefix || u.pathname.startsWith(`${prefix}/`);
        const r = parsed({
          method: req.method ?? '',
          path: inPrefix ? u.pathname.slice(prefix.length) || '/' : u.pathname,
          query: Object.fromEntries(u.searchParams),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        let answer: Answer;
        const injected = fake.queued.shift() ?? fake.always;
        if (size > MAX_BODY) {
          r.problems = [`body: larger than ${MAX_BODY} bytes`];
          answer = vendor.fail(413, r.problems, r);
        } else if (!inPrefix) {
          r.problems = [`path: outside ${prefix}`];
          answer = vendor.fail(404, r.problems, r);
        } else if (injected !== undefined) {
          r.injected = true;
          answer = vendor.fail(injected, [`injected ${injected}`], r);
        } else {
          const c = vendor.check(r);
          r.problems = c.problems;
          answer =
            c.problems.length === 0
              ? vendor.ok(r)
              : vendor.fail(c.notFound ? 404 : c.unauthorized ? 401 : 400, c.problems, r);
        }
        r.status = answer[0];
        if (fake.requests.length < MAX_KEPT) fake.requests.push(r);
        // Slack, Discord, Telegram and PagerDuty send Retry-After with a 429; a client may honour it.
        res.writeHead(answer[0], {
          'Content-Type': answer[1],
          ...(answer[0] === 429 ? { 'Retry-After': String(fake.retryAfterSeconds) } : {}),
        });
        res.end(answer[2]);
      });
    });
    const fake = new VendorFake(kind, server, prefix);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL with the prefix, e.g. `http://127.0.0.1:41234/pd`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  /** The URL a receiver should post to (webhook URL, `url`, or an `api_url` the integration extends). */
  endpoint(): string {
    return `${this.url}${VENDORS[this.kind].endpoint}`;
  }

  /** The next requests are answered with these statuses, in order, without being checked. */
  failNext(statuses: number[]): void {
    this.queued.push(...statuses);
  }

  /** Every request is answered with `status` until called with undefined. */
  failAlways(status: number | undefined): void {
    this.always = status;
  }

  /** Forgets the recorded requests and any queued or permanent failure. */
  reset(): void {
    this.requests.length = 0;
    this.queued = [];
    this.always = undefined;
  }

  /** Requests that passed the checks and got the vendor's success answer. */
  get accepted(): FakeRequest[] {
    return this.requests.filter((r) => !r.injected && r.problems.length === 0);
  }

  /** Requests the fake refused because of what they contained (not injected failures). */
  get refused(): FakeRequest[] {
    return this.requests.filter((r) => !r.injected && r.problems.length > 0);
  }

  /** Resolves once `n` requests were accepted. */
  async waitForAccepted(n: number, timeoutMs = 10_000): Promise<FakeRequest[]> {
    await waitUntil(() => this.accepted.length >= n, {
      timeoutMs,
      intervalMs: 20,
      what: `${this.kind} fake: ${n} accepted requests`,
      detail: () => this.requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.problems.join('; ')}`),
    });
    return this.accepted;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
