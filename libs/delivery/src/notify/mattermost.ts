import type { TemplateSet } from '@herald/domain';
import { MATTERMOST_ATTACHMENT_FIELDS } from '@herald/config';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  integrationHttp,
  truncateRunes,
  type Expander,
  type IntegrationFactory,
  type Notification,
  type RawConfig as Raw,
  secretOf,
  HttpNotifier,
} from './context';
import { webhookBody } from './webhook';

/** Mattermost's limit on a post's text (Alertmanager truncates `text` to it). */
export const MATTERMOST_MAX_TEXT_RUNES = 16383;

/** Alertmanager's defaults for the templated fields the entry leaves out (notify/mattermost/config.go). */
const DEFAULTS: Record<string, string> = {
  username: '{{ template "mattermost.default.username" . }}',
  color: '{{ template "mattermost.default.color" . }}',
  text: '{{ template "mattermost.default.text" . }}',
  title: '{{ template "mattermost.default.title" . }}',
  title_link: '{{ template "mattermost.default.titlelink" . }}',
  fallback: '{{ template "mattermost.default.fallback" . }}',
};

/** Attachment fields in the order Alertmanager's request struct lists them (fields goes after title_link). */
const ATTACHMENT_KEYS = MATTERMOST_ATTACHMENT_FIELDS;

/** An incoming-webhook request; Alertmanager leaves out every empty field (omitempty). */
export interface MattermostRequest {
  text?: string;
  channel?: string;
  username?: string;
  icon_url?: string;
  icon_emoji?: string;
  attachments?: Record<string, unknown>[];
  type?: string;
  props?: { card?: string };
  priority?: { priority?: string; requested_ack?: boolean; persistent_notifications?: boolean };
}

/** Drops "", false and undefined, as Go's `omitempty` does for strings and bools. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === '' || o[k] === undefined || o[k] === false) delete o[k];
  return o;
}

function fieldsOf(list: unknown, x: Expander): Record<string, unknown>[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return (list as Raw[]).map((f) => {
    const out: Record<string, unknown> = compact({ title: x.text(f.title), value: x.text(f.value) });
    // `short` is a *bool: present (even false) only when configured.
    if (typeof f.short === 'boolean') out.short = f.short;
    return out;
  });
}

/** Builds one attachment from `src` (the entry itself, or one of its `attachments`). */
function attachmentOf(src: Raw, read: (key: string) => string, x: Expander): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  for (const k of ATTACHMENT_KEYS) a[k] = read(k);
  compact(a);
  const fields = fieldsOf(src.fields, x);
  if (fields) a.fields = fields;
  return a;
}

/**
 * Renders the Mattermost request of a notification (null: nothing to send), or a give-up when a
 * template fails. As Alertmanager: without `attachments`, one attachment is built from the entry's own
 * fields and carries `text`; with `attachments`, each is rendered on its own and `text` is the post's.
 */
export function mattermostMessage(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: MattermostRequest | null; failure?: SendResult; truncated?: boolean } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const text = t('text');
  const req: Record<string, unknown> = {
    channel: t('channel'),
    username: t('username'),
    icon_url: t('icon_url'),
    icon_emoji: t('icon_emoji'),
    type: t('type'),
  };
  const own = Array.isArray(c.attachments) ? (c.attachments as Raw[]) : [];
  if (own.length > 0) {
    req.attachments = own.map((a) => attachmentOf(a, (k) => x.text(a[k]), x));
    req.text = text;
  } else {
    req.attachments = [attachmentOf(c, (k) => (k === 'text' ? text : t(k)), x)];
  }
  const props = c.props as Raw | undefined;
  if (props && typeof props.card === 'string' && props.card !== '') req.props = { card: x.text(props.card) };
  const prio = c.priority as Raw | undefined;
  if (prio && typeof prio.priority === 'string' && prio.priority !== '')
    req.priority = priorityOf(
      x.text(prio.priority),
      prio.requested_ack === true,
      prio.persistent_notifications === true,
    );
  let truncated = false;
  if (typeof req.text === 'string') {
    const cut = truncateRunes(req.text, MATTERMOST_MAX_TEXT_RUNES);
    req.text = cut.value;
    truncated = cut.truncated;
  }
  const failure = x.failure();
  if (failure) return { message: null, failure };
  return { message: compact(req) as MattermostRequest, truncated };
}

/**
 * Alertmanager's priority rules: urgent/important/standard (any case), anything else becomes standard;
 * an acknowledgement is only requested above standard, persistent notifications only when urgent.
 */
function priorityOf(
  raw: string,
  requestedAck: boolean,
  persistent: boolean,
): NonNullable<MattermostRequest['priority']> {
  const lower = raw.toLowerCase();
  const priority = lower === 'urgent' || lower === 'important' ? lower : 'standard';
  return compact({
    priority,
    requested_ack: requestedAck && priority !== 'standard',
    persistent_notifications: persistent && priority === 'urgent',
  });
}

/** Alertmanager's Mattermost integration: an incoming webhook. */
export class MattermostNotifier extends HttpNotifier {
  override readonly kind = 'mattermost';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = mattermostMessage(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    let url: string;
    try {
      url = secretOf(this.c, 'webhook_url') ?? '';
    } catch (e) {
      return {
        kind: 'give-up',
        reason: 'other',
        message: `mattermost: read webhook_url_file: ${(e as Error).message}`,
      };
    }
    if (url === '') return { kind: 'give-up', reason: 'other', message: 'mattermost: webhook url missing' };
    const r = await this.request(
      { url, body: JSON.stringify(message), contentType: 'application/json' },
      signal,
    );
    const result = httpSendResult(r);
    // Alertmanager names the channel in the error.
    if (result.kind !== 'ok')
      return { ...result, message: `channel ${JSON.stringify(message.channel ?? '')}: ${result.message}` };
    return result;
  }
}

/**
 * Entry-level attachment fields that have no effect because the entry lists its own `attachments`
 * (Alertmanager ignores them too); reported at start-up rather than silently dropped.
 */
export function shadowedByAttachments(c: Raw): string[] {
  if (!Array.isArray(c.attachments) || c.attachments.length === 0) return [];
  return [...ATTACHMENT_KEYS.filter((k) => k !== 'text'), 'fields' as const].filter((k) => c[k] != null);
}

export const mattermost: IntegrationFactory = (entry, deps) => {
  const { http, timeoutMs } = integrationHttp(entry, deps);
  const shadowed = shadowedByAttachments(entry.config);
  if (shadowed.length > 0)
    deps.warnings.push(
      `${entry.path}: ${shadowed.join(', ')} ${shadowed.length === 1 ? 'has' : 'have'} no effect when attachments is set (as in Alertmanager); move ${shadowed.length === 1 ? 'it' : 'them'} into an attachment`,
    );
  return new MattermostNotifier(entry.config, deps.templates, http, timeoutMs, deps.userAgent);
};
