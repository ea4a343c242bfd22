import type { TemplateSet } from '@herald/domain';

import { resultOf, type SendResult } from '../receiver';
import {
  expanderFor,
  secretOf,
  truncateRunes,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { groupKeyHash, groupResolved } from './pagerduty';
import { webhookBody } from './webhook';

// Alertmanager's notify/opsgenie: one Opsgenie alert per group (alias = hash of the group key),
// created (or re-created: Opsgenie dedups by alias) while it fires, closed when the group resolves.

/** Opsgenie's limit on `message` (Alertmanager truncates to it). */
export const OPSGENIE_MAX_MESSAGE_RUNES = 130;

const DEFAULTS = {
  message: '{{ template "opsgenie.default.message" . }}',
  description: '{{ template "opsgenie.default.description" . }}',
  source: '{{ template "opsgenie.default.source" . }}',
};

/** One request of a notification, in the order Alertmanager sends them. */
export interface OpsgenieRequest {
  method: 'POST' | 'PUT';
  url: string;
  body: Record<string, unknown>;
}

// Alertmanager fills its defaults into the config before the YAML is read: a field written empty stays empty.
const orDefault = (v: unknown, def: string): string => (typeof v === 'string' ? v : def);

/** Go's strings.Split after TrimSpace, empty parts dropped (Alertmanager's tags/actions lists). */
function splitList(s: string): string[] {
  return s
    .trim()
    .split(',')
    .filter((x) => x !== '');
}

/** `api_url` + `path` (api_url ends in "/"), with `?identifierType=alias` for the alert actions. */
function endpoint(apiUrl: string, path: string, byAlias: boolean): string {
  const u = new URL(apiUrl);
  u.pathname += path;
  if (byAlias) u.searchParams.set('identifierType', 'alias');
  return u.toString();
}

/**
 * The requests of a notification and the API key (null: nothing to send), or a give-up when a
 * template fails or the key file cannot be read.
 */
export function opsgenieRequests(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { requests: OpsgenieRequest[] | null; apiKey?: string; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { requests: null };
  const x = expanderFor(templates, payload);
  const apiUrl = String(c.api_url);
  const alias = groupKeyHash(n.groupKey);
  const details: Record<string, string> = { ...payload.commonLabels };
  if (c.details && typeof c.details === 'object')
    for (const [k, v] of Object.entries(c.details as Raw)) details[k] = x.text(v);
  const source = x.text(orDefault(c.source, DEFAULTS.source));
  const requests: OpsgenieRequest[] = [];
  if (groupResolved(payload)) {
    requests.push({
      method: 'POST',
      url: endpoint(apiUrl, `v2/alerts/${alias}/close`, true),
      body: { source },
    });
  } else {
    const message = truncateRunes(
      x.text(orDefault(c.message, DEFAULTS.message)),
      OPSGENIE_MAX_MESSAGE_RUNES,
    ).value;
    const responders: Record<string, string>[] = [];
    for (const r of Array.isArray(c.responders) ? (c.responders as Raw[]) : []) {
      const one = {
        id: x.text(r.id),
        name: x.text(r.name),
        username: x.text(r.username),
        type: x.text(r.type),
      };
      // A responder that renders empty is left out (responders filled from labels may be absent).
      if (!one.id && !one.name && !one.username && !one.type) continue;
      if (one.type === 'teams') {
        // "teams": a comma-separated list of team names, one responder each.
        for (const team of splitList(one.name)) responders.push({ name: x.text(team), type: 'team' });
        continue;
      }
      const out: Record<string, string> = {};
      if (one.id) out.id = one.id;
      if (one.name) out.name = one.name;
      if (one.username) out.username = one.username;
      out.type = one.type;
      responders.push(out);
    }
    const body: Record<string, unknown> = {
      alias,
      message,
      description: x.text(orDefault(c.description, DEFAULTS.description)),
      details,
      source,
      responders,
      tags: splitList(x.text(c.tags)),
      note: x.text(c.note),
      priority: x.text(c.priority),
      entity: x.text(c.entity),
      actions: splitList(x.text(c.actions)),
    };
    // Alertmanager's omitempty fields.
    for (const k of ['description', 'note', 'priority', 'entity']) if (body[k] === '') delete body[k];
    for (const k of ['responders', 'tags', 'actions'])
      if ((body[k] as unknown[]).length === 0) delete body[k];
    requests.push({ method: 'POST', url: endpoint(apiUrl, 'v2/alerts', false), body });
    if (c.update_alerts === true) {
      // Opsgenie keeps an existing alert's message and description on create: update them explicitly.
      const upd = (what: 'message' | 'description') => {
        const v = body[what];
        requests.push({
          method: 'PUT',
          url: endpoint(apiUrl, `v2/alerts/${alias}/${what}`, true),
          body: typeof v === 'string' && v !== '' ? { [what]: v } : {},
        });
      };
      upd('message');
      upd('description');
    }
  }
  let apiKey: string;
  try {
    apiKey = secretOf(c, 'api_key') ?? '';
  } catch (e) {
    return {
      requests: null,
      failure: {
        kind: 'give-up',
        reason: 'other',
        message: `opsgenie: cannot read api_key_file: ${(e as Error).message}`,
      },
    };
  }
  apiKey = x.text(apiKey);
  if (x.error)
    return {
      requests: null,
      failure: { kind: 'give-up', reason: 'other', message: `opsgenie: ${x.error.message}` },
    };
  return { requests, apiKey };
}

/** Opsgenie's error answer ({message, errors?}), for the give-up message. */
function errorDetails(body: string): string {
  try {
    const o = JSON.parse(body) as { message?: unknown; errors?: unknown };
    if (typeof o.message === 'string') {
      const errors = o.errors && typeof o.errors === 'object' ? JSON.stringify(o.errors) : '';
      return errors ? `${o.message}: ${errors}` : o.message;
    }
  } catch {
    /* not JSON */
  }
  return body.slice(0, 200).trim();
}

/** Alertmanager's Opsgenie integration: the requests go out in order; the first failure ends the send. */
export class OpsgenieNotifier extends HttpNotifier {
  override readonly kind = 'opsgenie';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { requests, apiKey, failure } = opsgenieRequests(this.c, this.templates, n);
    if (failure) return failure;
    if (!requests) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    for (const q of requests) {
      const r = await this.request(
        {
          method: q.method,
          url: q.url,
          body: JSON.stringify(q.body),
          contentType: 'application/json',
          headers: { Authorization: `GenieKey ${apiKey}` },
        },
        signal,
      );
      const res = r.response;
      if (!res) return resultOf(r.outcome, `opsgenie: ${r.message}`);
      if (res.status < 200 || res.status >= 300) {
        const what = `${q.method} ${new URL(q.url).pathname}`;
        return resultOf(r.outcome, `opsgenie: ${what}: HTTP ${res.status}: ${errorDetails(res.body)}`);
      }
    }
    return { kind: 'ok' };
  }
}

export const opsgenie = httpIntegration(OpsgenieNotifier);
