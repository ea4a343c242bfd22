import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl, show, type RawObject } from '../fields';
import { checkFields, optStr, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's default `global.wechat_api_url`. */
export const WECHAT_DEFAULT_API_URL = 'https://qyapi.weixin.qq.com/cgi-bin/';

/** Fields Alertmanager expands as templates (`api_secret` and `corp_id` too, when fetching the token). */
const TEMPLATED = ['message', 'to_user', 'to_party', 'to_tag', 'agent_id', 'corp_id', 'api_secret'];

/**
 * `wechat_configs` (WeChat Work / WeCom application messages): `api_url`, `api_secret` / `_file` and
 * `corp_id` default to the `global.wechat_api_*` settings, as in Alertmanager's config loader.
 */
export const wechat: ReceiverKindSpec = {
  kind: 'wechat',
  key: 'wechat_configs',
  sendResolved: false,
  since: '0.12',
  check(c, path, ctx) {
    checkFields(c, path, [
      'api_secret',
      'api_secret_file',
      'corp_id',
      'message',
      'api_url',
      'to_user',
      'to_party',
      'to_tag',
      'agent_id',
      'message_type',
    ]);
    const g = ctx.global.raw;
    if (g.wechat_api_secret != null && g.wechat_api_secret_file != null)
      throw new ConfigError(
        'global',
        'at most one of wechat_api_secret and wechat_api_secret_file may be set',
      );
    for (const k of ['corp_id', 'message', 'to_user', 'to_party', 'to_tag', 'agent_id', 'message_type'])
      optStr(c, k, path);
    const type = c.message_type == null || c.message_type === '' ? 'text' : c.message_type;
    if (type !== 'text' && type !== 'markdown')
      throw new ConfigError(at(path, 'message_type'), `must be text or markdown, got ${show(type)}`);

    const globalSecret = g.wechat_api_secret ?? g.wechat_api_secret_file;
    if (secretPair(c, 'api_secret', path) === 'none' && globalSecret == null)
      throw new ConfigError(
        path,
        'api_secret or api_secret_file is required (or set global.wechat_api_secret / wechat_api_secret_file)',
      );

    const corpId = c.corp_id || g.wechat_api_corp_id;
    if (corpId == null || corpId === '')
      throw new ConfigError(at(path, 'corp_id'), 'is required (or set global.wechat_api_corp_id)');
    if (typeof corpId !== 'string')
      throw new ConfigError('global.wechat_api_corp_id', `must be a string, got ${show(corpId)}`);

    const apiUrl = c.api_url ?? g.wechat_api_url ?? WECHAT_DEFAULT_API_URL;
    httpUrl(apiUrl, c.api_url != null ? at(path, 'api_url') : 'global.wechat_api_url');

    for (const k of TEMPLATED) {
      if (k !== 'api_secret') ctx.template(c[k], at(path, k));
      else {
        // Go's parse errors quote the offending text: keep the secret out of the message.
        try {
          ctx.template(c[k], at(path, k));
        } catch {
          throw new ConfigError(at(path, k), 'is not a valid template (Alertmanager expands it as one)');
        }
      }
    }

    const out: RawObject = { ...c, message_type: type, corp_id: corpId };
    // The integration appends `gettoken` / `message/send`, so the URL must end in a slash.
    const u = new URL(apiUrl as string);
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    out.api_url = u.toString();
    if (c.api_secret == null && c.api_secret_file == null) {
      if (g.wechat_api_secret != null)
        out.api_secret = asString(g.wechat_api_secret, 'global.wechat_api_secret');
      else out.api_secret_file = asString(g.wechat_api_secret_file, 'global.wechat_api_secret_file');
    }
    return out;
  },
};
