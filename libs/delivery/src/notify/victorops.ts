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

// Alertmanager's notify/victorops (Splunk On-Call REST endpoint): one incident per group
// (entity_id = hash of the group key), RECOVERY when the group resolves.

/** Longest `state_message` (VictorOps' field limit, in characters; Alertmanager truncates to it). */
export const VICTOROPS_MAX_STATE_MESSAGE_RUNES = 20_480;

/** The message types a firing notification may carry; anything else becomes CRITICAL. */
const FIRING_TYPES = ['INFO', 'WARNING', 'CRITICAL'];

const DEFAULTS = {
  message_type: 'CRITICAL',
  state_message: '{{ template "victorops.default.state_message" . }}',
  entity_display_name: '{{ template "victorops.default.entity_display_name" . }}',
  monitoring_tool: '{{ template "victorops.default.monitoring_tool" . }}',
};

// Alertmanager fills its defaults into the config before the YAML is read: a field written empty stays empty.
const orDefault = (v: unknown, def: string): string => (typeof v === 'string' ? v : def);

/** Go's URL path escaping (url.PathEscape rules for a path: "/" and sub-delims kept). */
export function goPathEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The URL and body of a notification (null: nothing to send), or a give-up. */
export function victorOpsRequest(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { request: { url: string; body: Record<string, string>; apiKey: string } | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { request: null };
  const x = expanderFor(templates, payload);
  let apiKey: string;
  try {
    apiKey = secretOf(c, 'api_key') ?? '';
  } catch (e) {
    return {
      request: null,
      failure: {
        kind: 'give-up',
        reason: 'other',
        message: `victorops: cannot read api_key_file: ${(e as Error).message}`,
      },
    };
  }
  const u = new URL(String(c.api_url));
  u.pathname += goPathEscape(`${apiKey}/${x.text(c.routing_key)}`);
  let messageType = x.text(orDefault(c.message_type, DEFAULTS.message_type));
  if (groupResolved(payload)) messageType = 'RECOVERY';
  else if (!FIRING_TYPES.includes(messageType)) messageType = 'CRITICAL';
  const body: Record<string, string> = {
    message_type: messageType,
    entity_id: groupKeyHash(n.groupKey),
    entity_display_name: x.text(orDefault(c.entity_display_name, DEFAULTS.entity_display_name)),
    state_message: truncateRunes(
      x.text(orDefault(c.state_message, DEFAULTS.state_message)),
      VICTOROPS_MAX_STATE_MESSAGE_RUNES,
    ).value,
    monitoring_tool: x.text(orDefault(c.monitoring_tool, DEFAULTS.monitoring_tool)),
  };
  if (c.custom_fields && typeof c.custom_fields === 'object')
    for (const [k, v] of Object.entries(c.custom_fields as Raw)) body[k] = x.text(v);
  if (x.error)
    return {
      request: null,
      failure: { kind: 'give-up', reason: 'other', message: `victorops: ${x.error.message}` },
    };
  return { request: { url: u.toString(), body, apiKey } };
}

/** Alertmanager's VictorOps integration. */
export class VictorOpsNotifier extends HttpNotifier {
  override readonly kind = 'victorops';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { request, failure } = victorOpsRequest(this.c, this.templates, n);
    if (failure) return failure;
    if (!request) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const r = await this.request(
      {
        method: 'POST',
        url: request.url,
        body: JSON.stringify(request.body),
        contentType: 'application/json',
      },
      signal,
    );
    const res = r.response;
    // The URL carries the API key: messages never include it.
    const redact = (m: string) => (request.apiKey ? m.split(request.apiKey).join('<secret>') : m);
    if (!res) return resultOf(r.outcome, `victorops: ${redact(r.message)}`);
    let detail = res.body.slice(0, 200).trim();
    let result: string | undefined;
    try {
      const o = JSON.parse(res.body) as { result?: unknown; message?: unknown };
      if (typeof o.result === 'string') result = o.result;
      if (typeof o.message === 'string') detail = o.message;
    } catch {
      /* not JSON */
    }
    if (res.status >= 200 && res.status < 300) {
      // The REST endpoint reports a refused alert as {"result":"failure","message":…}.
      if (result === 'failure')
        return {
          kind: 'give-up',
          reason: 'clientError',
          message: `victorops: ${detail}`,
          status: res.status,
        };
      return { kind: 'ok' };
    }
    return resultOf(r.outcome, `victorops: HTTP ${res.status}: ${detail}`);
  }
}

export const victorops = httpIntegration(VictorOpsNotifier);
