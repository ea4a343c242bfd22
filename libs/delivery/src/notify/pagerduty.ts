import { createHash } from 'node:crypto';
import type { TemplateSet, WebhookPayload } from '@herald/domain';

import { resultOf, type SendResult } from '../receiver';
import {
  expanderFor,
  secretOf,
  truncateRunes,
  type Expander,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

// Alertmanager's notify/pagerduty: Events API v2 (routing_key) or the v1 generic events API
// (service_key), one event per notification keyed by the hash of the group key.

/** The v1 generic events API: a fixed URL (Alertmanager has no setting for it). */
export const PAGERDUTY_V1_URL = 'https://events.pagerduty.com/generic/2010-04-15/create_event.json';
/** PagerDuty's event size limit: bigger events lose their details, as Alertmanager does. */
export const PAGERDUTY_MAX_EVENT_BYTES = 512_000;
/** v2 `payload.summary` and v1 `description`: at most 1024 characters. */
export const PAGERDUTY_MAX_SUMMARY_RUNES = 1024;
export const PAGERDUTY_DETAILS_REMOVED =
  'Custom details have been removed because the original event exceeds the maximum size of 512KB';

/** Alertmanager 0.25's defaults for the fields an entry leaves out (empty counts as left out). */
const DEFAULTS = {
  description: '{{ template "pagerduty.default.description" .}}',
  client: '{{ template "pagerduty.default.client" . }}',
  client_url: '{{ template "pagerduty.default.clientURL" . }}',
};
/** Default `details`, merged under the entry's own (0.25's strings; the wire format recorded). */
const DEFAULT_DETAILS: Record<string, string> = {
  firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
  resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
  num_firing: '{{ .Alerts.Firing | len }}',
  num_resolved: '{{ .Alerts.Resolved | len }}',
};

/** Hex sha256 of the group key: Alertmanager's dedup_key / incident_key (and Opsgenie/VictorOps ids). */
export function groupKeyHash(groupKey: string): string {
  return createHash('sha256').update(groupKey).digest('hex');
}

/**
 * True only when the group has resolved: Herald's payload status is 'resolved' only when no alert of
 * the group fires; the alert check is a second guard so an incident never closes while one fires.
 */
export function groupResolved(p: WebhookPayload): boolean {
  return p.status === 'resolved' && p.alerts.every((a) => a.status === 'resolved');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
// Alertmanager fills its defaults into the config before the YAML is read: a field written empty stays empty.
const orDefault = (v: unknown, def: string): string => (typeof v === 'string' ? v : def);

/** The entry's text fields with Alertmanager's defaults (source defaults to the client template). */
function fieldsOf(c: Raw): Record<string, string> {
  const client = orDefault(c.client, DEFAULTS.client);
  return {
    description: orDefault(c.description, DEFAULTS.description),
    client,
    client_url: orDefault(c.client_url, DEFAULTS.client_url),
    // Alertmanager: an empty source takes the client template, an empty severity is "error".
    source: str(c.source) || client,
    severity: str(c.severity) || 'error',
    class: str(c.class),
    component: str(c.component),
    group: str(c.group),
  };
}

/** Expands `details` (string leaves and map keys; nested maps and lists as Alertmanager ≥ 0.28 allows). */
function renderDetail(v: unknown, x: Expander): unknown {
  if (typeof v === 'string') return x.text(v);
  if (Array.isArray(v)) return v.map((e) => renderDetail(e, x));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [x.text(k), renderDetail(e, x)]));
  return v;
}

export function renderDetails(c: Raw, x: Expander): Record<string, unknown> {
  const own = c.details && typeof c.details === 'object' ? (c.details as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...own };
  for (const [k, v] of Object.entries(DEFAULT_DETAILS)) if (!(k in merged)) merged[k] = v;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(merged)) out[k] = renderDetail(v, x);
  return out;
}

/** Byte size of the body as Go's json.Encoder writes it (<, >, & and U+2028/9 escaped, newline). */
export function goJsonSize(json: string): number {
  let extra = 1;
  for (const ch of json) {
    if (ch === '<' || ch === '>' || ch === '&') extra += 5;
    else if (ch === '\u2028' || ch === '\u2029') extra += 3;
  }
  return Buffer.byteLength(json) + extra;
}

export interface PagerDutyEvent {
  version: 'v1' | 'v2';
  url: string;
  body: Record<string, unknown>;
  /** Set when the details were dropped to fit the size limit. */
  truncatedDetails?: number;
}

/**
 * Builds the event of a notification as Alertmanager does (null: nothing to send), or a give-up (a
 * failing template, an empty key, a key file that cannot be read, an event over the size limit).
 */
export function pagerDutyEvent(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { event: PagerDutyEvent | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { event: null };
  const giveUp = (message: string): { event: null; failure: SendResult } => ({
    event: null,
    failure: { kind: 'give-up', reason: 'other', message: `pagerduty: ${message}` },
  });
  const v1 = c.service_key != null || c.service_key_file != null;
  const resolve = groupResolved(payload);
  const key = groupKeyHash(n.groupKey);
  const x = expanderFor(templates, payload);
  const f = fieldsOf(c);
  let secret: string;
  try {
    secret = secretOf(c, v1 ? 'service_key' : 'routing_key') ?? '';
  } catch (e) {
    return giveUp(`cannot read ${v1 ? 'service_key_file' : 'routing_key_file'}: ${(e as Error).message}`);
  }
  const details = renderDetails(c, x);
  const summary = truncateRunes(x.text(f.description), PAGERDUTY_MAX_SUMMARY_RUNES).value;
  let body: Record<string, unknown>;
  if (v1) {
    // v1's message has Alertmanager's shared struct: event_action and payload go out empty.
    body = {
      service_key: x.text(secret),
      incident_key: key,
      event_type: resolve ? 'resolve' : 'trigger',
      description: summary,
      event_action: '',
      payload: null,
    };
    if (!resolve) {
      body.client = x.text(f.client);
      body.client_url = x.text(f.client_url);
    }
    body.details = details;
  } else {
    const images = (Array.isArray(c.images) ? (c.images as Raw[]) : [])
      .map((i) => ({ src: x.text(i.src), alt: x.text(i.alt), href: x.text(i.href) }))
      .filter((i) => i.src !== '');
    const links = (Array.isArray(c.links) ? (c.links as Raw[]) : [])
      .map((l) => ({ href: x.text(l.href), text: x.text(l.text) }))
      .filter((l) => l.href !== '');
    const pd: Record<string, unknown> = {
      summary,
      source: x.text(f.source),
      severity: x.text(f.severity),
      class: x.text(f.class),
      component: x.text(f.component),
      group: x.text(f.group),
      custom_details: details,
    };
    for (const k of ['class', 'component', 'group']) if (pd[k] === '') delete pd[k];
    body = {
      routing_key: x.text(secret),
      dedup_key: key,
      event_action: resolve ? 'resolve' : 'trigger',
      payload: pd,
      client: x.text(f.client),
      client_url: x.text(f.client_url),
    };
    if (images.length > 0) body.images = images;
    if (links.length > 0) body.links = links;
  }
  // Go's encoding omits the empty strings and maps Alertmanager tags omitempty.
  for (const k of ['client', 'client_url', 'description']) if (body[k] === '') delete body[k];
  if (v1 && Object.keys(details).length === 0) delete body.details;
  if (!v1 && Object.keys(details).length === 0)
    delete (body.payload as Record<string, unknown>).custom_details;
  if (x.error)
    return {
      event: null,
      failure: { kind: 'give-up', reason: 'other', message: `pagerduty: ${x.error.message}` },
    };
  if ((v1 ? body.service_key : body.routing_key) === '')
    return giveUp(`${v1 ? 'service' : 'routing'} key is empty after templating`);
  let truncatedDetails: number | undefined;
  const size = goJsonSize(JSON.stringify(body));
  if (size > PAGERDUTY_MAX_EVENT_BYTES) {
    truncatedDetails = size;
    const removed = { error: PAGERDUTY_DETAILS_REMOVED };
    if (v1) body.details = removed;
    else (body.payload as Record<string, unknown>).custom_details = removed;
    const after = goJsonSize(JSON.stringify(body));
    // Alertmanager would send it anyway; PagerDuty refuses it (400): give up here, saying why.
    if (after > PAGERDUTY_MAX_EVENT_BYTES)
      return giveUp(
        `event is ${after} bytes without its details, over PagerDuty's limit of ${PAGERDUTY_MAX_EVENT_BYTES} (images, links or another field too large)`,
      );
  }
  return {
    event: { version: v1 ? 'v1' : 'v2', url: v1 ? PAGERDUTY_V1_URL : String(c.url), body, truncatedDetails },
  };
}

/** PagerDuty's error answer (400: {status, message, errors[]}), for the give-up message. */
function errorDetails(body: string): string {
  try {
    const o = JSON.parse(body) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(o.errors) ? o.errors.map(String).join(',') : '';
    if (typeof o.message === 'string') return errors ? `${o.message}: ${errors}` : o.message;
  } catch {
    /* not JSON */
  }
  return body.slice(0, 200).trim();
}

/** Alertmanager's PagerDuty integration. */
export class PagerDutyNotifier extends HttpNotifier {
  override readonly kind = 'pagerduty';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { event, failure } = pagerDutyEvent(this.c, this.templates, n);
    if (failure) return failure;
    if (!event) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const r = await this.request(
      { method: 'POST', url: event.url, body: JSON.stringify(event.body), contentType: 'application/json' },
      signal,
    );
    const res = r.response;
    if (!res) return resultOf(r.outcome, `pagerduty: ${r.message}`);
    const status = res.status;
    if (status >= 200 && status < 300) return { kind: 'ok' };
    const message = `pagerduty ${event.version}: HTTP ${status}: ${errorDetails(res.body)}`;
    // v1 answers 403 when rate limited (Alertmanager retries it); v2 uses 429. 5xx is retried.
    if (event.version === 'v1' && status === 403)
      return { kind: 'retry', reason: 'rateLimited', message, status };
    return resultOf(r.outcome, message);
  }
}

export const pagerduty = httpIntegration(PagerDutyNotifier);
