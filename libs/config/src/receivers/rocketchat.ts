import { ConfigError } from '@herald/domain';
import {
  asObject,
  asString,
  at,
  checkKeys,
  httpUrl,
  idx,
  optBool,
  optList,
  show,
  type RawObject,
} from '../fields';
import { checkFields, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's `global.rocketchat_api_url` default. */
export const ROCKETCHAT_DEFAULT_API_URL = 'https://open.rocket.chat/';

const TEMPLATED = [
  'channel',
  'color',
  'title',
  'title_link',
  'text',
  'emoji',
  'icon_url',
  'image_url',
  'thumb_url',
];

/**
 * `rocketchat_configs`: chat.postMessage with a personal access token (X-Auth-Token / X-User-Id),
 * Alertmanager 0.28+. `api_url`, `token(_file)` and `token_id(_file)` default to `global.rocketchat_*`.
 */
export const rocketchat: ReceiverKindSpec = {
  kind: 'rocketchat',
  key: 'rocketchat_configs',
  sendResolved: false,
  since: '0.28',
  check(c, path, ctx) {
    checkFields(c, path, [
      'api_url',
      'token',
      'token_file',
      'token_id',
      'token_id_file',
      ...TEMPLATED,
      'fields',
      'short_fields',
      'link_names',
      'actions',
    ]);
    const g = ctx.global.raw;
    for (const k of ['rocketchat_token', 'rocketchat_token_id'])
      if (g[k] != null && g[`${k}_file`] != null)
        throw new ConfigError('global', `at most one of ${k} and ${k}_file may be set`);
    secretPair(c, 'token', path);
    secretPair(c, 'token_id', path);
    const out: RawObject = { ...c };
    // The entry's own pair wins; otherwise the global pair. (Alertmanager fills token and token_file
    // from global separately, and its sender then prefers a file: an entry's inline token would lose to
    // a global token_file there. Herald keeps the entry's choice.)
    for (const [own, global] of [
      ['token', 'rocketchat_token'],
      ['token_id', 'rocketchat_token_id'],
    ] as const) {
      if (out[own] == null && out[`${own}_file`] == null) {
        if (g[global] != null) out[own] = asString(g[global], `global.${global}`);
        else if (g[`${global}_file`] != null)
          out[`${own}_file`] = asString(g[`${global}_file`], `global.${global}_file`);
        else
          throw new ConfigError(path, `one of ${own} or ${own}_file is required (or set global.${global})`);
      }
    }
    if (out.api_url == null) out.api_url = g.rocketchat_api_url ?? ROCKETCHAT_DEFAULT_API_URL;
    httpUrl(out.api_url, c.api_url != null ? at(path, 'api_url') : 'global.rocketchat_api_url');

    for (const k of TEMPLATED) ctx.template(c[k], at(path, k));
    optBool(c.short_fields, at(path, 'short_fields'));
    // Alertmanager accepts link_names but never puts it in the request; Herald accepts only the
    // no-op value rather than silently ignoring `true`.
    if (optBool(c.link_names, at(path, 'link_names')) === true)
      throw new ConfigError(
        at(path, 'link_names'),
        'Rocket.Chat has no link_names option and Alertmanager never sends it; remove it (Herald would ignore it)',
      );
    optList(c.fields, at(path, 'fields')).forEach((f, i) => {
      const p = idx(at(path, 'fields'), i);
      const o = asObject(f, p);
      checkKeys(o, ['title', 'value', 'short'], p);
      ctx.template(o.title, at(p, 'title'));
      ctx.template(o.value, at(p, 'value'));
      optBool(o.short, at(p, 'short'));
    });
    optList(c.actions, at(path, 'actions')).forEach((a, i) => {
      const p = idx(at(path, 'actions'), i);
      const o = asObject(a, p);
      checkKeys(o, ['type', 'text', 'url', 'msg'], p);
      // Alertmanager sends every action as a button whatever `type` says; refuse anything else.
      if (o.type != null && o.type !== 'button')
        throw new ConfigError(at(p, 'type'), `only "button" is supported, got ${show(o.type)}`);
      for (const k of ['text', 'url', 'msg']) ctx.template(o[k], at(p, k));
    });
    return out;
  },
};
