import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl, idx, optList, asObject } from '../fields';
import { checkFields } from './common';
import type { ReceiverKindSpec } from './kind';

const TEMPLATED = [
  'channel',
  'username',
  'color',
  'title',
  'title_link',
  'pretext',
  'text',
  'footer',
  'fallback',
  'callback_id',
  'icon_emoji',
  'icon_url',
  'image_url',
  'thumb_url',
];

/** `slack_configs` (incoming webhook, or chat.postMessage with `http_config.authorization`). */
export const slack: ReceiverKindSpec = {
  kind: 'slack',
  key: 'slack_configs',
  sendResolved: false,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(
      c,
      path,
      [
        'api_url',
        'api_url_file',
        ...TEMPLATED,
        'fields',
        'short_fields',
        'link_names',
        'mrkdwn_in',
        'actions',
        'timeout',
        'max_alerts',
      ],
      ['app_token', 'app_token_file', 'app_url', 'message_text', 'update_message'],
    );
    const g = ctx.global.raw;
    const hasOwn = c.api_url != null || c.api_url_file != null;
    const hasGlobal = g.slack_api_url != null || g.slack_api_url_file != null;
    if (!hasOwn && !hasGlobal) {
      throw new ConfigError(path, 'api_url or api_url_file is required (or set global.slack_api_url)');
    }
    if (c.api_url != null && c.api_url_file != null)
      throw new ConfigError(path, 'at most one of api_url and api_url_file may be set');
    if (c.api_url != null) httpUrl(c.api_url, at(path, 'api_url'));
    if (c.api_url_file != null) asString(c.api_url_file, at(path, 'api_url_file'));
    if (c.channel != null) asString(c.channel, at(path, 'channel'));
    for (const k of TEMPLATED) ctx.template(c[k], at(path, k));
    optList(c.fields, at(path, 'fields')).forEach((f, i) => {
      const p = idx(at(path, 'fields'), i);
      const o = asObject(f, p);
      asString(o.title, at(p, 'title'));
      asString(o.value, at(p, 'value'));
      ctx.template(o.title, at(p, 'title'));
      ctx.template(o.value, at(p, 'value'));
    });
    optList(c.actions, at(path, 'actions')).forEach((a, i) => {
      const p = idx(at(path, 'actions'), i);
      const o = asObject(a, p);
      asString(o.type, at(p, 'type'));
      asString(o.text, at(p, 'text'));
      if (o.url == null && o.name == null) throw new ConfigError(p, 'one of url or name is required');
      for (const k of ['text', 'url', 'name', 'value', 'style']) ctx.template(o[k], at(p, k));
    });
    const out = { ...c };
    if (out.api_url == null && out.api_url_file == null) {
      if (g.slack_api_url != null) out.api_url = g.slack_api_url;
      else out.api_url_file = g.slack_api_url_file;
    }
    return out;
  },
};
