import { ConfigError } from '@herald/domain';
import { asObject, asString, at, httpUrl, show, type RawObject } from '../fields';
import { checkFields, optStr, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's `global.victorops_api_url` default (the REST endpoint integration). */
export const VICTOROPS_DEFAULT_API_URL = 'https://alert.victorops.com/integrations/generic/20131114/alert/';

const TEMPLATED = ['routing_key', 'message_type', 'state_message', 'entity_display_name', 'monitoring_tool'];

/** Keys of the request body Alertmanager fills itself: a custom field may not replace them. */
export const VICTOROPS_RESERVED_FIELDS = [
  'routing_key',
  'message_type',
  'state_message',
  'entity_display_name',
  'monitoring_tool',
  'entity_id',
  'entity_state',
];

/** `victorops_configs` (Splunk On-Call REST endpoint: `<api_url><api_key>/<routing_key>`). */
export const victorops: ReceiverKindSpec = {
  kind: 'victorops',
  key: 'victorops_configs',
  sendResolved: true,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(c, path, ['api_key', 'api_key_file', 'api_url', ...TEMPLATED, 'custom_fields']);
    const g = ctx.global.raw;
    if (g.victorops_api_key != null && g.victorops_api_key_file != null)
      throw new ConfigError(
        'global',
        'at most one of victorops_api_key and victorops_api_key_file may be set',
      );
    const own = secretPair(c, 'api_key', path);
    asString(c.routing_key, at(path, 'routing_key'));
    if (c.api_url != null) httpUrl(c.api_url, at(path, 'api_url'));
    for (const k of TEMPLATED) {
      optStr(c, k, path);
      ctx.template(c[k], at(path, k));
    }
    if (c.custom_fields != null) {
      const f = asObject(c.custom_fields, at(path, 'custom_fields'));
      for (const [k, v] of Object.entries(f)) {
        const p = at(at(path, 'custom_fields'), k);
        if (VICTOROPS_RESERVED_FIELDS.includes(k))
          throw new ConfigError(
            p,
            `reserved: ${show(k)} is a field Alertmanager sets itself and cannot be a custom field`,
          );
        if (typeof v !== 'string') throw new ConfigError(p, `must be a string, got ${show(v)}`);
        ctx.template(v, p);
      }
    }
    const out: RawObject = { ...c };
    if (out.api_url == null) {
      if (g.victorops_api_url != null) httpUrl(g.victorops_api_url, 'global.victorops_api_url');
      out.api_url = g.victorops_api_url ?? VICTOROPS_DEFAULT_API_URL;
    }
    // Alertmanager appends `<api_key>/<routing_key>` to api_url's path, which it makes end in "/".
    const u = new URL(String(out.api_url));
    if (!u.pathname.endsWith('/')) {
      u.pathname += '/';
      out.api_url = u.toString();
    }
    if (own === 'none') {
      if (g.victorops_api_key != null) out.api_key = g.victorops_api_key;
      else if (g.victorops_api_key_file != null) out.api_key_file = g.victorops_api_key_file;
      else
        throw new ConfigError(
          path,
          'one of api_key or api_key_file is required (or set global.victorops_api_key or global.victorops_api_key_file)',
        );
    }
    return out;
  },
};
