import { ConfigError } from '@herald/domain';
import { asObject, asString, at, checkKeys, httpUrl, idx, optBool, optList, type RawObject } from '../fields';
import { checkFields } from './common';
import type { KindCheckContext, ReceiverKindSpec } from './kind';

/**
 * Templated fields of one attachment (also top-level fields of the entry), in the order Alertmanager's
 * request struct lists them; the sender builds attachments from the same list.
 */
export const MATTERMOST_ATTACHMENT_FIELDS = [
  'fallback',
  'color',
  'pretext',
  'text',
  'author_name',
  'author_link',
  'author_icon',
  'title',
  'title_link',
  'thumb_url',
  'footer',
  'footer_icon',
  'image_url',
] as const;
const ATTACHMENT_TEXT: readonly string[] = MATTERMOST_ATTACHMENT_FIELDS;

/** Templated fields of the message itself. */
const MESSAGE_TEXT = ['channel', 'username', 'icon_url', 'icon_emoji', 'type'];

/** Alertmanager's MattermostField: title and value are required (non-empty), short optional. */
function checkFieldList(v: unknown, path: string, ctx: KindCheckContext): void {
  optList(v, path).forEach((f, i) => {
    const p = idx(path, i);
    const o = asObject(f, p);
    checkKeys(o, ['title', 'value', 'short'], p);
    asString(o.title, at(p, 'title'));
    asString(o.value, at(p, 'value'));
    ctx.template(o.title, at(p, 'title'));
    ctx.template(o.value, at(p, 'value'));
    optBool(o.short, at(p, 'short'));
  });
}

/** `mattermost_configs`: an incoming webhook, Alertmanager 0.30+ (`global.mattermost_webhook_url`). */
export const mattermost: ReceiverKindSpec = {
  kind: 'mattermost',
  key: 'mattermost_configs',
  sendResolved: true,
  since: '0.30',
  check(c, path, ctx) {
    checkFields(c, path, [
      'webhook_url',
      'webhook_url_file',
      ...MESSAGE_TEXT,
      ...ATTACHMENT_TEXT,
      'fields',
      'attachments',
      'props',
      'priority',
    ]);
    const g = ctx.global.raw;
    if (g.mattermost_webhook_url != null && g.mattermost_webhook_url_file != null)
      throw new ConfigError(
        'global',
        'at most one of mattermost_webhook_url and mattermost_webhook_url_file may be set',
      );
    if (c.webhook_url != null && c.webhook_url_file != null)
      throw new ConfigError(path, 'at most one of webhook_url and webhook_url_file may be set');
    const out: RawObject = { ...c };
    // Alertmanager takes the global pair only when the entry sets neither.
    if (out.webhook_url == null && out.webhook_url_file == null) {
      if (g.mattermost_webhook_url == null && g.mattermost_webhook_url_file == null)
        throw new ConfigError(
          path,
          'one of webhook_url or webhook_url_file is required (or set global.mattermost_webhook_url)',
        );
      if (g.mattermost_webhook_url != null) {
        httpUrl(g.mattermost_webhook_url, 'global.mattermost_webhook_url');
        out.webhook_url = g.mattermost_webhook_url;
      } else {
        asString(g.mattermost_webhook_url_file, 'global.mattermost_webhook_url_file');
        out.webhook_url_file = g.mattermost_webhook_url_file;
      }
    } else if (c.webhook_url != null) httpUrl(c.webhook_url, at(path, 'webhook_url'));
    else asString(c.webhook_url_file, at(path, 'webhook_url_file'));

    for (const k of [...MESSAGE_TEXT, ...ATTACHMENT_TEXT]) ctx.template(c[k], at(path, k));
    checkFieldList(c.fields, at(path, 'fields'), ctx);
    optList(c.attachments, at(path, 'attachments')).forEach((a, i) => {
      const p = idx(at(path, 'attachments'), i);
      const o = asObject(a, p);
      checkKeys(o, [...ATTACHMENT_TEXT, 'fields'], p);
      for (const k of ATTACHMENT_TEXT) ctx.template(o[k], at(p, k));
      checkFieldList(o.fields, at(p, 'fields'), ctx);
    });
    if (c.props != null) {
      const p = at(path, 'props');
      const o = asObject(c.props, p);
      // Mattermost reads only `card` (Alertmanager's MattermostProps has nothing else).
      checkKeys(o, ['card'], p);
      ctx.template(o.card, at(p, 'card'));
    }
    if (c.priority != null) {
      const p = at(path, 'priority');
      const o = asObject(c.priority, p);
      checkKeys(o, ['priority', 'requested_ack', 'persistent_notifications'], p);
      // Templated; an unknown value is sent as "standard" (Alertmanager does the same at send time).
      ctx.template(o.priority, at(p, 'priority'));
      optBool(o.requested_ack, at(p, 'requested_ack'));
      optBool(o.persistent_notifications, at(p, 'persistent_notifications'));
    }
    return out;
  },
};
