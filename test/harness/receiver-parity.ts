// Replays test/compat/receivers-am025.json (what a real Alertmanager 0.25 sent to every receiver kind)
// through Herald's integrations: the same receiver config (URLs pointed at a local capture), the same
// three notifications (taken from the recorded webhook payloads), the captured requests normalised the
// way the recorder normalised Alertmanager's. Used by test/integration/receiver-parity.int-spec.ts and
// by each integration's own parity spec.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { stringify } from 'yaml';
import { loadConfig } from '@herald/config';
import type { NotificationReason, WebhookPayload } from '@herald/domain';
import { buildReceivers, type SendResult } from '@herald/delivery';
import * as recorded from '../compat/receiver-normalise';
import type { RawHttp, RawMail } from '../compat/receiver-normalise';
import { payloadNotification } from './notify-specs';

/** One captured request, normalised as in the fixture. */
export interface CapturedRequest {
  phase: string;
  method?: string;
  path?: string;
  url?: string;
  query?: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  body?: string;
  // e-mail
  helo?: string;
  from?: string;
  to?: string[];
  parts?: { contentType: string; body: string }[];
  raw?: string;
}

interface FixtureReceiver {
  config: Record<string, unknown>;
  requests: CapturedRequest[];
}

interface Fixture {
  route: Record<string, unknown>;
  templatesFile: string;
  phases: { name: string }[];
  kinds: Record<string, { receivers: Record<string, FixtureReceiver> }>;
}

export const RECEIVER_FIXTURE: Fixture = JSON.parse(
  readFileSync(join(__dirname, '..', 'compat', 'receivers-am025.json'), 'utf8'),
);

/** The phases and the notification reason Herald gives each. */
export const PHASES: { name: string; reason: NotificationReason }[] = [
  { name: 'firing', reason: 'first notification' },
  { name: 'one-resolved', reason: 'some alerts resolved' },
  { name: 'all-resolved', reason: 'all alerts resolved' },
];

/** Fixed alert times replacing the fixture's markers (whole seconds, distinct). */
export const MARKER_TIMES: Record<string, string> = {
  '<STARTS_0>': '2024-05-01T12:00:01Z',
  '<STARTS_1>': '2024-05-01T12:00:02Z',
  '<STARTS_2>': '2024-05-01T12:00:03Z',
  '<END_FIRST>': '2024-05-01T12:05:04Z',
  '<END_ALL>': '2024-05-01T12:10:05Z',
};

const unMark = (text: string): string => {
  for (const [m, t] of Object.entries(MARKER_TIMES)) text = text.split(m).join(t);
  return text;
};
const reMark = (text: string): string => {
  for (const [m, t] of Object.entries(MARKER_TIMES)) text = text.split(t).join(m);
  return text;
};

/** The recorded webhook payload of a phase (send_resolved, no max_alerts), for `receiver`. */
export function phasePayload(phase: string, receiver: string): WebhookPayload {
  const reqs = RECEIVER_FIXTURE.kinds.webhook.receivers['webhook-default'].requests;
  const rec = reqs.find((r) => r.phase === phase);
  if (!rec) throw new Error(`no recorded webhook payload for phase ${phase}`);
  const p = JSON.parse(unMark(JSON.stringify(rec.json))) as Omit<WebhookPayload, 'notification_reason'>;
  const reason = PHASES.find((x) => x.name === phase)!.reason;
  return { ...p, receiver, notification_reason: reason };
}

/** The receivers of one kind in the fixture (`pagerduty` → pagerduty-v2-default, …). */
export function fixtureReceivers(kind: string): Record<string, FixtureReceiver> {
  const k = RECEIVER_FIXTURE.kinds[kind];
  if (!k) throw new Error(`no kind ${kind} in the fixture`);
  return k.receivers;
}

/** What a vendor answers the capture (as the recorder's capture answered Alertmanager). */
function answer(host: string, path: string): [number, string, string] {
  const json = (v: unknown): [number, string, string] => [200, 'application/json', JSON.stringify(v)];
  if (path.startsWith('/telegram/'))
    return json({ ok: true, result: { message_id: 1, chat: { id: 1, type: 'private' }, date: 0, text: '' } });
  if (path.startsWith('/wechat/') && path.endsWith('/gettoken'))
    return json({ errcode: 0, errmsg: 'ok', access_token: 'wc-access', expires_in: 7200 });
  if (path.startsWith('/wechat/')) return json({ errcode: 0, errmsg: 'ok' });
  if (path.startsWith('/sns/'))
    return [
      200,
      'text/xml',
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
    ];
  if (path.startsWith('/pagerduty/'))
    return [202, 'application/json', JSON.stringify({ status: 'success', message: 'Event processed' })];
  if (path.startsWith('/opsgenie/'))
    return [202, 'application/json', JSON.stringify({ result: 'Request will be processed', requestId: 'r' })];
  if (path.startsWith('/slack/')) return [200, 'text/plain', 'ok'];
  if (path.startsWith('/discord/')) return [204, 'text/plain', ''];
  if (host === 'events.pagerduty.com')
    return json({ status: 'success', message: 'Event processed', incident_key: 'x' });
  if (path === '/1/messages.json') return json({ status: 1, request: 'r' });
  return json({});
}

type RawCapture = RawHttp;

/** A local HTTP capture that also answers CONNECT (terminating TLS) for the fixed-URL vendors. */
export class Capture {
  readonly captured: RawCapture[] = [];
  private server!: http.Server;
  private readonly inner = new Map<string, http.Server>();

  static async start(): Promise<Capture> {
    const c = new Capture();
    await c.listen();
    return c;
  }

  get base(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private onRequest = (host?: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', `http://${req.headers.host ?? 'x'}`);
      const rec: RawCapture = {
        method: req.method ?? '',
        host: host ?? u.hostname,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.captured.push(rec);
      const [status, type, body] = answer(rec.host, rec.path);
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  };

  private async listen(): Promise<void> {
    this.server = http.createServer(this.onRequest());
    let creds: { key: Buffer; cert: Buffer } | undefined;
    this.server.on('connect', (req: http.IncomingMessage, socket) => {
      const host = String(req.url).split(':')[0];
      creds ??= certificate();
      if (!this.inner.has(host)) this.inner.set(host, http.createServer(this.onRequest(host)));
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const secure = new tls.TLSSocket(socket, { isServer: true, ...creds });
      this.inner.get(host)!.emit('connection', secure);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let certCache: { key: Buffer; cert: Buffer } | undefined;
const certificate = () =>
  (certCache ??= recorded.selfSignedCert(mkdtempSync(join(tmpdir(), 'parity-cert-')), '/CN=capture'));

/** A local SMTP capture. */
export class SmtpCapture {
  readonly mails: RawMail[] = [];
  private server!: SMTPServer;

  static async start(): Promise<SmtpCapture> {
    const s = new SmtpCapture();
    s.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          s.mails.push({
            helo: String(session.hostNameAppearsAs),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    return s;
  }

  get hostPort(): string {
    return `127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The recorder's normalisation of an HTTP request (host dropped, SigV4 volatile parts marked). */
export function normaliseHttp(r: RawCapture, phase: string): CapturedRequest {
  return JSON.parse(reMark(JSON.stringify({ phase, ...recorded.normaliseHttp(r) }))) as CapturedRequest;
}

/** The recorder's normalisation of a mail: volatile headers marked, MIME leaves decoded. */
export function normaliseMail(m: RawMail, phase: string): CapturedRequest {
  return JSON.parse(reMark(JSON.stringify({ phase, ...recorded.normaliseMail(m) }))) as CapturedRequest;
}

/** The result of replaying one fixture receiver through Herald. */
export interface ParityRun {
  expected: CapturedRequest[];
  actual: CapturedRequest[];
  results: SendResult[];
  warnings: string[];
}

/**
 * Builds the fixture receiver `name` of `kind` with Herald's config loader and integrations (URLs
 * pointed at a fresh capture, templates from the fixture's file), sends the three phase notifications
 * in order and returns what arrived, normalised, beside what Alertmanager sent.
 */
export async function replayReceiver(kind: string, name: string): Promise<ParityRun> {
  const rec = fixtureReceivers(kind)[name];
  if (!rec) throw new Error(`no receiver ${name} of kind ${kind} in the fixture`);
  const cap = await Capture.start();
  const smtp = kind === 'email' ? await SmtpCapture.start() : undefined;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    writeFileSync(join(dir, 'custom.tmpl'), RECEIVER_FIXTURE.templatesFile);
    const config = JSON.parse(
      JSON.stringify(rec.config)
        .split('<CAPTURE>')
        .join(cap.base)
        .split('<SMTP>')
        .join(smtp?.hostPort ?? '<SMTP>'),
    ) as Record<string, unknown>;
    const yaml = stringify({
      global: { resolve_timeout: '5m', smtp_from: 'alertmanager@example.com', smtp_require_tls: false },
      templates: ['*.tmpl'],
      route: { receiver: name, group_by: ['alertname'] },
      receivers: [{ name, [`${kind}_configs`]: [config] }],
      herald: { external_url: 'http://alertmanager.example:9093' },
    });
    const file = join(dir, 'alertmanager.yml');
    writeFileSync(file, yaml);
    const cfg = loadConfig({ env: {}, filePath: file, hostname: 'parity' });
    const built = buildReceivers(cfg.receivers, cfg.global, {
      userAgent: 'Alertmanager/0.25.0',
      templateFiles: cfg.templateFiles,
    });
    const integrations = built.byName.get(name) ?? [];
    if (integrations.length !== 1) throw new Error(`expected one integration, got ${integrations.length}`);
    const actual: CapturedRequest[] = [];
    const results: SendResult[] = [];
    let seq = 0;
    for (const phase of PHASES) {
      const payload = phasePayload(phase.name, name);
      const before = { http: cap.captured.length, mail: smtp?.mails.length ?? 0 };
      const n = payloadNotification(payload, ++seq, phase.name === 'firing' ? 'firing' : 'recovery');
      results.push(await integrations[0].receiver.send(n, new AbortController().signal));
      for (const r of cap.captured.slice(before.http)) actual.push(normaliseHttp(r, phase.name));
      for (const m of smtp?.mails.slice(before.mail) ?? []) actual.push(normaliseMail(m, phase.name));
    }
    return { expected: rec.requests, actual, results, warnings: built.warnings };
  } finally {
    await cap.stop();
    await smtp?.stop();
  }
}

/**
 * The headers to compare: the fixture's, minus those that differ by design (`user-agent` names the
 * product, `content-length` follows JSON key order, which is compared as parsed JSON).
 */
export function comparableHeaders(
  h: Record<string, string | string[] | undefined>,
  keep: readonly string[],
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const k of keep) if (k !== 'user-agent' && k !== 'content-length') out[k] = h[k];
  return out;
}

/** The fixture's header names of receiver `name`'s first request: the headers a parity spec compares. */
export const fixtureHeaderNames = (kind: string, name: string): string[] =>
  Object.keys(fixtureReceivers(kind)[name].requests[0].headers);

export interface HttpViewOptions {
  /**
   * How form bodies are compared: `parsed` (the default) compares the fields and drops the raw body;
   * `parsed+raw` compares the bytes too (for kinds whose form bodies match byte for byte); `none` leaves
   * `form` out (JSON-only kinds).
   */
  form?: 'parsed' | 'parsed+raw' | 'none';
  /** Compare Content-Length as well (kinds whose bodies match Alertmanager's to the byte). */
  contentLength?: boolean;
}

/**
 * The fields of a captured HTTP request a parity spec compares: headers by `keep` (see
 * comparableHeaders), JSON and form bodies parsed, any other body as text.
 */
export function httpView(r: CapturedRequest, keep: readonly string[], opts: HttpViewOptions = {}) {
  const form = opts.form ?? 'parsed';
  const rawBody = r.json === undefined && (form !== 'parsed' || r.form === undefined);
  return {
    phase: r.phase,
    method: r.method,
    path: r.path,
    url: r.url,
    query: r.query,
    headers: comparableHeaders(r.headers, keep),
    ...(opts.contentLength && { contentLength: r.headers['content-length'] }),
    json: r.json,
    ...(form !== 'none' && { form: r.form }),
    body: rawBody ? r.body : undefined,
  };
}

/** Herald's deliberate additions on the wire (README: receivers), taken out before a comparison. */
export function withoutHeraldExtras(r: CapturedRequest): CapturedRequest {
  const json = r.json as Record<string, unknown> | undefined;
  if (json && 'notification_reason' in json) {
    const { notification_reason: _reason, ...rest } = json;
    return { ...r, json: rest };
  }
  return r;
}

/** The fields of a captured mail a parity spec compares (Herald's own x-herald-* headers left out). */
export const mailView = (r: CapturedRequest) => ({
  phase: r.phase,
  from: r.from,
  to: r.to,
  subject: (r.headers as Record<string, string>).subject,
  headers: Object.fromEntries(
    Object.entries(r.headers as Record<string, string>).filter(
      ([k]) => k.startsWith('x-') && !k.startsWith('x-herald'),
    ),
  ),
  // MIME parameter values such as charset are case-insensitive (RFC 2045 §5.1): UTF-8 = utf-8.
  parts: r.parts?.map((p) => ({ ...p, contentType: p.contentType?.toLowerCase() })),
});
